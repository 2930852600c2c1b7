//! `medsec threats` and `medsec risk` on the example devices: formats, filters, exit
//! codes, project rules and policies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn medsec() -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    // Never the user's own store (assess opens one): a fresh one for this test process.
    c.env(
        "MEDSEC_HOME",
        std::env::temp_dir().join(format!("medsec-threat-cli-{}", std::process::id())),
    )
    .env_remove("MEDSEC_DATABASE_URL");
    c
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .display()
        .to_string()
}

const EXAMPLES: [&str; 4] = [
    "insulin-pump",
    "patient-monitor",
    "cardiac-implant",
    "ivd-analyser",
];

#[test]
fn every_format_works_on_every_example() {
    for name in EXAMPLES {
        for command in ["threats", "risk"] {
            for format in ["table", "json", "csv", "markdown"] {
                medsec()
                    .args([command, &example(name), "--format", format])
                    .assert()
                    .success()
                    .stdout(predicate::str::is_empty().not());
            }
        }
    }
}

#[test]
fn threats_json_has_stable_ids_and_counts() {
    let out = medsec()
        .args(["threats", &example("insulin-pump"), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let threats = v["threats"].as_array().unwrap();
    assert_eq!(threats.len(), v["threats_total"].as_u64().unwrap() as usize);
    assert!(
        threats
            .iter()
            .any(|t| t["id"] == "BLE-S-001@cgm-to-app" && t["mitigated"] == false)
    );
    for t in threats {
        let id = t["id"].as_str().unwrap();
        assert_eq!(
            id,
            format!(
                "{}@{}",
                t["rule"].as_str().unwrap(),
                t["target"].as_str().unwrap()
            )
        );
    }
}

#[test]
fn filters_narrow_the_list() {
    let out = medsec()
        .args([
            "threats",
            &example("insulin-pump"),
            "--format",
            "json",
            "--stride",
            "spoofing",
            "--unmitigated",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let threats = v["threats"].as_array().unwrap();
    assert!(!threats.is_empty());
    assert!(threats.len() < v["threats_total"].as_u64().unwrap() as usize);
    for t in threats {
        assert_eq!(t["stride"], "spoofing");
        assert_eq!(t["mitigated"], false);
    }
    let out = medsec()
        .args([
            "risk",
            &example("insulin-pump"),
            "--format",
            "json",
            "--min-risk",
            "unacceptable",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in v["rows"].as_array().unwrap() {
        assert_eq!(r["residual_risk"], "unacceptable");
    }
}

#[test]
fn fail_on_unacceptable_exits_1() {
    medsec()
        .args([
            "risk",
            &example("insulin-pump"),
            "--fail-on",
            "unacceptable",
        ])
        .assert()
        .code(1);
    medsec()
        .args([
            "threats",
            &example("insulin-pump"),
            "--fail-on",
            "unacceptable",
        ])
        .assert()
        .code(1);
    medsec()
        .args(["risk", &example("insulin-pump")])
        .assert()
        .code(0);
}

#[test]
fn csv_is_one_row_per_threat_with_every_fmea_column() {
    let out = medsec()
        .args(["risk", &example("cardiac-implant"), "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    for column in [
        "failure_mode",
        "local_effect",
        "end_effect",
        "severity",
        "exploitability",
        "detectability",
        "rpn",
        "risk",
        "controls",
        "residual_risk",
        "safety",
    ] {
        assert!(header.split(',').any(|c| c == column), "{column}");
    }
    let json = medsec()
        .args(["risk", &example("cardiac-implant"), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // Quoted fields may hold commas but no line breaks: count records by CRLF.
    assert_eq!(
        text.matches("\r\n").count() - 1,
        v["rows_total"].as_u64().unwrap() as usize
    );
}

#[test]
fn bad_device_exits_2() {
    medsec()
        .args(["threats", "/nonexistent/device.yaml"])
        .assert()
        .code(2);
}

#[test]
fn project_rules_are_added_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ours.yaml"),
        r#"
area: ours
rules:
  - id: OURS-D-001
    title: Reservoir sensor starved by our own polling
    stride: denial-of-service
    target: element
    when: { kinds: [process], technologies: [rtos] }
    description: A project-specific rule.
    cwe: [CWE-400]
    controls:
      - control: Bound the polling rate
        satisfies: [iec62443-4-2:CR-7.2]
    exploitability: AV:L/AC:H/PR:H/UI:N
"#,
    )
    .unwrap();
    medsec()
        .args([
            "threats",
            &example("insulin-pump"),
            "--format",
            "csv",
            "--rules",
            &dir.path().display().to_string(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("OURS-D-001@pump-firmware"));
    std::fs::write(
        dir.path().join("bad.yaml"),
        "area: bad\nrules:\n  - { id: BLE-S-001, title: t, stride: spoofing, target: flow, description: d, exploitability: AV:N/AC:L/PR:N/UI:N }\n",
    )
    .unwrap();
    medsec()
        .args([
            "threats",
            &example("insulin-pump"),
            "--rules",
            &dir.path().display().to_string(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::threat::rules"))
        .stderr(predicate::str::contains("the id is used by another rule"))
        .stderr(predicate::str::contains("spoofing does not apply to flow"));
}

#[test]
fn policy_file_changes_the_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let default = include_str!("../../medsec-threat/policy/default-risk-policy.yaml");
    // A lenient matrix: nothing is unacceptable.
    let lenient = default
        .replace("unacceptable]", "alarp-review]")
        .replace("unacceptable,", "alarp-review,");
    let path = dir.path().join("lenient.yaml");
    std::fs::write(&path, lenient).unwrap();
    medsec()
        .args([
            "risk",
            &example("insulin-pump"),
            "--policy",
            &path.display().to_string(),
            "--fail-on",
            "unacceptable",
        ])
        .assert()
        .code(0);
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        default.replace("thresholds: [0.7, 1.5, 2.3, 3.1]", "thresholds: [3.1, 0.7]"),
    )
    .unwrap();
    medsec()
        .args([
            "risk",
            &example("insulin-pump"),
            "--policy",
            &broken.display().to_string(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::threat::policy"))
        .stderr(predicate::str::contains("rise strictly"));
}

#[test]
fn assess_reports_threat_and_risk_stages() {
    let out = medsec()
        .args(["assess", &example("patient-monitor"), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stages: Vec<&str> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(stages.contains(&"threats") && stages.contains(&"risk"));
    assert!(v["threats"]["threats"].as_u64().unwrap() > 0);
    assert_eq!(v["threats"]["by_stride"].as_array().unwrap().len(), 6);
    assert_eq!(v["risk"]["rows"], v["threats"]["threats"]);
    for format in ["table", "markdown"] {
        medsec()
            .args(["assess", &example("patient-monitor"), "--format", format])
            .assert()
            .success()
            .stdout(predicate::str::contains("Threats (STRIDE)"))
            .stdout(predicate::str::contains("Risk (FMEA)"));
    }
}

#[test]
fn diff_shows_what_a_new_version_changed_and_fails_on_worse_risk() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/insulin-pump");
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("pump-4.3");
    std::fs::create_dir_all(new.join("sbom")).unwrap();
    for entry in std::fs::read_dir(root.join("sbom")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, new.join("sbom").join(path.file_name().unwrap())).unwrap();
    }
    let text = std::fs::read_to_string(root.join("device.yaml")).unwrap();
    let start = text.find("  - id: ble-lesc-passkey\n").unwrap();
    let end = text.find("  - id: command-mac\n").unwrap();
    let newer = format!("{}{}", &text[..start], &text[end..])
        .replace("version: \"4.2.1\"", "version: \"4.3.0\"");
    std::fs::write(new.join("device.yaml"), newer).unwrap();

    let output = assert_cmd::Command::cargo_bin("medsec")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(&root)
        .arg(&new)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(diff["old_version"], "4.2.1");
    assert_eq!(diff["new_version"], "4.3.0");
    assert_eq!(diff["model"]["controls"]["removed"][0], "ble-lesc-passkey");
    let threats = diff["threats"].as_array().unwrap();
    assert!(!threats.is_empty());
    assert!(threats.iter().all(|t| t["change"] == "changed"));
    assert!(
        threats
            .iter()
            .any(|t| t["id"] == "BLE-T-003@pump-history-sync"
                && t["after"]["residual_risk"] == "alarp-review")
    );

    // The history sync lost its only control: its residual risk rose to ALARP review.
    assert_cmd::Command::cargo_bin("medsec")
        .unwrap()
        .args(["diff", "--fail-on", "alarp-review"])
        .arg(&root)
        .arg(&new)
        .assert()
        .code(1);
    assert_cmd::Command::cargo_bin("medsec")
        .unwrap()
        .args(["diff", "--fail-on", "unacceptable"])
        .arg(&root)
        .arg(&new)
        .assert()
        .success();
    // A version compared with itself has no threat changes.
    let same = assert_cmd::Command::cargo_bin("medsec")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(&root)
        .arg(&root)
        .output()
        .unwrap();
    let same: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert!(same["threats"].as_array().unwrap().is_empty());
}
