//! The built-in rule catalogue and policy are valid: every rule passes validation,
//! cites only CAPEC/CWE ids checked to exist, and the catalogue covers the
//! technologies and protocols of the example devices.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use medsec_threat::Catalogue;
use medsec_threat::catalogue::{BUILTIN_FILES, TargetKind};
use serde::Deserialize;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn builtin_rules_are_valid() {
    let catalogue = Catalogue::builtin().unwrap();
    let problems = catalogue.validate(None);
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(catalogue.rules.len() >= 120, "{}", catalogue.rules.len());
}

#[test]
fn every_rule_file_is_compiled_in() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    let built_in: BTreeSet<String> = BUILTIN_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(on_disk, built_in);
}

#[derive(Deserialize)]
struct KnownIds {
    capec: BTreeMap<String, String>,
    cwe: BTreeMap<String, String>,
}

#[test]
fn capec_and_cwe_ids_are_checked_ones() {
    let known: KnownIds = serde_saphyr::from_str(include_str!("../data/known-ids.yaml")).unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    let mut unknown = Vec::new();
    for rule in &catalogue.rules {
        for id in &rule.capec {
            if !known.capec.contains_key(id) {
                unknown.push(format!("{} {id}", rule.id));
            }
        }
        for id in &rule.cwe {
            if !known.cwe.contains_key(id) {
                unknown.push(format!("{} {id}", rule.id));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "not in data/known-ids.yaml: {unknown:?}"
    );
}

#[test]
fn validation_reports_every_problem() {
    let mut catalogue = Catalogue {
        rules: Vec::new(),
        files: Vec::new(),
    };
    catalogue
        .add_text(
            "bad.yaml",
            r#"
area: bad
rules:
  - id: BAD-T-001
    title: Wrong letter
    stride: spoofing
    target: element
    when: { kinds: [data-store], technologies: [warp-drive], protocols: [https] }
    description: d
    capec: [CAPEC-07]
    cwe: [CWE-x]
    controls:
      - control: c
        satisfies: [iso9999:1]
    exploitability: AV:N/AC:L/PR:N/UI:N
  - id: BAD-T-001
    title: Duplicate id and spoofing on a plain flow
    stride: tampering
    target: flow
    when: { flags: [unencrypted, strong-encryption] }
    description: d
    controls: []
    exploitability: AV:N/AC:L/PR:N/UI:N
"#,
        )
        .unwrap();
    let problems: Vec<String> = catalogue
        .validate(None)
        .iter()
        .map(ToString::to_string)
        .collect();
    let expect = [
        "AREA-S-NNN",
        "'CAPEC-07' is not a CAPEC id",
        "'CWE-x' is not a CWE id",
        "unknown requirement clause 'iso9999:1'",
        "unknown technology 'warp-drive'",
        "an element rule uses a flow condition",
        "spoofing applies to none of the element kinds",
        "the id is used by another rule",
        "no suggested control",
        "can never hold together",
    ];
    for e in expect {
        assert!(
            problems.iter().any(|p| p.contains(e)),
            "missing '{e}' in {problems:#?}"
        );
    }
}

#[test]
fn bad_exploitability_vectors_are_refused() {
    for vector in [
        "AV:N/AC:L/PR:N",
        "AV:N/AV:A/AC:L/PR:N/UI:N",
        "AV:X/AC:L/PR:N/UI:N",
    ] {
        let text = format!(
            "area: x\nrules:\n  - {{ id: X-T-001, title: t, stride: tampering, target: flow, description: d, exploitability: \"{vector}\" }}\n"
        );
        let mut catalogue = Catalogue {
            rules: Vec::new(),
            files: Vec::new(),
        };
        assert!(catalogue.add_text("x.yaml", &text).is_err(), "{vector}");
    }
}

/// Each technology and protocol used by an example device is named by at least one
/// specific (non-fallback) rule, or is listed here as deliberately left to the
/// generic rules.
#[test]
fn catalogue_covers_the_examples() {
    let left_to_generic = [
        // Technologies that describe a platform or UI rather than an attack surface of
        // their own; their threats come through other technologies of the element.
        "touchscreen",
        "barcode-reader",
        "ieee-11073",
        "serial",
        "mqtt",
        // Protocols whose threats the generic flow rules state fully.
        "memory-bus",
        "ipc",
        "file",
        "https",
        "smtp",
        "ipsec",
        "openvpn",
        "resp",
        "instrument-control",
        "ieee-11073-sdc",
        // Project vocabulary of the insulin-pump example (debug port protocol).
        "swd",
    ];
    let catalogue = Catalogue::builtin().unwrap();
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for rule in catalogue.rules.iter().filter(|r| !r.fallback) {
        let w = &rule.when;
        for list in [
            &w.technologies,
            &w.to_technologies,
            &w.device_technologies,
            &w.protocols,
        ] {
            named.extend(list.iter().map(String::as_str));
        }
    }
    let mut missing = BTreeSet::new();
    for example in [
        "insulin-pump",
        "patient-monitor",
        "cardiac-implant",
        "ivd-analyser",
    ] {
        let loaded = medsec_device::load(&root().join("examples").join(example)).unwrap();
        let d = &loaded.device;
        let used = d
            .technologies
            .iter()
            .chain(d.elements.iter().flat_map(|e| e.technologies.iter()))
            .chain(d.flows.iter().map(|f| &f.protocol));
        for term in used {
            if !named.contains(term.as_str()) && !left_to_generic.contains(&term.as_str()) {
                missing.insert(format!("{example}: {term}"));
            }
        }
    }
    assert!(missing.is_empty(), "no specific rule for {missing:?}");
}

#[test]
fn counts_per_area() {
    let catalogue = Catalogue::builtin().unwrap();
    let mut by_area: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in &catalogue.rules {
        let area = catalogue
            .files
            .iter()
            .find(|(f, _)| *f == rule.file)
            .map(|(_, a)| a.as_str())
            .unwrap();
        *by_area.entry(area).or_default() += 1;
    }
    insta::assert_yaml_snapshot!(by_area);
    let crossing = catalogue
        .rules
        .iter()
        .filter(|r| r.target == TargetKind::CrossingFlow)
        .count();
    assert!(crossing >= 15, "{crossing}");
}
