//! The built-in catalogue is sound and complete: every reference resolves, every
//! framework the product maps has requirements, every harmonised control is both required
//! somewhere and verified by some test, and the clause ids the threat rules cite exist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use medsec_catalog::Catalog;

fn catalog() -> Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn builtin_catalogue_is_valid() {
    let c = catalog();
    assert!(c.validate().is_empty());
    assert_eq!(c.digest.len(), 64);
}

#[test]
fn every_framework_the_product_maps_has_requirements() {
    let c = catalog();
    let expected = [
        "eu-mdr",
        "eu-ivdr",
        "mdcg-2019-16",
        "imdrf-n60",
        "imdrf-n70",
        "imdrf-n73",
        "fda-premarket-2023",
        "fdca-524b",
        "fda-postmarket-2016",
        "hc-premarket-2019",
        "ansm-2019",
        "bsi-cs-132",
        "iec81001-5-1",
        "iec62443-4-2",
        "iec-tr-60601-4-5",
        "nist-csf-2.0",
        "en303645",
        "sg-clsmd",
    ];
    for id in expected {
        assert!(c.framework(id).is_some(), "framework {id} missing");
        assert!(
            c.requirements.iter().any(|r| r.framework == id),
            "framework {id} has no requirement"
        );
    }
    // The MDR clauses the issue names, and their IVDR counterparts.
    for id in [
        "eu-mdr:AnnexI-17.2",
        "eu-mdr:AnnexI-17.4",
        "eu-mdr:AnnexI-18.8",
        "eu-ivdr:AnnexI-16.2",
        "eu-ivdr:AnnexI-16.4",
    ] {
        assert!(c.requirement(id).is_some(), "{id} missing");
    }
}

#[test]
fn every_control_is_required_and_verified() {
    let c = catalog();
    let required: BTreeSet<&str> = c
        .requirements
        .iter()
        .flat_map(|r| r.controls.iter().map(String::as_str))
        .collect();
    let verified: BTreeSet<&str> = c
        .tests
        .iter()
        .flat_map(|t| t.controls.iter().map(String::as_str))
        .collect();
    for control in &c.controls {
        assert!(
            required.contains(control.id.as_str()),
            "{} satisfies no requirement",
            control.id
        );
        assert!(
            verified.contains(control.id.as_str()),
            "{} is verified by no test",
            control.id
        );
    }
}

#[test]
fn clause_ids_cited_by_threat_rules_are_in_the_catalogue() {
    let c = catalog();
    let missing: Vec<&str> = medsec_threat::requirements::CLAUSES
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| c.requirement(id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "cited by threat rules but not in the catalogue: {missing:?}"
    );
}

#[test]
fn related_links_go_both_ways() {
    let c = catalog();
    for r in &c.requirements {
        for rel in &r.related {
            let Some(other) = c.requirement(rel) else {
                panic!("{} relates to unknown {rel}", r.id)
            };
            assert!(
                other.related.contains(&r.id),
                "{} relates to {rel}, but not the other way",
                r.id
            );
        }
    }
}

#[test]
fn every_test_kind_the_issue_names_is_present() {
    use medsec_catalog::TestKind::*;
    let c = catalog();
    for kind in [
        SecurityRequirement,
        ThreatMitigation,
        CompositionAnalysis,
        StaticAnalysis,
        Fuzzing,
        Vulnerability,
        Penetration,
        Wireless,
        Hardware,
        UpdateIntegrity,
        Review,
    ] {
        assert!(
            c.tests.iter().any(|t| t.kind == kind),
            "no test of kind {}",
            kind.as_str()
        );
    }
}
