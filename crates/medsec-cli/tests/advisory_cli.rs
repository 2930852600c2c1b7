//! `medsec advisory inspect` end to end, on real advisories from the shared corpus
//! (`../shared/corpus`, `MEDSEC_CORPUS` overrides; missing corpus fails).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn corpus() -> PathBuf {
    let dir = match std::env::var_os("MEDSEC_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    assert!(
        dir.is_dir(),
        "conformance corpus not found at {}; these tests never skip",
        dir.display()
    );
    dir
}

fn medsec() -> Command {
    Command::cargo_bin("medsec").unwrap()
}

#[test]
fn inspect_icsma_table() {
    medsec()
        .args(["advisory", "inspect"])
        .arg(corpus().join("csaf-icsma/icsma-24-023-01.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("CSAF 2.0"))
        .stdout(predicate::str::contains("ICSMA-24-023-01"))
        .stdout(predicate::str::contains("CVE-2023-7238"))
        .stdout(predicate::str::contains("Orthanc Osimis WebViewer"))
        .stdout(predicate::str::contains(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:L",
        ))
        .stderr(predicate::str::contains("ok (0 error(s), 0 warning(s))"));
}

#[test]
fn inspect_nvd_json_is_the_model() {
    let out = medsec()
        .args(["advisory", "inspect", "--format", "json"])
        .arg(corpus().join("nvd-records/CVE-2021-44228.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = &v[0]["document"];
    assert_eq!(doc["format"], "nvd2");
    let a = &doc["advisories"][0];
    assert_eq!(a["id"], "CVE-2021-44228");
    assert_eq!(a["source"]["kind"], "nvd");
    assert!(a["modified"].as_str().unwrap().ends_with('Z'));
    let ranges = a["affected"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|af| af["ranges"].as_array().cloned().unwrap_or_default())
        .collect::<Vec<_>>();
    assert!(
        ranges
            .iter()
            .any(|r| r["events"][0]["point"]["at"] == "2.13.0")
    );
}

#[test]
fn inspect_markdown_and_several_formats() {
    medsec()
        .args(["advisory", "inspect", "--format", "markdown"])
        .arg(corpus().join("osv-golang-vulndb/GO-2020-0001.json"))
        .arg(corpus().join("cve-samples/cve5/osv-dev/cve5/CVE-2024-3094.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| product | status | versions | ranges |",
        ))
        .stdout(predicate::str::contains("GO-2020-0001"))
        .stdout(predicate::str::contains("CVE JSON 5"));
}

#[test]
fn invalid_json_exits_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("truncated.json");
    std::fs::write(&file, "{\n  \"id\": \"GO-1\",\n  \"modified\": ").unwrap();
    medsec()
        .args(["advisory", "inspect"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::advisory::syntax"))
        .stderr(predicate::str::contains("truncated.json:3:"))
        .stderr(predicate::str::contains("invalid"));
}

#[test]
fn csaf_unknown_product_is_located() {
    let file = corpus().join(
        "csaf-spec/csaf_2.0/test/validator/data/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json",
    );
    medsec()
        .args(["advisory", "inspect"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "medsec::advisory::unknown-product",
        ))
        .stderr(predicate::str::contains(":31:11"))
        .stderr(predicate::str::contains("here"))
        .stderr(predicate::str::contains("CSAF 6.1.1"));
}

#[test]
fn missing_file_and_legacy_feed_exit_2() {
    medsec()
        .args(["advisory", "inspect", "/nonexistent/advisory.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medsec::advisory::io"));
    medsec()
        .args(["advisory", "inspect"])
        .arg(corpus().join("cve-samples/nvd-feed-1.1/nvdcve-1.1-test-data.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "medsec::advisory::unsupported-format",
        ))
        .stderr(predicate::str::contains("1.1"));
}

#[test]
fn warnings_exit_0() {
    // ICSMA advisories with ranges written in product_version branches read with a
    // warning (CSAF 6.1.31).
    let mut warned = false;
    for entry in std::fs::read_dir(corpus().join("csaf-icsma")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let out = medsec()
            .args(["advisory", "inspect", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", path.display());
        if String::from_utf8_lossy(&out.stderr).contains("medsec::advisory::uninterpreted-range") {
            warned = true;
            break;
        }
    }
    assert!(warned);
}

#[test]
fn every_advisory_code_is_documented() {
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md"),
    )
    .unwrap();
    for code in medsec_formats::advisory::codes::ALL {
        assert!(
            docs.contains(&format!("`{code}`")),
            "{code} is not in docs/diagnostics.md"
        );
    }
}
