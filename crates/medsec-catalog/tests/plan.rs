//! Test plans, requirement applicability and coverage on the bundled example devices:
//! determinism, rigour that grows with the class, the laboratory rule, threat-driven
//! tests, results that reopen FMEA rows, and coverage states.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use medsec_catalog::coverage::{ClauseState, ControlState, coverage};
use medsec_catalog::plan::{TestPlan, plan};
use medsec_catalog::requirements::applicability;
use medsec_catalog::results::{DeviceKey, EvidenceFile, Outcome, TestResult, reopen_failed};
use medsec_catalog::{Catalog, TestPolicy};
use medsec_device::model::MarketId;
use medsec_device::{LoadedDevice, load};
use medsec_threat::{Catalogue, Policy, RiskLevel};

fn example(name: &str) -> LoadedDevice {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    match load(&path) {
        Ok(l) => l,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn plan_of(loaded: &LoadedDevice, policy: &TestPolicy, results: &[TestResult]) -> TestPlan {
    let rules = Catalogue::builtin().unwrap();
    let risk = Policy::default_policy().unwrap();
    let model = medsec_threat::analyse(loaded, &rules);
    let register = medsec_threat::register(&model, &risk);
    plan(
        &catalog(),
        policy,
        &loaded.device,
        &model,
        &register,
        results,
    )
}

fn result(
    loaded: &LoadedDevice,
    id: i64,
    test: &str,
    outcome: Outcome,
    accredited: bool,
) -> TestResult {
    TestResult {
        id,
        device: DeviceKey::of(&loaded.device),
        test: test.to_owned(),
        outcome,
        tester: "A. Tester".into(),
        laboratory: accredited.then(|| "Example Lab".to_owned()),
        accreditation: accredited.then(|| "D-PL-00000-00-00".to_owned()),
        performed_on: "2026-11-01".into(),
        tools: vec!["tool 1.0".into()],
        notes: None,
        evidence: vec![EvidenceFile {
            name: "report.pdf".into(),
            sha256: format!("{id:064x}"),
            size: 1,
        }],
        recorded_at: "2026-11-01T00:00:00Z".into(),
    }
}

#[test]
fn the_same_inputs_give_the_same_plan_byte_for_byte() {
    let pump = example("insulin-pump");
    let policy = TestPolicy::default_policy().unwrap();
    let a = serde_json::to_string(&plan_of(&pump, &policy, &[])).unwrap();
    let b = serde_json::to_string(&plan_of(&pump, &policy, &[])).unwrap();
    assert_eq!(a, b);
    // A second laboratory loading the same policy text from its own file.
    let copy = TestPolicy::from_text(
        "elsewhere/policy.yaml",
        medsec_catalog::policy::DEFAULT_POLICY,
    )
    .unwrap();
    let c = serde_json::to_string(&plan_of(&pump, &copy, &[])).unwrap();
    assert_eq!(a, c);
    assert!(a.contains(&policy.sha256));
}

#[test]
fn the_plan_does_not_depend_on_the_order_of_the_device_file() {
    let pump = example("insulin-pump");
    let policy = TestPolicy::default_policy().unwrap();
    let mut shuffled = example("insulin-pump");
    shuffled.device.elements.reverse();
    shuffled.device.flows.reverse();
    shuffled.device.technologies.reverse();
    shuffled.device.functionalities.reverse();
    shuffled.device.controls.reverse();
    let a = serde_json::to_string(&plan_of(&pump, &policy, &[])).unwrap();
    let b = serde_json::to_string(&plan_of(&shuffled, &policy, &[])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn rigour_grows_with_the_class() {
    let policy = TestPolicy::default_policy().unwrap();
    let mut previous: Option<Vec<String>> = None;
    for class in ["I", "IIa", "IIb", "III"] {
        let mut pump = example("insulin-pump");
        pump.device
            .device
            .markets
            .retain(|m| m.market == MarketId::EuMdr);
        pump.device.device.markets[0].class = class.to_owned();
        let p = plan_of(&pump, &policy, &[]);
        let ids: Vec<String> = p.tests.iter().map(|t| t.id.clone()).collect();
        if let Some(prev) = &previous {
            for id in prev {
                assert!(
                    ids.contains(id),
                    "{id} planned below class {class} but not at it"
                );
            }
            assert!(ids.len() >= prev.len());
        }
        let third_party = p
            .tests
            .iter()
            .filter(|t| t.independence == medsec_catalog::Independence::ThirdParty)
            .count();
        if class == "I" {
            assert!(p.laboratory.is_none(), "class I: no laboratory rule");
            assert!(p.tests.iter().all(|t| !t.laboratory));
        } else {
            assert!(
                p.laboratory.is_some(),
                "class {class}: laboratory rule applies"
            );
            assert_eq!(p.tests.iter().filter(|t| t.laboratory).count(), third_party);
        }
        previous = Some(ids);
    }
    let top = previous.unwrap().len();
    let mut pump = example("insulin-pump");
    pump.device
        .device
        .markets
        .retain(|m| m.market == MarketId::EuMdr);
    pump.device.device.markets[0].class = "I".into();
    let bottom = plan_of(&pump, &policy, &[]).tests.len();
    assert!(
        top > bottom,
        "class III plans more tests ({top}) than class I ({bottom})"
    );
}

#[test]
fn the_laboratory_rule_follows_the_policy() {
    let monitor = example("patient-monitor");
    let mut us_only = example("patient-monitor");
    us_only
        .device
        .device
        .markets
        .retain(|m| m.market == MarketId::Fda);
    let policy = TestPolicy::default_policy().unwrap();
    assert!(plan_of(&monitor, &policy, &[]).laboratory.is_some());
    let p = plan_of(&us_only, &policy, &[]);
    assert!(p.laboratory.is_none());
    assert!(p.tests.iter().all(|t| !t.laboratory));
    // A policy that also puts FDA class II under the rule.
    let text = medsec_catalog::policy::DEFAULT_POLICY.replace(
        "    eu-ivdr: [B, C, D]\n",
        "    eu-ivdr: [B, C, D]\n    fda: [II, III]\n",
    );
    let wider = TestPolicy::from_text("wider.yaml", &text).unwrap();
    assert_ne!(wider.sha256, policy.sha256);
    let p = plan_of(&us_only, &wider, &[]);
    assert_eq!(
        p.laboratory.as_ref().map(|l| l.because.as_str()),
        Some("fda class II")
    );
}

#[test]
fn threats_bring_tests_in_below_their_rank() {
    let mut pump = example("insulin-pump");
    pump.device
        .device
        .markets
        .retain(|m| m.market == MarketId::EuMdr);
    pump.device.device.markets[0].class = "I".into();
    let policy = TestPolicy::default_policy().unwrap();
    let p = plan_of(&pump, &policy, &[]);
    let driven: Vec<_> = p
        .tests
        .iter()
        .filter(|t| t.why.iter().any(|w| w.contains("below its rank")))
        .collect();
    assert!(
        !driven.is_empty(),
        "the pump's unacceptable threats bring tests in at class I"
    );
    // Without threat-driven planning the same tests are left out, each with its reason.
    let text =
        medsec_catalog::policy::DEFAULT_POLICY.replace("threat_driven_from: unacceptable\n", "");
    let strict = TestPolicy::from_text("strict.yaml", &text).unwrap();
    let q = plan_of(&pump, &strict, &[]);
    for t in driven {
        assert!(q.tests.iter().all(|x| x.id != t.id));
        assert!(
            q.not_planned
                .iter()
                .any(|n| n.id == t.id && n.reason.contains("below"))
        );
    }
}

#[test]
fn every_planned_test_is_traced() {
    let pump = example("insulin-pump");
    let p = plan_of(&pump, &TestPolicy::default_policy().unwrap(), &[]);
    assert!(p.tests.len() > 20, "{} tests", p.tests.len());
    for t in &p.tests {
        assert!(!t.why.is_empty(), "{} has no reason", t.id);
        assert!(!t.controls.is_empty());
        assert!(!t.sources.is_empty());
    }
    assert!(
        p.summary.threats_verified * 2 > p.summary.threats_total,
        "a planned test verifies {} of {} threats",
        p.summary.threats_verified,
        p.summary.threats_total
    );
    assert!(p.tests.iter().any(|t| !t.requirements.is_empty()));
}

#[test]
fn a_failed_test_reopens_the_rows_it_verifies_and_a_pass_closes_them() {
    let pump = example("insulin-pump");
    let policy = TestPolicy::default_policy().unwrap();
    let rules = Catalogue::builtin().unwrap();
    let risk = Policy::default_policy().unwrap();
    let model = medsec_threat::analyse(&pump, &rules);
    let register = medsec_threat::register(&model, &risk);
    let baseline = plan(&catalog(), &policy, &pump.device, &model, &register, &[]);
    // A planned test that verifies a mitigated threat whose risk drops with controls.
    let (test, row_id) = baseline
        .tests
        .iter()
        .find_map(|t| {
            t.threats.iter().find_map(|th| {
                register
                    .rows
                    .iter()
                    .find(|r| r.id == th && r.residual_risk < r.risk)
                    .map(|r| (t.id.clone(), r.id.to_owned()))
            })
        })
        .expect("a test verifying a mitigated row");
    let failed = [result(&pump, 1, &test, Outcome::Fail, true)];
    let p = plan(
        &catalog(),
        &policy,
        &pump.device,
        &model,
        &register,
        &failed,
    );
    let mut reopened = register.clone();
    let n = reopen_failed(&mut reopened, &p);
    assert!(n >= 1);
    let row = reopened.rows.iter().find(|r| r.id == row_id).unwrap();
    assert_eq!(row.residual_risk, row.risk);
    assert_eq!(row.reopened_by, vec![test.clone()]);
    assert!(row.residual_risk > RiskLevel::NotAssessed);
    // A later pass supersedes the failure.
    let both = [
        failed[0].clone(),
        result(&pump, 2, &test, Outcome::Pass, true),
    ];
    let p = plan(&catalog(), &policy, &pump.device, &model, &register, &both);
    let mut again = register.clone();
    assert_eq!(reopen_failed(&mut again, &p), 0);
    assert_eq!(p.summary.passed, 1);
}

#[test]
fn coverage_moves_from_open_to_covered_as_evidence_arrives() {
    let pump = example("insulin-pump");
    let policy = TestPolicy::default_policy().unwrap();
    let cat = catalog();
    let p = plan_of(&pump, &policy, &[]);
    let none = coverage(&cat, &policy, &pump.device, &p, &[]);
    let mdr = none
        .frameworks
        .iter()
        .find(|f| f.framework == "eu-mdr")
        .unwrap();
    assert!(mdr.applies);
    assert_eq!(mdr.covered, 0);
    // Pass every planned test, accredited: every control verified by a planned test is
    // evidenced, and a clause all of whose controls are evidenced is covered.
    let results: Vec<TestResult> = p
        .tests
        .iter()
        .enumerate()
        .map(|(i, t)| result(&pump, i as i64 + 1, &t.id, Outcome::Pass, true))
        .collect();
    let all = coverage(
        &cat,
        &policy,
        &pump.device,
        &plan_of(&pump, &policy, &results),
        &results,
    );
    let mdr = all
        .frameworks
        .iter()
        .find(|f| f.framework == "eu-mdr")
        .unwrap();
    assert!(mdr.covered > 0);
    for c in &all.controls {
        if !c.passed.is_empty() {
            assert_eq!(c.state, ControlState::Evidenced);
            assert!(!c.evidence.is_empty());
        }
    }
    for f in &all.frameworks {
        for clause in &f.clauses {
            let states: Vec<ControlState> = clause
                .controls
                .iter()
                .map(|id| {
                    all.controls
                        .iter()
                        .find(|c| c.control == *id)
                        .unwrap()
                        .state
                })
                .collect();
            if clause.state == ClauseState::Covered {
                assert!(states.iter().all(|s| *s == ControlState::Evidenced));
            }
        }
    }
    // Unaccredited passes of laboratory tests do not count.
    let lab_test = p
        .tests
        .iter()
        .find(|t| t.laboratory)
        .expect("a laboratory test");
    let unaccredited = [result(&pump, 1, &lab_test.id, Outcome::Pass, false)];
    let cov = coverage(
        &cat,
        &policy,
        &pump.device,
        &plan_of(&pump, &policy, &unaccredited),
        &unaccredited,
    );
    for c in cov
        .controls
        .iter()
        .filter(|c| lab_test.controls.contains(&c.control))
    {
        assert!(c.unaccredited.contains(&lab_test.id));
        assert!(!c.passed.contains(&lab_test.id));
    }
}

#[test]
fn requirements_apply_by_market_and_say_why() {
    let cat = catalog();
    let policy = TestPolicy::default_policy().unwrap();
    let analyser = example("ivd-analyser");
    let (facts, _) = medsec_catalog::plan::facts(&analyser.device, &policy);
    let judged = applicability(&cat, &facts, &policy);
    let by_id = |id: &str| judged.iter().find(|f| f.framework.id == id).unwrap();
    assert!(by_id("eu-ivdr").applies);
    assert!(!by_id("eu-mdr").applies);
    assert!(
        by_id("eu-mdr")
            .requirements
            .iter()
            .all(|a| !a.applies && a.not_applicable.is_some())
    );
    assert!(!by_id("iec-tr-60601-4-5").applies, "the TR excludes IVDs");
    assert!(!by_id("hc-premarket-2019").applies);
    for f in judged.iter().filter(|f| f.applies) {
        for a in f.requirements.iter().filter(|a| a.applies) {
            assert!(
                !a.reasons.is_empty(),
                "{} applies without a reason",
                a.requirement.id
            );
        }
    }
    let pump = example("insulin-pump");
    let (facts, rigour) = medsec_catalog::plan::facts(&pump.device, &policy);
    assert_eq!(rigour.security_level_from, "test policy");
    let judged = applicability(&cat, &facts, &policy);
    for id in [
        "eu-mdr",
        "fda-premarket-2023",
        "hc-premarket-2019",
        "iec62443-4-2",
        "en303645",
    ] {
        assert!(
            judged.iter().any(|f| f.framework.id == id && f.applies),
            "{id} applies to the pump"
        );
    }
}
