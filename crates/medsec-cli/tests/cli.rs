//! The `medsec` binary end to end: exit codes, formats, files written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn medsec() -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    // Never the user's own store, nor one an older build left behind: an empty one in the
    // temporary folder, for this test process.
    c.env(
        "MEDSEC_HOME",
        std::env::temp_dir().join(format!("medsec-cli-tests-{}", std::process::id())),
    )
    .env_remove("MEDSEC_DATABASE_URL");
    c
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn broken(name: &str) -> PathBuf {
    workspace_root()
        .join("crates/medsec-device/tests/broken")
        .join(name)
}

#[test]
fn help_exists_for_every_subcommand() {
    for sub in [
        "advisory",
        "assess",
        "check",
        "cpe",
        "cvss",
        "db",
        "diagram",
        "diff",
        "import",
        "init",
        "purl",
        "risk",
        "rubric",
        "sbom",
        "scan",
        "schema",
        "threats",
        "vocabulary",
    ] {
        medsec()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: medsec"));
    }
    medsec()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn usage_errors_exit_2() {
    medsec().arg("no-such-command").assert().code(2);
    medsec().args(["check"]).assert().code(2);
    medsec()
        .args(["assess", "x", "--format", "yaml"])
        .assert()
        .code(2);
}

#[test]
fn init_then_check_passes_and_init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("device.yaml");
    for template in ["minimal", "hospital-networked"] {
        medsec()
            .args(["init", "--force", "--template", template, "--output"])
            .arg(&file)
            .assert()
            .success();
        medsec()
            .arg("check")
            .arg(&file)
            .assert()
            .success()
            .stderr(predicate::str::contains("ok (0 error(s), 0 warning(s))"));
    }
    medsec()
        .args(["init", "--output"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists already"));
    medsec()
        .args(["init", "--template", "nope", "--output"])
        .arg(dir.path().join("other.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("minimal"));
}

#[test]
fn check_reports_located_errors_and_exits_2() {
    medsec()
        .arg("check")
        .arg(broken("31-many-errors-at-once.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "31-many-errors-at-once.yaml:11:32",
        ))
        .stderr(predicate::str::contains("unknown key 'colour'"))
        .stderr(predicate::str::contains("invalid (5 error(s)"));
}

#[test]
fn check_json_lists_every_diagnostic_with_position() {
    let output = medsec()
        .args(["check", "--format", "json"])
        .arg(broken("17-zone-cycle.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = reports[0]["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 2);
    for d in diagnostics {
        assert_eq!(d["code"], "medsec::device::zone-cycle");
        assert!(d["line"].as_u64().unwrap() > 0);
        assert!(d["column"].as_u64().unwrap() > 0);
        assert!(d["pointer"].as_str().unwrap().starts_with("/trust_zones/"));
    }
}

#[test]
fn check_markdown_is_a_table() {
    medsec()
        .args(["check", "--format", "markdown"])
        .arg(broken("13-unknown-technology.yaml"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "| file:line:column | level | code | message | help |",
        ))
        .stdout(predicate::str::contains("medsec::device::unknown-term"));
}

#[test]
fn missing_file_is_bad_input() {
    medsec()
        .args(["check", "/nonexistent/device.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    medsec().args(["assess", "/nonexistent"]).assert().code(2);
}

#[test]
fn schema_is_json_schema() {
    let output = medsec().args(["schema", "device"]).output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        schema["$schema"]
            .as_str()
            .unwrap()
            .contains("json-schema.org")
    );
    assert!(schema["properties"]["elements"].is_object());
}

#[test]
fn vocabulary_lists_terms() {
    medsec()
        .args(["vocabulary", "technologies"])
        .assert()
        .success()
        .stdout(predicate::str::contains("mics-rf"));
    let output = medsec()
        .args(["vocabulary", "--format", "json"])
        .output()
        .unwrap();
    let terms: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        terms
            .iter()
            .any(|t| t["vocabulary"] == "protocols" && t["id"] == "hl7-mllp")
    );
}

#[test]
fn assess_every_example_in_every_format() {
    for device in [
        "insulin-pump",
        "patient-monitor",
        "cardiac-implant",
        "ivd-analyser",
    ] {
        let path = workspace_root().join("examples").join(device);
        let output = medsec()
            .args(["assess", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{device}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let assessment: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let summary = &assessment["summary"];
        assert!(summary["flows"].as_u64().unwrap() >= 20, "{device}");
        assert!(summary["trust_zones"].as_u64().unwrap() >= 4, "{device}");
        assert!(!summary["boundary_crossings"].as_array().unwrap().is_empty());
        medsec()
            .args(["assess", "--format", "markdown"])
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::starts_with("# "));
        medsec()
            .args(["assess"])
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::contains("Flows crossing trust boundaries"));
    }
}

#[test]
fn assess_of_an_invalid_device_exits_2_with_the_errors() {
    medsec()
        .arg("assess")
        .arg(broken("05-unknown-zone.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no trust zone has the id 'bdy'"));
}

#[test]
fn purl_normalises_and_locates_errors() {
    let output = medsec()
        .args(["purl", "--format", "json", "pkg:pypi/Django_Rest@3.1"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed[0]["purl"], "pkg:pypi/django-rest@3.1");
    assert_eq!(parsed[0]["type"], "pypi");
    medsec()
        .args(["purl", "pkg:maven/foo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("requires a namespace"))
        .stderr(predicate::str::contains("at byte 10"));
}

#[test]
fn cpe_binds_both_ways_and_compares() {
    let output = medsec()
        .args([
            "cpe",
            "--format",
            "json",
            "cpe:/a:openssl:openssl:1.1.1k",
            "--against",
            "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        parsed[0]["formatted_string"],
        "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"
    );
    assert_eq!(parsed[0]["relation"], "subset");
    medsec()
        .args(["cpe", "cpe:2.3:a:openssl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::cpe::invalid"));
}

#[test]
fn cvss_scores_every_version_and_applies_the_threshold() {
    let output = medsec()
        .args([
            "cvss",
            "--format",
            "json",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let scored: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let overall: Vec<f64> = scored
        .iter()
        .map(|s| s["scores"]["overall"]["score"].as_f64().unwrap())
        .collect();
    assert_eq!(overall, [9.8, 1.8, 9.3, 7.5]);
    assert_eq!(scored[0]["metrics"][0]["metric_name"], "Attack Vector");
    medsec()
        .args([
            "cvss",
            "--fail-at",
            "9.0",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        ])
        .assert()
        .code(1);
    medsec()
        .args([
            "cvss",
            "--fail-at",
            "9.9",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        ])
        .assert()
        .success();
    medsec()
        .args(["cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at byte 31"));
}

const RUBRIC_ANSWERS: &str = r#"# a BLE insulin pump command injection
XAVN: { answer: yes, rationale: "The pump accepts commands over BLE." }
XAVT: { answer: no, rationale: "BLE GATT is not IP." }
XAVW: { answer: yes, rationale: "Bluetooth radio." }
XAVR: { answer: no, rationale: "Class 2 BLE reaches about 10 m." }
XACL: { answer: yes, rationale: "Pairing can be forced at will." }
XPRL: { answer: no, rationale: "Single-user device." }
XUI: { answer: no, rationale: "No patient action needed." }
XS: { answer: no, rationale: "Only the pump is affected." }
XCP: { answer: no, rationale: "No PHI on the pump." }
XCD: { answer: yes, rationale: "Glucose history readable." }
XCT: { answer: yes, rationale: "Basal rates readable." }
XCW: { answer: no, rationale: "No workflow data." }
XCS: { answer: no, rationale: "Keys in a secure element." }
XCO: { answer: no, rationale: "None." }
XIP: { answer: no, rationale: "No PHI." }
XID: { answer: no, rationale: "Read only." }
XIT: { answer: yes, rationale: "A bolus command can be sent." }
XIW: { answer: no, rationale: "None." }
XIS: { answer: no, rationale: "None." }
XIO: { answer: no, rationale: "None." }
XAP: { answer: no, rationale: "None." }
XAD: { answer: no, rationale: "None." }
XAT: { answer: yes, rationale: "Delivery can be suspended." }
XAW: { answer: no, rationale: "None." }
XAS: { answer: no, rationale: "None." }
XAO: { answer: no, rationale: "None." }
"#;

#[test]
fn rubric_from_an_answers_file_records_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.yaml");
    std::fs::write(&file, RUBRIC_ANSWERS).unwrap();
    let output = medsec()
        .args(["rubric", "--format", "json", "--answers"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        result["vector"],
        "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(result["scores"]["overall"]["score"], 8.8);
    let recorded: usize = result["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_array().unwrap().len())
        .sum();
    assert_eq!(recorded, 26, "every answer on the path is recorded");
    let av_path = &result["metrics"][0]["path"];
    assert_eq!(av_path[3]["rationale"], "Class 2 BLE reaches about 10 m.");
}

#[test]
fn rubric_answers_file_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.yaml");
    let broken = RUBRIC_ANSWERS.replace("XCO: {", "XCOO: {").replace(
        "XUI: { answer: no, rationale: \"No patient action needed.\" }",
        "XUI: { answer: no }",
    );
    std::fs::write(&file, broken).unwrap();
    medsec()
        .args(["rubric", "--answers"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("answers.yaml:15:1"))
        .stderr(predicate::str::contains("did you mean 'XCO'"))
        .stderr(predicate::str::contains(
            "the answer to XUI has no rationale",
        ));
}

#[test]
fn rubric_interactive_asks_until_complete_and_saves_the_answers() {
    // Answer every question "unknown" with a rationale: the worst branches are taken.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.yaml");
    let input = "u\nnot assessed yet\n".repeat(40);
    let output = medsec()
        .args(["rubric", "--interactive", "--format", "json", "--save"])
        .arg(&saved)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        result["vector"],
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("XAVN"));
    // The saved answers reproduce the result non-interactively.
    let again = medsec()
        .args(["rubric", "--format", "json", "--answers"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(again.status.success());
    let replay: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(replay["vector"], result["vector"]);
}

#[test]
fn rubric_without_a_terminal_or_answers_is_a_usage_error() {
    medsec()
        .arg("rubric")
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--answers"));
}

#[test]
fn rubric_proposes_from_the_device_model_and_the_person_completes() {
    let device = workspace_root().join("examples/insulin-pump");
    let vector = "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    // The model alone cannot answer everything: the command says which question needs a person.
    medsec()
        .args([
            "rubric",
            "--element",
            "pump-firmware",
            "--vector",
            vector,
            "--device",
        ])
        .arg(&device)
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a person"));
    let dir = tempfile::tempdir().unwrap();
    let rest = dir.path().join("rest.yaml");
    let mut text = String::from("XPRL: { answer: no, rationale: \"single-user device\" }\n");
    for id in [
        "XCP", "XCD", "XCT", "XCW", "XCS", "XCO", "XIP", "XID", "XIW", "XIS", "XIO", "XAP", "XAD",
        "XAW", "XAS", "XAO",
    ] {
        text.push_str(&format!(
            "{id}: {{ answer: no, rationale: \"not affected\" }}\n"
        ));
    }
    text.push_str("XIT: { answer: yes, rationale: \"bolus commands\" }\n");
    text.push_str("XAT: { answer: yes, rationale: \"delivery can be stopped\" }\n");
    std::fs::write(&rest, text).unwrap();
    let output = medsec()
        .args([
            "rubric",
            "--format",
            "json",
            "--element",
            "pump-firmware",
            "--vector",
            vector,
        ])
        .arg("--device")
        .arg(&device)
        .arg("--answers")
        .arg(&rest)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        result["vector"],
        "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H"
    );
    let av = &result["metrics"][0]["path"];
    assert!(
        av[0]["rationale"]
            .as_str()
            .unwrap()
            .starts_with("Proposed from the device model")
    );
    assert!(
        result.get("warnings").is_none(),
        "unused proposals are no warnings"
    );
}

#[test]
fn a_huge_file_is_refused_from_its_length_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.json");
    // A sparse 1 GiB file: refused from its length, so the test costs no memory.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    medsec()
        .args(["sbom", "inspect"])
        .arg(&huge)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over the"));
    medsec()
        .args(["advisory", "inspect"])
        .arg(&huge)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over the"));
}
