//! `medsec db …` and `medsec scan` end to end on the bundled real advisories, and
//! `medsec db sync` against a local server that answers like the public sources.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `medsec` with its own data folder and store, so tests never touch the user's.
fn medsec(home: &Path) -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    c.env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL")
        .env_remove("NVD_API_KEY");
    c
}

/// Runs `medsec ARGS…` (which must succeed) and reads its standard output as JSON.
fn json_of(home: &Path, args: &[&str], extra: &[&Path]) -> serde_json::Value {
    let out = medsec(home)
        .args(args)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn stats(home: &Path) -> serde_json::Value {
    json_of(home, &["db", "stats", "--format", "json"], &[])
}

fn imported(home: &Path) {
    medsec(home)
        .args(["db", "import"])
        .arg(root().join("examples/advisories"))
        .assert()
        .success()
        .stdout(predicate::str::contains("committed"));
}

#[test]
fn import_is_idempotent_and_stats_count_it() {
    let home = tempfile::tempdir().unwrap();
    imported(home.path());
    // The same files again: nothing changes.
    let out = medsec(home.path())
        .args(["db", "import", "--format", "json"])
        .arg(root().join("examples/advisories"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["changed"], false);
    assert_eq!(v["records"]["unchanged"], 242);
    assert_eq!(v["records"]["new"], 0);
    let s = stats(home.path());
    assert_eq!(s["total_records"], 242);
    assert_eq!(s["backend"], "sqlite");
    // Every import is recorded; the second one as unchanged.
    assert_eq!(s["batches"], 2);
    assert_eq!(s["last_batch"]["outcome"], "unchanged");
}

#[test]
fn export_then_import_elsewhere_round_trips() {
    let a = tempfile::tempdir().unwrap();
    imported(a.path());
    let dump = a.path().join("dump.jsonl");
    medsec(a.path())
        .args(["db", "export", "--out"])
        .arg(&dump)
        .assert()
        .success();
    let b = tempfile::tempdir().unwrap();
    medsec(b.path())
        .args(["db", "import"])
        .arg(&dump)
        .assert()
        .success();
    let again = b.path().join("again.jsonl");
    medsec(b.path())
        .args(["db", "export", "--out"])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&dump).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn a_malformed_feed_is_named_and_nothing_is_stored() {
    let home = tempfile::tempdir().unwrap();
    imported(home.path());
    let bad = home.path().join("feed");
    std::fs::create_dir(&bad).unwrap();
    std::fs::copy(
        root().join("examples/advisories/nvd/CVE-2021-44228.json"),
        bad.join("a.json"),
    )
    .unwrap();
    std::fs::write(
        bad.join("b.json"),
        "{\"id\": \"CVE-2024-0001\", \"published\": ",
    )
    .unwrap();
    medsec(home.path())
        .args(["db", "import"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.json"))
        .stderr(predicate::str::contains("rolled back"));
    let s = stats(home.path());
    assert_eq!(s["total_records"], 242);
    assert_eq!(s["batches"], 1, "the failed import left no batch");
}

#[test]
fn scan_finds_real_vulnerabilities_with_their_reasons() {
    let home = tempfile::tempdir().unwrap();
    imported(home.path());
    let sbom = root().join("examples/patient-monitor/sbom/monitor-firmware.cdx.json");
    let r = json_of(
        home.path(),
        &["scan", "--format", "json"],
        &[sbom.as_path()],
    );
    let findings = r["findings"].as_array().unwrap();
    let zlib = findings
        .iter()
        .find(|f| f["vulnerability"] == "CVE-2022-37434")
        .expect("zlib 1.2.11 is affected by CVE-2022-37434");
    assert_eq!(zlib["component"]["name"], "zlib");
    assert_eq!(zlib["status"], "affected");
    assert_eq!(zlib["severity"], "critical");
    assert_eq!(zlib["evidence"][0]["via"], "cpe");
    assert!(
        zlib["evidence"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("NISTIR 7696")
    );
    // --fail-on: critical findings trip it, and the SARIF output carries them.
    medsec(home.path())
        .args(["scan", "--fail-on", "critical"])
        .arg(&sbom)
        .assert()
        .code(1);
    let s = json_of(
        home.path(),
        &["scan", "--format", "sarif"],
        &[sbom.as_path()],
    );
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "CVE-2022-37434" && r["level"] == "error")
    );
}

#[test]
fn a_pypi_component_is_matched_through_osv_with_the_fixed_version() {
    let home = tempfile::tempdir().unwrap();
    imported(home.path());
    let sbom = root().join("examples/ivd-analyser/sbom/lis-interface.cdx.json");
    let r = json_of(
        home.path(),
        &["scan", "--format", "json", "--only-affected"],
        &[sbom.as_path()],
    );
    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["status"], "affected");
        assert!(
            f["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["source"] == "osv")
        );
        assert!(!f["fixed_in"].as_array().unwrap().is_empty(), "{f}");
    }
}

#[test]
fn scanning_an_empty_store_is_refused() {
    let home = tempfile::tempdir().unwrap();
    medsec(home.path())
        .arg("scan")
        .arg(root().join("examples/patient-monitor/sbom/monitor-firmware.cdx.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no advisories"));
}

/// A server for `db sync`: NVD answers with the given status for every page after the
/// first, KEV with a catalog.
fn sync_server(second_page: u16) -> (String, Arc<Mutex<usize>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!(
        "http://127.0.0.1:{}",
        server.server_addr().to_ip().unwrap().port()
    );
    let hits = Arc::new(Mutex::new(0));
    let hits2 = hits.clone();
    let record =
        std::fs::read_to_string(root().join("examples/advisories/nvd/CVE-2021-44228.json"))
            .unwrap();
    let record2 =
        std::fs::read_to_string(root().join("examples/advisories/nvd/CVE-2014-0160.json")).unwrap();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            *hits2.lock().unwrap() += 1;
            let url = request.url().to_string();
            let (status, body) = if url.starts_with("/nvd") && url.contains("startIndex=0") {
                (
                    200,
                    format!(
                        r#"{{"resultsPerPage":1,"startIndex":0,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-28T00:00:00.000","vulnerabilities":[{{"cve":{record}}}]}}"#
                    ),
                )
            } else if url.starts_with("/nvd") {
                let body = if second_page == 200 {
                    format!(
                        r#"{{"resultsPerPage":1,"startIndex":1,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-28T00:00:00.000","vulnerabilities":[{{"cve":{record2}}}]}}"#
                    )
                } else if second_page == 299 {
                    // 200 with an empty page: NVD's answer under load.
                    r#"{"resultsPerPage":0,"startIndex":1,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"x","vulnerabilities":[]}"#.to_string()
                } else {
                    "busy".to_string()
                };
                (if second_page == 299 { 200 } else { second_page }, body)
            } else {
                (404, String::new())
            };
            let _ =
                request.respond(tiny_http::Response::from_string(body).with_status_code(status));
        }
    });
    (base, hits)
}

fn sync_args(base: &str) -> Vec<String> {
    [
        "db",
        "sync",
        "--no-kev",
        "--no-epss",
        "--pause",
        "0",
        "--retries",
        "1",
        "--nvd-url",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("{base}/nvd")])
    .collect()
}

#[test]
fn sync_imports_pages_and_error_answers_never_wipe_the_store() {
    let home = tempfile::tempdir().unwrap();
    imported(home.path());
    for (status, expect) in [(503, "HTTP 503"), (403, "HTTP 403"), (299, "empty page")] {
        let (base, _) = sync_server(status);
        medsec(home.path())
            .args(sync_args(&base))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expect))
            .stderr(predicate::str::contains("nothing was imported"));
        let s = stats(home.path());
        assert_eq!(s["total_records"], 242, "after a {status} answer");
    }
    // A good answer imports both pages (the two records are already stored: unchanged).
    let (base, _) = sync_server(200);
    let out = medsec(home.path())
        .args(sync_args(&base))
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["nvd_records"], 2);
    assert_eq!(r["import"]["records"]["read"], 2);
    assert_eq!(r["import"]["records"]["unchanged"], 2);
    // The staging folder is cleaned up and the state saved for the next update.
    let sync_dir = home.path().join("sync");
    let states: Vec<_> = std::fs::read_dir(&sync_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(states.len(), 1);
    let staging = sync_dir.join("staging");
    assert!(
        std::fs::read_dir(&staging)
            .map(|mut d| d.next().is_none())
            .unwrap_or(true)
    );
}
