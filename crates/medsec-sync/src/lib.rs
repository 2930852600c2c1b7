//! Fetches the public vulnerability sources for users with internet access.
//!
//! `medsec db sync` = [`fetch_all`] into a fresh staging folder, then the store imports
//! every fetched file as ONE batch (one transaction), and only then is the new
//! [`SyncState`] saved. So:
//!
//! - an error answer (403, 503, an empty or truncated page, a hash mismatch) ends the
//!   fetch with an error that names the URL; the staging folder is removed and nothing
//!   reaches the store: stored data is never wiped or partly replaced;
//! - a crash after the fetch leaves the old state, so the next sync asks again;
//! - the store's incremental rule (a newer modification time wins) makes a repeated
//!   fetch harmless.
//!
//! Sources: NVD CVE API 2.0 ([`nvd`]: paging, API key, pacing, 120-day update windows),
//! OSV bulk archives per ecosystem, the CISA KEV catalog, FIRST EPSS scores
//! ([`files`]) and CSAF 2.0 providers with directory distribution ([`csaf`]). Every
//! address is configurable, which is also how the tests point it at a local server.

pub mod csaf;
mod error;
pub mod files;
mod http;
pub mod nvd;
mod state;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use csaf::{CsafFetch, CsafRequest};
pub use error::SyncError;
pub use http::{FetchPolicy, Fetcher};
pub use nvd::{NvdFetch, NvdRequest};
pub use state::SyncState;

/// Progress and retry events, for a progress bar. Every method has an empty default.
pub trait SyncObserver {
    fn request(&mut self, _url: &str, _attempt: u32) {}
    fn retry(&mut self, _url: &str, _problem: &str, _wait: Duration) {}
    fn progress(&mut self, _source: &str, _done: u64, _total: u64) {}
    fn downloaded(&mut self, _url: &str, _bytes: u64) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl SyncObserver for Quiet {}

/// What to fetch.
#[derive(Debug, Clone, Default)]
pub struct SyncPlan {
    pub nvd: Option<NvdRequest>,
    /// OSV bulk base URL and the ecosystems wanted.
    pub osv: Option<(String, Vec<String>)>,
    pub kev: Option<String>,
    pub epss: Option<String>,
    pub csaf: Vec<CsafRequest>,
}

/// A complete fetch, ready for one import batch.
#[derive(Debug)]
pub struct Fetched {
    /// The staging folder of this run; remove it with [`Fetched::discard`] after import.
    pub dir: PathBuf,
    /// Every file to import, in a deterministic order.
    pub files: Vec<PathBuf>,
    pub nvd: Option<NvdFetch>,
    pub csaf: Vec<CsafFetch>,
    pub notes: Vec<String>,
    /// The state to save once the import has committed.
    pub next_state: SyncState,
}

impl Fetched {
    pub fn discard(self) -> Result<(), SyncError> {
        fs::remove_dir_all(&self.dir).map_err(|e| SyncError::io(&self.dir, e))
    }
}

/// Fetches everything in `plan` into a new folder under `staging_root`. On any error
/// the folder is removed and the error returned: nothing partial is left to import.
pub fn fetch_all(
    fetcher: &Fetcher,
    plan: &SyncPlan,
    staging_root: &Path,
    state: &SyncState,
    observer: &mut dyn SyncObserver,
) -> Result<Fetched, SyncError> {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.fZ")
        .to_string();
    let dir = staging_root.join(format!("run-{stamp}-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| SyncError::io(&dir, e))?;
    match fetch_into(fetcher, plan, &dir, state, observer) {
        Ok(mut fetched) => {
            fetched.dir = dir;
            Ok(fetched)
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

fn fetch_into(
    fetcher: &Fetcher,
    plan: &SyncPlan,
    dir: &Path,
    state: &SyncState,
    observer: &mut dyn SyncObserver,
) -> Result<Fetched, SyncError> {
    let mut fetched = Fetched {
        dir: dir.to_path_buf(),
        files: Vec::new(),
        nvd: None,
        csaf: Vec::new(),
        notes: Vec::new(),
        next_state: state.clone(),
    };
    if let Some(req) = &plan.nvd {
        let mut req = req.clone();
        if req.modified_since.is_none() {
            req.modified_since = state.nvd_until;
        }
        let nvd = nvd::fetch_nvd(fetcher, &req, &dir.join("nvd"), observer)?;
        fetched.files.extend(nvd.files.iter().cloned());
        fetched.notes.extend(nvd.notes.iter().cloned());
        fetched.next_state.nvd_until = Some(req.until);
        fetched.nvd = Some(nvd);
    }
    if let Some((base, ecosystems)) = &plan.osv {
        let files = files::fetch_osv(fetcher, base, ecosystems, &dir.join("osv"), observer)?;
        fetched.files.extend(files);
    }
    if let Some(url) = &plan.kev {
        fetched
            .files
            .push(files::fetch_kev(fetcher, url, &dir.join("kev"), observer)?);
    }
    if let Some(url) = &plan.epss {
        fetched.files.push(files::fetch_epss(
            fetcher,
            url,
            &dir.join("epss"),
            observer,
        )?);
    }
    for (i, req) in plan.csaf.iter().enumerate() {
        let mut req = req.clone();
        for (k, v) in &state.csaf {
            req.since.entry(k.clone()).or_insert(*v);
        }
        let fetch = csaf::fetch_csaf(fetcher, &req, &dir.join(format!("csaf-{i}")), observer)?;
        fetched.files.extend(fetch.files.iter().cloned());
        fetched.notes.extend(fetch.notes.iter().cloned());
        for (k, v) in &fetch.newest {
            fetched.next_state.csaf.insert(k.clone(), *v);
        }
        fetched.csaf.push(fetch);
    }
    Ok(fetched)
}
