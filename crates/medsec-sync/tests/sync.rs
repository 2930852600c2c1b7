#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The fetchers against a local HTTP server that answers like the real services,
//! including the error answers that must never leave anything to import.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use medsec_sync::{
    CsafRequest, FetchPolicy, Fetcher, NvdRequest, Quiet, SyncError, SyncPlan, SyncState, fetch_all,
};
use sha2::{Digest, Sha256};

/// A scripted answer: status, body, headers.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

fn ok(body: impl Into<Vec<u8>>) -> Answer {
    Answer {
        status: 200,
        body: body.into(),
        headers: Vec::new(),
    }
}

fn status(code: u16) -> Answer {
    Answer {
        status: code,
        body: format!("error {code}").into_bytes(),
        headers: Vec::new(),
    }
}

/// Serves, per path-and-query, a queue of answers (the last one repeats), and records
/// every request with its headers.
type RequestLog = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

struct Server {
    base: String,
    log: RequestLog,
}

fn serve(routes: Vec<(&str, Vec<Answer>)>) -> Server {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let routes: Arc<Mutex<HashMap<String, Vec<Answer>>>> = Arc::new(Mutex::new(
        routes
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    ));
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let url = request.url().to_string();
            let headers = request
                .headers()
                .iter()
                .map(|h| {
                    (
                        h.field.as_str().as_str().to_ascii_lowercase(),
                        h.value.to_string(),
                    )
                })
                .collect();
            log2.lock().unwrap().push((url.clone(), headers));
            let answer = {
                let mut routes = routes.lock().unwrap();
                match routes.get_mut(&url) {
                    Some(queue) if queue.len() > 1 => queue.remove(0),
                    Some(queue) => queue[0].clone(),
                    None => status(404),
                }
            };
            let mut response =
                tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
            for (k, v) in answer.headers {
                response
                    .add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
            }
            let _ = request.respond(response);
        }
    });
    Server {
        base: format!("http://127.0.0.1:{port}"),
        log,
    }
}

fn fetcher(waits: Arc<Mutex<Vec<Duration>>>) -> Fetcher {
    Fetcher::new(FetchPolicy {
        retries: 2,
        backoff: Duration::from_secs(6),
        max_backoff: Duration::from_secs(60),
        timeout: Duration::from_secs(20),
        max_body: 1 << 20,
        user_agent: "medsec-test".into(),
    })
    .with_sleeper(move |d| waits.lock().unwrap().push(d))
}

fn nvd_page(start: u64, total: u64, ids: &[&str]) -> Vec<u8> {
    let vulns: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"cve":{{"id":"{id}","lastModified":"2026-11-01T00:00:00.000"}}}}"#))
        .collect();
    format!(
        r#"{{"resultsPerPage":{},"startIndex":{start},"totalResults":{total},"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-28T00:00:00.000","vulnerabilities":[{}]}}"#,
        ids.len(),
        vulns.join(",")
    )
    .into_bytes()
}

fn nvd_plan(base: &str, key: Option<&str>) -> SyncPlan {
    let mut req = NvdRequest::new("2026-11-28T00:00:00Z".parse().unwrap());
    req.base_url = format!("{base}/nvd");
    req.page_size = 2;
    req.api_key = key.map(str::to_string);
    req.pause = Some(Duration::from_millis(600));
    SyncPlan {
        nvd: Some(req),
        ..Default::default()
    }
}

fn staging_is_empty(root: &std::path::Path) -> bool {
    std::fs::read_dir(root)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

#[test]
fn nvd_pages_are_fetched_with_the_key_and_paced() {
    let s = serve(vec![
        (
            "/nvd?resultsPerPage=2&startIndex=0",
            vec![ok(nvd_page(0, 5, &["CVE-1", "CVE-2"]))],
        ),
        (
            "/nvd?resultsPerPage=2&startIndex=2",
            vec![status(503), ok(nvd_page(2, 5, &["CVE-3", "CVE-4"]))],
        ),
        (
            "/nvd?resultsPerPage=2&startIndex=4",
            vec![ok(nvd_page(4, 5, &["CVE-5"]))],
        ),
    ]);
    let waits = Arc::new(Mutex::new(Vec::new()));
    let staging = tempfile::tempdir().unwrap();
    let fetched = fetch_all(
        &fetcher(waits.clone()),
        &nvd_plan(&s.base, Some("secret-key")),
        staging.path(),
        &SyncState::default(),
        &mut Quiet,
    )
    .unwrap();
    let nvd = fetched.nvd.as_ref().unwrap();
    assert_eq!((nvd.pages, nvd.records), (3, 5));
    assert_eq!(fetched.files.len(), 3);
    assert_eq!(
        fetched.next_state.nvd_until,
        Some("2026-11-28T00:00:00Z".parse().unwrap())
    );
    let log = s.log.lock().unwrap();
    assert_eq!(log.len(), 4, "three pages and one retry");
    assert!(
        log.iter()
            .all(|(_, h)| h.get("apikey").map(String::as_str) == Some("secret-key"))
    );
    // Pacing between pages (600 ms) and one backoff (6 s) for the 503.
    let waits = waits.lock().unwrap();
    assert_eq!(
        *waits,
        vec![
            Duration::from_millis(600),
            Duration::from_secs(6),
            Duration::from_millis(600)
        ]
    );
    drop(log);
    fetched.discard().unwrap();
    assert!(staging_is_empty(staging.path()));
}

#[test]
fn an_update_asks_for_the_window_since_the_last_sync() {
    let s = serve(vec![(
        "/nvd?resultsPerPage=2&startIndex=0&lastModStartDate=2026-11-20T00:00:00.000%2B00:00&lastModEndDate=2026-11-28T00:00:00.000%2B00:00",
        vec![ok(nvd_page(0, 1, &["CVE-9"]))],
    )]);
    let staging = tempfile::tempdir().unwrap();
    let state = SyncState {
        nvd_until: Some("2026-11-20T00:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    let fetched = fetch_all(
        &fetcher(Arc::default()),
        &nvd_plan(&s.base, None),
        staging.path(),
        &state,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(fetched.nvd.as_ref().unwrap().records, 1);
}

#[test]
fn error_answers_leave_nothing_to_import() {
    for (name, answers, expect) in [
        (
            "503 every time",
            vec![status(503)],
            "HTTP 503 after 3 attempt(s)",
        ),
        ("403 rate limit", vec![status(403)], "NVD answers 403"),
        (
            "401 at once",
            vec![status(401)],
            "HTTP 401 after 1 attempt(s)",
        ),
        (
            "an empty page before the end",
            vec![ok(nvd_page(2, 5, &[]))],
            "empty page at startIndex 2 of 5",
        ),
        (
            "HTML instead of JSON",
            vec![ok("<html>busy</html>")],
            "not an NVD CVE API 2.0 page",
        ),
        (
            "a page for the wrong index",
            vec![ok(nvd_page(0, 5, &["CVE-1", "CVE-2"]))],
            "asked for startIndex 2, the page says 0",
        ),
    ] {
        let s = serve(vec![
            (
                "/nvd?resultsPerPage=2&startIndex=0",
                vec![ok(nvd_page(0, 5, &["CVE-1", "CVE-2"]))],
            ),
            ("/nvd?resultsPerPage=2&startIndex=2", answers),
        ]);
        let staging = tempfile::tempdir().unwrap();
        let err = fetch_all(
            &fetcher(Arc::default()),
            &nvd_plan(&s.base, None),
            staging.path(),
            &SyncState::default(),
            &mut Quiet,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expect), "{name}: {text}");
        assert!(
            text.contains("/nvd?resultsPerPage=2&startIndex=2"),
            "{name}: names the URL: {text}"
        );
        assert!(
            staging_is_empty(staging.path()),
            "{name}: the first page was removed too"
        );
    }
}

#[test]
fn retry_after_is_honoured_up_to_the_cap() {
    let mut limited = status(429);
    limited.headers.push(("Retry-After".into(), "17".into()));
    let s = serve(vec![("/kev.json", vec![limited, ok(kev(2, 2))])]);
    let waits = Arc::new(Mutex::new(Vec::new()));
    let staging = tempfile::tempdir().unwrap();
    let plan = SyncPlan {
        kev: Some(format!("{}/kev.json", s.base)),
        ..Default::default()
    };
    let fetched = fetch_all(
        &fetcher(waits.clone()),
        &plan,
        staging.path(),
        &SyncState::default(),
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(fetched.files.len(), 1);
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(17)]);
}

fn kev(count: usize, listed: usize) -> Vec<u8> {
    let entries: Vec<String> = (0..listed)
        .map(|i| format!(r#"{{"cveID":"CVE-2024-{i:04}","vendorProject":"V","product":"P"}}"#))
        .collect();
    format!(
        r#"{{"title":"KEV","catalogVersion":"2026.11.27","dateReleased":"2026-11-27T00:00:00.000Z","count":{count},"vulnerabilities":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

#[test]
fn kev_epss_and_osv_answers_are_checked() {
    let s = serve(vec![
        ("/kev-empty.json", vec![ok(kev(0, 0))]),
        ("/kev-short.json", vec![ok(kev(5, 3))]),
        ("/epss.csv.gz", vec![ok("cve,epss,percentile\n")]),
        ("/osv/PyPI/all.zip", vec![ok("<Error>NoSuchKey</Error>")]),
        (
            "/osv/Go/all.zip",
            vec![ok(b"PK\x03\x04rest-of-a-zip".to_vec())],
        ),
        ("/big", vec![ok(vec![b'x'; 2 << 20])]),
    ]);
    let run = |plan: SyncPlan| {
        let staging = tempfile::tempdir().unwrap();
        let r = fetch_all(
            &fetcher(Arc::default()),
            &plan,
            staging.path(),
            &SyncState::default(),
            &mut Quiet,
        );
        assert!(r.is_ok() || staging_is_empty(staging.path()));
        r.map(|f| f.files.len())
    };
    let e = run(SyncPlan {
        kev: Some(format!("{}/kev-empty.json", s.base)),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("lists no vulnerabilities"), "{e}");
    let e = run(SyncPlan {
        kev: Some(format!("{}/kev-short.json", s.base)),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("count 5 but lists 3"), "{e}");
    let e = run(SyncPlan {
        epss: Some(format!("{}/epss.csv.gz", s.base)),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("not gzip"), "{e}");
    let e = run(SyncPlan {
        osv: Some((format!("{}/osv", s.base), vec!["Go".into(), "PyPI".into()])),
        ..Default::default()
    })
    .unwrap_err();
    assert!(
        e.to_string().contains("/osv/PyPI/all.zip") && e.to_string().contains("not a zip"),
        "{e}"
    );
    assert_eq!(
        run(SyncPlan {
            osv: Some((format!("{}/osv", s.base), vec!["Go".into()])),
            ..Default::default()
        })
        .unwrap(),
        1
    );
    let e = run(SyncPlan {
        epss: Some(format!("{}/big", s.base)),
        ..Default::default()
    })
    .unwrap_err();
    assert!(matches!(e, SyncError::TooLarge { .. }), "{e}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn csaf_directories_fetch_what_changed_and_check_hashes() {
    let doc_a = br#"{"document":{"tracking":{"id":"A"}}}"#.to_vec();
    let doc_b = br#"{"document":{"tracking":{"id":"B"}}}"#.to_vec();
    let meta = r#"{"canonical_url":"{BASE}/.well-known/csaf/provider-metadata.json","distributions":[{"directory_url":"{BASE}/csaf/white"}]}"#;
    let changes =
        "\"2026/b.json\",\"2026-11-02T00:00:00Z\"\n\"2025/a.json\",\"2025-06-01T00:00:00Z\"\n";
    let s = serve_at_any(vec![
        ("/.well-known/csaf/provider-metadata.json", vec![ok(meta)]),
        ("/csaf/white/changes.csv", vec![ok(changes)]),
        ("/csaf/white/2025/a.json", vec![ok(doc_a.clone())]),
        (
            "/csaf/white/2025/a.json.sha256",
            vec![ok(format!("{}  a.json\n", sha256_hex(&doc_a)))],
        ),
        ("/csaf/white/2026/b.json", vec![ok(doc_b.clone())]),
    ]);
    let provider = format!("{}/.well-known/csaf/provider-metadata.json", s.base);
    let plan = SyncPlan {
        csaf: vec![CsafRequest {
            provider: provider.clone(),
            since: Default::default(),
            pause: Duration::ZERO,
        }],
        ..Default::default()
    };
    let staging = tempfile::tempdir().unwrap();
    let fetched = fetch_all(
        &fetcher(Arc::default()),
        &plan,
        staging.path(),
        &SyncState::default(),
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(fetched.files.len(), 2);
    assert!(
        fetched
            .notes
            .iter()
            .any(|n| n.contains("1 document(s) without a published .sha256"))
    );
    let dir = format!("{}/csaf/white/", s.base);
    assert_eq!(
        fetched.next_state.csaf.get(&dir),
        Some(&"2026-11-02T00:00:00Z".parse().unwrap())
    );
    // The next sync asks only for what changed since.
    let staging2 = tempfile::tempdir().unwrap();
    let again = fetch_all(
        &fetcher(Arc::default()),
        &plan,
        staging2.path(),
        &fetched.next_state,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(again.files.len(), 0);

    // A document whose published hash disagrees is refused.
    let s2 = serve_at_any(vec![
        (
            "/d/changes.csv",
            vec![ok("\"x.json\",\"2026-01-01T00:00:00Z\"\n")],
        ),
        ("/d/x.json", vec![ok(doc_a.clone())]),
        (
            "/d/x.json.sha256",
            vec![ok(format!("{}  x.json", sha256_hex(b"other")))],
        ),
    ]);
    let plan = SyncPlan {
        csaf: vec![CsafRequest {
            provider: format!("{}/d/", s2.base),
            since: Default::default(),
            pause: Duration::ZERO,
        }],
        ..Default::default()
    };
    let staging3 = tempfile::tempdir().unwrap();
    let e = fetch_all(
        &fetcher(Arc::default()),
        &plan,
        staging3.path(),
        &SyncState::default(),
        &mut Quiet,
    )
    .unwrap_err();
    assert!(matches!(e, SyncError::HashMismatch { .. }), "{e}");
    assert!(staging_is_empty(staging3.path()));
}

/// Like [`serve`], with `{BASE}` in bodies replaced by the server's own base URL.
fn serve_at_any(routes: Vec<(&str, Vec<Answer>)>) -> Server {
    let holder: Arc<Mutex<String>> = Arc::default();
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    *holder.lock().unwrap() = base.clone();
    let routes: HashMap<String, Vec<Answer>> = routes
        .into_iter()
        .map(|(k, v)| {
            let v = v
                .into_iter()
                .map(|mut a| {
                    a.body = String::from_utf8_lossy(&a.body)
                        .replace("{BASE}", &base)
                        .into_bytes();
                    a
                })
                .collect();
            (k.to_string(), v)
        })
        .collect();
    let log = Arc::new(Mutex::new(Vec::new()));
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let answer = routes
                .get(request.url())
                .and_then(|q| q.first().cloned())
                .unwrap_or_else(|| status(404));
            let _ = request.respond(
                tiny_http::Response::from_data(answer.body).with_status_code(answer.status),
            );
        }
    });
    Server { base, log }
}
