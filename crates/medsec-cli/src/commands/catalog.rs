//! `medsec requirements`, `medsec coverage`, `medsec testplan` and `medsec controls`:
//! the requirements catalogue, its crosswalk, the gap analysis and the test plan of a
//! device. They share their options and loading here.

use std::path::PathBuf;

use medsec_catalog::coverage::{ClauseState, Coverage, coverage};
use medsec_catalog::plan::{TestPlan, facts, plan};
use medsec_catalog::requirements::{FrameworkApplicability, applicability};
use medsec_catalog::results::TestResult;
use medsec_catalog::{Catalog, TestPolicy};
use medsec_device::LoadedDevice;
use medsec_threat::{Catalogue, Policy};
use serde::Serialize;

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Options shared by the catalogue commands.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// A test policy file instead of the built-in default (see
    /// crates/medsec-catalog/policy/default-test-policy.yaml).
    #[arg(long, value_name = "FILE")]
    pub test_policy: Option<PathBuf>,
    /// A folder of project catalogue files (frameworks.yaml, controls.yaml,
    /// requirements/*.yaml, tests/*.yaml) added to the built-in catalogue.
    #[arg(long, value_name = "DIR")]
    pub catalog: Vec<PathBuf>,
    /// A folder of project threat rule files added to the built-in rules (repeatable).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// A risk policy file instead of the built-in default.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Everything the catalogue commands need.
pub struct Inputs {
    pub loaded: LoadedDevice,
    pub rules: Catalogue,
    pub risk_policy: Policy,
    pub catalog: Catalog,
    pub test_policy: TestPolicy,
}

fn report(code: &'static str, message: String) {
    let diagnostic = miette::MietteDiagnostic::new(message).with_code(code);
    eprintln!("{:?}", miette::Report::new(diagnostic));
}

/// The built-in catalogue with a project's additions, and the test policy.
pub fn load_catalog(
    dirs: &[PathBuf],
    policy: Option<&PathBuf>,
) -> miette::Result<Result<(Catalog, TestPolicy), u8>> {
    let mut catalog = Catalog::builtin()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in catalogue: {e}"))?;
    for dir in dirs {
        catalog = match catalog.with_dir(dir) {
            Ok(c) => c,
            Err(e) => {
                report("medsec::catalog", e.to_string());
                return Ok(Err(exit::BAD_INPUT));
            }
        };
    }
    let test_policy = match policy {
        None => TestPolicy::default_policy()
            .map_err(|e| miette::miette!(code = "medsec::internal", "built-in test policy: {e}"))?,
        Some(path) => match TestPolicy::load(path) {
            Ok(p) => p,
            Err(e) => {
                report("medsec::catalog::policy", e.to_string());
                return Ok(Err(exit::BAD_INPUT));
            }
        },
    };
    if let Some(selected) = &test_policy.frameworks {
        for f in selected {
            if catalog.framework(f).is_none() {
                report(
                    "medsec::catalog::policy",
                    format!(
                        "the test policy selects framework `{f}`, which the catalogue does not have"
                    ),
                );
                return Ok(Err(exit::BAD_INPUT));
            }
        }
    }
    Ok(Ok((catalog, test_policy)))
}

pub fn prepare(common: &Common) -> miette::Result<Result<Inputs, u8>> {
    let loaded = match super::load_device(&common.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(Err(code)),
    };
    let (catalog, test_policy) = match load_catalog(&common.catalog, common.test_policy.as_ref())? {
        Ok(x) => x,
        Err(code) => return Ok(Err(code)),
    };
    if let Err(code) = check_implements(&loaded, &catalog) {
        return Ok(Err(code));
    }
    let (rules, risk_policy) =
        match super::threats::rules_and_policy(&loaded, &common.rules, common.policy.as_ref())? {
            Ok(x) => x,
            Err(code) => return Ok(Err(code)),
        };
    Ok(Ok(Inputs {
        loaded,
        rules,
        risk_policy,
        catalog,
        test_policy,
    }))
}

/// A device control may only name harmonised controls the catalogue has.
pub fn check_implements(loaded: &LoadedDevice, catalog: &Catalog) -> Result<(), u8> {
    let mut unknown = Vec::new();
    for c in &loaded.device.controls {
        for id in &c.implements {
            if catalog.control(id).is_none() {
                unknown.push(format!("control `{}` implements `{id}`", c.id));
            }
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    report(
        "medsec::catalog::unknown-control",
        format!(
            "{}: unknown harmonised control(s) ({}); `medsec controls` lists them",
            loaded.path.display(),
            unknown.join("; ")
        ),
    );
    Err(exit::BAD_INPUT)
}

// ---------------------------------------------------------------------------------
// medsec requirements

/// List the requirements that apply to a device, and why.
#[derive(Debug, clap::Args)]
pub struct RequirementsArgs {
    #[command(flatten)]
    pub common: Common,
    /// Only these frameworks (repeatable; ids as `medsec requirements --list-frameworks` shows).
    #[arg(long, value_name = "ID")]
    pub framework: Vec<String>,
    /// Also list the requirements that do not apply, with the reason.
    #[arg(long)]
    pub all: bool,
}

#[derive(Serialize)]
struct RequirementsOutput<'a> {
    device: &'a str,
    version: &'a str,
    catalogue: &'a str,
    policy: String,
    security_level: u8,
    security_level_from: &'static str,
    frameworks: Vec<FrameworkOut<'a>>,
}

#[derive(Serialize)]
struct FrameworkOut<'a> {
    id: &'a str,
    short: &'a str,
    title: &'a str,
    applies: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<&'a str>,
    applicable: usize,
    not_applicable_count: usize,
    requirements: Vec<RequirementOut<'a>>,
}

#[derive(Serialize)]
struct RequirementOut<'a> {
    id: &'a str,
    clause: &'a str,
    title: &'a str,
    summary: &'a str,
    applies: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<&'a str>,
    controls: &'a [String],
    evidence: &'a [String],
    source: &'a str,
}

fn check_frameworks(catalog: &Catalog, wanted: &[String]) -> Result<(), u8> {
    for f in wanted {
        if catalog.framework(f).is_none() {
            let known: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
            report(
                "medsec::catalog::framework",
                format!("unknown framework `{f}`; known: {}", known.join(", ")),
            );
            return Err(exit::BAD_INPUT);
        }
    }
    Ok(())
}

pub fn run_requirements(args: RequirementsArgs) -> miette::Result<u8> {
    let inputs = match prepare(&args.common)? {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    if let Err(code) = check_frameworks(&inputs.catalog, &args.framework) {
        return Ok(code);
    }
    let device = &inputs.loaded.device;
    let (facts, rigour) = facts(device, &inputs.test_policy);
    let judged = applicability(&inputs.catalog, &facts, &inputs.test_policy);
    let frameworks: Vec<FrameworkOut<'_>> = judged
        .iter()
        .filter(|f| args.framework.is_empty() || args.framework.contains(&f.framework.id))
        .map(|f| framework_out(f, args.all))
        .collect();
    let output = RequirementsOutput {
        device: &device.device.name,
        version: &device.device.version,
        catalogue: &inputs.catalog.digest,
        policy: format!(
            "{} {}",
            inputs.test_policy.policy, inputs.test_policy.version
        ),
        security_level: rigour.security_level,
        security_level_from: rigour.security_level_from,
        frameworks,
    };
    match args.common.format {
        Format::Json => print_json(&output)?,
        format => print(&render_requirements(&output, format == Format::Markdown))
            .map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

fn framework_out<'a>(f: &'a FrameworkApplicability<'a>, all: bool) -> FrameworkOut<'a> {
    FrameworkOut {
        id: &f.framework.id,
        short: &f.framework.short,
        title: &f.framework.title,
        applies: f.applies,
        reasons: f.reasons.iter().map(|r| r.to_string()).collect(),
        not_applicable: f.not_applicable.as_deref(),
        applicable: f.requirements.iter().filter(|a| a.applies).count(),
        not_applicable_count: f.requirements.iter().filter(|a| !a.applies).count(),
        requirements: f
            .requirements
            .iter()
            .filter(|a| all || a.applies)
            .map(|a| RequirementOut {
                id: &a.requirement.id,
                clause: &a.requirement.clause,
                title: &a.requirement.title,
                summary: &a.requirement.summary,
                applies: a.applies,
                reasons: a.reasons.iter().map(|r| r.to_string()).collect(),
                not_applicable: a.not_applicable.as_deref(),
                controls: &a.requirement.controls,
                evidence: &a.requirement.evidence,
                source: &a.requirement.source,
            })
            .collect(),
    }
}

fn heading(out: &mut String, markdown: bool, level: usize, text: &str) {
    if markdown {
        out.push_str(&format!("\n{} {text}\n\n", "#".repeat(level)));
    } else {
        out.push_str(&format!("\n{text}\n"));
    }
}

fn finish(rows: &Rows, markdown: bool) -> String {
    if markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    }
}

fn render_requirements(o: &RequirementsOutput<'_>, markdown: bool) -> String {
    let mut out = String::new();
    let title = format!("{} {} — requirements", o.device, o.version);
    if markdown {
        out.push_str(&format!("# {title}\n"));
    } else {
        out.push_str(&format!("{title}\n"));
    }
    out.push_str(&format!(
        "\nTarget security level SL{} (from the {}); test policy {}.\n",
        o.security_level, o.security_level_from, o.policy
    ));
    let mut summary = Rows::new([
        "framework",
        "applies",
        "requirements",
        "not applicable",
        "why",
    ]);
    for f in &o.frameworks {
        summary.push([
            f.short.to_owned(),
            if f.applies { "yes" } else { "no" }.to_owned(),
            f.applicable.to_string(),
            f.not_applicable_count.to_string(),
            if f.applies {
                f.reasons.join("; ")
            } else {
                f.not_applicable.unwrap_or("").to_owned()
            },
        ]);
    }
    heading(&mut out, markdown, 2, "Frameworks");
    out.push_str(&finish(&summary, markdown));
    out.push('\n');
    for f in o.frameworks.iter().filter(|f| !f.requirements.is_empty()) {
        heading(&mut out, markdown, 2, &format!("{} — {}", f.short, f.title));
        let mut rows = Rows::new(["requirement", "clause", "title", "controls", "why"]);
        for r in &f.requirements {
            rows.push([
                r.id.to_owned(),
                r.clause.to_owned(),
                r.title.to_owned(),
                r.controls.join(", "),
                if r.applies {
                    r.reasons.join("; ")
                } else {
                    format!("NOT APPLICABLE: {}", r.not_applicable.unwrap_or(""))
                },
            ]);
        }
        out.push_str(&finish(&rows, markdown));
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------
// medsec testplan

/// Make the security test plan of a device: tests by category, class, technologies and
/// threat model, at the rigour its risk class asks, with the laboratory rule applied.
#[derive(Debug, clap::Args)]
pub struct TestplanArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Do not read recorded results from the store (no store is opened).
    #[arg(long)]
    pub no_results: bool,
    /// Also list the relevant tests left out of the plan, with the reason.
    #[arg(long)]
    pub all: bool,
}

/// The device's threat model, FMEA register and test plan, with recorded results.
pub fn plan_of(inputs: &Inputs, results: &[TestResult]) -> TestPlan {
    let model = medsec_threat::analyse(&inputs.loaded, &inputs.rules);
    let register = medsec_threat::register(&model, &inputs.risk_policy);
    plan(
        &inputs.catalog,
        &inputs.test_policy,
        &inputs.loaded.device,
        &model,
        &register,
        results,
    )
}

/// Reads a device's recorded results from the store.
pub fn read_results(
    store: &super::store::StoreArgs,
    device: &medsec_device::model::Device,
) -> miette::Result<Vec<TestResult>> {
    let rt = super::store::runtime()?;
    let store = store.open(&rt)?;
    let key = medsec_catalog::results::DeviceKey::of(device);
    let results = rt
        .block_on(store.test_results(&key))
        .map_err(super::store::store_error)?;
    rt.block_on(store.close());
    Ok(results)
}

pub fn run_testplan(args: TestplanArgs) -> miette::Result<u8> {
    let inputs = match prepare(&args.common)? {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    let device = &inputs.loaded.device;
    let results = if args.no_results {
        Vec::new()
    } else {
        read_results(&args.store, device)?
    };
    let test_plan = plan_of(&inputs, &results);
    match args.common.format {
        Format::Json => print_json(&test_plan)?,
        format => print(&render_plan(
            &test_plan,
            format == Format::Markdown,
            args.all,
        ))
        .map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

pub fn render_plan(p: &TestPlan, markdown: bool, all: bool) -> String {
    let mut out = String::new();
    let title = format!(
        "{} {} — security test plan",
        p.device.name, p.device.version
    );
    if markdown {
        out.push_str(&format!("# {title}\n"));
    } else {
        out.push_str(&format!("{title}\n"));
    }
    out.push_str(&plan_header(p));
    heading(&mut out, markdown, 2, "Tests");
    let mut rows = Rows::new([
        "test",
        "title",
        "kind",
        "by",
        "threats",
        "requirements",
        "result",
    ]);
    for t in &p.tests {
        rows.push([
            t.id.clone(),
            t.title.clone(),
            t.kind.as_str().to_owned(),
            format!(
                "{}{}",
                t.independence.as_str(),
                if t.laboratory {
                    " (accredited lab)"
                } else {
                    ""
                }
            ),
            t.threats.len().to_string(),
            t.requirements.len().to_string(),
            t.result.as_ref().map_or_else(
                || "pending".to_owned(),
                |r| format!("{} ({})", r.outcome.as_str(), r.performed_on),
            ),
        ]);
    }
    out.push_str(&finish(&rows, markdown));
    out.push('\n');
    if markdown {
        heading(&mut out, markdown, 2, "Test details");
        for t in &p.tests {
            out.push_str(&format!(
                "\n### {} {}\n\n{}\n\n",
                t.id, t.title, t.procedure
            ));
            out.push_str(&format!("- Why: {}\n", t.why.join("; ")));
            out.push_str(&format!(
                "- Performed by: {}{}\n",
                t.independence.as_str(),
                if t.laboratory {
                    ", an ISO/IEC 17025-accredited laboratory"
                } else {
                    ""
                }
            ));
            for d in &t.depth {
                out.push_str(&format!("- Depth, {d}\n"));
            }
            if !t.threats.is_empty() {
                out.push_str(&format!("- Verifies threats: {}\n", t.threats.join(", ")));
            }
            out.push_str(&format!("- Verifies controls: {}\n", t.controls.join(", ")));
            if !t.requirements.is_empty() {
                out.push_str(&format!(
                    "- Verifies requirements: {}\n",
                    t.requirements.join(", ")
                ));
            }
            out.push_str(&format!("- Sources: {}\n", t.sources.join(", ")));
            if let Some(r) = &t.result {
                out.push_str(&format!(
                    "- Result: {} on {} by {}{}\n",
                    r.outcome.as_str(),
                    r.performed_on,
                    r.tester,
                    r.accreditation
                        .as_ref()
                        .map(|a| format!(" (accreditation {a})"))
                        .unwrap_or_default()
                ));
            }
        }
    }
    if all && !p.not_planned.is_empty() {
        heading(&mut out, markdown, 2, "Relevant tests not planned");
        let mut rows = Rows::new(["test", "title", "reason"]);
        for n in &p.not_planned {
            rows.push([n.id.clone(), n.title.clone(), n.reason.clone()]);
        }
        out.push_str(&finish(&rows, markdown));
        out.push('\n');
    }
    out
}

pub fn plan_header(p: &TestPlan) -> String {
    let s = &p.summary;
    let mut out = format!(
        "\nRigour: {} (rank {}{}); target security level SL{} (from the {}).\n\
         Test policy: {} {} (sha256 {}); catalogue sha256 {}.\n",
        p.rigour.level,
        p.rigour.rank,
        p.rigour
            .set_by
            .as_ref()
            .map(|s| format!(", set by {s}"))
            .unwrap_or_default(),
        p.rigour.security_level,
        p.rigour.security_level_from,
        p.policy.name,
        p.policy.version,
        short(&p.policy.sha256),
        short(&p.catalogue),
    );
    match &p.laboratory {
        Some(lab) => out.push_str(&format!(
            "Laboratory rule applies ({}): {} test(s) must be performed by a laboratory holding {}.\n",
            lab.because, lab.tests, lab.accreditation
        )),
        None => out.push_str("Laboratory rule does not apply to this device's markets and classes.\n"),
    }
    out.push_str(&format!(
        "{} tests planned: {} passed, {} failed, {} not applicable, {} pending; {} of {} threats verified by a planned test.\n",
        s.planned, s.passed, s.failed, s.not_applicable, s.pending, s.threats_verified, s.threats_total
    ));
    out
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

// ---------------------------------------------------------------------------------
// medsec coverage

/// Gap analysis: per framework, which applicable clauses are covered (controls with
/// passing tests), partly covered or open.
#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Do not read recorded results from the store (no store is opened).
    #[arg(long)]
    pub no_results: bool,
    /// Only these frameworks (repeatable); their clauses are listed one by one.
    #[arg(long, value_name = "ID")]
    pub framework: Vec<String>,
    /// List every applicable clause of every framework.
    #[arg(long)]
    pub detail: bool,
    /// Exit 1 when any applicable clause is open.
    #[arg(long)]
    pub fail_on_open: bool,
}

#[derive(Serialize)]
struct CoverageOutput<'a> {
    device: &'a str,
    version: &'a str,
    policy: String,
    #[serde(flatten)]
    coverage: &'a Coverage,
}

pub fn run_coverage(args: CoverageArgs) -> miette::Result<u8> {
    let inputs = match prepare(&args.common)? {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    if let Err(code) = check_frameworks(&inputs.catalog, &args.framework) {
        return Ok(code);
    }
    let device = &inputs.loaded.device;
    let results = if args.no_results {
        Vec::new()
    } else {
        read_results(&args.store, device)?
    };
    let test_plan = plan_of(&inputs, &results);
    let mut cov = coverage(
        &inputs.catalog,
        &inputs.test_policy,
        device,
        &test_plan,
        &results,
    );
    if !args.framework.is_empty() {
        cov.frameworks
            .retain(|f| args.framework.contains(&f.framework));
    }
    let any_open = cov
        .frameworks
        .iter()
        .any(|f| f.clauses.iter().any(|c| c.state == ClauseState::Open));
    match args.common.format {
        Format::Json => print_json(&CoverageOutput {
            device: &device.device.name,
            version: &device.device.version,
            policy: format!(
                "{} {}",
                inputs.test_policy.policy, inputs.test_policy.version
            ),
            coverage: &cov,
        })?,
        format => {
            let markdown = format == Format::Markdown;
            let detail = args.detail || !args.framework.is_empty();
            let title = format!(
                "{} {} — requirements coverage",
                device.device.name, device.device.version
            );
            let mut out = if markdown {
                format!("# {title}\n")
            } else {
                format!("{title}\n")
            };
            out.push_str(&render_coverage(&cov, markdown, detail));
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(if args.fail_on_open && any_open {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

pub fn render_coverage(cov: &Coverage, markdown: bool, detail: bool) -> String {
    let mut out = String::new();
    heading(&mut out, markdown, 2, "Coverage per framework");
    let mut rows = Rows::new([
        "framework",
        "applies",
        "covered",
        "partly",
        "open",
        "not applicable",
    ]);
    for f in &cov.frameworks {
        rows.push([
            f.short.clone(),
            if f.applies { "yes" } else { "no" }.to_owned(),
            f.covered.to_string(),
            f.partly.to_string(),
            f.open.to_string(),
            f.not_applicable.to_string(),
        ]);
    }
    out.push_str(&finish(&rows, markdown));
    out.push_str(
        "\nCovered: every harmonised control of the clause has a passing test and none failed. \
         Partly: at least one control is evidenced or declared in the device file. Open: none.\n",
    );
    heading(&mut out, markdown, 2, "Harmonised controls");
    let mut rows = Rows::new([
        "control",
        "title",
        "state",
        "declared by",
        "passed",
        "failed",
        "pending",
    ]);
    for c in &cov.controls {
        rows.push([
            c.control.clone(),
            c.title.clone(),
            c.state.as_str().to_owned(),
            c.declared_by.join(", "),
            c.passed.join(", "),
            c.failed.join(", "),
            c.pending.join(", "),
        ]);
    }
    out.push_str(&finish(&rows, markdown));
    out.push('\n');
    if detail {
        for f in cov.frameworks.iter().filter(|f| !f.clauses.is_empty()) {
            heading(&mut out, markdown, 2, &format!("{} clauses", f.short));
            let mut rows = Rows::new(["requirement", "clause", "title", "state", "controls"]);
            for c in &f.clauses {
                rows.push([
                    c.requirement.clone(),
                    c.clause.clone(),
                    c.title.clone(),
                    c.state.as_str().to_owned(),
                    c.controls.join(", "),
                ]);
            }
            out.push_str(&finish(&rows, markdown));
            out.push('\n');
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// medsec controls

/// The harmonised controls and the crosswalk: every clause each control satisfies.
#[derive(Debug, clap::Args)]
pub struct ControlsArgs {
    /// Show the crosswalk of this control only (`HC-07`).
    pub control: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// A folder of project catalogue files added to the built-in catalogue.
    #[arg(long, value_name = "DIR")]
    pub catalog: Vec<PathBuf>,
}

#[derive(Serialize)]
struct ControlOut<'a> {
    id: &'a str,
    title: &'a str,
    objective: &'a str,
    evidence: &'a [String],
    /// Framework id → requirement ids.
    satisfies: std::collections::BTreeMap<&'a str, Vec<&'a str>>,
    tests: Vec<&'a str>,
}

pub fn run_controls(args: ControlsArgs) -> miette::Result<u8> {
    let (catalog, _) = match load_catalog(&args.catalog, None)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if let Some(id) = &args.control
        && catalog.control(id).is_none()
    {
        report(
            "medsec::catalog::unknown-control",
            format!("unknown harmonised control `{id}`; `medsec controls` lists them"),
        );
        return Ok(exit::BAD_INPUT);
    }
    let crosswalk = catalog.crosswalk();
    let controls: Vec<ControlOut<'_>> = catalog
        .controls
        .iter()
        .filter(|c| args.control.as_ref().is_none_or(|id| *id == c.id))
        .map(|c| {
            let mut satisfies: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
            for r in crosswalk.get(c.id.as_str()).into_iter().flatten() {
                satisfies
                    .entry(r.framework.as_str())
                    .or_default()
                    .push(r.id.as_str());
            }
            ControlOut {
                id: &c.id,
                title: &c.title,
                objective: &c.objective,
                evidence: &c.evidence,
                satisfies,
                tests: catalog
                    .tests
                    .iter()
                    .filter(|t| t.controls.contains(&c.id))
                    .map(|t| t.id.as_str())
                    .collect(),
            }
        })
        .collect();
    match args.format {
        Format::Json => print_json(&controls)?,
        format => {
            let markdown = format == Format::Markdown;
            let mut out = String::new();
            if args.control.is_some() {
                for c in &controls {
                    out.push_str(&format!(
                        "{} {}\n\n{}\n\nEvidence: {}\nTests: {}\n",
                        c.id,
                        c.title,
                        c.objective,
                        c.evidence.join("; "),
                        c.tests.join(", ")
                    ));
                    let mut rows = Rows::new(["framework", "requirements satisfied"]);
                    for f in &catalog.frameworks {
                        if let Some(ids) = c.satisfies.get(f.id.as_str()) {
                            rows.push([f.short.clone(), ids.join(", ")]);
                        }
                    }
                    out.push('\n');
                    out.push_str(&finish(&rows, markdown));
                    out.push('\n');
                }
            } else {
                let mut rows = Rows::new(["control", "title", "frameworks", "clauses", "tests"]);
                for c in &controls {
                    rows.push([
                        c.id.to_owned(),
                        c.title.to_owned(),
                        c.satisfies.len().to_string(),
                        c.satisfies
                            .values()
                            .map(Vec::len)
                            .sum::<usize>()
                            .to_string(),
                        c.tests.len().to_string(),
                    ]);
                }
                out.push_str(&finish(&rows, markdown));
                out.push_str(&format!(
                    "\n{} controls, {} requirements in {} frameworks, {} tests; `medsec controls HC-NN` shows one control's crosswalk.\n",
                    catalog.controls.len(),
                    catalog.requirements.len(),
                    catalog.frameworks.len(),
                    catalog.tests.len()
                ));
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}
