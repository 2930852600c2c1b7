//! What the report's test binaries share: the report of a bundled example, built without
//! a store at a fixed time.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::Path;

use medsec_report::build::{
    AssessmentDetails, Report, ReportInput, Results, Variant, Vulnerabilities, build, read_software,
};

/// The report of a bundled example, without a store, at a fixed time; paths made
/// relative to the repository so that goldens do not depend on the checkout's place.
pub fn report_of(device: &str, variant: Variant, assessment: AssessmentDetails) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let loaded = medsec_device::load(&root.join("examples").join(device)).unwrap();
    let rules = medsec_threat::Catalogue::builtin().unwrap();
    let risk_policy = medsec_threat::Policy::default_policy().unwrap();
    let catalog = medsec_catalog::Catalog::builtin().unwrap();
    let test_policy = medsec_catalog::TestPolicy::default_policy().unwrap();
    let model = medsec_threat::analyse(&loaded, &rules);
    let mut register = medsec_threat::register(&model, &risk_policy);
    let plan = medsec_catalog::plan::plan(
        &catalog,
        &test_policy,
        &loaded.device,
        &model,
        &register,
        &[],
    );
    let reopened = medsec_catalog::results::reopen_failed(&mut register, &plan);
    let coverage =
        medsec_catalog::coverage::coverage(&catalog, &test_policy, &loaded.device, &plan, &[]);
    let input = ReportInput {
        loaded: &loaded,
        summary: medsec_device::summary::summarise(&loaded),
        model: &model,
        register: &register,
        risk_policy: &risk_policy,
        reopened,
        catalog: &catalog,
        test_policy: &test_policy,
        plan: &plan,
        coverage: &coverage,
        results: Results::NotRead {
            reason: "no store was used".into(),
        },
        software: read_software(&loaded),
        vulnerabilities: Vulnerabilities::NotRun {
            reason: "no vulnerability store was used".into(),
        },
        triage: None,
        findings_history: None,
        tool_version: "0.0.0-test".into(),
        generated_at: "2025-01-15T09:30:00Z".parse().unwrap(),
        variant,
        assessment,
    };
    let report = build(&input);
    // Paths in the report are as given; make them relative to the repository.
    let mut report = report;
    let root_text = root.display().to_string();
    let fix = |s: &str| s.replace(&format!("{root_text}/"), "");
    for s in report.document.sections.iter_mut() {
        for b in s.blocks.iter_mut() {
            if let medsec_report::doc::Block::Facts { rows } = b {
                for (_, v) in rows.iter_mut() {
                    *v = fix(v);
                }
            }
        }
    }
    report
}
