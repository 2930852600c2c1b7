//! NVD CVE API 2.0: paged fetch, by modification window for updates.
//!
//! Rules from the NVD developers pages (CVE API 2.0, "Best practices"): at most 2,000
//! CVEs a page (`resultsPerPage`), pages addressed by `startIndex`; an update asks for
//! `lastModStartDate` and `lastModEndDate` together, at most 120 consecutive days apart;
//! the rate limit is 5 requests in a rolling 30 s without an API key and 50 with one
//! (sent in the `apiKey` header), and NVD advises sleeping between requests — hence the
//! default pauses of 6 s and 0.6 s.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::SyncObserver;
use crate::error::SyncError;
use crate::http::Fetcher;

/// The public endpoint.
pub const NVD_CVE_API: &str = "https://services.nvd.nist.gov/rest/json/cves/2.0";
/// NVD's largest page.
pub const NVD_MAX_PAGE: u32 = 2000;
/// NVD's widest modification window for one query, in days.
pub const NVD_MAX_WINDOW_DAYS: i64 = 120;

#[derive(Debug, Clone)]
pub struct NvdRequest {
    pub base_url: String,
    pub api_key: Option<String>,
    pub page_size: u32,
    /// Fetch only CVEs modified since then (to `until`); `None` fetches everything.
    pub modified_since: Option<Timestamp>,
    pub until: Timestamp,
    /// Pause between two requests; `None` takes NVD's advice for the key situation.
    pub pause: Option<Duration>,
}

impl NvdRequest {
    pub fn new(until: Timestamp) -> Self {
        NvdRequest {
            base_url: NVD_CVE_API.to_string(),
            api_key: None,
            page_size: NVD_MAX_PAGE,
            modified_since: None,
            until,
            pause: None,
        }
    }

    fn pause(&self) -> Duration {
        self.pause.unwrap_or(match self.api_key {
            Some(_) => Duration::from_millis(600),
            None => Duration::from_secs(6),
        })
    }

    /// The modification windows to query: none (everything) or ≤120-day slices.
    pub fn windows(&self) -> Vec<Option<(Timestamp, Timestamp)>> {
        let Some(since) = self.modified_since else {
            return vec![None];
        };
        let step = SignedDuration::from_hours(24 * NVD_MAX_WINDOW_DAYS);
        let mut out = Vec::new();
        let mut start = since;
        while start < self.until {
            let end = start
                .checked_add(step)
                .map_or(self.until, |e| e.min(self.until));
            out.push(Some((start, end)));
            start = end;
        }
        if out.is_empty() {
            out.push(Some((since, since.max(self.until))));
        }
        out
    }
}

/// What a completed NVD fetch left in the staging folder.
#[derive(Debug, Clone, Default)]
pub struct NvdFetch {
    pub files: Vec<PathBuf>,
    pub pages: u64,
    pub records: u64,
    /// Notes worth showing (a total that changed while paging …).
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "resultsPerPage")]
    results_per_page: u64,
    #[serde(rename = "startIndex")]
    start_index: u64,
    #[serde(rename = "totalResults")]
    total_results: u64,
    format: String,
    version: String,
    vulnerabilities: Vec<serde::de::IgnoredAny>,
}

/// NVD's date form, with the offset written out (`+` escaped for the query string).
fn nvd_date(t: Timestamp) -> String {
    format!("{}%2B00:00", t.strftime("%Y-%m-%dT%H:%M:%S%.3f"))
}

fn page_url(req: &NvdRequest, window: Option<(Timestamp, Timestamp)>, start: u64) -> String {
    let mut url = format!(
        "{}?resultsPerPage={}&startIndex={}",
        req.base_url, req.page_size, start
    );
    if let Some((from, to)) = window {
        url.push_str(&format!(
            "&lastModStartDate={}&lastModEndDate={}",
            nvd_date(from),
            nvd_date(to)
        ));
    }
    url
}

/// Fetches every page into `dir` (created), checking each answer's envelope. Any
/// failure — an error status after the retries, an answer that is not an NVD 2.0
/// page, a page for the wrong index, an empty page before the end — ends the fetch
/// with an error, and the pages written so far are removed: a partial fetch is never
/// handed to the import.
pub fn fetch_nvd(
    fetcher: &Fetcher,
    req: &NvdRequest,
    dir: &Path,
    observer: &mut dyn SyncObserver,
) -> Result<NvdFetch, SyncError> {
    if req.page_size == 0 || req.page_size > NVD_MAX_PAGE {
        return Err(SyncError::Config(format!(
            "NVD page size must be 1..={NVD_MAX_PAGE}, not {}",
            req.page_size
        )));
    }
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let mut fetch = NvdFetch::default();
    let result = fetch_pages(fetcher, req, dir, observer, &mut fetch);
    if result.is_err() {
        for f in &fetch.files {
            let _ = fs::remove_file(f);
        }
        fetch.files.clear();
    }
    result.map(|()| fetch)
}

fn fetch_pages(
    fetcher: &Fetcher,
    req: &NvdRequest,
    dir: &Path,
    observer: &mut dyn SyncObserver,
    fetch: &mut NvdFetch,
) -> Result<(), SyncError> {
    let key_header;
    let headers: Vec<(&str, &str)> = match &req.api_key {
        Some(key) => {
            key_header = key.clone();
            vec![("apiKey", key_header.as_str())]
        }
        None => Vec::new(),
    };
    let mut first_request = true;
    for (w, window) in req.windows().into_iter().enumerate() {
        let mut start = 0u64;
        let mut expected_total: Option<u64> = None;
        loop {
            if !first_request {
                fetcher.pause(req.pause());
            }
            first_request = false;
            let url = page_url(req, window, start);
            let (envelope, body) = fetch_page(fetcher, &url, &headers, start, observer)?;
            let total = envelope.total_results;
            match expected_total {
                Some(t) if t != total => fetch.notes.push(format!(
                    "NVD's total changed from {t} to {total} while paging (records changed meanwhile; the next update fetches them)"
                )),
                _ => {}
            }
            expected_total = Some(total);
            let n = envelope.vulnerabilities.len() as u64;
            if n == 0 && start < total {
                return Err(SyncError::bad(
                    &url,
                    format!(
                        "an empty page at startIndex {start} of {total} results, after retries; nothing was imported"
                    ),
                ));
            }
            if n > 0 {
                let path = dir.join(format!(
                    "nvd-w{w:03}-p{:06}.json",
                    start / u64::from(req.page_size).max(1)
                ));
                fs::write(&path, &body).map_err(|e| SyncError::io(&path, e))?;
                fetch.files.push(path);
                fetch.pages += 1;
                fetch.records += n;
            }
            observer.progress("NVD", start + n, total);
            start += n;
            if start >= total || envelope.results_per_page == 0 {
                break;
            }
        }
    }
    Ok(())
}

/// One page, with an empty or malformed page retried like a failing status: NVD
/// sometimes answers 200 with an empty page under load.
fn fetch_page(
    fetcher: &Fetcher,
    url: &str,
    headers: &[(&str, &str)],
    start: u64,
    observer: &mut dyn SyncObserver,
) -> Result<(Envelope, Vec<u8>), SyncError> {
    let attempts = fetcher.policy().retries + 1;
    let mut wait = fetcher.policy().backoff;
    let mut last = String::new();
    for attempt in 1..=attempts {
        let body = fetcher
            .get(url, headers, false, observer)?
            .ok_or_else(|| SyncError::bad(url, "not found"))?;
        match check_page(&body, start) {
            Ok(env) if env.vulnerabilities.is_empty() && start < env.total_results => {
                last = format!("empty page at startIndex {start} of {}", env.total_results);
            }
            Ok(env) => return Ok((env, body)),
            Err(message) => last = message,
        }
        if attempt < attempts {
            observer.retry(url, &last, wait);
            fetcher.pause(wait);
            wait = (wait * 2).min(fetcher.policy().max_backoff);
        }
    }
    Err(SyncError::bad(
        url,
        format!("{last} (after {attempts} attempt(s)); nothing was imported"),
    ))
}

/// Checks an NVD CVE API 2.0 page's envelope (format, version, `startIndex`) without
/// keeping it; the message says what is wrong.
pub fn check_page_envelope(body: &[u8], start: u64) -> Result<(), String> {
    check_page(body, start).map(|_| ())
}

fn check_page(body: &[u8], start: u64) -> Result<Envelope, String> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        format!(
            "not an NVD CVE API 2.0 page: {e} (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    if env.format != "NVD_CVE" || !env.version.starts_with("2.") {
        return Err(format!(
            "not an NVD CVE API 2.0 page: format {:?}, version {:?}",
            env.format, env.version
        ));
    }
    if env.start_index != start {
        return Err(format!(
            "asked for startIndex {start}, the page says {}",
            env.start_index
        ));
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn windows_are_at_most_120_days() {
        let until: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        let mut req = NvdRequest::new(until);
        assert_eq!(req.windows(), vec![None]);
        req.modified_since = Some("2026-01-01T00:00:00Z".parse().unwrap());
        let w = req.windows();
        assert_eq!(w.len(), 3);
        for (from, to) in w.iter().flatten() {
            assert!(to.duration_since(*from) <= SignedDuration::from_hours(24 * 120));
        }
        assert_eq!(w.last().unwrap().unwrap().1, until);
        assert_eq!(w[0].unwrap().0, req.modified_since.unwrap());
    }

    #[test]
    fn dates_are_written_with_an_escaped_offset() {
        let t: Timestamp = "2021-08-04T13:00:00Z".parse().unwrap();
        assert_eq!(nvd_date(t), "2021-08-04T13:00:00.000%2B00:00");
    }

    #[test]
    fn a_page_must_be_an_nvd_page_at_the_index_asked() {
        let good = br#"{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","timestamp":"x","vulnerabilities":[{}]}"#;
        assert!(check_page(good, 0).is_ok());
        assert!(check_page(good, 5).unwrap_err().contains("startIndex 5"));
        assert!(check_page(b"<html>", 0).unwrap_err().contains("not an NVD"));
        let wrong = br#"{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"OSV","version":"2.0","vulnerabilities":[]}"#;
        assert!(check_page(wrong, 0).unwrap_err().contains("format"));
    }
}
