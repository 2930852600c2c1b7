//! `medsec sbom inspect` end to end: summary, JSON model, Markdown, located problems, exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn medsec() -> Command {
    Command::cargo_bin("medsec").unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    root()
        .join("crates/medsec-formats/tests/fixtures/sbom")
        .join(name)
}

fn example() -> PathBuf {
    root().join("examples/insulin-pump/sbom/pump-firmware.cdx.json")
}

#[test]
fn inspect_prints_the_summary() {
    medsec()
        .args(["sbom", "inspect"])
        .arg(example())
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("CycloneDX")
                .and(predicate::str::contains("1.6"))
                .and(predicate::str::contains("pump-firmware 4.2.1 (firmware)"))
                .and(predicate::str::contains("Northwind Diabetes Systems Ltd"))
                .and(predicate::str::contains("2024-05-14T09:30:00Z"))
                .and(predicate::str::contains("│ components"))
                .and(predicate::str::contains("sha256")),
        );
}

#[test]
fn inspect_json_prints_the_normalised_model() {
    let out = medsec()
        .args(["sbom", "inspect", "--format", "json"])
        .arg(example())
        .arg(fixture("spdx-2.3.spdx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["sbom"]["components"].as_array().unwrap().len(), 9);
    assert_eq!(v[1]["sbom"]["format"], "SPDX");
    assert_eq!(v[1]["sbom"]["encoding"], "tag-value");
    assert_eq!(
        v[1]["sbom"]["components"][1]["purl"],
        "pkg:generic/curl@7.79.1"
    );
    assert_eq!(
        v[0]["sbom"]["original"]["sha256"].as_str().unwrap().len(),
        64
    );
}

#[test]
fn inspect_markdown_prints_tables() {
    medsec()
        .args(["sbom", "inspect", "--format", "markdown"])
        .arg(fixture("cdx-1.6.xml"))
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("| spec version | 1.6 |")
                .and(predicate::str::contains("| log4j-core |").not())
                .and(predicate::str::contains(
                    "| org.apache.logging.log4j/log4j-core | 2.14.1 | library |",
                )),
        );
}

#[test]
fn warnings_are_located_and_exit_0() {
    medsec()
        .args(["sbom", "inspect"])
        .arg(fixture("cdx-1.3.json"))
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("medsec::sbom::bad-purl")
                .and(predicate::str::contains("cdx-1.3.json:31:")),
        );
}

#[test]
fn invalid_input_exits_2_with_located_errors() {
    medsec()
        .args(["sbom", "inspect"])
        .arg(fixture("invalid-cdx-1.5-manufacturer.json"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("medsec::sbom::unknown-field")
                .and(predicate::str::contains("added in 1.6"))
                .and(predicate::str::contains("medsec::sbom::dangling-ref"))
                .and(predicate::str::contains(
                    "invalid-cdx-1.5-manufacturer.json:",
                )),
        );
}

#[test]
fn hostile_and_missing_files_exit_2() {
    medsec()
        .args(["sbom", "inspect"])
        .arg(fixture("hostile-xxe.xml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::sbom::xml-dtd"));
    medsec()
        .args(["sbom", "inspect", "no-such-file.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::io"));
}

#[test]
fn one_bad_file_among_good_ones_exits_2_and_still_shows_the_good_ones() {
    medsec()
        .args(["sbom", "inspect"])
        .arg(example())
        .arg(fixture("hostile-billion-laughs.xml"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("pump-firmware"));
}
