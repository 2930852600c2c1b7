//! CSAF 2.0 providers with directory-based distribution.
//!
//! CSAF 2.0, section 7.1: a provider publishes `provider-metadata.json` (requirement 7)
//! whose `distributions[].directory_url` names folders (requirement 14) that carry
//! `index.txt` and `changes.csv` (requirements 15 and 16: one `"path","timestamp"` line
//! per document, newest first) and, beside each document, its `.sha256` (requirement
//! 18). We read `changes.csv`, fetch the documents changed since the last import and
//! check each published SHA-256. ROLIE feeds (requirement 15's alternative) and the
//! OpenPGP signatures (`.asc`, requirement 19) are not read: a note says so.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::SyncObserver;
use crate::error::SyncError;
use crate::http::Fetcher;

#[derive(Debug, Clone)]
pub struct CsafRequest {
    /// A `provider-metadata.json` URL, or a directory URL (ending in `/`).
    pub provider: String,
    /// Per directory URL, the newest timestamp already imported.
    pub since: std::collections::BTreeMap<String, Timestamp>,
    pub pause: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct CsafFetch {
    pub files: Vec<PathBuf>,
    /// Per directory, the newest timestamp fetched (to save after the import).
    pub newest: std::collections::BTreeMap<String, Timestamp>,
    pub notes: Vec<String>,
}

/// The directories a provider names.
fn directories(
    fetcher: &Fetcher,
    provider: &str,
    observer: &mut dyn SyncObserver,
    notes: &mut Vec<String>,
) -> Result<Vec<String>, SyncError> {
    if provider.ends_with('/') {
        return Ok(vec![provider.to_string()]);
    }
    let body = fetcher
        .get(provider, &[], false, observer)?
        .ok_or_else(|| SyncError::bad(provider, "not found"))?;
    let meta: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        SyncError::bad(
            provider,
            format!(
                "not a CSAF provider-metadata.json: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let mut dirs = Vec::new();
    let mut rolie = false;
    if let Some(dists) = meta.get("distributions").and_then(|d| d.as_array()) {
        for d in dists {
            if let Some(url) = d.get("directory_url").and_then(|u| u.as_str()) {
                let mut url = url.to_string();
                if !url.ends_with('/') {
                    url.push('/');
                }
                dirs.push(url);
            }
            rolie |= d.get("rolie").is_some();
        }
    }
    if rolie {
        notes.push(format!(
            "{provider}: ROLIE feeds are not read; only directory distributions are"
        ));
    }
    if dirs.is_empty() {
        return Err(SyncError::bad(
            provider,
            "the provider metadata names no directory_url distribution",
        ));
    }
    Ok(dirs)
}

/// Parses a `changes.csv` listing (one `"path","timestamp"` line per document); a path
/// that is not a relative path to a `.json` document inside the directory is refused.
pub fn parse_changes(url: &str, text: &str) -> Result<Vec<(String, Timestamp)>, SyncError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let [path, stamp] = fields.as_slice() else {
            return Err(SyncError::bad(
                url,
                format!("line {}: expected \"path\",\"timestamp\"", n + 1),
            ));
        };
        let stamp: Timestamp = stamp.parse().map_err(|e| {
            SyncError::bad(url, format!("line {}: bad timestamp {stamp:?}: {e}", n + 1))
        })?;
        // A hostile listing must not make us fetch outside the directory or write
        // outside the staging folder.
        if path.is_empty()
            || path.starts_with('/')
            || path.contains("..")
            || path.contains("://")
            || path.contains('\\')
            || !path.ends_with(".json")
        {
            return Err(SyncError::bad(
                url,
                format!(
                    "line {}: {path:?} is not a relative path to a .json document",
                    n + 1
                ),
            ));
        }
        out.push((path.to_string(), stamp));
    }
    Ok(out)
}

/// Fetches the documents changed since `req.since` into `dir`.
pub fn fetch_csaf(
    fetcher: &Fetcher,
    req: &CsafRequest,
    dir: &Path,
    observer: &mut dyn SyncObserver,
) -> Result<CsafFetch, SyncError> {
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let mut fetch = CsafFetch::default();
    let result = fetch_inner(fetcher, req, dir, observer, &mut fetch);
    if result.is_err() {
        for f in &fetch.files {
            let _ = fs::remove_file(f);
        }
        fetch.files.clear();
    }
    result.map(|()| fetch)
}

fn fetch_inner(
    fetcher: &Fetcher,
    req: &CsafRequest,
    dir: &Path,
    observer: &mut dyn SyncObserver,
    fetch: &mut CsafFetch,
) -> Result<(), SyncError> {
    let dirs = directories(fetcher, &req.provider, observer, &mut fetch.notes)?;
    for (d, base) in dirs.iter().enumerate() {
        let changes_url = format!("{base}changes.csv");
        let body = fetcher
            .get(&changes_url, &[], false, observer)?
            .ok_or_else(|| SyncError::bad(&changes_url, "not found"))?;
        let text = String::from_utf8(body)
            .map_err(|_| SyncError::bad(&changes_url, "changes.csv is not UTF-8"))?;
        let since = req.since.get(base).copied();
        let mut wanted: Vec<(String, Timestamp)> = parse_changes(&changes_url, &text)?
            .into_iter()
            .filter(|(_, t)| since.is_none_or(|s| *t > s))
            .collect();
        wanted.sort();
        wanted.dedup_by(|a, b| a.0 == b.0);
        let total = wanted.len() as u64;
        let mut unhashed = 0u64;
        for (i, (path, stamp)) in wanted.iter().enumerate() {
            if i > 0 {
                fetcher.pause(req.pause);
            }
            let url = format!("{base}{path}");
            let bytes = fetcher
                .get(&url, &[], false, observer)?
                .ok_or_else(|| SyncError::bad(&url, "listed in changes.csv but not found"))?;
            match fetcher.get(&format!("{url}.sha256"), &[], true, observer)? {
                Some(published) => {
                    let published = String::from_utf8_lossy(&published);
                    let published = published
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let computed = hex(&Sha256::digest(&bytes));
                    if published != computed {
                        return Err(SyncError::HashMismatch {
                            url,
                            published,
                            computed,
                        });
                    }
                }
                None => unhashed += 1,
            }
            let name = format!("csaf-d{d:02}-{}", path.replace('/', "_"));
            let dest = dir.join(name);
            fs::write(&dest, &bytes).map_err(|e| SyncError::io(&dest, e))?;
            fetch.files.push(dest);
            let newest = fetch.newest.entry(base.clone()).or_insert(*stamp);
            if *stamp > *newest {
                *newest = *stamp;
            }
            observer.progress("CSAF", i as u64 + 1, total);
        }
        if unhashed > 0 {
            fetch.notes.push(format!(
                "{base}: {unhashed} document(s) without a published .sha256 (not verified)"
            ));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn changes_lines_are_checked() {
        let ok = parse_changes(
            "u",
            "\"2024/a.json\",\"2024-01-02T00:00:00Z\"\n\"2023/b.json\",\"2023-05-01T10:00:00Z\"\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].0, "2024/a.json");
        for bad in [
            "\"../x.json\",\"2024-01-02T00:00:00Z\"",
            "\"/etc/x.json\",\"2024-01-02T00:00:00Z\"",
            "\"https://evil.invalid/x.json\",\"2024-01-02T00:00:00Z\"",
            "\"a.json\",\"yesterday\"",
            "\"a.json\"",
        ] {
            assert!(parse_changes("u", bad).is_err(), "{bad}");
        }
    }
}
