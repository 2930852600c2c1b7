//! Golden output of `medsec assess` for every bundled example: a change in any stage
//! (validation, threats, risk, vulnerabilities) shows up as a reviewed snapshot diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;

#[test]
fn assess_markdown_of_every_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Each run has its own store, filled from the bundled real advisories.
    let home = tempfile::tempdir().unwrap();
    for device in [
        "insulin-pump",
        "patient-monitor",
        "cardiac-implant",
        "ivd-analyser",
    ] {
        let output = Command::cargo_bin("medsec")
            .unwrap()
            .current_dir(&root)
            .env("MEDSEC_HOME", home.path())
            .env_remove("MEDSEC_DATABASE_URL")
            .args(["assess", "--format", "markdown"])
            .arg(format!("examples/{device}"))
            .args(["--advisories", "examples/advisories"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{device}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        insta::assert_snapshot!(format!("assess-{device}"), text);
    }
}
