//! `medsec report DEVICE --out DIR`: the documentation pack of a device version as a
//! folder: report.html (self-contained), report.md with figures/*.svg, report.json (the
//! data model) and report.pdf (typeset from the same document tree). `medsec assess --out`
//! writes the same folder (full variant).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use medsec_catalog::TestPolicy;
use medsec_catalog::coverage::Coverage;
use medsec_catalog::plan::TestPlan;
use medsec_device::LoadedDevice;
use medsec_report::build::{
    AssessmentDetails, ElementFindings, FindingEvent, FindingsHistory, ReportInput, Results,
    TriageState, Variant, Vulnerabilities, VulnerabilityFinding,
};
use medsec_threat::{Catalogue, Policy, Register, ThreatModel};

use super::assess::VulnerabilityStage;
use crate::exit;

/// Write the report of a device as a folder: HTML, PDF, Markdown, JSON and SVG figures.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    /// The folder to write (created when missing; refused when not empty, unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that is not empty (medsec's files in it are replaced).
    #[arg(long)]
    pub force: bool,
    /// full (every section), premarket (FDA content list and MDR technical
    /// documentation index), assessment (laboratory or notified-body report: needs
    /// --assessor), mds2 (MDS2-style disclosure for hospitals).
    #[arg(long, default_value = "full", value_name = "VARIANT")]
    pub variant: String,
    /// Assessment variant: who assessed the device (required for that variant).
    #[arg(long)]
    pub assessor: Option<String>,
    /// Assessment variant: the laboratory or notified body.
    #[arg(long)]
    pub laboratory: Option<String>,
    /// Assessment variant: the accreditation the laboratory holds (e.g. ISO/IEC 17025, its number).
    #[arg(long)]
    pub accreditation: Option<String>,
    /// Assessment variant: what the assessment covered.
    #[arg(long)]
    pub scope: Option<String>,
    /// Assessment variant: the assessor's verdict, in their words.
    #[arg(long)]
    pub verdict: Option<String>,
    /// The time the report states it was generated (RFC 3339, e.g. 2025-01-15T09:30:00Z;
    /// default now), for reproducible output.
    #[arg(long, value_name = "TIME")]
    pub generated_at: Option<String>,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Import these advisory files, folders or archives into the store first.
    #[arg(long, value_name = "PATH")]
    pub advisories: Vec<PathBuf>,
    /// Leave out the vulnerability scan and the recorded test results (no store is opened).
    #[arg(long)]
    pub no_vulnerabilities: bool,
    /// A test policy file instead of the built-in default.
    #[arg(long, value_name = "FILE")]
    pub test_policy: Option<PathBuf>,
    /// A folder of project catalogue files added to the built-in catalogue (repeatable).
    #[arg(long, value_name = "DIR")]
    pub catalog: Vec<PathBuf>,
    /// Sign the folder with this Ed25519 private key (PKCS#8 PEM) once written
    /// (`medsec verify DIR --public-key …` checks it).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    /// Who signs, recorded in the signature.
    #[arg(long, requires = "sign_key")]
    pub signer: Option<String>,
}

/// What `medsec assess` and `medsec report` have computed, borrowed for the report.
pub(crate) struct Parts<'a> {
    pub loaded: &'a LoadedDevice,
    pub model: &'a ThreatModel<'a>,
    pub register: &'a Register<'a>,
    pub reopened: usize,
    pub catalog: &'a medsec_catalog::Catalog,
    pub test_policy: &'a TestPolicy,
    pub plan: &'a TestPlan,
    pub coverage: &'a Coverage,
    pub results: Results,
    pub vulnerabilities: &'a VulnerabilityStage,
    pub risk_policy: &'a Policy,
    /// Triage decisions and monitoring history, when the version is in the portfolio.
    pub portfolio: PortfolioParts,
}

/// What the portfolio holds about the device version; both `None` when no store was
/// opened or the version is not in the portfolio.
#[derive(Default)]
pub(crate) struct PortfolioParts {
    pub triage: Option<Vec<TriageState>>,
    pub history: Option<FindingsHistory>,
}

/// Looks the device version up in the portfolio (organisation = manufacturer, product =
/// device name, version, as `medsec portfolio add --device` records it): the triage
/// decisions in force for its findings (own or inherited) and its monitoring history.
pub(crate) fn portfolio_parts(
    loaded: &LoadedDevice,
    store_args: &super::store::StoreArgs,
) -> miette::Result<PortfolioParts> {
    let identity = &loaded.device.device;
    let name = medsec_store::VersionRef {
        organisation: identity.manufacturer.clone(),
        product: identity.name.clone(),
        version: identity.version.clone(),
    };
    let rt = super::store::runtime()?;
    let store = store_args.open(&rt)?;
    let looked_up = rt.block_on(async {
        let Some(version) = store.portfolio_version(&name).await? else {
            return Ok(None);
        };
        let findings = store.findings(version.id, false).await?;
        let events = store.finding_events(version.id).await?;
        let (order, decisions) = store.product_decisions(version.id).await?;
        Ok::<_, medsec_store::StoreError>(Some((findings, events, order, decisions)))
    });
    rt.block_on(store.close());
    let Some((findings, events, order, decisions)) =
        looked_up.map_err(super::store::store_error)?
    else {
        return Ok(PortfolioParts::default());
    };
    let severity: BTreeMap<(&str, &str), &str> = findings
        .iter()
        .map(|f| {
            (
                (f.component.as_str(), f.vulnerability.as_str()),
                f.severity.as_str(),
            )
        })
        .collect();
    let history = FindingsHistory {
        version: format!(
            "{} / {} / {}",
            name.organisation, name.product, name.version
        ),
        events: events
            .iter()
            .map(
                |(component, vulnerability, _run, at, kind, _summary)| FindingEvent {
                    component: component.clone(),
                    vulnerability: vulnerability.clone(),
                    at: at.clone(),
                    kind: kind.clone(),
                    severity: severity
                        .get(&(component.as_str(), vulnerability.as_str()))
                        .map_or_else(|| "unknown".to_owned(), |s| (*s).to_owned()),
                },
            )
            .collect(),
    };
    // Every component × vulnerability that has a finding or a decision in the product.
    let pairs: BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|f| (f.component.as_str(), f.vulnerability.as_str()))
        .chain(
            decisions
                .iter()
                .map(|d| (d.component.as_str(), d.vulnerability.as_str())),
        )
        .collect();
    let triage = pairs
        .into_iter()
        .filter_map(|(component, vulnerability)| {
            let e = medsec_postmarket::triage::effective(
                &decisions,
                &order,
                &name.version,
                component,
                vulnerability,
            )?;
            let d = e.decision;
            Some(TriageState {
                vulnerability: vulnerability.to_owned(),
                component: component.to_owned(),
                state: d.state.as_str().to_owned(),
                justification: d.justification.as_ref().map(|j| j.as_str().to_owned()),
                rationale: d.rationale.clone(),
                rubric_score: match (&d.adjusted_score, &d.adjusted_vector) {
                    (Some(score), Some(vector)) => Some(format!("{score:.1} {vector}")),
                    (Some(score), None) => Some(format!("{score:.1}")),
                    (None, Some(vector)) => Some(vector.clone()),
                    (None, None) => None,
                },
                inherited_from: e.inherited_from.map(str::to_owned),
            })
        })
        .collect();
    Ok(PortfolioParts {
        triage: Some(triage),
        history: Some(history),
    })
}

/// The files written, for the closing message.
pub(crate) struct Written {
    out: PathBuf,
    files: Vec<String>,
    pdf: Option<String>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "report written to {}: {}",
            self.out.display(),
            self.files.join(", ")
        )?;
        if let Some(why) = &self.pdf {
            write!(f, "\nreport.pdf not written: {why}")?;
        }
        Ok(())
    }
}

pub fn run(args: Args) -> miette::Result<u8> {
    let variant: Variant = match args.variant.parse() {
        Ok(v) => v,
        Err(e) => return Ok(super::refuse("medsec::report::variant", e.to_string())),
    };
    let details = AssessmentDetails {
        assessor: non_empty(&args.assessor),
        laboratory: non_empty(&args.laboratory),
        accreditation: non_empty(&args.accreditation),
        scope: non_empty(&args.scope),
        verdict: non_empty(&args.verdict),
    };
    let given_details = details != AssessmentDetails::default();
    if variant != Variant::Assessment && given_details {
        return Ok(super::refuse(
            "medsec::report::assessment",
            format!(
                "--assessor, --laboratory, --accreditation, --scope and --verdict belong to the assessment report; use --variant assessment (the variant is {variant})"
            ),
        ));
    }
    if variant == Variant::Assessment && details.assessor.is_none() {
        return Ok(super::refuse(
            "medsec::report::assessment",
            "the assessment report needs --assessor (who assessed the device); --laboratory, --accreditation, --scope and --verdict are shown as not given when left out".into(),
        ));
    }
    let generated_at = match &args.generated_at {
        None => jiff::Timestamp::now(),
        Some(text) => match text.parse::<jiff::Timestamp>() {
            Ok(t) => t,
            Err(e) => {
                return Ok(super::refuse(
                    "medsec::report::time",
                    format!(
                        "--generated-at {text:?} is not an RFC 3339 time with an offset (2025-01-15T09:30:00Z): {e}"
                    ),
                ));
            }
        },
    };
    if let Err(code) = check_out(&args.out, args.force) {
        return Ok(code);
    }
    // Read the key before the work, so that a wrong key file fails fast.
    let sign_key = match &args.sign_key {
        None => None,
        Some(path) => match medsec_report::sign::read_private_key(path) {
            Ok(key) => Some(key),
            Err(e) => return Ok(super::refuse("medsec::sign", e.to_string())),
        },
    };
    let loaded = match super::load_device(&args.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let rules = Catalogue::builtin()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in threat rules: {e}"))?;
    let risk_policy = Policy::default_policy()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in risk policy: {e}"))?;
    let (catalog, test_policy) =
        match super::catalog::load_catalog(&args.catalog, args.test_policy.as_ref())? {
            Ok(x) => x,
            Err(code) => return Ok(code),
        };
    if let Err(code) = super::catalog::check_implements(&loaded, &catalog) {
        return Ok(code);
    }
    let mut portfolio = PortfolioParts::default();
    let (vulnerabilities, results) = if args.no_vulnerabilities {
        (
            VulnerabilityStage {
                not_run: Some("left out (--no-vulnerabilities)".into()),
                store: None,
                elements: Vec::new(),
            },
            Results::NotRead {
                reason: "not read (--no-vulnerabilities: no store opened)".into(),
            },
        )
    } else {
        let stage = match super::assess::vulnerability_stage(&loaded, &args.store, &args.advisories)
        {
            Ok(stage) => stage,
            Err(code) => return Ok(code),
        };
        let results = super::catalog::read_results(&args.store, &loaded.device)?;
        portfolio = portfolio_parts(&loaded, &args.store)?;
        (
            stage,
            Results::Read {
                from: "from the store".into(),
                results,
            },
        )
    };
    let recorded: &[medsec_catalog::results::TestResult] = match &results {
        Results::Read { results, .. } => results,
        Results::NotRead { .. } => &[],
    };
    let model = medsec_threat::analyse(&loaded, &rules);
    let mut register = medsec_threat::register(&model, &risk_policy);
    let plan = medsec_catalog::plan::plan(
        &catalog,
        &test_policy,
        &loaded.device,
        &model,
        &register,
        recorded,
    );
    let reopened = medsec_catalog::results::reopen_failed(&mut register, &plan);
    let coverage =
        medsec_catalog::coverage::coverage(&catalog, &test_policy, &loaded.device, &plan, recorded);
    let parts = Parts {
        loaded: &loaded,
        model: &model,
        register: &register,
        reopened,
        catalog: &catalog,
        test_policy: &test_policy,
        plan: &plan,
        coverage: &coverage,
        results,
        vulnerabilities: &vulnerabilities,
        risk_policy: &risk_policy,
        portfolio,
    };
    let written = write(parts, variant, details, generated_at, &args.out)?;
    println!("{written}");
    if let Some(key) = &sign_key {
        // A signature left from an earlier report in this folder no longer holds.
        let _ = std::fs::remove_file(args.out.join(medsec_report::sign::SIGNATURE_FILE));
        match medsec_report::sign::sign_folder(
            &args.out,
            key,
            args.signer.as_deref(),
            jiff::Timestamp::now(),
        ) {
            Ok(file) => println!(
                "signed {} files with key {} ({})",
                file.manifest.files.len(),
                file.manifest.key_id,
                medsec_report::sign::SIGNATURE_FILE
            ),
            Err(e) => return Ok(super::refuse("medsec::sign", e.to_string())),
        }
    }
    Ok(exit::OK)
}

/// Refuses an output folder that exists and is not empty (unless `force`), or that is a
/// file.
pub(crate) fn check_out(out: &Path, force: bool) -> Result<(), u8> {
    if out.exists() && !out.is_dir() {
        return Err(super::refuse(
            "medsec::report::out",
            format!("{} exists and is not a folder", out.display()),
        ));
    }
    let non_empty = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if non_empty && !force {
        return Err(super::refuse(
            "medsec::report::out",
            format!(
                "{} is not empty; choose an empty or new folder, or add --force to replace the report files in it",
                out.display()
            ),
        ));
    }
    Ok(())
}

/// Builds the report and writes the folder.
pub(crate) fn write(
    parts: Parts<'_>,
    variant: Variant,
    assessment: AssessmentDetails,
    generated_at: jiff::Timestamp,
    out: &Path,
) -> miette::Result<Written> {
    let input = ReportInput {
        loaded: parts.loaded,
        summary: medsec_device::summary::summarise(parts.loaded),
        model: parts.model,
        register: parts.register,
        reopened: parts.reopened,
        catalog: parts.catalog,
        test_policy: parts.test_policy,
        plan: parts.plan,
        coverage: parts.coverage,
        results: parts.results,
        software: medsec_report::build::read_software(parts.loaded),
        vulnerabilities: vulnerabilities_of(parts.vulnerabilities),
        risk_policy: parts.risk_policy,
        triage: parts.portfolio.triage,
        findings_history: parts.portfolio.history,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        generated_at,
        variant,
        assessment,
    };
    let report = medsec_report::build::build(&input);
    let problems = report.document.check();
    if !problems.is_empty() {
        return Err(miette::miette!(
            code = "medsec::internal",
            "the report document is inconsistent: {}",
            problems.join("; ")
        ));
    }
    let io = |path: &Path, e: std::io::Error| {
        miette::miette!(
            code = "medsec::report::write",
            "cannot write {}: {e}",
            path.display()
        )
    };
    let figures_dir = out.join("figures");
    std::fs::create_dir_all(&figures_dir).map_err(|e| io(&figures_dir, e))?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> miette::Result<()> {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        files.push(name.to_owned());
        Ok(())
    };
    put(
        "report.html",
        medsec_report::html::render(&report.document).as_bytes(),
    )?;
    put(
        "report.md",
        medsec_report::markdown::render(&report.document).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&report.data)
        .map_err(|e| miette::miette!(code = "medsec::internal", "report JSON: {e}"))?;
    put("report.json", format!("{json}\n").as_bytes())?;
    for (name, svg) in &report.figures {
        put(name, svg.as_bytes())?;
    }
    // The PDF is typeset from the same tree; a failure leaves the other files in place
    // and is said plainly.
    let pdf = match medsec_report::pdf::render(&report.document) {
        Ok(bytes) => {
            put("report.pdf", &bytes)?;
            None
        }
        Err(e) => Some(format!("the PDF writer failed: {e}")),
    };
    Ok(Written {
        out: out.to_owned(),
        files,
        pdf,
    })
}

/// The scan stage as the report shows it.
fn vulnerabilities_of(stage: &VulnerabilityStage) -> Vulnerabilities {
    if let Some(reason) = &stage.not_run {
        return Vulnerabilities::NotRun {
            reason: reason.clone(),
        };
    }
    let store = stage.store.as_ref().map_or_else(
        || "the vulnerability store".to_owned(),
        |s| {
            format!(
                "{} advisory records in the {} store{}",
                s.records,
                s.backend,
                s.last_import
                    .as_deref()
                    .map(|t| format!(" (last import {t})"))
                    .unwrap_or_default()
            )
        },
    );
    Vulnerabilities::Scanned {
        store,
        elements: stage
            .elements
            .iter()
            .map(|e| ElementFindings {
                element: e.element.clone(),
                source: e.source.clone(),
                components: e.components,
                not_looked_up: e.not_looked_up,
                findings: e
                    .findings
                    .iter()
                    .map(|f| VulnerabilityFinding {
                        vulnerability: f.vulnerability.clone(),
                        aliases: f.aliases.clone(),
                        component: match &f.component.group {
                            Some(g) if !g.is_empty() => format!("{g}/{}", f.component.name),
                            _ => f.component.name.clone(),
                        },
                        version: f.component.version.clone(),
                        purl: f.component.purl.clone(),
                        status: f.status.to_string(),
                        affected: f.is_affected(),
                        confidence: format!("{:?}", f.confidence).to_lowercase(),
                        severity: f.severity.to_string(),
                        cvss_vector: f.score.as_ref().and_then(|s| s.vector.clone()),
                        cvss_score: f.score.as_ref().and_then(|s| s.score),
                        known_exploited: f.known_exploited,
                        epss: f.epss.as_ref().map(|e| e.probability),
                        fixed_in: f.fixed_in.clone(),
                        title: f.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
