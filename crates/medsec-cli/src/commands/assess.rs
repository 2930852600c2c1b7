use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use medsec_core::component::{Component, ComponentKind, Organization};
use medsec_device::summary::{DeviceSummary, summarise};
use medsec_match::MatchStatus;
use medsec_scan::{Finding, ScanReport, Severity};
use medsec_store::ImportOptions;
use medsec_threat::{Catalogue, Policy};
use serde::Serialize;

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Assess a device: check its description and summarise it. Later stages (threats,
/// risk, requirements, test plan, vulnerabilities, report) join this command as they
/// are built; the output lists the stages that ran.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Import these advisory files, folders or archives into the store first (as
    /// `medsec db import`; importing the same data again changes nothing).
    #[arg(long, value_name = "PATH")]
    pub advisories: Vec<PathBuf>,
    /// Leave out the vulnerability stage (no store is opened, so no recorded test
    /// results are read either).
    #[arg(long)]
    pub no_vulnerabilities: bool,
    /// A test policy file instead of the built-in default (see
    /// crates/medsec-catalog/policy/default-test-policy.yaml).
    #[arg(long, value_name = "FILE")]
    pub test_policy: Option<PathBuf>,
    /// A folder of project catalogue files added to the built-in catalogue (repeatable).
    #[arg(long, value_name = "DIR")]
    pub catalog: Vec<PathBuf>,
    /// Also write the full report folder here (report.html, report.md, report.json,
    /// report.pdf, figures/), as `medsec report DEVICE --out DIR` does.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into `--out` even when the folder is not empty (medsec's files are replaced).
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(Serialize)]
struct Assessment<'a> {
    device_file: String,
    stages: &'a [&'a str],
    summary: &'a DeviceSummary,
    threats: ThreatStage,
    risk: RiskStage,
    requirements: RequirementsStage,
    tests: TestsStage,
    coverage: CoverageStage,
    vulnerabilities: VulnerabilityStage,
}

/// The requirements stage: per framework, whether it applies and how many clauses do.
#[derive(Serialize)]
struct RequirementsStage {
    catalogue: String,
    security_level: u8,
    security_level_from: &'static str,
    frameworks: Vec<FrameworkCount>,
}

#[derive(Serialize)]
struct FrameworkCount {
    framework: String,
    short: String,
    applies: bool,
    applicable: usize,
    not_applicable: usize,
}

/// The test plan stage: rigour, laboratory rule and results.
#[derive(Serialize)]
struct TestsStage {
    policy: String,
    rigour: medsec_catalog::plan::Rigour,
    #[serde(skip_serializing_if = "Option::is_none")]
    laboratory: Option<medsec_catalog::plan::LaboratoryRequirement>,
    summary: medsec_catalog::plan::PlanSummary,
    /// Where the results come from, or why none were read.
    results: String,
    /// Tests whose latest result failed.
    failed: Vec<String>,
}

/// The coverage stage: per framework, covered, partly covered and open clauses.
#[derive(Serialize)]
struct CoverageStage {
    frameworks: Vec<CoverageCount>,
    /// Harmonised controls per state.
    controls: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct CoverageCount {
    framework: String,
    short: String,
    covered: usize,
    partly: usize,
    open: usize,
}

/// The vulnerability stage: each element's SBOM and inline components scanned against
/// the store.
#[derive(Serialize)]
pub(crate) struct VulnerabilityStage {
    /// Why the stage did not run, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) not_run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) store: Option<medsec_scan::StoreState>,
    pub(crate) elements: Vec<ElementScan>,
}

#[derive(Serialize)]
pub(crate) struct ElementScan {
    pub(crate) element: String,
    /// The SBOM file, or `(inline)`.
    pub(crate) source: String,
    pub(crate) components: usize,
    affected_by_severity: BTreeMap<Severity, usize>,
    /// Findings neither affected nor cleared (unknown, under investigation).
    undecided: usize,
    /// Components without purl, CPE or a curated CPE: not looked up.
    pub(crate) not_looked_up: usize,
    pub(crate) findings: Vec<Finding>,
}

/// The threat stage: counts by STRIDE category and how many no control mitigates.
#[derive(Serialize)]
struct ThreatStage {
    rules: usize,
    threats: usize,
    unmitigated: usize,
    by_stride: Vec<super::threats::StrideCount>,
}

/// The risk stage: FMEA rows per risk level before and after the model's controls.
#[derive(Serialize)]
struct RiskStage {
    policy: String,
    rows: usize,
    safety_relevant: usize,
    /// Rows whose controls are not counted because a test verifying them failed.
    reopened_by_failed_tests: usize,
    /// `[level, before controls, after controls]`.
    levels: Vec<(&'static str, usize, usize)>,
}

const STAGES: &[&str] = &[
    "validate",
    "threats",
    "risk",
    "requirements",
    "tests",
    "coverage",
    "vulnerabilities",
];

pub fn run(args: Args) -> miette::Result<u8> {
    if let Some(out) = &args.out
        && let Err(code) = super::report::check_out(out, args.force)
    {
        return Ok(code);
    }
    let loaded = match super::load_device(&args.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let summary = summarise(&loaded);
    let catalogue = Catalogue::builtin()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in threat rules: {e}"))?;
    let policy = Policy::default_policy()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in risk policy: {e}"))?;
    let vulnerabilities = if args.no_vulnerabilities {
        VulnerabilityStage {
            not_run: Some("left out (--no-vulnerabilities)".into()),
            store: None,
            elements: Vec::new(),
        }
    } else {
        match vulnerability_stage(&loaded, &args.store, &args.advisories) {
            Ok(stage) => stage,
            Err(code) => return Ok(code),
        }
    };
    let (catalog, test_policy) =
        match super::catalog::load_catalog(&args.catalog, args.test_policy.as_ref())? {
            Ok(x) => x,
            Err(code) => return Ok(code),
        };
    if let Err(code) = super::catalog::check_implements(&loaded, &catalog) {
        return Ok(code);
    }
    let (results, results_from) = if args.no_vulnerabilities {
        (
            Vec::new(),
            "not read (--no-vulnerabilities: no store opened)".to_owned(),
        )
    } else {
        (
            super::catalog::read_results(&args.store, &loaded.device)?,
            "read from the store".to_owned(),
        )
    };
    let model = medsec_threat::analyse(&loaded, &catalogue);
    let mut register = medsec_threat::register(&model, &policy);
    let test_plan = medsec_catalog::plan::plan(
        &catalog,
        &test_policy,
        &loaded.device,
        &model,
        &register,
        &results,
    );
    let reopened = medsec_catalog::results::reopen_failed(&mut register, &test_plan);
    let coverage = medsec_catalog::coverage::coverage(
        &catalog,
        &test_policy,
        &loaded.device,
        &test_plan,
        &results,
    );
    let (facts, rigour) = medsec_catalog::plan::facts(&loaded.device, &test_policy);
    let judged = medsec_catalog::requirements::applicability(&catalog, &facts, &test_policy);
    let requirements = RequirementsStage {
        catalogue: catalog.digest.clone(),
        security_level: rigour.security_level,
        security_level_from: rigour.security_level_from,
        frameworks: judged
            .iter()
            .map(|f| FrameworkCount {
                framework: f.framework.id.clone(),
                short: f.framework.short.clone(),
                applies: f.applies,
                applicable: f.requirements.iter().filter(|a| a.applies).count(),
                not_applicable: f.requirements.iter().filter(|a| !a.applies).count(),
            })
            .collect(),
    };
    let tests = TestsStage {
        policy: format!("{} {}", test_policy.policy, test_policy.version),
        rigour: test_plan.rigour.clone(),
        laboratory: test_plan.laboratory.clone(),
        summary: test_plan.summary.clone(),
        results: results_from,
        failed: test_plan
            .tests
            .iter()
            .filter(|t| {
                t.result
                    .as_ref()
                    .is_some_and(|r| r.outcome == medsec_catalog::results::Outcome::Fail)
            })
            .map(|t| t.id.clone())
            .collect(),
    };
    let mut control_states: BTreeMap<&'static str, usize> = BTreeMap::new();
    for c in &coverage.controls {
        *control_states.entry(c.state.as_str()).or_default() += 1;
    }
    let coverage_stage = CoverageStage {
        frameworks: coverage
            .frameworks
            .iter()
            .filter(|f| f.applies)
            .map(|f| CoverageCount {
                framework: f.framework.clone(),
                short: f.short.clone(),
                covered: f.covered,
                partly: f.partly,
                open: f.open,
            })
            .collect(),
        controls: control_states,
    };
    if let Some(out) = &args.out {
        let results = if args.no_vulnerabilities {
            medsec_report::build::Results::NotRead {
                reason: tests.results.clone(),
            }
        } else {
            medsec_report::build::Results::Read {
                from: "from the store".into(),
                results: results.clone(),
            }
        };
        let parts = super::report::Parts {
            loaded: &loaded,
            model: &model,
            register: &register,
            reopened,
            catalog: &catalog,
            test_policy: &test_policy,
            plan: &test_plan,
            coverage: &coverage,
            results,
            vulnerabilities: &vulnerabilities,
            risk_policy: &policy,
            portfolio: if args.no_vulnerabilities {
                super::report::PortfolioParts::default()
            } else {
                super::report::portfolio_parts(&loaded, &args.store)?
            },
        };
        let written = super::report::write(
            parts,
            medsec_report::build::Variant::Full,
            medsec_report::build::AssessmentDetails::default(),
            jiff::Timestamp::now(),
            out,
        )?;
        eprintln!("{written}");
    }
    let assessment = Assessment {
        device_file: loaded.path.display().to_string(),
        stages: STAGES,
        summary: &summary,
        threats: ThreatStage {
            rules: model.rules_in_catalogue,
            threats: model.threats.len(),
            unmitigated: model.unmitigated(),
            by_stride: super::threats::stride_counts(&model),
        },
        risk: RiskStage {
            policy: register.policy.to_owned(),
            rows: register.rows.len(),
            safety_relevant: register.safety_rows(),
            reopened_by_failed_tests: reopened,
            levels: register
                .counts()
                .into_iter()
                .map(|(level, before, after)| (level.as_str(), before, after))
                .collect(),
        },
        requirements,
        tests,
        coverage: coverage_stage,
        vulnerabilities,
    };
    match args.format {
        Format::Json => print_json(&assessment)?,
        Format::Table => print(&render(&assessment, false)).map_err(crate::output::io_error)?,
        Format::Markdown => print(&render(&assessment, true)).map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

fn render(assessment: &Assessment<'_>, markdown: bool) -> String {
    let s = assessment.summary;
    let finish = |rows: Rows| {
        if markdown {
            rows.to_markdown()
        } else {
            rows.to_table()
        }
    };
    let mut out = String::new();
    let heading = |out: &mut String, text: &str| {
        if markdown {
            out.push_str(&format!("\n## {text}\n\n"));
        } else {
            out.push_str(&format!("\n{text}\n"));
        }
    };
    if markdown {
        out.push_str(&format!("# {} {} — assessment\n", s.name, s.version));
    } else {
        out.push_str(&format!("{} {} — assessment\n", s.name, s.version));
    }
    heading(&mut out, "Device");
    let mut rows = Rows::new(["item", "value"]);
    rows.push(["device file".into(), assessment.device_file.clone()]);
    rows.push(["manufacturer", &s.manufacturer]);
    if let Some(udi) = &s.udi_di {
        rows.push(["UDI-DI", udi]);
    }
    rows.push(["categories".into(), s.categories.join(", ")]);
    let markets: Vec<String> = s
        .markets
        .iter()
        .map(|(m, c)| format!("{m} class {c}"))
        .collect();
    rows.push(["markets".into(), markets.join("; ")]);
    rows.push(["functionalities".into(), s.functionalities.to_string()]);
    rows.push(["technologies".into(), s.technologies.join(", ")]);
    rows.push(["assets".into(), s.assets.to_string()]);
    rows.push([
        "worst harm severity".into(),
        s.worst_severity
            .map_or("-".into(), |v| v.as_str().to_owned()),
    ]);
    rows.push(["trust zones".into(), s.trust_zones.to_string()]);
    rows.push([
        "elements".into(),
        format!(
            "{} processes, {} data stores, {} external entities",
            s.processes, s.data_stores, s.external_entities
        ),
    ]);
    rows.push(["data flows".into(), s.flows.to_string()]);
    rows.push(["controls".into(), s.controls.to_string()]);
    rows.push(["stages run".into(), assessment.stages.join(", ")]);
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Flows crossing trust boundaries");
    let mut rows = Rows::new([
        "flow",
        "from zone",
        "to zone",
        "boundary",
        "authenticated",
        "encrypted",
    ]);
    for crossing in &s.boundary_crossings {
        rows.push([
            crossing.flow.clone(),
            crossing.from_zone.clone(),
            crossing.to_zone.clone(),
            crossing
                .boundary
                .clone()
                .unwrap_or_else(|| "(unnamed)".into()),
            yes_no(crossing.authenticated),
            yes_no(crossing.encrypted),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');

    if !s.software.is_empty() {
        heading(&mut out, "Software");
        let mut rows = Rows::new(["element", "SBOM", "format", "components"]);
        for (element, software) in &s.software {
            rows.push([
                element.clone(),
                software.sbom.clone().unwrap_or_else(|| "(inline)".into()),
                software.sbom_format.clone().unwrap_or_default(),
                software.components.map_or("-".into(), |n| n.to_string()),
            ]);
        }
        out.push_str(&finish(rows));
        out.push('\n');
    }
    heading(&mut out, "Threats (STRIDE)");
    let t = &assessment.threats;
    let mut rows = Rows::new(["STRIDE category", "threats", "unmitigated"]);
    for c in &t.by_stride {
        rows.push([
            c.stride.as_str().to_owned(),
            c.threats.to_string(),
            c.unmitigated.to_string(),
        ]);
    }
    rows.push([
        "all".to_owned(),
        t.threats.to_string(),
        t.unmitigated.to_string(),
    ]);
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Risk (FMEA)");
    let r = &assessment.risk;
    let mut rows = Rows::new(["risk level", "before controls", "after controls"]);
    for (level, before, after) in &r.levels {
        rows.push([(*level).to_owned(), before.to_string(), after.to_string()]);
    }
    rows.push([
        "safety-relevant rows".to_owned(),
        r.safety_relevant.to_string(),
        String::new(),
    ]);
    out.push_str(&finish(rows));
    out.push_str(&format!(
        "\n{} FMEA rows from {} rules; policy: {}. `medsec threats` and `medsec risk` list them.\n",
        r.rows, t.rules, r.policy
    ));

    if r.reopened_by_failed_tests > 0 {
        out.push_str(&format!(
            "{} FMEA row(s) reopened by failed tests: their controls are not counted until the tests pass.\n",
            r.reopened_by_failed_tests
        ));
    }

    heading(&mut out, "Requirements");
    let q = &assessment.requirements;
    let mut rows = Rows::new(["framework", "applies", "clauses", "not applicable"]);
    for f in &q.frameworks {
        rows.push([
            f.short.clone(),
            yes_no(f.applies),
            f.applicable.to_string(),
            f.not_applicable.to_string(),
        ]);
    }
    out.push_str(&finish(rows));
    out.push_str(&format!(
        "\nTarget security level SL{} (from the {}). `medsec requirements` lists the clauses and why each applies.\n",
        q.security_level, q.security_level_from
    ));

    heading(&mut out, "Test plan");
    let tp = &assessment.tests;
    let s = &tp.summary;
    out.push_str(&format!(
        "Rigour {} (rank {}{}); test policy {}.\n",
        tp.rigour.level,
        tp.rigour.rank,
        tp.rigour
            .set_by
            .as_ref()
            .map(|s| format!(", set by {s}"))
            .unwrap_or_default(),
        tp.policy
    ));
    match &tp.laboratory {
        Some(lab) => out.push_str(&format!(
            "Laboratory rule applies ({}): {} test(s) for a laboratory holding {}.\n",
            lab.because, lab.tests, lab.accreditation
        )),
        None => out.push_str("Laboratory rule does not apply.\n"),
    }
    out.push_str(&format!(
        "{} tests planned: {} passed, {} failed, {} not applicable, {} pending; results {}.\n\
         {} of {} threats are verified by a planned test. `medsec testplan` lists the tests.\n",
        s.planned,
        s.passed,
        s.failed,
        s.not_applicable,
        s.pending,
        tp.results,
        s.threats_verified,
        s.threats_total
    ));
    if !tp.failed.is_empty() {
        out.push_str(&format!("Failed: {}.\n", tp.failed.join(", ")));
    }

    heading(&mut out, "Requirements coverage");
    let c = &assessment.coverage;
    let mut rows = Rows::new(["framework", "covered", "partly", "open"]);
    for f in &c.frameworks {
        rows.push([
            f.short.clone(),
            f.covered.to_string(),
            f.partly.to_string(),
            f.open.to_string(),
        ]);
    }
    out.push_str(&finish(rows));
    out.push_str(&format!(
        "\nHarmonised controls: {}. `medsec coverage` shows the gap analysis.\n",
        c.controls
            .iter()
            .map(|(state, n)| format!("{n} {state}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    heading(&mut out, "Vulnerabilities");
    let v = &assessment.vulnerabilities;
    if let Some(why) = &v.not_run {
        out.push_str(&format!("Not run: {why}.\n"));
        return out;
    }
    let mut rows = Rows::new([
        "element",
        "software",
        "components",
        "affected (critical/high/medium/low/unknown)",
        "undecided",
        "not looked up",
    ]);
    let count = |e: &ElementScan, s: Severity| e.affected_by_severity.get(&s).copied().unwrap_or(0);
    for e in &v.elements {
        rows.push([
            e.element.clone(),
            e.source.clone(),
            e.components.to_string(),
            format!(
                "{}/{}/{}/{}/{}",
                count(e, Severity::Critical),
                count(e, Severity::High),
                count(e, Severity::Medium),
                count(e, Severity::Low) + count(e, Severity::None),
                count(e, Severity::Unknown)
            ),
            e.undecided.to_string(),
            e.not_looked_up.to_string(),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');
    let mut rows = Rows::new([
        "element",
        "vulnerability",
        "component",
        "severity",
        "confidence",
        "fixed in",
        "KEV",
    ]);
    let mut any = false;
    for e in &v.elements {
        for f in e
            .findings
            .iter()
            .filter(|f| f.status == MatchStatus::Affected)
        {
            any = true;
            rows.push([
                e.element.clone(),
                f.vulnerability.clone(),
                format!(
                    "{} {}",
                    f.component.name,
                    f.component.version.as_deref().unwrap_or("?")
                ),
                f.severity.to_string(),
                format!("{:?}", f.confidence).to_lowercase(),
                f.fixed_in.join(", "),
                if f.known_exploited { "yes" } else { "" }.into(),
            ]);
        }
    }
    if any {
        heading(&mut out, "Affected components");
        out.push_str(&finish(rows));
        out.push('\n');
    }
    if let Some(store) = &v.store {
        out.push_str(&format!(
            "\nAgainst {} advisory records in the {} store. `medsec scan SBOM` lists every finding with its evidence.\n",
            store.records, store.backend
        ));
    }
    out
}

/// Imports `--advisories` (if any), then scans every element's software.
pub(crate) fn vulnerability_stage(
    loaded: &medsec_device::LoadedDevice,
    store_args: &super::store::StoreArgs,
    advisories: &[PathBuf],
) -> Result<VulnerabilityStage, u8> {
    let fail = |e: miette::Report| {
        eprintln!("{e:?}");
        exit::BAD_INPUT
    };
    let rt = super::store::runtime().map_err(fail)?;
    let store = store_args.open(&rt).map_err(fail)?;
    if !advisories.is_empty() {
        let progress = super::store::ImportProgress::new(false);
        let imported = rt.block_on(store.import(advisories, &ImportOptions::default(), &progress));
        progress.finish();
        match imported {
            Ok(s) => eprintln!(
                "advisories: {} read, {} new, {} replaced, {} unchanged",
                s.records.read, s.records.new, s.records.replaced, s.records.unchanged
            ),
            Err(e) => return Err(fail(super::store::store_error(e))),
        }
    }
    let options = super::scan::options(&[], None).map_err(fail)?;
    let base = loaded.path.parent().unwrap_or(Path::new("."));
    let mut elements = Vec::new();
    let mut state = None;
    for element in &loaded.device.elements {
        let Some(software) = &element.software else {
            continue;
        };
        let mut components: Vec<Component> = Vec::new();
        let mut source = Vec::new();
        let mut sha = None;
        if let Some(rel) = &software.sbom {
            let path = base.join(rel);
            let sbom = super::scan::read_sbom(&path)?;
            sha = Some(sbom.original.sha256.clone());
            components.extend(sbom.components);
            source.push(rel.clone());
        }
        for c in &software.components {
            let mut component = Component::new(ComponentKind::Library, c.name.clone());
            component.version = Some(c.version.clone());
            // The device check has already validated these; an unparseable one is
            // simply not used for lookup.
            component.purl = c.purl.as_deref().and_then(|p| p.parse().ok());
            component.cpes = c
                .cpe
                .as_deref()
                .and_then(|p| p.parse().ok())
                .into_iter()
                .collect();
            component.supplier = c
                .supplier
                .as_ref()
                .map(|name| Organization::named(name.clone()));
            components.push(component);
        }
        if !software.components.is_empty() {
            source.push("(inline)".into());
        }
        let products = options.products.clone().unwrap_or_default();
        let prepared = medsec_scan::prepare_components(&components, &products);
        let src = medsec_scan::Source {
            name: source.join(" + "),
            format: None,
            sha256: sha,
            components: components.len(),
        };
        let report: ScanReport = rt
            .block_on(medsec_scan::scan_prepared(
                &store, &src, &prepared, &options,
            ))
            .map_err(|e| fail(super::store::store_error(e)))?;
        if report.store.records == 0 {
            rt.block_on(store.close());
            return Ok(VulnerabilityStage {
                not_run: Some(format!(
                    "the vulnerability store ({}) holds no advisories: import some with `medsec db import`, `medsec db sync` or `--advisories`",
                    report.store.backend
                )),
                store: Some(report.store),
                elements: Vec::new(),
            });
        }
        let undecided = report
            .findings
            .iter()
            .filter(|f| f.status != MatchStatus::Affected)
            .count();
        state = Some(report.store.clone());
        elements.push(ElementScan {
            element: element.id.clone(),
            source: report.sbom.clone(),
            components: report.components_scanned,
            affected_by_severity: report.affected_by_severity.clone(),
            undecided,
            not_looked_up: report.components_without_identity.len(),
            findings: report.findings,
        });
    }
    rt.block_on(store.close());
    Ok(VulnerabilityStage {
        not_run: None,
        store: state,
        elements,
    })
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "NO" }.to_owned()
}
