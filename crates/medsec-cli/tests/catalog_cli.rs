//! `medsec requirements`, `coverage`, `testplan`, `controls` and `evidence` end to end on
//! the bundled examples: golden plans, recording results with evidence files, failures
//! that reopen FMEA rows, and clear errors for bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `medsec` run from the repository root with its own data folder and store.
fn medsec(home: &Path) -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    c.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL");
    c
}

fn json_of(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = medsec(home)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn text_of(home: &Path, args: &[&str]) -> String {
    let out = medsec(home)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

const EXAMPLES: [&str; 4] = [
    "insulin-pump",
    "patient-monitor",
    "cardiac-implant",
    "ivd-analyser",
];

#[test]
fn golden_test_plans_and_requirements() {
    let home = tempfile::tempdir().unwrap();
    for device in EXAMPLES {
        let path = format!("examples/{device}");
        let plan = text_of(
            home.path(),
            &["testplan", &path, "--format", "markdown", "--all"],
        );
        insta::assert_snapshot!(format!("testplan-{device}"), plan);
        let requirements = text_of(
            home.path(),
            &["requirements", &path, "--format", "markdown"],
        );
        insta::assert_snapshot!(format!("requirements-{device}"), requirements);
    }
    let coverage = text_of(
        home.path(),
        &[
            "coverage",
            "examples/insulin-pump",
            "--format",
            "markdown",
            "--framework",
            "eu-mdr",
        ],
    );
    insta::assert_snapshot!("coverage-insulin-pump-eu-mdr", coverage);
}

#[test]
fn requirements_all_shows_what_does_not_apply_and_why() {
    let home = tempfile::tempdir().unwrap();
    let out = json_of(
        home.path(),
        &[
            "requirements",
            "examples/ivd-analyser",
            "--format",
            "json",
            "--all",
            "--framework",
            "eu-mdr",
        ],
    );
    let f = &out["frameworks"][0];
    assert_eq!(f["id"], "eu-mdr");
    assert_eq!(f["applies"], false);
    assert_eq!(f["applicable"], 0);
    for r in f["requirements"].as_array().unwrap() {
        assert_eq!(r["applies"], false);
        assert!(r["not_applicable"].as_str().unwrap().contains("EU MDR"));
    }
    medsec(home.path())
        .args([
            "requirements",
            "examples/ivd-analyser",
            "--framework",
            "no-such",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown framework `no-such`"));
}

#[test]
fn controls_show_the_crosswalk() {
    let home = tempfile::tempdir().unwrap();
    let all = json_of(home.path(), &["controls", "--format", "json"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 25);
    let secure_comms = all.iter().find(|c| c["id"] == "HC-07").unwrap();
    let frameworks = secure_comms["satisfies"].as_object().unwrap();
    assert!(
        frameworks.len() >= 4,
        "HC-07 maps to {} frameworks",
        frameworks.len()
    );
    assert!(!secure_comms["tests"].as_array().unwrap().is_empty());
    let one = text_of(home.path(), &["controls", "HC-07"]);
    assert!(one.contains("Secure communication"));
    medsec(home.path())
        .args(["controls", "HC-99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown harmonised control `HC-99`",
        ));
}

/// The first planned test of the pump that verifies at least one threat.
fn threat_test(home: &Path) -> (String, Vec<String>) {
    let plan = json_of(
        home,
        &["testplan", "examples/insulin-pump", "--format", "json"],
    );
    let t = plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| !t["threats"].as_array().unwrap().is_empty() && t["laboratory"] == true)
        .expect("a laboratory test that verifies threats");
    (
        t["id"].as_str().unwrap().to_owned(),
        t["threats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect(),
    )
}

#[test]
fn evidence_is_recorded_listed_and_given_back() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let report = files.path().join("pentest-report.pdf");
    std::fs::write(&report, b"%PDF-1.7\nfindings...\n").unwrap();
    let capture = files.path().join("ble.pcap");
    std::fs::write(&capture, [0xd4u8, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]).unwrap();
    let (test, threats) = threat_test(home.path());

    // A failure: the rows of the threats the test verifies are reopened.
    let out = json_of(
        home.path(),
        &[
            "evidence",
            "add",
            "examples/insulin-pump",
            "--format",
            "json",
            "--test",
            &test,
            "--result",
            "fail",
            "--tester",
            "R. Roe",
            "--lab",
            "Example Test Lab",
            "--accreditation",
            "D-PL-12345-01-00",
            "--date",
            "2026-11-20",
            "--tool",
            "nmap 7.94",
            "--tool",
            "Burp Suite 2024.1",
            "--notes",
            "BLE pairing downgrade reproduced",
            "--file",
            report.to_str().unwrap(),
            "--file",
            capture.to_str().unwrap(),
        ],
    );
    assert_eq!(out["recorded"]["outcome"], "fail");
    assert_eq!(out["planned"], true);
    assert_eq!(out["laboratory_required"], true);
    let reopened: Vec<&str> = out["reopened_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(!reopened.is_empty());
    assert!(reopened.iter().all(|r| threats.iter().any(|t| t == r)));
    let report_hash = out["recorded"]["evidence"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(out["recorded"]["evidence"][0]["name"], "pentest-report.pdf");

    // The plan, the risk register and assess show the failure.
    let plan = json_of(
        home.path(),
        &["testplan", "examples/insulin-pump", "--format", "json"],
    );
    assert_eq!(plan["summary"]["failed"], 1);
    let risk = json_of(
        home.path(),
        &[
            "risk",
            "examples/insulin-pump",
            "--format",
            "json",
            "--test-results",
        ],
    );
    let rows = risk["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["id"] == reopened[0]).unwrap();
    assert_eq!(row["residual_risk"], row["risk"]);
    assert_eq!(row["reopened_by"][0], test.as_str());
    let assess = json_of(
        home.path(),
        &["assess", "examples/insulin-pump", "--format", "json"],
    );
    assert_eq!(assess["tests"]["failed"][0], test.as_str());
    assert!(assess["risk"]["reopened_by_failed_tests"].as_u64().unwrap() >= 1);
    let stages: Vec<&str> = assess["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        stages.contains(&"requirements")
            && stages.contains(&"tests")
            && stages.contains(&"coverage")
    );

    // A retest passes: the rows close again, the history keeps both.
    let out = json_of(
        home.path(),
        &[
            "evidence",
            "add",
            "examples/insulin-pump",
            "--format",
            "json",
            "--test",
            &test,
            "--result",
            "pass",
            "--tester",
            "R. Roe",
            "--lab",
            "Example Test Lab",
            "--accreditation",
            "D-PL-12345-01-00",
            "--date",
            "2026-11-27",
            "--file",
            report.to_str().unwrap(),
        ],
    );
    assert!(out["reopened_rows"].as_array().unwrap().is_empty());
    let history = json_of(
        home.path(),
        &[
            "evidence",
            "list",
            "examples/insulin-pump",
            "--format",
            "json",
            "--test",
            &test,
        ],
    );
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["outcome"], "fail");
    assert_eq!(history[1]["outcome"], "pass");
    assert_eq!(history[1]["evidence"][0]["sha256"], report_hash.as_str());
    let cov = json_of(
        home.path(),
        &["coverage", "examples/insulin-pump", "--format", "json"],
    );
    let evidenced = cov["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["passed"]
                .as_array()
                .is_some_and(|p| p.iter().any(|x| x == test.as_str()))
        })
        .count();
    assert!(evidenced >= 1);

    // The stored file comes back byte for byte; an existing file is not overwritten.
    let back = files.path().join("back.pdf");
    medsec(home.path())
        .args([
            "evidence",
            "get",
            &report_hash,
            "--out",
            back.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&report).unwrap()
    );
    medsec(home.path())
        .args([
            "evidence",
            "get",
            &report_hash,
            "--out",
            back.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not overwrite"));
    medsec(home.path())
        .args([
            "evidence",
            "get",
            &"0".repeat(64),
            "--out",
            files.path().join("x").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no evidence file"));
}

#[test]
fn bad_evidence_input_is_refused_and_nothing_is_stored() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let base = |extra: &[&str]| {
        let mut args = vec![
            "evidence",
            "add",
            "examples/insulin-pump",
            "--tester",
            "R. Roe",
            "--result",
            "pass",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let refuse = |args: Vec<String>, message: &str| {
        medsec(home.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message.to_owned()));
    };
    refuse(base(&["--test", "T-999"]), "unknown test `T-999`");
    refuse(
        base(&["--test", "T-01", "--date", "2026-02-30"]),
        "is not a date",
    );
    refuse(
        base(&["--test", "T-01", "--date", "2999-01-01"]),
        "in the future",
    );
    refuse(
        base(&["--test", "T-01", "--accreditation", "X-1"]),
        "--accreditation needs --lab",
    );
    refuse(
        [
            "evidence",
            "add",
            "examples/insulin-pump",
            "--tester",
            " ",
            "--result",
            "pass",
            "--test",
            "T-01",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        "--tester is empty",
    );
    let missing = files.path().join("missing.pdf");
    refuse(
        base(&["--test", "T-01", "--file", missing.to_str().unwrap()]),
        "missing.pdf",
    );
    // A sparse file over the limit is refused from its length, without reading it.
    let huge = files.path().join("huge.bin");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(300 * 1024 * 1024)
        .unwrap();
    refuse(
        base(&["--test", "T-01", "--file", huge.to_str().unwrap()]),
        "evidence files are limited",
    );
    refuse(
        base(&["--test", "T-01", "--file", files.path().to_str().unwrap()]),
        "not a regular file",
    );
    let list = json_of(
        home.path(),
        &[
            "evidence",
            "list",
            "examples/insulin-pump",
            "--format",
            "json",
        ],
    );
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing was stored");
    medsec(home.path())
        .args(["evidence", "get", "not-a-hash", "--out", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a SHA-256"));
}

#[test]
fn test_policies_are_files_and_bad_ones_are_named() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let default = std::fs::read_to_string(
        root().join("crates/medsec-catalog/policy/default-test-policy.yaml"),
    )
    .unwrap();
    // Put FDA class II devices under the laboratory rule too.
    let wider = dir.path().join("lab-policy.yaml");
    std::fs::write(
        &wider,
        default
            .replace(
                "policy: medsec-default-test-policy",
                "policy: example-lab-policy",
            )
            .replace(
                "    eu-ivdr: [B, C, D]\n",
                "    eu-ivdr: [B, C, D]\n    fda: [II, III]\n",
            ),
    )
    .unwrap();
    let mut us =
        std::fs::read_to_string(root().join("examples/patient-monitor/device.yaml")).unwrap();
    us = us.replace("    - { market: eu-mdr, class: IIb }", "");
    let device_dir = dir.path().join("monitor");
    std::fs::create_dir(&device_dir).unwrap();
    std::fs::write(device_dir.join("device.yaml"), us).unwrap();
    // SBOM paths are relative to the device file: the copy has none, so check passes only
    // if the file names none that are missing; the monitor's SBOM lives beside it.
    for entry in std::fs::read_dir(root().join("examples/patient-monitor")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &device_dir.join(entry.file_name()));
        }
    }
    let device = device_dir.to_str().unwrap();
    let default_plan = json_of(
        home.path(),
        &["testplan", device, "--format", "json", "--no-results"],
    );
    assert!(default_plan.get("laboratory").is_none());
    let lab_plan = json_of(
        home.path(),
        &[
            "testplan",
            device,
            "--format",
            "json",
            "--no-results",
            "--test-policy",
            wider.to_str().unwrap(),
        ],
    );
    assert_eq!(lab_plan["laboratory"]["because"], "fda class II");
    assert_eq!(lab_plan["policy"]["name"], "example-lab-policy");
    let again = json_of(
        home.path(),
        &[
            "testplan",
            device,
            "--format",
            "json",
            "--no-results",
            "--test-policy",
            wider.to_str().unwrap(),
        ],
    );
    assert_eq!(lab_plan, again);

    let bad = dir.path().join("bad-policy.yaml");
    std::fs::write(&bad, default.replace("IIb: 3", "IIc: 3")).unwrap();
    medsec(home.path())
        .args([
            "testplan",
            "examples/insulin-pump",
            "--test-policy",
            bad.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad-policy.yaml")
                .and(predicate::str::contains("`IIc` is not a class of eu-mdr")),
        );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn unknown_harmonised_controls_in_a_device_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/insulin-pump/device.yaml"))
        .unwrap()
        .replace("implements: [HC-12]", "implements: [HC-12, HC-77]");
    std::fs::write(dir.path().join("device.yaml"), text).unwrap();
    copy_dir(
        &root().join("examples/insulin-pump/sbom"),
        &dir.path().join("sbom"),
    );
    medsec(home.path())
        .args(["coverage", dir.path().to_str().unwrap(), "--no-results"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("implements `HC-77`"));
}

#[test]
fn project_catalogue_additions_are_planned_and_broken_ones_located() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(
        dir.path().join("tests/house.yaml"),
        "group: house\ntests:\n  - id: T-900\n    title: Insulin reservoir RFID tag cloning\n    kind: hardware\n    procedure: Clone the reservoir tag and check the pump refuses it.\n    applies: { categories: [wearable] }\n    min_rank: 1\n    independence: independent\n    controls: [HC-12]\n    sources: [CAPEC-151]\n",
    )
    .unwrap();
    let plan = json_of(
        home.path(),
        &[
            "testplan",
            "examples/insulin-pump",
            "--format",
            "json",
            "--no-results",
            "--catalog",
            dir.path().to_str().unwrap(),
        ],
    );
    let t = plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "T-900")
        .expect("the project's test is planned");
    assert_eq!(t["why"][0], "category wearable");
    std::fs::write(
        dir.path().join("tests/house.yaml"),
        "group: house\ntests:\n  - id: T-900\n    title: x\n    kind: telepathy\n",
    )
    .unwrap();
    medsec(home.path())
        .args([
            "testplan",
            "examples/insulin-pump",
            "--no-results",
            "--catalog",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("house.yaml").and(predicate::str::contains("<input>:5:11")),
        );
}
