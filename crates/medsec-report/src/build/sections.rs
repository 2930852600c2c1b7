//! The sections every variant draws on. Each says where its data came from and what was
//! not assessed.

use std::collections::{BTreeMap, BTreeSet};

use medsec_catalog::results::Outcome;
use medsec_postmarket::trace::{DeviceSoftware, Trace, TraceInput, trace_in};
use medsec_threat::RiskLevel;

use super::{
    Anomaly, ReportInput, Results, ThreatRow, TriageState, Vulnerabilities, VulnerabilityFinding,
    facts, list, name_of, not_assessed, note, or_dash, para, section, source, table,
};
use crate::doc::{Block, Section};

/// The VEX states that close a finding.
const CLOSED: [&str; 3] = ["not_affected", "fixed", "false_positive"];

/// The input with what several sections share computed once.
pub(crate) struct Context<'i, 'a> {
    pub input: &'i ReportInput<'a>,
    pub threat_rows: Vec<ThreatRow>,
    /// (element, trace) for each open vulnerability, in finding order.
    pub traces: Vec<(String, Trace)>,
    pub anomalies: Vec<Anomaly>,
    pub not_assessed: Vec<String>,
}

impl<'i, 'a> Context<'i, 'a> {
    pub fn new(input: &'i ReportInput<'a>) -> Context<'i, 'a> {
        let threat_rows = input
            .model
            .threats
            .iter()
            .map(|t| ThreatRow {
                id: t.id.clone(),
                rule: t.rule.id.clone(),
                title: t.rule.title.clone(),
                stride: name_of(&t.stride()),
                target: t.target.id().to_owned(),
                target_kind: t.target.kind().to_owned(),
                worst_harm: t.worst_harm.as_ref().map(|h| {
                    format!(
                        "{} of {}: {} ({})",
                        h.property.as_str(),
                        h.asset_name,
                        h.harm,
                        h.severity.as_str()
                    )
                }),
                mitigated_by: t.mitigated_by.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect();
        let mut ctx = Context {
            input,
            threat_rows,
            traces: Vec::new(),
            anomalies: Vec::new(),
            not_assessed: Vec::new(),
        };
        ctx.traces = ctx.compute_traces();
        ctx.anomalies = ctx.compute_anomalies();
        ctx.not_assessed = ctx.compute_not_assessed();
        ctx
    }

    pub fn triage_of(&self, f: &VulnerabilityFinding) -> Option<&'i TriageState> {
        self.input.triage.as_ref()?.iter().find(|t| {
            t.vulnerability == f.vulnerability
                && (t.component == f.component
                    || f.purl.as_deref().is_some_and(|p| p == t.component))
        })
    }

    /// Affected findings not closed by a triage decision, with their element.
    pub fn open_findings(&self) -> Vec<(&'i str, &'i VulnerabilityFinding)> {
        let Vulnerabilities::Scanned { elements, .. } = &self.input.vulnerabilities else {
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for e in elements {
            for f in e.findings.iter().filter(|f| f.affected) {
                if self
                    .triage_of(f)
                    .is_some_and(|t| CLOSED.contains(&t.state.as_str()))
                {
                    continue;
                }
                if seen.insert((
                    f.vulnerability.clone(),
                    f.component.clone(),
                    f.version.clone(),
                )) {
                    out.push((e.element.as_str(), f));
                }
            }
        }
        out
    }

    fn compute_traces(&self) -> Vec<(String, Trace)> {
        let open = self.open_findings();
        if open.is_empty() {
            return Vec::new();
        }
        let software = DeviceSoftware::read(self.input.loaded);
        open.into_iter()
            .map(|(element, f)| {
                let finding = TraceInput {
                    name: f.component.clone(),
                    version: f.version.clone(),
                    purl: f.purl.clone(),
                    cpe: None,
                    vulnerability: f.vulnerability.clone(),
                    cvss_vector: f.cvss_vector.clone(),
                    base_score: f.cvss_score,
                };
                let trace = trace_in(
                    &software,
                    self.input.loaded,
                    self.input.model,
                    self.input.register,
                    &finding,
                );
                (element.to_owned(), trace)
            })
            .collect()
    }

    fn compute_anomalies(&self) -> Vec<Anomaly> {
        let input = self.input;
        let mut out = Vec::new();
        for t in &input.plan.tests {
            if let Some(r) = &t.result
                && r.outcome == Outcome::Fail
            {
                out.push(Anomaly {
                    kind: "failed test".into(),
                    id: t.id.clone(),
                    description: format!(
                        "{} failed on {} (tester {}){}",
                        t.title,
                        r.performed_on,
                        r.tester,
                        r.notes
                            .as_deref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    ),
                });
            }
        }
        for row in &input.register.rows {
            if !row.reopened_by.is_empty() {
                out.push(Anomaly {
                    kind: "reopened FMEA row".into(),
                    id: row.id.to_owned(),
                    description: format!(
                        "controls not counted until these tests pass: {}",
                        row.reopened_by.join(", ")
                    ),
                });
            }
            if row.residual_risk == RiskLevel::Unacceptable {
                out.push(Anomaly {
                    kind: "unacceptable residual risk".into(),
                    id: row.id.to_owned(),
                    description: format!("{} on {}", row.failure_mode, row.target),
                });
            }
        }
        for t in input.model.threats.iter().filter(|t| !t.mitigated()) {
            out.push(Anomaly {
                kind: "unmitigated threat".into(),
                id: t.id.clone(),
                description: format!("{} ({})", t.rule.title, t.target.id()),
            });
        }
        for m in &input.model.unmatched_mitigations {
            out.push(Anomaly {
                kind: "control mitigates nothing found".into(),
                id: m.control.to_owned(),
                description: format!(
                    "declared against {} on {}, but no threat of that category was found there",
                    name_of(&m.stride),
                    m.target
                ),
            });
        }
        for (element, f) in self.open_findings() {
            let state = self
                .triage_of(f)
                .map_or("no triage decision".to_owned(), |t| t.state.clone());
            out.push(Anomaly {
                kind: "open vulnerability".into(),
                id: f.vulnerability.clone(),
                description: format!(
                    "{} {} on {element}: severity {}, {state}",
                    f.component,
                    f.version.as_deref().unwrap_or("?"),
                    f.severity
                ),
            });
        }
        for s in &input.software {
            if let Some(e) = &s.sbom_error {
                out.push(Anomaly {
                    kind: "SBOM not read".into(),
                    id: s.element.clone(),
                    description: e.clone(),
                });
            }
        }
        out
    }

    fn compute_not_assessed(&self) -> Vec<String> {
        let input = self.input;
        let mut out = Vec::new();
        if let Results::NotRead { reason } = &input.results {
            out.push(format!("Test results: {reason}."));
        } else if input.plan.summary.passed + input.plan.summary.failed == 0 {
            out.push("Test results: none recorded for this device version.".into());
        }
        match &input.vulnerabilities {
            Vulnerabilities::NotRun { reason } => {
                out.push(format!("Known vulnerabilities: not scanned ({reason})."));
            }
            Vulnerabilities::Scanned { elements, .. } => {
                let missing: usize = elements.iter().map(|e| e.not_looked_up).sum();
                if missing > 0 {
                    out.push(format!(
                        "Known vulnerabilities: {missing} component(s) have no purl or CPE and were not looked up."
                    ));
                }
            }
        }
        if input.triage.is_none() {
            out.push(
                "VEX states: no portfolio was consulted, so no triage decisions are shown.".into(),
            );
        }
        out.push(
            "Medical-device CVSS rubric scores: only those recorded with triage decisions are shown; medsec does not score findings on its own.".into(),
        );
        out.push(
            "Component support: read from the SBOMs' own properties only; no curated support file was used.".into(),
        );
        out.push(
            "Source code, binaries and the running device: medsec reasons from the device model, SBOMs, catalogue and recorded results; it does not inspect the product itself.".into(),
        );
        out
    }
}

// ---------------------------------------------------------------------------------
// Sections

pub(crate) fn overview(ctx: &Context<'_, '_>) -> Section {
    let input = ctx.input;
    let d = &input.loaded.device.device;
    let s = &input.summary;
    let markets: Vec<String> = s
        .markets
        .iter()
        .map(|(m, c)| format!("{m} class {c}"))
        .collect();
    let mut rows = vec![
        ("Device", s.name.clone()),
        ("Version", s.version.clone()),
        ("Manufacturer", s.manufacturer.clone()),
        ("UDI-DI", or_dash(s.udi_di.as_deref())),
        ("Categories", s.categories.join(", ")),
        ("Markets and classes", markets.join("; ")),
        (
            "Functionalities",
            input.loaded.device.functionalities.join(", "),
        ),
        ("Technologies", s.technologies.join(", ")),
        (
            "Worst harm declared",
            s.worst_severity
                .map_or("none declared".into(), |v| v.as_str().to_owned()),
        ),
    ];
    if let Some(sl) = d.security_level {
        rows.push(("Target security level (declared)", format!("SL{sl}")));
    }
    let mut blocks = vec![
        facts(rows),
        Block::Paragraph {
            text: vec![
                crate::doc::Inline::Strong("Intended use.".into()),
                crate::doc::Inline::Plain(format!(" {}", d.intended_use.trim())),
            ],
        },
    ];
    let provenance = vec![
        ("Device file", input.loaded.path.display().to_string()),
        ("Report generated", input.generated_at.to_string()),
        ("Tool", format!("medsec {}", input.tool_version)),
        (
            "Threat rules",
            format!("{} built-in rules", input.model.rules_in_catalogue),
        ),
        ("Risk policy", input.register.policy.to_owned()),
        (
            "Requirements catalogue (digest)",
            input.catalog.digest.clone(),
        ),
        (
            "Test policy",
            format!(
                "{} {} (SHA-256 {})",
                input.test_policy.policy, input.test_policy.version, input.test_policy.sha256
            ),
        ),
    ];
    blocks.push(para(
        "Provenance: the inputs and rule sets this report was computed from.",
    ));
    blocks.push(facts(provenance));
    if s.warnings > 0 {
        blocks.push(note(format!(
            "The device file has {} warning(s); `medsec check` lists them.",
            s.warnings
        )));
    }
    blocks.push(source(
        "the device file (identity, intended use, markets), as checked by `medsec check`.",
    ));
    section("overview", "Device overview and intended use", blocks)
}

pub(crate) fn architecture(ctx: &Context<'_, '_>) -> Section {
    let device = &ctx.input.loaded.device;
    let mut counts = medsec_diagram::ThreatCounts::new();
    for t in &ctx.input.model.threats {
        if let medsec_threat::engine::Target::Element(e) = &t.target {
            *counts.entry(e.id.clone()).or_insert(0) += 1;
        }
    }
    let svg = medsec_diagram::to_svg(device, &counts);
    let zone_name: BTreeMap<&str, &str> = device
        .trust_zones
        .iter()
        .map(|z| (z.id.as_str(), z.name.as_str()))
        .collect();
    let mut blocks = vec![Block::Figure {
        svg,
        caption: format!(
            "Data-flow diagram of {} {}: trust zones, elements and flows drawn from the device model; badges count the threats found on each element.",
            device.device.name, device.device.version
        ),
    }];
    blocks.push(table(
        Some("Trust zones"),
        &["zone", "name", "trust", "inside"],
        device
            .trust_zones
            .iter()
            .map(|z| {
                vec![
                    z.id.clone(),
                    z.name.clone(),
                    name_of(&z.trust),
                    or_dash(z.parent.as_deref()),
                ]
            })
            .collect(),
    ));
    blocks.push(table(
        Some("Elements"),
        &[
            "element",
            "name",
            "kind",
            "zone",
            "physical access",
            "software",
        ],
        device
            .elements
            .iter()
            .map(|e| {
                let sw = match &e.software {
                    None => "-".to_owned(),
                    Some(s) => {
                        let mut parts = Vec::new();
                        if let Some(p) = &s.sbom {
                            parts.push(format!("SBOM {p}"));
                        }
                        if !s.components.is_empty() {
                            parts.push(format!("{} inline", s.components.len()));
                        }
                        parts.join(", ")
                    }
                };
                vec![
                    e.id.clone(),
                    e.name.clone(),
                    e.kind.as_str().to_owned(),
                    zone_name
                        .get(e.zone.as_str())
                        .map_or(e.zone.clone(), |n| (*n).to_owned()),
                    name_of(&e.physical_access),
                    sw,
                ]
            })
            .collect(),
    ));
    let crossing: BTreeSet<&str> = ctx
        .input
        .summary
        .boundary_crossings
        .iter()
        .map(|c| c.flow.as_str())
        .collect();
    blocks.push(table(
        Some("Data flows"),
        &[
            "flow",
            "from",
            "to",
            "protocol",
            "data",
            "authentication",
            "encryption",
            "crosses a trust boundary",
        ],
        device
            .flows
            .iter()
            .map(|f| {
                vec![
                    f.id.clone(),
                    f.from.clone(),
                    f.to.clone(),
                    f.protocol.clone(),
                    f.data.join(", "),
                    name_of(&f.authentication),
                    name_of(&f.encryption),
                    if crossing.contains(f.id.as_str()) {
                        "yes"
                    } else {
                        "no"
                    }
                    .into(),
                ]
            })
            .collect(),
    ));
    blocks.push(source(
        "the device model (trust zones, elements, flows); the diagram is drawn by `medsec diagram`.",
    ));
    let mut s = section("architecture", "Architecture views", blocks);
    // The FDA premarket guidance's architecture views (section V.B.2), drawn from the
    // same model; each caption states what the view had to infer and what the model
    // does not say.
    let components: medsec_diagram::ComponentCounts = ctx
        .input
        .software
        .iter()
        .map(|e| (e.element.clone(), e.components.len()))
        .collect();
    for view in medsec_diagram::architecture_views_with_components(device, &counts, &components) {
        // The section already names the device; the view's own title repeats it.
        let prefix = format!("{} {} — ", device.device.name, device.device.version);
        let title = view.title.strip_prefix(&prefix).unwrap_or(&view.title);
        s.subsections.push(section(
            &format!("architecture-{}", view.id),
            &capitalise(title),
            vec![Block::Figure {
                svg: view.svg,
                caption: view.caption,
            }],
        ));
    }
    s
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn threat_model(ctx: &Context<'_, '_>) -> Section {
    let model = ctx.input.model;
    let mut blocks = vec![para(format!(
        "{} threats found by {} rules; {} are not mitigated by any declared control.",
        model.threats.len(),
        model.rules_in_catalogue,
        model.unmitigated()
    ))];
    blocks.push(table(
        Some("Threats per STRIDE category"),
        &["STRIDE category", "threats", "unmitigated"],
        model
            .counts_by_stride()
            .into_iter()
            .map(|(s, n, u)| vec![name_of(&s), n.to_string(), u.to_string()])
            .collect(),
    ));
    blocks.push(table(
        Some("Threats"),
        &[
            "threat",
            "STRIDE",
            "target",
            "threat title",
            "worst harm",
            "mitigated by",
        ],
        ctx.threat_rows
            .iter()
            .map(|t| {
                vec![
                    t.id.clone(),
                    t.stride.clone(),
                    format!("{} ({})", t.target, t.target_kind),
                    t.title.clone(),
                    or_dash(t.worst_harm.as_deref()),
                    if t.mitigated_by.is_empty() {
                        "NONE".into()
                    } else {
                        t.mitigated_by.join(", ")
                    },
                ]
            })
            .collect(),
    ));
    if !model.unmatched_mitigations.is_empty() {
        blocks.push(note(format!(
            "{} declared mitigation(s) match no threat found (listed under unresolved anomalies).",
            model.unmatched_mitigations.len()
        )));
    }
    blocks.push(source(
        "the built-in STRIDE rules applied to the device model (`medsec threats`).",
    ));
    blocks.push(not_assessed(
        "threats no rule describes; attack scenarios beyond the model's elements and flows.",
    ));
    section("threat-model", "Threat model", blocks)
}

pub(crate) fn fmea(ctx: &Context<'_, '_>) -> Section {
    let input = ctx.input;
    let register = input.register;
    let mut blocks = vec![super::figures::risk_matrix(input)];
    blocks.push(table(
        Some("FMEA rows per risk level"),
        &["risk level", "before controls", "after controls"],
        register
            .counts()
            .into_iter()
            .map(|(l, b, a)| vec![l.as_str().to_owned(), b.to_string(), a.to_string()])
            .collect(),
    ));
    blocks.push(table(
        Some("FMEA register"),
        &[
            "row",
            "target",
            "STRIDE",
            "severity",
            "exploitability",
            "RPN",
            "risk",
            "controls",
            "residual exploitability",
            "residual risk",
            "safety",
        ],
        register
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_owned(),
                    r.target.to_owned(),
                    name_of(&r.stride),
                    r.severity.as_ref().map_or("-".into(), |l| l.level.clone()),
                    r.exploitability.level.clone(),
                    r.rpn.map_or("-".into(), |n| n.to_string()),
                    r.risk.as_str().to_owned(),
                    if r.controls.is_empty() {
                        "-".into()
                    } else {
                        r.controls.join(", ")
                    },
                    r.residual_exploitability.level.clone(),
                    r.residual_risk.as_str().to_owned(),
                    if r.safety { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    ));
    let count = |level: RiskLevel| {
        register
            .rows
            .iter()
            .filter(|r| r.residual_risk == level)
            .count()
    };
    let safety_open = register
        .rows
        .iter()
        .filter(|r| r.safety && r.residual_risk != RiskLevel::Acceptable)
        .count();
    blocks.push(Block::Paragraph {
        text: vec![
            crate::doc::Inline::Strong("Residual risk.".into()),
            crate::doc::Inline::Plain(format!(
                " After the declared controls, {} of {} rows are acceptable, {} need ALARP review, {} are unacceptable and {} could not be judged because no harm is declared for the assets at stake. {} safety-relevant row(s) are not acceptable after controls. {} row(s) were reopened by failed tests. Whether the overall residual risk is acceptable, weighed against the benefit, is the manufacturer's decision under ISO 14971; this report does not make it.",
                count(RiskLevel::Acceptable),
                register.rows.len(),
                count(RiskLevel::AlarpReview),
                count(RiskLevel::Unacceptable),
                count(RiskLevel::NotAssessed),
                safety_open,
                input.reopened
            )),
        ],
    });
    blocks.push(source(format!(
        "the threat model scored with the risk policy `{}` (`medsec risk`); controls of rows whose verifying tests failed are not counted.",
        register.policy
    )));
    section("fmea", "FMEA register and residual risk", blocks)
}

pub(crate) fn requirements(ctx: &Context<'_, '_>) -> Section {
    let coverage = ctx.input.coverage;
    let mut blocks = vec![super::figures::coverage(ctx.input)];
    blocks.push(table(
        Some("Coverage per framework"),
        &[
            "framework",
            "applies",
            "covered",
            "partly",
            "open",
            "not applicable",
        ],
        coverage
            .frameworks
            .iter()
            .map(|f| {
                vec![
                    f.short.clone(),
                    if f.applies { "yes" } else { "no" }.into(),
                    f.covered.to_string(),
                    f.partly.to_string(),
                    f.open.to_string(),
                    f.not_applicable.to_string(),
                ]
            })
            .collect(),
    ));
    blocks.push(para(
        "A clause is covered when every harmonised control it maps to is declared and its tests passed, partly covered when a control is declared but not yet verified, open otherwise.",
    ));
    blocks.push(table(
        Some("Harmonised controls"),
        &[
            "control",
            "title",
            "state",
            "declared by",
            "tests passed",
            "tests failed",
        ],
        coverage
            .controls
            .iter()
            .map(|c| {
                vec![
                    c.control.clone(),
                    c.title.clone(),
                    c.state.as_str().to_owned(),
                    or_list(&c.declared_by),
                    or_list(&c.passed),
                    or_list(&c.failed),
                ]
            })
            .collect(),
    ));
    let mut s = section("requirements", "Requirements coverage", blocks);
    for f in coverage.frameworks.iter().filter(|f| f.applies) {
        let rows: Vec<Vec<String>> = f
            .clauses
            .iter()
            .filter(|c| c.state.as_str() != "not-applicable")
            .map(|c| {
                vec![
                    c.clause.clone(),
                    c.title.clone(),
                    c.state.as_str().to_owned(),
                    or_list(&c.controls),
                ]
            })
            .collect();
        s.subsections.push(section(
            &format!("requirements-{}", slug(&f.framework)),
            &f.short,
            vec![table(None, &["clause", "title", "state", "controls"], rows)],
        ));
    }
    s.blocks.push(source(format!(
        "the requirements catalogue (digest {}) judged against the device's facts, and the test plan's results (`medsec coverage`).",
        coverage.catalogue
    )));
    s
}

pub(crate) fn tests(ctx: &Context<'_, '_>) -> Section {
    let input = ctx.input;
    let plan = input.plan;
    let s = &plan.summary;
    let mut blocks = vec![para(format!(
        "Rigour {} (rank {}{}); target security level SL{} (from the {}). {} tests planned: {} passed, {} failed, {} not applicable, {} pending. {} of {} threats are verified by a planned test.",
        plan.rigour.level,
        plan.rigour.rank,
        plan.rigour
            .set_by
            .as_ref()
            .map(|s| format!(", set by {s}"))
            .unwrap_or_default(),
        plan.rigour.security_level,
        plan.rigour.security_level_from,
        s.planned,
        s.passed,
        s.failed,
        s.not_applicable,
        s.pending,
        s.threats_verified,
        s.threats_total
    ))];
    blocks.push(match &plan.laboratory {
        Some(lab) => para(format!(
            "Laboratory rule applies ({}): {} test(s) must be performed by a laboratory holding {}.",
            lab.because, lab.tests, lab.accreditation
        )),
        None => para("The laboratory rule of the test policy does not apply to this device."),
    });
    blocks.push(table(
        Some("Test plan and results"),
        &[
            "test",
            "title",
            "independence",
            "laboratory",
            "result",
            "performed",
            "by",
            "evidence (SHA-256)",
        ],
        plan.tests
            .iter()
            .map(|t| {
                let (outcome, when, by, evidence) = match &t.result {
                    None => ("pending".to_owned(), "-".into(), "-".into(), "-".into()),
                    Some(r) => (
                        r.outcome.as_str().to_owned(),
                        r.performed_on.clone(),
                        match (&r.laboratory, &r.accreditation) {
                            (Some(l), Some(a)) => format!("{} ({l}, {a})", r.tester),
                            (Some(l), None) => format!("{} ({l})", r.tester),
                            _ => r.tester.clone(),
                        },
                        if r.evidence.is_empty() {
                            "none".into()
                        } else {
                            r.evidence
                                .iter()
                                .map(|e| format!("{} {}", e.name, e.sha256))
                                .collect::<Vec<_>>()
                                .join("; ")
                        },
                    ),
                };
                vec![
                    t.id.clone(),
                    t.title.clone(),
                    name_of(&t.independence),
                    if t.laboratory { "yes" } else { "no" }.into(),
                    outcome,
                    when,
                    by,
                    evidence,
                ]
            })
            .collect(),
    ));
    if !plan.not_planned.is_empty() {
        blocks.push(table(
            Some("Catalogue tests not planned"),
            &["test", "title", "reason"],
            plan.not_planned
                .iter()
                .map(|n| vec![n.id.clone(), n.title.clone(), n.reason.clone()])
                .collect(),
        ));
    }
    match &input.results {
        Results::Read { from, results } => blocks.push(source(format!(
            "the test catalogue and policy `{} {}` (`medsec testplan`); {} recorded result(s) {from} (`medsec evidence`), the latest per test shown.",
            input.test_policy.policy,
            input.test_policy.version,
            results.len()
        ))),
        Results::NotRead { reason } => {
            blocks.push(source(format!(
                "the test catalogue and policy `{} {}` (`medsec testplan`).",
                input.test_policy.policy, input.test_policy.version
            )));
            blocks.push(not_assessed(format!(
                "test results were not read ({reason}); every test is shown as pending."
            )));
        }
    }
    section("tests", "Test plan and results", blocks)
}

pub(crate) fn sbom(ctx: &Context<'_, '_>) -> Section {
    let software = &ctx.input.software;
    let mut blocks = Vec::new();
    if software.is_empty() {
        blocks.push(not_assessed(
            "no element of the device model declares software, so there is no SBOM to summarise.",
        ));
        return section("sbom", "Software bill of materials", blocks);
    }
    blocks.push(table(
        Some("Software per element"),
        &[
            "element",
            "SBOM",
            "format",
            "SHA-256",
            "components",
            "without licence",
            "support unknown",
            "not supported",
        ],
        software
            .iter()
            .map(|s| {
                vec![
                    s.element.clone(),
                    s.sbom.clone().unwrap_or_else(|| "(inline only)".into()),
                    s.sbom_error
                        .as_ref()
                        .map(|_| "NOT READ".to_owned())
                        .or_else(|| s.sbom_format.clone())
                        .unwrap_or_else(|| "-".into()),
                    or_dash(s.sbom_sha256.as_deref()),
                    s.components.len().to_string(),
                    s.components
                        .iter()
                        .filter(|c| c.licences.is_empty())
                        .count()
                        .to_string(),
                    s.components
                        .iter()
                        .filter(|c| c.support == "unknown")
                        .count()
                        .to_string(),
                    s.components
                        .iter()
                        .filter(|c| {
                            medsec_postmarket::support::SupportLevel::parse(&c.support)
                                .is_some_and(|l| l.is_unsupported())
                        })
                        .count()
                        .to_string(),
                ]
            })
            .collect(),
    ));
    let mut licences: BTreeMap<&str, usize> = BTreeMap::new();
    for c in software.iter().flat_map(|s| &s.components) {
        for l in &c.licences {
            *licences.entry(l.as_str()).or_default() += 1;
        }
    }
    if !licences.is_empty() {
        blocks.push(table(
            Some("Licences stated"),
            &["licence", "components"],
            licences
                .into_iter()
                .map(|(l, n)| vec![l.to_owned(), n.to_string()])
                .collect(),
        ));
    }
    let mut s = section("sbom", "Software bill of materials", blocks);
    for e in software {
        s.subsections.push(section(
            &format!("sbom-{}", slug(&e.element)),
            &format!("Components of {}", e.element),
            vec![table(
                None,
                &[
                    "component",
                    "version",
                    "purl",
                    "supplier",
                    "licences",
                    "support",
                    "end of support",
                ],
                e.components
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            or_dash(c.version.as_deref()),
                            or_dash(c.purl.as_deref()),
                            or_dash(c.supplier.as_deref()),
                            or_list(&c.licences),
                            c.support.clone(),
                            or_dash(c.end_of_support.as_deref()),
                        ]
                    })
                    .collect(),
            )],
        ));
    }
    s.blocks.push(source(
        "the SBOM files and inline components the device model names; support levels and dates from the SBOMs' own properties.",
    ));
    s.blocks.push(not_assessed(
        "whether the SBOMs are complete and match the shipped software; licence compatibility.",
    ));
    s
}

pub(crate) fn vulnerabilities(ctx: &Context<'_, '_>) -> Section {
    let input = ctx.input;
    let mut blocks = Vec::new();
    match &input.vulnerabilities {
        Vulnerabilities::NotRun { reason } => {
            blocks.push(not_assessed(format!(
                "known vulnerabilities were not scanned: {reason}."
            )));
        }
        Vulnerabilities::Scanned { store, elements } => {
            blocks.push(table(
                Some("Scan per element"),
                &[
                    "element",
                    "software",
                    "components",
                    "affected",
                    "undecided",
                    "not looked up",
                ],
                elements
                    .iter()
                    .map(|e| {
                        vec![
                            e.element.clone(),
                            e.source.clone(),
                            e.components.to_string(),
                            e.findings.iter().filter(|f| f.affected).count().to_string(),
                            e.findings
                                .iter()
                                .filter(|f| !f.affected)
                                .count()
                                .to_string(),
                            e.not_looked_up.to_string(),
                        ]
                    })
                    .collect(),
            ));
            let rows: Vec<Vec<String>> = elements
                .iter()
                .flat_map(|e| e.findings.iter().map(move |f| (e, f)))
                .map(|(e, f)| {
                    let triage = ctx.triage_of(f);
                    vec![
                        e.element.clone(),
                        f.vulnerability.clone(),
                        format!("{} {}", f.component, f.version.as_deref().unwrap_or("?")),
                        f.status.clone(),
                        f.severity.clone(),
                        match (&f.cvss_vector, f.cvss_score) {
                            (Some(v), Some(s)) => format!("{s:.1} {v}"),
                            (None, Some(s)) => format!("{s:.1}"),
                            (Some(v), None) => v.clone(),
                            (None, None) => "-".into(),
                        },
                        if f.known_exploited { "yes" } else { "no" }.into(),
                        f.epss.map_or("-".into(), |p| format!("{p:.4}")),
                        or_list(&f.fixed_in),
                        triage.map_or_else(
                            || "no decision recorded".to_owned(),
                            |t| match &t.justification {
                                Some(j) => format!("{} ({j})", t.state),
                                None => t.state.clone(),
                            },
                        ),
                        triage
                            .and_then(|t| t.rubric_score.clone())
                            .unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            if rows.is_empty() {
                blocks.push(para(
                    "The scan found no vulnerability in the listed components.",
                ));
            } else {
                blocks.push(table(
                    Some("Findings"),
                    &[
                        "element",
                        "vulnerability",
                        "component",
                        "match",
                        "severity",
                        "CVSS",
                        "KEV",
                        "EPSS",
                        "fixed in",
                        "VEX state",
                        "rubric score",
                    ],
                    rows,
                ));
            }
            blocks.push(source(format!(
                "the element SBOMs and inline components matched against {store} (`medsec scan`)."
            )));
        }
    }
    match super::figures::timeline(input) {
        Some(figure) => blocks.push(figure),
        None => blocks.push(not_assessed(
            "findings over time: no monitoring history of this device version was read (the chart is drawn when the version is in the portfolio: `medsec portfolio add`, `medsec monitor`).",
        )),
    }
    if input.triage.is_none() {
        blocks.push(not_assessed(
            "VEX states and rubric scores: the device version was not looked up in the portfolio, so no triage decision is shown (`medsec triage` records them).",
        ));
    }
    section("vulnerabilities", "Vulnerability status", blocks)
}

pub(crate) fn traceability(ctx: &Context<'_, '_>) -> Section {
    let mut blocks = Vec::new();
    if let Vulnerabilities::NotRun { .. } = ctx.input.vulnerabilities {
        blocks.push(not_assessed(
            "no vulnerability scan ran, so no vulnerability is traced to patient harm.",
        ));
        return section(
            "traceability",
            "Traceability from vulnerabilities to harm",
            blocks,
        );
    }
    if ctx.traces.is_empty() {
        blocks.push(para("No open vulnerability: nothing to trace."));
        return section(
            "traceability",
            "Traceability from vulnerabilities to harm",
            blocks,
        );
    }
    blocks.push(para(
        "Each open vulnerability traced through the device model: the component, the elements that run it, the threats on those elements and their flows, the FMEA rows and the patient harm at stake.",
    ));
    let mut rows = Vec::new();
    for (_, trace) in &ctx.traces {
        let f = &trace.finding;
        let component = format!("{} {}", f.name, f.version.as_deref().unwrap_or("?"));
        if trace.elements.is_empty() {
            rows.push(vec![
                f.vulnerability.clone(),
                component.clone(),
                "(not placed)".into(),
                "-".into(),
                "-".into(),
                trace
                    .unplaced_reason
                    .clone()
                    .unwrap_or_else(|| "no element runs it".into()),
            ]);
        }
        for e in &trace.elements {
            if e.threats.is_empty() {
                rows.push(vec![
                    f.vulnerability.clone(),
                    component.clone(),
                    e.element.clone(),
                    "-".into(),
                    "-".into(),
                    "no threat of the model reached".into(),
                ]);
            }
            for t in &e.threats {
                rows.push(vec![
                    f.vulnerability.clone(),
                    component.clone(),
                    e.element.clone(),
                    format!("{} ({}, {})", t.threat, name_of(&t.stride), t.target),
                    t.row.as_ref().map_or("-".into(), |r| {
                        format!(
                            "{}: {} → {}{}",
                            r.id,
                            r.risk.as_str(),
                            r.residual_risk.as_str(),
                            if r.safety { ", safety" } else { "" }
                        )
                    }),
                    t.harm.as_ref().map_or("no harm declared".into(), |h| {
                        format!("{} ({}, {})", h.harm, h.asset_name, h.severity.as_str())
                    }),
                ]);
            }
        }
    }
    blocks.push(table(
        Some("Vulnerability → element → threat → FMEA row → harm"),
        &[
            "vulnerability",
            "component",
            "element",
            "threat",
            "FMEA row (risk → residual)",
            "harm",
        ],
        rows,
    ));
    let problems: Vec<String> = ctx
        .traces
        .iter()
        .flat_map(|(_, t)| t.problems.iter().map(|p| p.message.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !problems.is_empty() {
        blocks.push(note("Problems met while tracing:"));
        blocks.push(list(problems));
    }
    blocks.push(source(
        "`medsec trace` over the threat model and FMEA register.",
    ));
    section(
        "traceability",
        "Traceability from vulnerabilities to harm",
        blocks,
    )
}

pub(crate) fn anomalies(ctx: &Context<'_, '_>) -> Section {
    let mut blocks = Vec::new();
    if ctx.anomalies.is_empty() {
        blocks.push(para("None found in the inputs of this report."));
    } else {
        blocks.push(table(
            None,
            &["kind", "id", "description"],
            ctx.anomalies
                .iter()
                .map(|a| vec![a.kind.clone(), a.id.clone(), a.description.clone()])
                .collect(),
        ));
    }
    blocks.push(source(
        "failed tests, reopened and unacceptable FMEA rows, unmitigated threats, unmatched mitigations, open vulnerabilities and unreadable SBOMs, as computed above.",
    ));
    blocks.push(not_assessed(
        "anomalies of the product's software itself (defect tracker): medsec does not read it.",
    ));
    section("anomalies", "Unresolved anomalies", blocks)
}

pub(crate) fn not_assessed_section(ctx: &Context<'_, '_>, extra: &[&str]) -> Section {
    let mut items = ctx.not_assessed.clone();
    items.extend(extra.iter().map(|s| (*s).to_owned()));
    section(
        "not-assessed",
        "What this report does not cover",
        vec![list(items)],
    )
}

pub(crate) fn or_list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// An anchor-safe form of an id.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}
