//! Concurrency (issue 11): 16 writers at once on one SQLite store, 8 command-line
//! processes and 8 API requests to a `medsec serve` process, each recording a triage
//! decision: none is lost and the audit chain stays whole. Two edits of the same
//! decision, each naming the decision it replaces: one wins, the other gets a clear
//! conflict (exit 2 `medsec::triage::conflict` on the command line, 409 from the API).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

const ORG: &str = "Halvard Vital Systems AG";
const PRODUCT: &str = "Halvard Vigil Patient Monitoring System";
const WRITERS_EACH: usize = 8;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_medsec"));
    c.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env("USER", "cli-writer")
        .env_remove("MEDSEC_DATABASE_URL")
        .env_remove("MEDSEC_PASSWORD");
    c
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = medsec(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn triage(home: &Path, rationale: &str, supersedes: Option<&str>) -> Command {
    let mut c = medsec(home);
    c.args([
        "triage",
        "--org",
        ORG,
        "--product",
        PRODUCT,
        "--version",
        "5.1",
        "--component",
        "pkg:generic/zlib@1.2.11",
        "--vulnerability",
        "CVE-2022-37434",
        "--state",
        "in_triage",
        "--author",
        "psirt@halvard.invalid",
        "--rationale",
        rationale,
        "--format",
        "json",
    ]);
    if let Some(s) = supersedes {
        c.args(["--supersedes", s]);
    }
    c
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn post(addr: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// Any HTTP/1.1 request: (status, head, body).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    key: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
    let headers: String = extra.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: {key}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (status, head.to_owned(), body.to_owned())
}

fn body(rationale: &str, supersedes: Option<Option<i64>>) -> String {
    let mut v = serde_json::json!({
        "component": "pkg:generic/zlib@1.2.11",
        "vulnerability": "CVE-2022-37434",
        "state": "in_triage",
        "rationale": rationale,
    });
    if let Some(s) = supersedes {
        v["supersedes"] = serde_json::json!(s);
    }
    v.to_string()
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(home: &Path) -> Server {
    let mut child = medsec(home)
        .args(["serve", "--listen", "127.0.0.1:0", "--insecure-cookies"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server ended early"
        );
        if let Some(rest) = line.trim().strip_prefix("medsec: listening on http://") {
            break rest.to_owned();
        }
    };
    // Keep draining the server's log so that it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = stderr.read_to_string(&mut sink);
    });
    Server { child, addr }
}

fn decisions(home: &Path) -> Vec<(i64, String, String)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = medsec_store::Store::open(home.join("store.db").to_str().unwrap())
            .await
            .unwrap();
        let version = store
            .portfolio_version(&medsec_store::VersionRef {
                organisation: ORG.into(),
                product: PRODUCT.into(),
                version: "5.1".into(),
            })
            .await
            .unwrap()
            .unwrap();
        let (_, d) = store.product_decisions(version.id).await.unwrap();
        store.close().await;
        d.into_iter()
            .map(|d| (d.id, d.author, d.rationale))
            .collect()
    })
}

#[test]
fn sixteen_writers_lose_nothing_and_concurrent_edits_conflict() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["db", "import", "-q", "examples/advisories"]);
    ok(
        h,
        &["portfolio", "add", "--device", "examples/patient-monitor"],
    );
    ok(h, &["monitor"]);
    let key = ok(
        h,
        &[
            "account", "token", "--org", ORG, "--role", "engineer", "--name", "ci",
        ],
    )
    .trim()
    .to_owned();
    let shown: serde_json::Value = serde_json::from_str(&ok(
        h,
        &[
            "portfolio",
            "show",
            "--org",
            ORG,
            "--product",
            PRODUCT,
            "--version",
            "5.1",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let version_id = shown["version"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/versions/{version_id}/triage");
    let server = serve(h);

    // 16 writers released together.
    let barrier = Arc::new(Barrier::new(2 * WRITERS_EACH));
    let mut threads = Vec::new();
    for i in 0..WRITERS_EACH {
        let b = barrier.clone();
        let home = h.to_owned();
        threads.push(std::thread::spawn(move || {
            b.wait();
            let out: Output = triage(&home, &format!("cli writer {i}"), None)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "cli writer {i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }));
        let b = barrier.clone();
        let (addr, key, path) = (server.addr.clone(), key.clone(), path.clone());
        threads.push(std::thread::spawn(move || {
            b.wait();
            let (status, answer) =
                post(&addr, &path, &key, &body(&format!("api writer {i}"), None));
            assert_eq!(status, 201, "api writer {i}: {answer}");
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    let stored = decisions(h);
    for i in 0..WRITERS_EACH {
        for who in ["cli", "api"] {
            let rationale = format!("{who} writer {i}");
            assert_eq!(
                stored.iter().filter(|(_, _, r)| *r == rationale).count(),
                1,
                "{rationale} lost or doubled"
            );
        }
    }
    assert_eq!(stored.len(), 2 * WRITERS_EACH);
    let verify = ok(h, &["audit", "verify"]);
    assert!(verify.starts_with("intact:"), "{verify}");

    // Two edits of the latest decision, both naming it: one wins, one conflicts.
    let latest = stored.iter().map(|(id, _, _)| *id).max().unwrap();
    let seen = latest.to_string();
    let barrier = Arc::new(Barrier::new(2));
    let edits: Vec<_> = ["edit A", "edit B"]
        .into_iter()
        .map(|r| {
            let b = barrier.clone();
            let (home, seen) = (h.to_owned(), seen.clone());
            std::thread::spawn(move || {
                b.wait();
                triage(&home, r, Some(&seen)).output().unwrap()
            })
        })
        .collect();
    let outs: Vec<Output> = edits.into_iter().map(|t| t.join().unwrap()).collect();
    let won = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "exactly one edit wins");
    let lost = outs.iter().find(|o| !o.status.success()).unwrap();
    assert_eq!(lost.status.code(), Some(2));
    let err = String::from_utf8_lossy(&lost.stderr);
    assert!(
        err.contains("medsec::triage::conflict") && err.contains(&format!("decision {latest}")),
        "{err}"
    );
    // The API refuses a stale edit with 409, and accepts one naming the latest.
    let newest = decisions(h).iter().map(|(id, _, _)| *id).max().unwrap();
    let (status, answer) = post(
        &server.addr,
        &path,
        &key,
        &body("stale", Some(Some(latest))),
    );
    assert_eq!(status, 409, "{answer}");
    assert!(answer.contains("conflict"), "{answer}");
    let (status, answer) = post(
        &server.addr,
        &path,
        &key,
        &body("first decision expected", Some(None)),
    );
    assert_eq!(status, 409, "a decision exists already: {answer}");
    let (status, answer) = post(
        &server.addr,
        &path,
        &key,
        &body("fresh", Some(Some(newest))),
    );
    assert_eq!(status, 201, "{answer}");

    // Two edits of the device model (and so of its threat model and risk rows) from the
    // same revision: `If-Match` with its ETag; one wins, the other gets 412.
    let device_path = format!("/api/v1/versions/{version_id}/device");
    let (status, head, _) = request(&server.addr, "GET", &device_path, &key, &[], "");
    assert_eq!(status, 200);
    let etag = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("etag:")
                .then(|| l[5..].trim().to_owned())
        })
        .unwrap();
    let model =
        std::fs::read_to_string(root().join("examples/patient-monitor/device.yaml")).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let puts: Vec<_> = ["# edit A\n", "# edit B\n"]
        .into_iter()
        .map(|comment| {
            let b = barrier.clone();
            let (addr, key, path, etag) = (
                server.addr.clone(),
                key.clone(),
                device_path.clone(),
                etag.clone(),
            );
            let body = format!("{model}{comment}");
            std::thread::spawn(move || {
                b.wait();
                request(&addr, "PUT", &path, &key, &[("If-Match", &etag)], &body)
            })
        })
        .collect();
    let mut statuses: Vec<u16> = puts.into_iter().map(|t| t.join().unwrap().0).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 412],
        "one device edit wins, the other is refused"
    );
    let (status, _, answer) = request(
        &server.addr,
        "PUT",
        &device_path,
        &key,
        &[("If-Match", &etag)],
        &format!("{model}# edit C\n"),
    );
    assert_eq!(status, 412, "the ETag is stale now: {answer}");
    drop(server);
    let verify = ok(h, &["audit", "verify"]);
    assert!(verify.starts_with("intact:"), "{verify}");
}
