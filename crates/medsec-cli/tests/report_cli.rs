//! `medsec report` and `medsec assess --out`: the folder is written, a non-empty folder
//! is refused without --force, and bad usage exits with 2 and a coded message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use std::ops::Not;

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("medsec").unwrap();
    cmd.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL");
    cmd
}

fn assert_folder(out: &Path) {
    for file in [
        "report.html",
        "report.md",
        "report.json",
        "figures/architecture-1.svg",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing in {}",
            out.display()
        );
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("](figures/architecture-1.svg)"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(json["report"]["generated_at"].is_string());
}

#[test]
fn report_writes_the_folder_and_refuses_to_overwrite() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack");
    let run = |extra: &[&str]| {
        medsec(home.path())
            .args(["report", "examples/insulin-pump", "--no-vulnerabilities"])
            .args(["--generated-at", "2025-01-15T09:30:00Z", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let first = run(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_folder(&out);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("medsec::report::out"));
    let forced = run(&["--force"]);
    assert!(forced.status.success());
    // Same inputs, same time: same report.
    assert_eq!(std::fs::read_to_string(out.join("report.md")).unwrap(), md);
}

#[test]
fn report_with_the_store_scans_and_traces() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack");
    let output = medsec(home.path())
        .args([
            "report",
            "examples/patient-monitor",
            "--advisories",
            "examples/advisories",
        ])
        .args(["--variant", "premarket", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Premarket content index"));
    assert!(
        md.contains("CVE-2022-37434"),
        "the zlib finding is reported"
    );
    assert!(md.contains("Vulnerability → element → threat → FMEA row → harm"));
}

/// A device version in the portfolio: the report shows the triage decision in force
/// (VEX state, justification, the confirmed rubric score) and draws the monitoring
/// history; a finding closed by triage leaves the traceability chain.
#[test]
fn report_shows_triage_and_history_from_the_portfolio() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let h = home.path();
    let ok = |args: &[&str]| {
        let output = medsec(h).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    ok(&["db", "import", "-q", "examples/advisories"]);
    ok(&["portfolio", "add", "--device", "examples/patient-monitor"]);
    ok(&["monitor"]);
    let report = |name: &str| {
        let out = dir.path().join(name);
        ok(&[
            "report",
            "examples/patient-monitor",
            "--generated-at",
            "2030-01-15T09:30:00Z",
            "--out",
            out.to_str().unwrap(),
        ]);
        out
    };
    let before = report("before");
    let md = std::fs::read_to_string(before.join("report.md")).unwrap();
    assert!(md.contains("no decision recorded"), "no triage yet");
    assert!(
        before.join("figures/vulnerabilities-1.svg").is_file(),
        "the findings timeline is drawn from the monitoring history"
    );
    let svg = std::fs::read_to_string(before.join("figures/vulnerabilities-1.svg")).unwrap();
    assert!(
        svg.contains("2030-01-15"),
        "the report's date closes the timeline"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(before.join("report.json")).unwrap())
            .unwrap();
    let events = json["findings_history"]["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["vulnerability"] == "CVE-2022-37434" && e["kind"] == "new")
    );

    ok(&[
        "triage",
        "--org",
        "Halvard Vital Systems AG",
        "--product",
        "Halvard Vigil Patient Monitoring System",
        "--version",
        "5.1",
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
        "--adjusted-vector",
        "CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L",
    ]);
    let after = report("after");
    let md = std::fs::read_to_string(after.join("report.md")).unwrap();
    let zlib_rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with('|') && l.contains("CVE-2022-37434"))
        .collect();
    assert!(!zlib_rows.is_empty());
    for row in &zlib_rows {
        assert!(
            // Markdown escapes the underscores.
            row.contains(r"not\_affected (vulnerable\_code\_not\_in\_execute\_path)"),
            "{row}"
        );
        assert!(
            row.contains("3.1 CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"),
            "{row}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(after.join("report.json")).unwrap()).unwrap();
    assert!(
        json["traces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.to_string().contains("CVE-2022-37434").not()),
        "a finding triaged not_affected is not traced to harm"
    );
}

#[test]
fn assess_out_writes_the_folder() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assessed");
    let output = medsec(home.path())
        .args([
            "assess",
            "examples/cardiac-implant",
            "--no-vulnerabilities",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_folder(&out);
    // The assessment itself is still printed.
    assert!(String::from_utf8_lossy(&output.stdout).contains("assessment"));
    let again = medsec(home.path())
        .args([
            "assess",
            "examples/cardiac-implant",
            "--no-vulnerabilities",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn bad_usage_exits_2_with_a_code() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--variant", "draft"], "medsec::report::variant"),
        (&["--variant", "assessment"], "medsec::report::assessment"),
        (&["--assessor", "A. Person"], "medsec::report::assessment"),
        (&["--generated-at", "yesterday"], "medsec::report::time"),
    ];
    for (args, code) in cases {
        let output = medsec(home.path())
            .args([
                "report",
                "examples/insulin-pump",
                "--no-vulnerabilities",
                "--out",
            ])
            .arg(dir.path().join("x"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(code), "{args:?}: {stderr}");
        assert!(!dir.path().join("x").exists(), "{args:?}: nothing written");
    }
}
