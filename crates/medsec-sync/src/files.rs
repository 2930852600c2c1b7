//! Sources shipped as one file each: OSV bulk archives, the CISA KEV catalog, the
//! FIRST EPSS scores. Each download is checked for its shape before it is handed on.

use std::fs;
use std::path::{Path, PathBuf};

use crate::SyncObserver;
use crate::error::SyncError;
use crate::http::Fetcher;

/// OSV publishes one archive of every record per ecosystem at `BASE/ECOSYSTEM/all.zip`
/// (OSV documentation, "Data dumps").
pub const OSV_BULK_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The CISA Known Exploited Vulnerabilities catalog in JSON.
pub const CISA_KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// FIRST's daily EPSS scores (the data host named by the EPSS data page; the older
/// host has served the same file, so the address is configurable).
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// Downloads `all.zip` for each ecosystem into `dir` as `osv-ECOSYSTEM.zip`.
pub fn fetch_osv(
    fetcher: &Fetcher,
    base: &str,
    ecosystems: &[String],
    dir: &Path,
    observer: &mut dyn SyncObserver,
) -> Result<Vec<PathBuf>, SyncError> {
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let mut files = Vec::new();
    for ecosystem in ecosystems {
        if ecosystem.is_empty()
            || ecosystem.contains(['/', '\\', '?', '#'])
            || ecosystem.contains("..")
        {
            return Err(SyncError::Config(format!(
                "{ecosystem:?} is not an OSV ecosystem name"
            )));
        }
        let url = format!(
            "{}/{}/all.zip",
            base.trim_end_matches('/'),
            encode_path_segment(ecosystem)
        );
        let safe: String = ecosystem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dest = dir.join(format!("osv-{safe}.zip"));
        fetcher.download(&url, &dest, observer)?;
        check_zip(&url, &dest)?;
        files.push(dest);
    }
    Ok(files)
}

fn encode_path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A zip with at least one entry: local header magic, and bigger than an empty
/// archive's end record.
fn check_zip(url: &str, path: &Path) -> Result<(), SyncError> {
    let head = read_head(path, 4)?;
    if head != b"PK\x03\x04" {
        let _ = fs::remove_file(path);
        return Err(SyncError::bad(
            url,
            "the answer is not a zip archive with entries (an empty or error answer); nothing was imported",
        ));
    }
    Ok(())
}

fn read_head(path: &Path, n: usize) -> Result<Vec<u8>, SyncError> {
    use std::io::Read;
    let mut f = fs::File::open(path).map_err(|e| SyncError::io(path, e))?;
    let mut buf = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let r = f
            .read(&mut buf[got..])
            .map_err(|e| SyncError::io(path, e))?;
        if r == 0 {
            break;
        }
        got += r;
    }
    buf.truncate(got);
    Ok(buf)
}

/// Downloads the KEV catalog to `dir/kev.json` after checking it is a catalog with
/// entries whose `count` agrees.
pub fn fetch_kev(
    fetcher: &Fetcher,
    url: &str,
    dir: &Path,
    observer: &mut dyn SyncObserver,
) -> Result<PathBuf, SyncError> {
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let body = fetcher
        .get(url, &[], false, observer)?
        .ok_or_else(|| SyncError::bad(url, "not found"))?;
    #[derive(serde::Deserialize)]
    struct Catalog {
        count: Option<u64>,
        vulnerabilities: Vec<serde::de::IgnoredAny>,
    }
    let catalog: Catalog = serde_json::from_slice(&body).map_err(|e| {
        SyncError::bad(
            url,
            format!(
                "not a KEV catalog: {e} (line {}, column {}); nothing was imported",
                e.line(),
                e.column()
            ),
        )
    })?;
    if catalog.vulnerabilities.is_empty() {
        return Err(SyncError::bad(
            url,
            "the KEV catalog lists no vulnerabilities (an empty answer); nothing was imported",
        ));
    }
    if let Some(count) = catalog.count
        && count != catalog.vulnerabilities.len() as u64
    {
        return Err(SyncError::bad(
            url,
            format!(
                "the KEV catalog says count {count} but lists {} (a truncated answer); nothing was imported",
                catalog.vulnerabilities.len()
            ),
        ));
    }
    let dest = dir.join("kev.json");
    fs::write(&dest, &body).map_err(|e| SyncError::io(&dest, e))?;
    Ok(dest)
}

/// Downloads the EPSS scores to `dir/epss.csv.gz` after checking the gzip magic.
pub fn fetch_epss(
    fetcher: &Fetcher,
    url: &str,
    dir: &Path,
    observer: &mut dyn SyncObserver,
) -> Result<PathBuf, SyncError> {
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let dest = dir.join("epss.csv.gz");
    fetcher.download(url, &dest, observer)?;
    if read_head(&dest, 2)? != [0x1f, 0x8b] {
        let _ = fs::remove_file(&dest);
        return Err(SyncError::bad(
            url,
            "the answer is not gzip-compressed EPSS data; nothing was imported",
        ));
    }
    Ok(dest)
}
