//! Tracing findings through the bundled example devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use medsec_device::LoadedDevice;
use medsec_device::model::{ElementKind, InlineComponent, Severity, Software, Stride};
use medsec_postmarket::trace::{
    ComponentSource, DeviceSoftware, MatchedBy, Placement, ProposedValue, REALISABLE_ON_FLOWS,
    RubricProposal, Trace, TraceInput, Via, realisable_on_element, trace, trace_in,
};
use medsec_threat::engine::Target;
use medsec_threat::{Catalogue, Policy, analyse, register};

fn example(name: &str) -> LoadedDevice {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    medsec_device::load(&path).unwrap()
}

fn run(loaded: &LoadedDevice, finding: &TraceInput) -> Trace {
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let model = analyse(loaded, &catalogue);
    let register = register(&model, &policy);
    trace(loaded, &model, &register, finding)
}

fn finding(name: &str, version: Option<&str>, purl: Option<&str>) -> TraceInput {
    TraceInput {
        name: name.into(),
        version: version.map(Into::into),
        purl: purl.map(Into::into),
        cpe: None,
        vulnerability: "CVE-0000-0000".into(),
        cvss_vector: None,
        base_score: None,
    }
}

/// A component of an element's SBOM, read with the formats crate.
fn sbom_component(loaded: &LoadedDevice, element: &str, name: &str) -> TraceInput {
    let relative = loaded
        .device
        .elements
        .iter()
        .find(|e| e.id == element)
        .and_then(|e| e.software.as_ref())
        .and_then(|s| s.sbom.clone())
        .unwrap();
    let path = loaded.path.parent().unwrap().join(relative);
    let reading =
        medsec_formats::sbom::read_from_path(&path, medsec_formats::sbom::Limits::DEFAULT).unwrap();
    let component = reading
        .sbom
        .components
        .iter()
        .find(|c| c.name == name)
        .unwrap();
    let mut input = finding(
        &component.name,
        component.version.as_deref(),
        component.purl.as_ref().map(ToString::to_string).as_deref(),
    );
    input.cpe = component.cpes.first().map(ToString::to_string);
    input
}

fn json(trace: &Trace) -> String {
    serde_json::to_string_pretty(trace).unwrap()
}

#[test]
fn sbom_component_traces_to_threats_rows_and_patient_harm() {
    let loaded = example("insulin-pump");
    let input = sbom_component(&loaded, "pump-firmware", "mbedtls");
    assert!(input.purl.is_some());
    let traced = run(&loaded, &input);

    assert_eq!(traced.placement, Placement::Placed);
    assert!(traced.unplaced_reason.is_none());
    assert!(traced.problems.is_empty(), "{:?}", traced.problems);
    assert_eq!(traced.elements.len(), 1);
    let element = &traced.elements[0];
    assert_eq!(element.element, "pump-firmware");
    assert_eq!(element.kind, ElementKind::Process);
    assert_eq!(element.matched.len(), 1);
    assert_eq!(element.matched[0].matched_by, MatchedBy::Purl);
    assert_eq!(
        element.matched[0].source,
        ComponentSource::Sbom {
            path: "sbom/pump-firmware.cdx.json".into()
        }
    );

    // Threats on the element and on its flows, each marked, each with its FMEA row.
    assert!(element.threats.iter().any(|t| t.via == Via::Element));
    assert!(
        element
            .threats
            .iter()
            .any(|t| matches!(t.via, Via::FlowFromElement | Via::FlowToElement))
    );
    for threat in &element.threats {
        let row = threat.row.as_ref().unwrap();
        assert_eq!(row.id, threat.threat);
        match threat.via {
            Via::Element => {
                assert_eq!(threat.target, "pump-firmware");
                assert!(realisable_on_element(ElementKind::Process).contains(&threat.stride));
            }
            _ => {
                assert_eq!(threat.target_kind, "flow");
                assert!(REALISABLE_ON_FLOWS.contains(&threat.stride));
            }
        }
    }

    // Patient harm, and a safety-relevant row (insulin over-delivery).
    let catastrophic = element
        .threats
        .iter()
        .filter_map(|t| t.harm.as_ref())
        .find(|h| h.severity == Severity::Catastrophic)
        .unwrap();
    assert!(!catastrophic.harm.is_empty());
    assert_eq!(traced.summary.worst_severity, Some(Severity::Catastrophic));
    assert!(traced.summary.safety_relevant);
    assert!(!traced.summary.safety_rows.is_empty());
    for id in &traced.summary.safety_rows {
        let threat = element.threats.iter().find(|t| &t.threat == id).unwrap();
        assert!(threat.row.as_ref().unwrap().safety);
    }
    let distinct: BTreeSet<&str> = element.threats.iter().map(|t| t.threat.as_str()).collect();
    assert_eq!(traced.summary.rows, distinct.len());
    assert_eq!(traced.summary.threats, distinct.len());
    assert_eq!(traced.summary.elements, 1);

    // Order: by threat id.
    let ids: Vec<&str> = element.threats.iter().map(|t| t.threat.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);

    // The JSON carries the chain.
    let text = json(&traced);
    assert!(text.contains("\"placement\": \"placed\""));
    assert!(text.contains("\"via\": \"element\""));
}

#[test]
fn every_threat_of_the_model_on_the_element_or_its_flows_is_kept_or_listed_as_left_out() {
    let loaded = example("insulin-pump");
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let model = analyse(&loaded, &catalogue);
    let fmea = register(&model, &policy);
    let input = sbom_component(&loaded, "pump-firmware", "mbedtls");
    let traced = trace(&loaded, &model, &fmea, &input);
    let element = &traced.elements[0];

    let expected: BTreeSet<&str> = model
        .threats
        .iter()
        .filter(|t| match &t.target {
            Target::Element(e) => e.id == "pump-firmware",
            Target::Flow(f) => f.from.id == "pump-firmware" || f.to.id == "pump-firmware",
        })
        .map(|t| t.id.as_str())
        .collect();
    let kept: BTreeSet<&str> = element.threats.iter().map(|t| t.threat.as_str()).collect();
    let left_out: BTreeSet<&str> = element.not_realisable.iter().map(String::as_str).collect();
    assert!(kept.is_disjoint(&left_out));
    assert_eq!(
        kept.union(&left_out).copied().collect::<BTreeSet<_>>(),
        expected
    );
    // Flow spoofing is among those left out when the model has such a threat.
    for id in &left_out {
        let threat = model.threats.iter().find(|t| t.id == *id).unwrap();
        if matches!(threat.target, Target::Flow(_)) {
            assert!(!REALISABLE_ON_FLOWS.contains(&threat.stride()));
        }
    }
}

#[test]
fn inline_component_traces_and_a_data_store_keeps_tampering_disclosure_and_denial() {
    // The patient monitor's web configuration service lists lighttpd inline.
    let monitor = example("patient-monitor");
    let traced = run(
        &monitor,
        &finding(
            "lighttpd",
            Some("1.4.55"),
            Some("pkg:generic/lighttpd@1.4.55"),
        ),
    );
    assert_eq!(traced.placement, Placement::Placed);
    let element = &traced.elements[0];
    assert_eq!(element.element, "monitor-web-config");
    assert_eq!(element.matched[0].source, ComponentSource::Inline);
    assert_eq!(element.matched[0].matched_by, MatchedBy::Purl);
    assert!(!element.threats.is_empty());
    assert!(element.threats.iter().all(|t| t.row.is_some()));
    assert!(traced.summary.rows > 0);

    // The insulin pump's cloud database (a data store) lists PostgreSQL inline.
    let pump = example("insulin-pump");
    let traced = run(
        &pump,
        &finding(
            "postgresql",
            Some("14.8"),
            Some("pkg:generic/postgresql@14.8"),
        ),
    );
    let element = &traced.elements[0];
    assert_eq!(element.element, "cloud-database");
    assert_eq!(element.kind, ElementKind::DataStore);
    assert_eq!(
        element.stride_on_element,
        vec![
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::DenialOfService
        ]
    );
    assert!(element.threats.iter().any(|t| t.via == Via::Element));
    for threat in element.threats.iter().filter(|t| t.via == Via::Element) {
        assert!(matches!(
            threat.stride,
            Stride::Tampering | Stride::InformationDisclosure | Stride::DenialOfService
        ));
    }
}

#[test]
fn a_component_in_no_element_is_unplaced() {
    let loaded = example("insulin-pump");
    let mut input = finding(
        "no-such-component",
        Some("1.0.0"),
        Some("pkg:generic/no-such-component@1.0.0"),
    );
    input.cvss_vector = Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into());
    let traced = run(&loaded, &input);
    assert_eq!(traced.placement, Placement::Unplaced);
    assert!(traced.elements.is_empty());
    let reason = traced.unplaced_reason.as_deref().unwrap();
    assert!(
        reason.contains("pkg:generic/no-such-component@1.0.0"),
        "{reason}"
    );
    assert_eq!(traced.summary.rows, 0);
    assert_eq!(traced.summary.worst_severity, None);
    assert!(!traced.summary.safety_relevant);
    assert!(matches!(traced.rubric, RubricProposal::NotProposed { .. }));
    assert!(json(&traced).contains("\"placement\": \"unplaced\""));
}

#[test]
fn purl_match_ignores_qualifiers_and_subpath_but_not_version() {
    let monitor = example("patient-monitor");
    let qualified = run(
        &monitor,
        &finding(
            "lighttpd",
            Some("1.4.55"),
            Some("pkg:generic/lighttpd@1.4.55?arch=armhf&distro=yocto"),
        ),
    );
    assert_eq!(qualified.placement, Placement::Placed);
    assert_eq!(qualified.elements[0].matched[0].matched_by, MatchedBy::Purl);

    let other_version = run(
        &monitor,
        &finding(
            "lighttpd",
            Some("1.4.56"),
            Some("pkg:generic/lighttpd@1.4.56"),
        ),
    );
    assert_eq!(other_version.placement, Placement::Unplaced);

    // When both sides have a purl, the purl decides: the same name and version under
    // another purl is another component.
    let other_package = run(
        &monitor,
        &finding(
            "lighttpd",
            Some("1.4.55"),
            Some("pkg:generic/lighttpd2@1.4.55"),
        ),
    );
    assert_eq!(other_package.placement, Placement::Unplaced);

    // The pump firmware's SBOM lists Zephyr twice: the kernel and its Bluetooth
    // subsystem (a subpath). Both are the same package version.
    let pump = example("insulin-pump");
    let zephyr = run(
        &pump,
        &finding(
            "zephyr",
            Some("v3.4.0"),
            Some("pkg:github/zephyrproject-rtos/zephyr@v3.4.0#subsys/bluetooth"),
        ),
    );
    assert_eq!(zephyr.elements.len(), 1);
    assert_eq!(zephyr.elements[0].element, "pump-firmware");
    assert_eq!(zephyr.elements[0].matched.len(), 2);
    assert!(
        zephyr.elements[0]
            .matched
            .iter()
            .all(|m| m.matched_by == MatchedBy::Purl)
    );
}

#[test]
fn name_and_version_fallback_is_case_insensitive() {
    let monitor = example("patient-monitor");
    let traced = run(&monitor, &finding("LightTPD", Some("1.4.55"), None));
    assert_eq!(traced.placement, Placement::Placed);
    assert_eq!(traced.elements[0].element, "monitor-web-config");
    assert_eq!(
        traced.elements[0].matched[0].matched_by,
        MatchedBy::NameVersion
    );

    // An SBOM component found by name and version: OpenSSL of the monitor firmware.
    let by_name = run(&monitor, &finding("OPENSSL", Some("1.1.1K"), None));
    assert!(by_name.elements.iter().any(|e| {
        e.element == "monitor-firmware"
            && e.matched
                .iter()
                .all(|m| m.matched_by == MatchedBy::NameVersion)
    }));

    let wrong_version = run(&monitor, &finding("lighttpd", Some("1.4.54"), None));
    assert_eq!(wrong_version.placement, Placement::Unplaced);
    let no_version = run(&monitor, &finding("lighttpd", None, None));
    assert_eq!(no_version.placement, Placement::Unplaced);
    assert!(
        no_version
            .unplaced_reason
            .as_deref()
            .unwrap()
            .contains("neither a purl nor a version")
    );

    // An invalid purl in the finding is said, and name and version are used instead.
    let bad_purl = run(
        &monitor,
        &finding("lighttpd", Some("1.4.55"), Some("not a purl")),
    );
    assert_eq!(bad_purl.placement, Placement::Placed);
    assert_eq!(
        bad_purl.elements[0].matched[0].matched_by,
        MatchedBy::NameVersion
    );
    assert!(
        bad_purl
            .problems
            .iter()
            .any(|p| p.message.contains("not a purl"))
    );
}

#[test]
fn rubric_answers_are_proposed_per_element_and_marked_as_proposed() {
    let monitor = example("patient-monitor");
    let mut input = finding(
        "lighttpd",
        Some("1.4.55"),
        Some("pkg:generic/lighttpd@1.4.55"),
    );
    input.cvss_vector = Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into());
    input.base_score = Some(9.8);
    let traced = run(&monitor, &input);
    let RubricProposal::Proposed { elements } = &traced.rubric else {
        panic!("no proposal: {:?}", traced.rubric);
    };
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].element, "monitor-web-config");
    assert!(elements[0].error.is_none());
    assert!(!elements[0].answers.is_empty());
    assert!(elements[0].answers.iter().all(|a| {
        a.rationale
            .starts_with(medsec_device::rubric_context::PROPOSED)
    }));
    // The same proposal as the device crate makes, answer for answer.
    let xavn = elements[0]
        .answers
        .iter()
        .find(|a| a.question == "XAVN")
        .unwrap();
    assert_eq!(xavn.answer, ProposedValue::Yes);
    assert!(json(&traced).contains("\"status\": \"proposed\""));

    // No vector, an invalid one, or one the rubric is not defined on: no proposal, said.
    input.cvss_vector = None;
    assert!(matches!(
        run(&monitor, &input).rubric,
        RubricProposal::NotProposed { .. }
    ));
    input.cvss_vector = Some("CVSS:3.1/AV:X".into());
    let RubricProposal::NotProposed { reason } = run(&monitor, &input).rubric else {
        panic!("an invalid vector gave a proposal");
    };
    assert!(reason.contains("not valid"), "{reason}");
    input.cvss_vector =
        Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into());
    let RubricProposal::NotProposed { reason } = run(&monitor, &input).rubric else {
        panic!("a v4 vector gave a proposal");
    };
    assert!(reason.contains("CVSS v3"), "{reason}");
}

/// The patient monitor with a test component added inline to several elements of
/// different kinds.
fn monitor_with_shared_component() -> LoadedDevice {
    let mut loaded = example("patient-monitor");
    let shared = InlineComponent {
        name: "sharedlib".into(),
        version: "2.0.1".into(),
        purl: Some("pkg:generic/sharedlib@2.0.1".into()),
        cpe: None,
        supplier: None,
        license: None,
    };
    let mut placed = 0;
    for element in &mut loaded.device.elements {
        if placed < 4 && matches!(element.kind, ElementKind::Process | ElementKind::DataStore) {
            element
                .software
                .get_or_insert_with(|| Software {
                    sbom: None,
                    components: Vec::new(),
                })
                .components
                .push(shared.clone());
            placed += 1;
        }
    }
    assert_eq!(placed, 4);
    loaded
}

#[test]
fn trace_is_deterministic_and_independent_of_element_order() {
    let loaded = monitor_with_shared_component();
    let mut input = finding(
        "sharedlib",
        Some("2.0.1"),
        Some("pkg:generic/sharedlib@2.0.1"),
    );
    input.cvss_vector = Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into());
    let first = run(&loaded, &input);
    assert_eq!(first.elements.len(), 4);
    let ids: Vec<&str> = first.elements.iter().map(|e| e.element.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let RubricProposal::Proposed { elements } = &first.rubric else {
        panic!("no proposal");
    };
    assert_eq!(elements.len(), 4);

    // Same output twice, and with the software read once for both.
    let second = run(&loaded, &input);
    assert_eq!(json(&first), json(&second));
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let model = analyse(&loaded, &catalogue);
    let fmea = register(&model, &policy);
    let software = DeviceSoftware::read(&loaded);
    assert!(software.problems().is_empty());
    let third = trace_in(&software, &loaded, &model, &fmea, &input);
    assert_eq!(json(&first), json(&third));

    // Elements listed in reverse order.
    let mut reversed = loaded.clone();
    reversed.device.elements.reverse();
    assert_eq!(json(&first), json(&run(&reversed, &input)));

    // Rows reached from two elements (a flow between them) are counted once.
    let all_rows: usize = first.elements.iter().map(|e| e.threats.len()).sum();
    assert!(first.summary.rows <= all_rows);
}

#[test]
fn an_unreadable_sbom_is_a_problem_not_silence() {
    let mut loaded = example("patient-monitor");
    let element = loaded
        .device
        .elements
        .iter_mut()
        .find(|e| e.id == "monitor-firmware")
        .unwrap();
    element.software = Some(Software {
        sbom: Some("sbom/does-not-exist.cdx.json".into()),
        components: Vec::new(),
    });
    let traced = run(&loaded, &finding("openssl", Some("1.1.1k"), None));
    assert_eq!(traced.placement, Placement::Unplaced);
    assert!(
        traced
            .problems
            .iter()
            .any(|p| p.element.as_deref() == Some("monitor-firmware"))
    );
    assert!(
        traced
            .unplaced_reason
            .as_deref()
            .unwrap()
            .contains("could not be read")
    );
}
