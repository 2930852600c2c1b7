//! Conformance of the advisory readers over the real public corpus in
//! `../shared/corpus` (`MEDSEC_CORPUS` overrides). A missing corpus fails: these
//! tests never skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use medsec_core::advisory::{
    Advisory, Format, Package, Point, RangeEvent, RangeState, SeverityKind, Status, VersionScheme,
};
use medsec_formats::advisory::{Document, ReadError, ReadOptions, codes, read};

fn corpus() -> PathBuf {
    let dir = match std::env::var_os("MEDSEC_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    assert!(
        dir.is_dir(),
        "conformance corpus not found at {} — set MEDSEC_CORPUS or place the corpus at \
         ../shared/corpus beside the workspace; these tests never skip",
        dir.display()
    );
    dir
}

fn files(rel: &str, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus().join(rel)];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no .{ext} files under {rel}");
    out
}

fn read_file(path: &Path) -> Result<Document, ReadError> {
    let bytes = std::fs::read(path).unwrap();
    let options = ReadOptions {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..ReadOptions::default()
    };
    read(&bytes, &options)
}

fn ok(rel: &str) -> Document {
    let path = corpus().join(rel);
    match read_file(&path) {
        Ok(d) => d,
        Err(e) => panic!("{}: {e}\n{:#?}", path.display(), e.problems()),
    }
}

/// Reads every file, demanding success; returns the documents.
fn all_read(rel: &str, ext: &str, format: Format) -> Vec<(PathBuf, Document)> {
    let mut failures = Vec::new();
    let mut docs = Vec::new();
    for path in files(rel, ext) {
        match read_file(&path) {
            Ok(d) => {
                assert_eq!(d.format, format, "{}", path.display());
                docs.push((path, d));
            }
            Err(e) => failures.push(format!(
                "{}: {e}: {:?}",
                path.display(),
                e.problems()
                    .iter()
                    .take(3)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files rejected:\n{}",
        failures.len(),
        failures.len() + docs.len(),
        failures.join("\n")
    );
    docs
}

fn affected_cpe<'a>(a: &'a Advisory, needle: &str) -> Vec<&'a medsec_core::advisory::Affected> {
    a.affected
        .iter()
        .filter(|af| matches!(&af.what, Package::Cpe { cpe, .. } if cpe.to_formatted_string().contains(needle)))
        .collect()
}

#[test]
fn nvd_records_all_read() {
    let docs = all_read("nvd-records", "json", Format::Nvd2);
    assert_eq!(docs.len(), 20);
    for (path, d) in &docs {
        assert_eq!(d.advisories.len(), 1, "{}", path.display());
        let a = &d.advisories[0];
        assert!(a.id.starts_with("CVE-"), "{}", path.display());
        assert!(a.modified.is_some() && a.published.is_some());
    }
}

#[test]
fn nvd_log4shell_ranges() {
    let d = ok("nvd-records/CVE-2021-44228.json");
    let a = &d.advisories[0];
    assert_eq!(a.id, "CVE-2021-44228");
    let log4j = affected_cpe(a, ":apache:log4j:");
    // NVD: 2.0-beta9 ≤ v < 2.3.1, 2.4 ≤ v < 2.12.2, 2.13.0 ≤ v < 2.15.0, plus 2.0 betas
    // and rcs as explicit versions.
    let ranges: Vec<String> = log4j
        .iter()
        .flat_map(|af| af.ranges.iter().map(ToString::to_string))
        .collect();
    for expected in [
        "[generic] >=2.0.1: affected; >=2.3.1: end",
        "[generic] >=2.4.0: affected; >=2.12.2: end",
        "[generic] >=2.13.0: affected; >=2.15.0: end",
    ] {
        assert!(
            ranges.contains(&expected.to_owned()),
            "{expected} not in {ranges:#?}"
        );
    }
    let explicit: Vec<&str> = log4j
        .iter()
        .flat_map(|af| af.versions.iter().map(String::as_str))
        .collect();
    assert!(explicit.contains(&"2.0"), "{explicit:?}");
    assert!(log4j.iter().all(|af| af.status == Status::Affected));
    // CVSS v3.1 9.8 (wait: NVD states 10.0 for Log4Shell) and v2 9.3, both computed.
    let v31 = a
        .severities
        .iter()
        .find_map(|s| match &s.kind {
            SeverityKind::Cvss(c) if c.version == "3.1" => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(v31.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
    assert_eq!(v31.stated_base_score, Some(10.0));
    assert_eq!(v31.computed_base_score, Some(10.0));
    assert!(a.cwes.iter().any(|c| c == "CWE-917"));
    assert!(a.known_exploited.is_some(), "Log4Shell is in CISA KEV");
}

#[test]
fn nvd_heartbleed_openssl_versions() {
    let d = ok("nvd-records/CVE-2014-0160.json");
    let a = &d.advisories[0];
    let openssl = affected_cpe(a, ":openssl:openssl:");
    // OpenSSL 1.0.1 up to, not including, 1.0.1g (the fix): 1.0.1–1.0.1f.
    assert_eq!(openssl.len(), 1);
    assert_eq!(openssl[0].status, Status::Affected);
    assert_eq!(
        openssl[0].ranges[0].events,
        vec![
            RangeEvent {
                point: Point::At("1.0.1".into()),
                state: RangeState::Affected
            },
            RangeEvent {
                point: Point::At("1.0.1g".into()),
                state: RangeState::Outside
            },
        ]
    );
}

#[test]
fn nvd_and_configuration_keeps_platform() {
    // An application vulnerable only on a platform: AND of a vulnerable node and a
    // non-vulnerable platform node. The corpus notes Siemens/Cisco/NetApp examples.
    let mut found = false;
    for path in files("nvd-records", "json") {
        let d = read_file(&path).unwrap();
        for a in &d.advisories {
            for c in &a.configurations {
                if c.operator == medsec_core::advisory::Operator::And && c.nodes.len() >= 2 {
                    let statuses: Vec<Status> = c
                        .nodes
                        .iter()
                        .flat_map(|n| n.matches.iter().map(|&i| a.affected[i].status))
                        .collect();
                    if statuses.contains(&Status::Affected)
                        && statuses.contains(&Status::NotAffected)
                    {
                        found = true;
                    }
                }
            }
        }
    }
    assert!(found, "no AND configuration with a platform node found");
}

#[test]
fn nvd_api_responses() {
    let dir = "cve-samples/nvd-api-2.0";
    let mut read_ok = 0;
    let mut rejected = Vec::new();
    for path in files(dir, "json") {
        match read_file(&path) {
            Ok(d) => {
                assert_eq!(d.format, Format::Nvd2);
                read_ok += 1;
            }
            Err(e) => rejected.push((path.file_name().unwrap().to_string_lossy().into_owned(), e)),
        }
    }
    // The cpematch, cvehistory and sources responses are other NVD APIs: refused as
    // unsupported, clearly.
    let names: Vec<&str> = rejected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "cpematch-CVE-2022-32223.json",
            "cvehistory-CVE-2019-1010218.json",
            "sources-20.json"
        ],
        "{rejected:#?}"
    );
    assert!(
        rejected
            .iter()
            .all(|(_, e)| matches!(e, ReadError::Unsupported { .. }))
    );
    assert!(read_ok >= 27, "{read_ok}");
    let page = ok("cve-samples/nvd-api-2.0/pablotron-nvd-go/cves-2023.json");
    assert_eq!(page.advisories.len(), 200);
    assert_eq!(
        page.advisories[3].provenance.pointer.as_deref(),
        Some("/vulnerabilities/3/cve")
    );
}

#[test]
fn nvd_feed_1_1_is_refused_as_legacy() {
    let err = read_file(&corpus().join("cve-samples/nvd-feed-1.1/nvdcve-1.1-test-data.json"))
        .unwrap_err();
    assert!(matches!(err, ReadError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("1.1"), "{err}");
}

#[test]
fn cve5_records_all_read() {
    let docs = all_read("cve-samples/cve5", "json", Format::Cve5);
    assert!(docs.len() >= 23, "{}", docs.len());
    let d = ok("cve-samples/cve5/osv-dev/cvelistV5/cves/2021/44xxx/CVE-2021-44228.json");
    let a = &d.advisories[0];
    assert_eq!(a.id, "CVE-2021-44228");
    assert!(a.title.is_some());
    // The Apache CNA lists log4j-core with ranges and status changes.
    let ranges: Vec<String> = a
        .affected
        .iter()
        .flat_map(|af| af.ranges.iter().map(ToString::to_string))
        .collect();
    assert!(!ranges.is_empty());
    assert!(a.severities.iter().any(|s| s.scored_by.role
        == medsec_core::advisory::ScorerRole::Adp
        || s.scored_by.role == medsec_core::advisory::ScorerRole::Cna));
}

#[test]
fn cve5_changes_become_events() {
    // Find a record with `changes` and check they appear as At(X) events.
    let mut seen = false;
    for (_, d) in all_read("cve-samples/cve5", "json", Format::Cve5) {
        for a in &d.advisories {
            for af in &a.affected {
                for r in &af.ranges {
                    if r.events.len() > 2 {
                        seen = true;
                        assert!(
                            r.events.iter().any(|e| e.state == RangeState::Unaffected),
                            "{r}"
                        );
                    }
                }
            }
        }
    }
    assert!(seen, "no range with changes[] found");
}

#[test]
fn osv_golang_vulndb_all_read() {
    let docs = all_read("osv-golang-vulndb", "json", Format::Osv);
    assert_eq!(docs.len(), 4291);
    let semver_ranges = docs
        .iter()
        .flat_map(|(_, d)| &d.advisories)
        .flat_map(|a| &a.affected)
        .flat_map(|af| &af.ranges)
        .filter(|r| r.scheme == VersionScheme::Semver)
        .count();
    assert!(semver_ranges > 4000, "{semver_ranges}");
    let d = ok("osv-golang-vulndb/GO-2020-0001.json");
    let a = &d.advisories[0];
    assert_eq!(a.id, "GO-2020-0001");
    let r = &a.affected[0].ranges[0];
    assert_eq!(r.events[0].point, Point::Earliest);
    assert!(matches!(&r.events[1].point, Point::At(v) if v == "1.6.0"));
    assert_eq!(r.events[1].state, RangeState::Unaffected);
}

#[test]
fn osv_pypa_yaml_all_read() {
    let docs = all_read("osv-pypa", "yaml", Format::Osv);
    assert_eq!(docs.len(), 2661);
    let schemes: std::collections::BTreeSet<String> = docs
        .iter()
        .flat_map(|(_, d)| &d.advisories)
        .flat_map(|a| &a.affected)
        .flat_map(|af| &af.ranges)
        .map(|r| r.scheme.to_string())
        .collect();
    assert!(schemes.contains("ecosystem:PyPI"), "{schemes:?}");
    assert!(schemes.contains("git"), "{schemes:?}");
}

#[test]
fn osv_linter_testdata() {
    // The linter's own test records: the real ones read; the three lint-failure
    // variants are rejected where our model depends on the broken part.
    let dir = "osv-schema/testdata";
    for path in files(dir, "json") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = read_file(&path);
        match name.split('-').next().unwrap() {
            // No `introduced` event: where the range starts is unknown.
            "nointroduced" => {
                let err = result
                    .err()
                    .unwrap_or_else(|| panic!("{name} was accepted"));
                assert!(
                    err.problems().iter().any(|p| p.code == codes::BAD_RANGE),
                    "{name}: {:?}",
                    err.problems()
                );
            }
            // Exception: "nondistinct" (one commit both introduced and fixed) reads with
            // a warning. The model's tie rule (at one point the later event wins) gives
            // it a definite reading, and real PyPA records have the same shape
            // (PYSEC-2022-236: fixed 3.1.1, then introduced 3.1.1).
            "nondistinct" => {
                let d = result.unwrap();
                assert!(
                    d.warnings.iter().any(|p| p.code == codes::BAD_RANGE),
                    "{name}"
                );
            }
            // Exception: "nopackage" names a package that does not exist in PyPI; only
            // a registry look-up can tell, which an offline reader does not do.
            "nopackage" => assert!(result.is_ok(), "{name}"),
            _ => assert!(
                result.is_ok(),
                "{name}: {:?}",
                result.err().map(|e| e.problems())
            ),
        }
    }
    // GHSA conversion outputs are OSV records.
    for path in files("osv-schema/ghsa-conversion", "json") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".osv.json") {
            assert!(read_file(&path).is_ok(), "{name}");
        }
    }
}

#[test]
fn csaf_icsma_all_read_with_products_and_statuses() {
    let docs = all_read("csaf-icsma", "json", Format::Csaf2);
    assert_eq!(docs.len(), 144);
    for (path, d) in &docs {
        assert!(!d.advisories.is_empty(), "{}", path.display());
        for a in &d.advisories {
            assert!(!a.affected.is_empty(), "{} {}", path.display(), a.id);
            assert!(
                a.affected
                    .iter()
                    .all(|af| matches!(af.what, Package::CsafProduct(_)))
            );
            assert!(
                a.aliases.iter().any(|al| al.id.starts_with("ICSMA-")),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn csaf_spec_examples_read() {
    let docs = all_read("csaf-spec/csaf_2.0/examples/csaf", "json", Format::Csaf2);
    assert_eq!(docs.len(), 19);
}

/// CSAF 2.0 mandatory tests (§6.1) that medsec does not enforce, with the reason. Every
/// other mandatory test's failing documents must be rejected.
const CSAF_NOT_ENFORCED: &[(&str, &str)] = &[
    (
        "6.1.7",
        "several scores of one CVSS version for a product: the model keeps every score with its products",
    ),
    (
        "6.1.9",
        "a stated base score that the vector does not compute to: a warning with both values kept (medsec-score computes)",
    ),
    (
        "6.1.10",
        "CVSS properties that contradict the vector: the model reads the vector only, never the properties",
    ),
    (
        "6.1.11",
        "a CWE name that does not match its id: the model keeps the id only; no CWE catalogue here",
    ),
    ("6.1.12", "language codes: the model uses no language tag"),
    (
        "6.1.14",
        "revision history order: the model takes current_release_date, not the history",
    ),
    (
        "6.1.15",
        "translator publisher without source_lang: publisher metadata unused",
    ),
    (
        "6.1.16",
        "latest document version vs revision history: the history is unused",
    ),
    (
        "6.1.17",
        "document status vs version: tracking status unused",
    ),
    ("6.1.18", "released revision history: the history is unused"),
    (
        "6.1.19",
        "pre-release parts in the revision history: the history is unused",
    ),
    (
        "6.1.20",
        "non-draft document version: tracking status unused",
    ),
    (
        "6.1.21",
        "missing item in the revision history: the history is unused",
    ),
    (
        "6.1.22",
        "duplicate revision history numbers: the history is unused",
    ),
    ("6.1.24", "duplicate involvements: involvements unused"),
    (
        "6.1.25",
        "duplicate hash algorithms: hashes are kept as a list, not keyed",
    ),
    (
        "6.1.26",
        "document category names: the category is kept as written",
    ),
    (
        "6.1.27.1",
        "profile: document notes (csaf_base completeness)",
    ),
    ("6.1.27.2", "profile: document references (completeness)"),
    (
        "6.1.27.3",
        "profile: vulnerabilities in csaf_informational_advisory (they are read as any other)",
    ),
    ("6.1.27.5", "profile: vulnerability notes (completeness)"),
    (
        "6.1.27.6",
        "profile: product status present in csaf_security_advisory (an advisory without statuses reads with no affected entries)",
    ),
    ("6.1.27.7", "profile: VEX product status (completeness)"),
    (
        "6.1.27.8",
        "profile: VEX vulnerability id (the reader falls back to TRACKING-ID#N)",
    ),
    ("6.1.27.9", "profile: VEX impact statement (completeness)"),
    ("6.1.27.10", "profile: VEX action statement (completeness)"),
    ("6.1.28", "translation language: languages unused"),
    (
        "6.1.30",
        "mixed integer and semantic versioning in tracking: versions kept as text",
    ),
    (
        "6.1.31",
        "a range in a product_version branch: read as the range it is, with a warning (CISA writes ranges there in 25 of 144 ICSMA advisories)",
    ),
];

#[test]
fn csaf_validator_testcases() {
    let base = corpus().join("csaf-spec/csaf_2.0/test/validator/data");
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("testcases.json")).unwrap())
            .unwrap();
    let mut wrong = Vec::new();
    let (mut rejected, mut accepted, mut excepted) = (0, 0, 0);
    for test in cases["tests"].as_array().unwrap() {
        let id = test["id"].as_str().unwrap();
        let mandatory = test["group"] == "mandatory";
        let exception = CSAF_NOT_ENFORCED.iter().find(|(t, _)| *t == id);
        for (list, valid) in [("failures", false), ("valid", true)] {
            for case in test[list].as_array().into_iter().flatten() {
                let name = case["name"].as_str().unwrap();
                let result = read_file(&base.join(name));
                match (valid, mandatory, exception, &result) {
                    (true, _, _, Ok(_)) => accepted += 1,
                    (true, _, _, Err(e)) => wrong.push(format!(
                        "{id} {name}: valid but rejected: {:?}",
                        e.problems()
                    )),
                    (false, true, None, Err(_)) => rejected += 1,
                    (false, true, None, Ok(_)) => {
                        wrong.push(format!("{id} {name}: invalid but read"))
                    }
                    (false, true, Some(_), _) => excepted += 1,
                    // Optional and informative tests only advise; a document failing
                    // them is still a valid CSAF document.
                    (false, false, _, Ok(_)) => accepted += 1,
                    (false, false, _, Err(e)) => wrong.push(format!(
                        "{id} {name}: optional test, but rejected: {:?}",
                        e.problems()
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "CSAF validator cases: {rejected} rejected, {accepted} read, {excepted} not enforced"
    );
}

#[test]
fn csaf_2_1_drafts_are_refused_by_version() {
    for path in files("csaf-spec/csaf_2.1/examples/csaf", "json") {
        let err = read_file(&path).unwrap_err();
        assert!(
            err.problems().iter().any(|p| p.code == codes::SPEC_VERSION),
            "{}: {err}",
            path.display()
        );
    }
}
