//! The audit trail of regulated records (issue 11): every change made with the command
//! line appends an attributed, hash-chained entry in the same transaction; `medsec
//! audit verify` passes on an untouched store and catches edits made behind the tool's
//! back: a record changed or deleted (triggers dropped), an audit entry altered, entries
//! cut from the end, a stored file's bytes replaced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("medsec").unwrap();
    cmd.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env("USER", "qa-engineer")
        .env_remove("MEDSEC_DATABASE_URL");
    cmd
}

fn run(home: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = medsec(home).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(home: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(home, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    out
}

/// Runs SQL on the store's file directly, as someone bypassing medsec would.
fn tamper(home: &Path, statements: &[&str]) {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", home.join("store.db").display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        for s in statements {
            sqlx::query(s).execute(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
    });
}

fn copy_home(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.path().join(entry.file_name())).unwrap();
        }
    }
    to
}

fn verify(home: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(home, &args);
    assert!(!err.contains("panicked"), "{err}");
    (code, out)
}

#[test]
fn changes_are_audited_and_tampering_is_caught() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["db", "import", "-q", "examples/advisories"]);
    ok(
        h,
        &["portfolio", "add", "--device", "examples/patient-monitor"],
    );
    ok(h, &["monitor"]);
    let version = [
        "--org",
        "Halvard Vital Systems AG",
        "--product",
        "Halvard Vigil Patient Monitoring System",
        "--version",
        "5.1",
    ];
    let mut triage = vec!["triage"];
    triage.extend(version);
    triage.extend([
        "--component",
        "pkg:generic/zlib@1.2.11",
        "--vulnerability",
        "CVE-2022-37434",
        "--state",
        "not_affected",
        "--justification",
        "vulnerable_code_not_in_execute_path",
        "--author",
        "psirt@halvard.invalid",
        "--rationale",
        "inflateGetHeader is never called",
    ]);
    let (code, _, err) = medsec(h)
        .env("MEDSEC_AUDIT_REASON", "PSIRT ticket 77")
        .args(&triage)
        .output()
        .map(|o| {
            (
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    let mut deploy = vec!["portfolio", "deploy"];
    deploy.extend(version);
    deploy.extend(["--on", "2026-06-01", "--installed", "1500"]);
    ok(h, &deploy);
    let scratch = tempfile::tempdir().unwrap();
    let report = scratch.path().join("pentest.pdf");
    std::fs::write(&report, b"%PDF-1.4 penetration test report").unwrap();
    ok(
        h,
        &[
            "evidence",
            "add",
            "examples/patient-monitor",
            "--test",
            "T-13",
            "--result",
            "pass",
            "--tester",
            "R. Roe",
            "--lab",
            "Example Test Lab",
            "--accreditation",
            "D-PL-12345-01-00",
            "--date",
            "2026-11-20",
            "--file",
            report.to_str().unwrap(),
        ],
    );

    // Untouched: intact, every entry attributed to the command line's user.
    let (code, out) = verify(h, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("intact:"), "{out}");
    let (_, json) = verify(h, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["unattributed_entries"], 0);
    let head = format!("{}:{}", json["head_seq"], json["head"].as_str().unwrap());
    let log: serde_json::Value =
        serde_json::from_str(&ok(h, &["audit", "log", "--format", "json"])).unwrap();
    let entries = log.as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["record_kind"].as_str().unwrap())
        .collect();
    for kind in [
        "product-version",
        "document",
        "triage-decision",
        "deployment",
        "test-result",
    ] {
        assert!(kinds.contains(&kind), "no {kind} entry in {kinds:?}");
    }
    assert!(
        entries.iter().all(|e| e["actor"] == "cli:qa-engineer"),
        "{entries:?}"
    );
    let triage_entry = entries
        .iter()
        .find(|e| e["record_kind"] == "triage-decision")
        .unwrap();
    assert_eq!(triage_entry["reason"], "PSIRT ticket 77");
    assert!(
        triage_entry["after_json"]
            .as_str()
            .unwrap()
            .contains("inflateGetHeader is never called")
    );
    // The deployment also moved the version's installed base: an update with before.
    assert!(entries.iter().any(|e| e["record_kind"] == "product-version"
        && e["action"] == "update"
        && e["before_json"].is_string()));

    // 1. A triage decision rewritten behind the tool's back.
    let edited = copy_home(h);
    tamper(
        edited.path(),
        &[
            "DROP TRIGGER triage_decision_append_only_update",
            "UPDATE triage_decision SET state = 'fixed', rationale = 'patched' WHERE id = 1",
        ],
    );
    let (code, out) = verify(edited.path(), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("triage-decision 1: differs from audit entry"),
        "{out}"
    );
    assert!(
        out.contains("rationale: \"inflateGetHeader is never called\" → \"patched\""),
        "{out}"
    );

    // 2. A test result's evidence link and a deployment deleted.
    let deleted = copy_home(h);
    tamper(
        deleted.path(),
        &[
            "DROP TRIGGER test_result_evidence_append_only_delete",
            "DELETE FROM test_result_evidence",
            "DROP TRIGGER deployment_snapshot_append_only_delete",
            "DELETE FROM deployment_snapshot",
        ],
    );
    let (code, out) = verify(deleted.path(), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("test-result 1: differs"), "{out}");
    assert!(out.contains("deployment 1: deleted"), "{out}");

    // 3. An audit entry altered (its reason rewritten).
    let altered = copy_home(h);
    tamper(
        altered.path(),
        &[
            "DROP TRIGGER audit_log_append_only_update",
            "UPDATE audit_log SET reason = 'routine' WHERE reason = 'PSIRT ticket 77'",
        ],
    );
    let (code, out) = verify(altered.path(), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the entry was altered"), "{out}");

    // 4. The last entries cut from the log: only the head kept elsewhere shows it.
    let cut = copy_home(h);
    let last = head.split(':').next().unwrap().to_owned();
    tamper(
        cut.path(),
        &[
            "DROP TRIGGER audit_log_append_only_delete",
            &format!("DELETE FROM audit_log WHERE seq = {last}"),
        ],
    );
    let (code, out) = verify(cut.path(), &["--expect-head", &head]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("entry {last} is gone")), "{out}");

    // 5. A stored document's bytes replaced.
    let replaced = copy_home(h);
    tamper(
        replaced.path(),
        &[
            "DROP TRIGGER version_document_append_only_update",
            "UPDATE version_document SET content = X'00' WHERE id = 1",
        ],
    );
    let (code, out) = verify(replaced.path(), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("document 1: content changed"), "{out}");

    // The original is still intact, and the head check passes on it.
    let (code, out) = verify(h, &["--expect-head", &head]);
    assert_eq!(code, Some(0), "{out}");
    let (code, _, err) = run(h, &["audit", "verify", "--expect-head", "12:xyz"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("medsec::audit::head"), "{err}");
}
