//! Golden threat and FMEA outputs for every example device, and properties of the
//! engine on generated models.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::PathBuf;

use medsec_device::model::{Control, Device, Mitigation, Stride};
use medsec_threat::engine::{Target, analyse_device};
use medsec_threat::synthetic::{self, Rng};
use medsec_threat::{Catalogue, Policy, register};
use proptest::prelude::*;

const EXAMPLES: [&str; 4] = [
    "insulin-pump",
    "patient-monitor",
    "cardiac-implant",
    "ivd-analyser",
];

fn example(name: &str) -> medsec_device::LoadedDevice {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    medsec_device::load(&path).unwrap()
}

/// One line per threat: id, category, mitigation, severity, exploitability and risk
/// before → after controls, safety flag.
fn golden(device: &Device, catalogue: &Catalogue, policy: &Policy) -> String {
    let model = analyse_device(device, catalogue);
    let register = register(&model, policy);
    let mut out = String::new();
    for (threat, row) in model.threats.iter().zip(&register.rows) {
        writeln!(
            out,
            "{} | {} | {} | S={} | E={}→{} | D={} | RPN={} | {}→{}{}",
            threat.id,
            threat.stride().as_str(),
            if threat.mitigated() {
                threat.mitigated_by.join(",")
            } else {
                "UNMITIGATED".into()
            },
            row.severity.as_ref().map_or("-", |s| s.level.as_str()),
            row.exploitability.level,
            row.residual_exploitability.level,
            row.detectability,
            row.rpn.map_or("-".into(), |n| n.to_string()),
            row.risk.as_str(),
            row.residual_risk.as_str(),
            if row.safety { " | SAFETY" } else { "" },
        )
        .unwrap();
    }
    if !model.unmatched_mitigations.is_empty() {
        writeln!(out, "\ncontrol claims that match no threat:").unwrap();
        for m in &model.unmatched_mitigations {
            writeln!(out, "{} → {} {}", m.control, m.target, m.stride.as_str()).unwrap();
        }
    }
    out
}

#[test]
fn golden_threats_and_fmea_of_the_examples() {
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    for name in EXAMPLES {
        let loaded = example(name);
        insta::assert_snapshot!(name, golden(&loaded.device, &catalogue, &policy));
    }
}

#[test]
fn example_json_is_stable_and_complete() {
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let loaded = example("insulin-pump");
    let model = analyse_device(&loaded.device, &catalogue);
    let register = register(&model, &policy);
    // The threat and FMEA row of the deliberately weak CGM link, in full.
    let threat = model
        .threats
        .iter()
        .find(|t| t.id == "BLE-S-001@cgm-to-app")
        .expect("the CGM's Just Works link is spoofable");
    insta::assert_json_snapshot!("insulin-pump-cgm-threat", threat);
    let row = register
        .rows
        .iter()
        .find(|r| r.id == "BLE-S-001@cgm-to-app")
        .unwrap();
    insta::assert_json_snapshot!("insulin-pump-cgm-fmea-row", row);
}

#[test]
fn examples_flag_their_deliberate_weaknesses() {
    let catalogue = Catalogue::builtin().unwrap();
    let loaded = example("insulin-pump");
    let model = analyse_device(&loaded.device, &catalogue);
    let ids: BTreeSet<&str> = model.threats.iter().map(|t| t.id.as_str()).collect();
    // Fleet-wide service password sent in clear; long-lived push API key.
    for expected in [
        "DBG-S-001@pump-debug-port",
        "GEN-I-003@technician-console",
        "API-S-001@api-to-push",
    ] {
        assert!(ids.contains(expected), "{expected} missing");
    }
}

fn crossing_flows(device: &Device) -> Vec<&str> {
    let zone: BTreeMap<&str, &str> = device
        .elements
        .iter()
        .map(|e| (e.id.as_str(), e.zone.as_str()))
        .collect();
    device
        .flows
        .iter()
        .filter(|f| zone.get(f.from.as_str()) != zone.get(f.to.as_str()))
        .map(|f| f.id.as_str())
        .collect()
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

/// What identifies a threat and its outcome, for comparing analyses.
fn fingerprint(device: &Device, catalogue: &Catalogue) -> Vec<(String, Vec<String>, String)> {
    analyse_device(device, catalogue)
        .threats
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                t.mitigated_by.iter().map(|s| (*s).to_owned()).collect(),
                t.worst_harm
                    .as_ref()
                    .map_or(String::new(), |h| format!("{}:{:?}", h.asset, h.severity)),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// STRIDE per interaction: every flow that crosses a trust boundary is considered
    /// for spoofing, tampering and information disclosure.
    #[test]
    fn crossing_flows_are_considered_for_s_t_and_i(seed in any::<u64>(), elements in 2usize..60, flows in 1usize..200) {
        let catalogue = Catalogue::builtin().unwrap();
        let device = synthetic::device(elements, flows, seed);
        let model = analyse_device(&device, &catalogue);
        let mut seen: BTreeMap<&str, BTreeSet<Stride>> = BTreeMap::new();
        for t in &model.threats {
            if let Target::Flow(f) = &t.target {
                seen.entry(&f.flow.id).or_default().insert(t.stride());
            }
        }
        for flow in crossing_flows(&device) {
            let got = seen.get(flow).cloned().unwrap_or_default();
            for s in [Stride::Spoofing, Stride::Tampering, Stride::InformationDisclosure] {
                prop_assert!(got.contains(&s), "{flow} lacks {}", s.as_str());
            }
        }
    }

    /// A control mitigates exactly the threats whose target and category it names.
    #[test]
    fn a_control_removes_exactly_what_it_names(seed in any::<u64>(), pick in any::<usize>()) {
        let catalogue = Catalogue::builtin().unwrap();
        let mut device = synthetic::device(40, 120, seed);
        device.controls.clear();
        let before = analyse_device(&device, &catalogue);
        prop_assert_eq!(before.unmitigated(), before.threats.len());
        let chosen = &before.threats[pick % before.threats.len()];
        let (target, stride) = (chosen.target.id().to_owned(), chosen.stride());
        let named: BTreeSet<String> = before
            .threats
            .iter()
            .filter(|t| t.target.id() == target && t.stride() == stride)
            .map(|t| t.id.clone())
            .collect();
        let ids_before: Vec<String> = before.threats.iter().map(|t| t.id.clone()).collect();
        device.controls.push(Control {
            id: "ctl-under-test".into(),
            name: "Control under test".into(),
            description: None,
            mitigates: vec![Mitigation { target, stride: vec![stride] }],
            implements: Vec::new(),
        });
        let after = analyse_device(&device, &catalogue);
        let ids_after: Vec<String> = after.threats.iter().map(|t| t.id.clone()).collect();
        prop_assert_eq!(ids_before, ids_after);
        let mitigated: BTreeSet<String> = after
            .threats
            .iter()
            .filter(|t| t.mitigated())
            .map(|t| t.id.clone())
            .collect();
        prop_assert_eq!(mitigated, named);
    }

    /// Threat ids (and what is attached to them) do not depend on the order of
    /// elements, flows, controls or assets in the file.
    #[test]
    fn ids_are_stable_under_reordering(seed in any::<u64>(), order in any::<u64>()) {
        let catalogue = Catalogue::builtin().unwrap();
        let device = synthetic::device(50, 150, seed);
        let mut shuffled = device.clone();
        let mut rng = Rng::new(order);
        shuffle(&mut shuffled.elements, &mut rng);
        shuffle(&mut shuffled.flows, &mut rng);
        shuffle(&mut shuffled.controls, &mut rng);
        shuffle(&mut shuffled.assets, &mut rng);
        shuffle(&mut shuffled.trust_zones, &mut rng);
        prop_assert_eq!(fingerprint(&device, &catalogue), fingerprint(&shuffled, &catalogue));
    }

    /// Adding an element elsewhere does not change the threats of the others.
    #[test]
    fn ids_do_not_depend_on_other_elements(seed in any::<u64>()) {
        let catalogue = Catalogue::builtin().unwrap();
        let device = synthetic::device(30, 90, seed);
        let mut grown = device.clone();
        let mut extra = device.elements[0].clone();
        extra.id = "el-added".into();
        grown.elements.push(extra);
        let before = fingerprint(&device, &catalogue);
        let after: Vec<_> = fingerprint(&grown, &catalogue)
            .into_iter()
            .filter(|(id, _, _)| !id.ends_with("@el-added"))
            .collect();
        prop_assert_eq!(before, after);
    }
}

#[test]
fn every_element_is_considered_for_its_stride_categories() {
    let catalogue = Catalogue::builtin().unwrap();
    let device = synthetic::device(200, 400, 7);
    let model = analyse_device(&device, &catalogue);
    let mut seen: BTreeMap<&str, BTreeSet<Stride>> = BTreeMap::new();
    for t in &model.threats {
        if let Target::Element(e) = &t.target {
            seen.entry(&e.id).or_default().insert(t.stride());
        }
    }
    for e in &device.elements {
        let want: BTreeSet<Stride> = medsec_device::check::stride_per_element(e.kind)
            .iter()
            .copied()
            .collect();
        assert_eq!(seen.get(e.id.as_str()), Some(&want), "{}", e.id);
    }
}

#[test]
fn generated_model_of_benchmark_size() {
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let device = synthetic::device(5_000, 20_000, 42);
    assert_eq!(device.elements.len(), 5_000);
    assert_eq!(device.flows.len(), 20_000);
    let model = analyse_device(&device, &catalogue);
    let register = register(&model, &policy);
    assert_eq!(register.rows.len(), model.threats.len());
    assert!(model.threats.len() > 25_000);
}
