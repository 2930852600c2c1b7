//! Imports from Threat Dragon and threagile: what is carried, what is reported, and
//! that the result is a device file `medsec check` reads, failing only where a person
//! must assess (severities) or complete (markets, categories).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use medsec_device::import::{self, EXPECTED_CHECK_CODES, ImportError, ItemKind, Options};
use medsec_device::model::{
    Authentication, Direction, ElementKind, Encryption, Market, MarketId, NeedLevel, Stride,
    TrustLevel,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name),
    )
    .unwrap()
}

fn options() -> Options {
    Options {
        markets: vec![Market {
            market: MarketId::EuMdr,
            class: "IIb".into(),
        }],
        categories: vec!["home-use".into()],
        source_name: "fixture".into(),
    }
}

fn check_codes(yaml: &str) -> Vec<String> {
    let result = medsec_device::check::check_text(
        Path::new("imported.yaml"),
        Path::new(""),
        std::sync::Arc::new(yaml.to_owned()),
    );
    let report = match result {
        Ok(loaded) => loaded.report,
        Err(medsec_device::LoadError::Invalid(report)) => *report,
        Err(other) => panic!("{other}"),
    };
    // Errors only: warnings (an unused asset, an isolated element) do not fail the check.
    report
        .diagnostics
        .iter()
        .filter(|d| d.level == medsec_device::diagnostic::Level::Error)
        .map(|d| d.code.to_owned())
        .collect()
}

#[test]
fn threat_dragon_model_is_carried_over() {
    let imported =
        import::threat_dragon::import(&fixture("threat-dragon-v2.json"), &options()).unwrap();
    let device = &imported.device;
    assert_eq!(device.device.name, "Kestrel Home Glucose Meter");
    // Zones: two nested boxes and the zone outside them.
    let zone = |id: &str| device.trust_zones.iter().find(|z| z.id == id).unwrap();
    assert_eq!(zone("meter").parent.as_deref(), Some("patient-home"));
    assert_eq!(zone("patient-home").parent, None);
    assert_eq!(zone("outside").trust, TrustLevel::Untrusted);
    let element = |id: &str| device.elements.iter().find(|e| e.id == id).unwrap();
    assert_eq!(element("meter-firmware").zone, "meter");
    assert_eq!(element("phone-app").zone, "patient-home");
    assert_eq!(element("phone-app").name, "Phone app");
    assert_eq!(element("patient").kind, ElementKind::ExternalEntity);
    assert_eq!(element("reading-memory").kind, ElementKind::DataStore);
    assert!(
        element("reading-memory")
            .technologies
            .contains(&"logging".to_owned())
    );
    assert_eq!(element("cloud-diary-db").zone, "outside");
    // Flows.
    let flow = |id: &str| device.flows.iter().find(|f| f.id == id).unwrap();
    assert_eq!(flow("readings-over-ble").protocol, "ble-gatt");
    assert_eq!(
        flow("readings-over-ble").direction,
        Direction::Bidirectional
    );
    assert_eq!(flow("readings-over-ble").encryption, Encryption::None);
    assert_eq!(flow("diary-sync").encryption, Encryption::TlsLegacy);
    assert_eq!(flow("diary-sync").authentication, Authentication::None);
    assert_eq!(flow("store-reading").protocol, "threat-dragon.spi-flash");
    assert_eq!(flow("flow").protocol, "threat-dragon.unspecified");
    assert_eq!(device.flows.len(), 4, "the dangling flow is left out");
    // The mitigated STRIDE threat with a mitigation became a control.
    assert_eq!(device.controls.len(), 1);
    assert_eq!(device.controls[0].mitigates[0].target, "phone-app");
    assert_eq!(device.controls[0].mitigates[0].stride, [Stride::Tampering]);
    // Report.
    let report = &imported.report;
    assert_eq!(
        report
            .with_code("medsec::import::threat-not-carried")
            .count(),
        3
    );
    assert_eq!(report.with_code("medsec::import::dropped-flow").count(), 1);
    let curve = report
        .with_code("medsec::import::boundary-curve")
        .next()
        .unwrap();
    assert!(curve.message.contains("diary-sync"), "{}", curve.message);
    assert!(
        report
            .with_code("medsec::import::assumed-authentication")
            .count()
            == 1
    );
    // No assets, markets and categories given: the file passes the check.
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    assert!(check_codes(&imported.yaml).is_empty());
}

#[test]
fn threagile_model_is_carried_over_and_waits_for_severities() {
    let imported = import::threagile::import(&fixture("threagile.yaml"), &options()).unwrap();
    let device = &imported.device;
    assert_eq!(device.device.name, "Wren Infusion Fleet Manager");
    // CIA → needs; merge key inherited the library's ratings where not overridden.
    let asset = |id: &str| device.assets.iter().find(|a| a.id == id).unwrap();
    let library = asset("drug-library");
    assert_eq!(library.confidentiality.need, NeedLevel::Low);
    assert_eq!(library.integrity.need, NeedLevel::High);
    assert_eq!(library.availability.need, NeedLevel::Medium);
    let logs = asset("pump-logs");
    assert_eq!(logs.confidentiality.need, NeedLevel::High);
    assert_eq!(logs.availability.need, NeedLevel::Low);
    assert_eq!(asset("manual").confidentiality.need, NeedLevel::None);
    assert!(asset("manual").confidentiality.harm.is_none());
    for need in [&library.integrity, &logs.confidentiality] {
        assert!(
            need.harm
                .as_deref()
                .unwrap()
                .starts_with("TO BE ASSESSED: imported from threagile")
        );
        assert_eq!(need.severity, None, "severities are never invented");
    }
    // Zones.
    let zone = |id: &str| device.trust_zones.iter().find(|z| z.id == id).unwrap();
    assert_eq!(
        zone("server-zone").parent.as_deref(),
        Some("hospital-network")
    );
    assert_eq!(
        zone("device-vlan").parent.as_deref(),
        Some("hospital-network")
    );
    // Elements.
    let element = |id: &str| device.elements.iter().find(|e| e.id == id).unwrap();
    assert!(element("pharmacist-browser").human);
    assert_eq!(element("pharmacist-browser").technologies, ["web-ui"]);
    assert_eq!(element("log-db").kind, ElementKind::DataStore);
    assert_eq!(element("log-db").technologies, ["relational-database"]);
    assert_eq!(element("log-db").assets, ["pump-logs"]);
    assert_eq!(element("pump").zone, "device-vlan");
    assert_eq!(
        element("fleet-server").technologies,
        ["threagile.web-application"]
    );
    // Flows.
    let flow = |id: &str| device.flows.iter().find(|f| f.id == id).unwrap();
    let upload = flow("pharmacist-browser-library-upload");
    assert_eq!(upload.protocol, "https");
    assert_eq!(upload.encryption, Encryption::TlsLegacy);
    assert_eq!(upload.authentication, Authentication::Password);
    assert_eq!(upload.direction, Direction::OneWay);
    let push = flow("fleet-server-library-push");
    assert_eq!(push.protocol, "threagile.binary-encrypted");
    assert_eq!(push.encryption, Encryption::Proprietary);
    assert_eq!(push.authentication, Authentication::MutualTls);
    assert_eq!(push.direction, Direction::Bidirectional);
    assert_eq!(flow("fleet-server-log-storage").protocol, "sql");
    assert_eq!(
        device.flows.len(),
        3,
        "the link to a missing asset is left out"
    );
    // Report: sections not carried, and the severities to assess.
    let report = &imported.report;
    for section in [
        "risk_tracking",
        "shared_runtimes",
        "individual_risk_categories",
    ] {
        assert!(
            report
                .items
                .iter()
                .any(|i| i.kind == ItemKind::NotCarried && i.source == section),
            "{section} not reported"
        );
    }
    assert_eq!(
        report
            .with_code("medsec::import::severity-to-assess")
            .count(),
        1
    );
    assert_eq!(report.with_code("medsec::import::dropped-flow").count(), 1);
    assert_eq!(
        report
            .with_code("medsec::import::dropped-reference")
            .count(),
        1
    );
    // `medsec check` fails on exactly the missing severities (8 needed properties).
    let codes = check_codes(&imported.yaml);
    let severity = codes
        .iter()
        .filter(|c| *c == "medsec::device::missing-severity")
        .count();
    assert_eq!(severity, 8);
    for code in &codes {
        assert!(
            EXPECTED_CHECK_CODES.contains(&code.as_str()),
            "unexpected {code}"
        );
    }
    assert!(!codes.iter().any(|c| c == "medsec::device::missing-harm"));
    assert_eq!(
        imported.check.get("medsec::device::missing-severity"),
        Some(&8)
    );
}

#[test]
fn assessing_the_severities_makes_the_file_pass() {
    let imported = import::threagile::import(&fixture("threagile.yaml"), &options()).unwrap();
    let mut device = imported.device.clone();
    for asset in &mut device.assets {
        for need in [
            &mut asset.confidentiality,
            &mut asset.integrity,
            &mut asset.availability,
        ] {
            if need.need != NeedLevel::None {
                need.harm = Some("assessed".into());
                need.severity = Some(medsec_device::model::Severity::Serious);
            }
        }
    }
    let yaml = import::yaml_out::write_device(&device, &[]);
    let codes = check_codes(&yaml);
    assert!(codes.is_empty(), "{codes:?}");
}

#[test]
fn without_markets_and_categories_the_check_says_so() {
    let imported =
        import::threat_dragon::import(&fixture("threat-dragon-v2.json"), &Options::default())
            .unwrap();
    assert!(imported.device.device.markets.is_empty());
    assert_eq!(imported.check.get("medsec::device::no-market"), Some(&1));
    assert_eq!(imported.check.get("medsec::device::no-category"), Some(&1));
    assert!(
        imported
            .report
            .with_code("medsec::import::missing-identity")
            .count()
            >= 3
    );
}

fn td_error(text: &str) -> ImportError {
    import::threat_dragon::import(text, &options()).unwrap_err()
}

fn tg_error(text: &str) -> ImportError {
    import::threagile::import(text, &options()).unwrap_err()
}

/// Found by the `model_import` fuzz target: a model with nothing to import gave a device
/// file that failed medsec's own check (no zone); it is refused with a clear error.
#[test]
fn regression_a_model_with_no_element_is_refused() {
    let error = tg_error(
        "threagile_version: 1.0.0\ntitle: x\ntechnica\u{13}l_assets:\n  A:\n    id: a\n    type: robot\n",
    );
    assert_eq!(error.code, "medsec::import::empty");
    assert!(
        error.message.contains("technical_assets"),
        "{}",
        error.message
    );
    let error = td_error(
        r#"{"summary": {"title": "x"}, "detail": {"diagrams": [{"title": "d", "cells": []}]}}"#,
    );
    assert_eq!(error.code, "medsec::import::empty");
    assert_eq!(error.source_path.as_deref(), Some("/detail/diagrams"));
}

#[test]
fn hostile_threat_dragon_input_gives_located_errors() {
    let error = td_error(&fixture("malformed.json"));
    assert_eq!(error.code, "medsec::import::syntax");
    assert_eq!(error.line, Some(2));
    let error = td_error(&fixture("no-cells.json"));
    assert_eq!(error.code, "medsec::import::structure");
    assert_eq!(error.source_path.as_deref(), Some("/detail/diagrams/0"));
    assert_eq!(
        td_error(&fixture("threat-dragon-v1.json")).code,
        "medsec::import::unsupported-version"
    );
    for text in [
        "[]",
        "{}",
        "null",
        "{\"detail\": {\"diagrams\": 3}}",
        "",
        "{\"detail\": {\"diagrams\": [{\"cells\": 1}]}}",
    ] {
        let error = td_error(text);
        assert!(
            error.code.starts_with("medsec::import::"),
            "{text}: {error:?}"
        );
    }
    // Cells of any odd shape are reported, not fatal.
    let odd = r#"{"summary":{"title":"t"},"detail":{"diagrams":[{"cells":[1, "x", {"shape":"weird"}, {"data":{"type":"tm.Flow"}},
        {"shape":"actor","data":{"type":"tm.Actor","name":"A"}}, {"shape":"trust-boundary-box","data":{"type":"tm.BoundaryBox"}},
        {"shape":"process","id":"p","position":{"x":"a"},"data":{"type":"tm.Process","name":"<&\"\u2028>"}}]}]}}"#;
    let imported = import::threat_dragon::import(odd, &options()).unwrap();
    assert!(
        imported
            .report
            .with_code("medsec::import::dropped-cell")
            .count()
            >= 3
    );
    assert!(
        imported
            .check
            .keys()
            .all(|c| EXPECTED_CHECK_CODES.contains(&c.as_str())),
        "{:?}",
        imported.check
    );
}

#[test]
fn hostile_threagile_input_gives_located_errors() {
    let error = tg_error(&fixture("malformed.yaml"));
    assert_eq!(error.code, "medsec::import::syntax");
    assert_eq!(error.line, Some(6));
    let error = tg_error(&fixture("bad-type.yaml"));
    assert_eq!(error.code, "medsec::import::structure");
    assert_eq!(
        error.source_path.as_deref(),
        Some("technical_assets/A/type")
    );
    assert_eq!((error.line, error.column), (Some(6), Some(5)));
    for text in [
        "- a\n- b\n",
        "title: x\n",
        "threagile_version: 1\ntechnical_assets: 3\n",
        "threagile_version: 1\ntechnical_assets:\n  A: {id: a}\n",
        "threagile_version: 1\ntechnical_assets:\n  A: {id: a, type: process, communication_links: {L: {protocol: http}}}\n",
        "threagile_version: 1\ndata_assets:\n  D: {id: d, confidentiality: secret}\n",
        "a: 1\na: 2\n",
    ] {
        let error = tg_error(text);
        assert!(
            error.code.starts_with("medsec::import::"),
            "{text}: {error:?}"
        );
        assert!(error.line.is_some(), "{text}: no line in {error:?}");
    }
}

#[test]
fn threagile_nesting_cycles_and_odd_names_still_pass_the_check() {
    let text = "threagile_version: 1.0.0\ntitle: \"x\\\"y\"\ntechnical_assets:\n  \"Ä: weird\\nname\":\n    id: \"Bad ID!\"\n    type: process\ntrust_boundaries:\n  A: {id: a, trust_boundaries_nested: [b], technical_assets_inside: [\"Bad ID!\"]}\n  B: {id: b, trust_boundaries_nested: [a]}\n";
    let imported = import::threagile::import(text, &options()).unwrap();
    assert!(
        imported.check.is_empty(),
        "{:?}\n{}",
        imported.check,
        imported.yaml
    );
    assert_eq!(imported.device.elements[0].id, "bad-id");
    assert_eq!(imported.device.elements[0].zone, "a");
}

#[test]
fn output_is_deterministic() {
    for _ in 0..3 {
        let a = import::threagile::import(&fixture("threagile.yaml"), &options()).unwrap();
        let b = import::threagile::import(&fixture("threagile.yaml"), &options()).unwrap();
        assert_eq!(a.yaml, b.yaml);
        assert_eq!(a.report, b.report);
    }
}
