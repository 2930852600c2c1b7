//! `medsec account` and `medsec serve` end to end: an operator creates an account and a
//! token, the server starts on the default SQLite store of a fresh MEDSEC_HOME, answers
//! /healthz, the token and a login, and stops cleanly on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn medsec(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_medsec"));
    c.env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL")
        .env_remove("MEDSEC_PASSWORD");
    c
}

/// One HTTP/1.1 request on a fresh connection; the whole response as text.
fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_starts_answers_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let out = medsec(home.path())
        .args([
            "account",
            "add",
            "--email",
            "Admin@Lab.example",
            "--org",
            "Test Org",
            "--role",
            "admin",
        ])
        .env("MEDSEC_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A short password from standard input is refused.
    let mut child = medsec(home.path())
        .args([
            "account",
            "add",
            "--email",
            "b@lab.example",
            "--org",
            "Test Org",
            "--role",
            "viewer",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = medsec(home.path())
        .args([
            "account", "token", "--org", "Test Org", "--role", "engineer", "--name", "ci",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(secret.starts_with("medsec_"), "{secret}");

    // Insecure cookies are refused off loopback.
    let out = medsec(home.path())
        .args(["serve", "--listen", "0.0.0.0:0", "--insecure-cookies"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let mut server = medsec(home.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--insecure-cookies"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
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
    assert!(home.path().join("store.db").is_file());
    let health = http(
        &addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        health.starts_with("HTTP/1.1 200") && health.ends_with("ok\n"),
        "{health}"
    );
    // The web interface is served by the same process.
    let page = http(
        &addr,
        "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        page.starts_with("HTTP/1.1 200") && page.contains("<form"),
        "{page}"
    );
    let me = http(
        &addr,
        &format!(
            "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Api-Key: {secret}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(
        me.starts_with("HTTP/1.1 200") && me.contains("Test Org"),
        "{me}"
    );
    let body = r#"{"email":"admin@lab.example","password":"a long enough password"}"#;
    let login = http(
        &addr,
        &format!(
            "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("medsec: stopped"), "{rest}");
}
