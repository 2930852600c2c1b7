//! `medsec portfolio`, `medsec monitor`, `medsec triage` and `medsec vex export`: the
//! post-market view of every shipped version (issue 8).

use std::path::PathBuf;

use clap::Subcommand;
use medsec_postmarket::triage::{
    Decision, Effective, FindingDecision, TriageState, device_statements, effective,
    parse_justification,
};
use medsec_store::{Store, VersionFacts, VersionInfo, VersionRef};
use serde::Serialize;

use super::store::{StoreArgs, runtime, store_error};
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

use super::refuse as bad;

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Which product version.
#[derive(Debug, Clone, clap::Args)]
pub struct VersionArgs {
    /// The organisation (the legal manufacturer).
    #[arg(long = "org")]
    pub organisation: String,
    #[arg(long)]
    pub product: String,
    #[arg(long = "version")]
    pub version: String,
}

impl VersionArgs {
    fn name(&self) -> VersionRef {
        VersionRef {
            organisation: self.organisation.trim().to_owned(),
            product: self.product.trim().to_owned(),
            version: self.version.trim().to_owned(),
        }
    }
}

fn find_version(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    name: &VersionRef,
) -> miette::Result<Result<VersionInfo, u8>> {
    match rt
        .block_on(store.portfolio_version(name))
        .map_err(store_error)?
    {
        Some(v) => Ok(Ok(v)),
        None => Ok(Err(bad(
            "medsec::portfolio::unknown-version",
            format!(
                "no product version `{}` / `{}` / `{}` in the portfolio; `medsec portfolio list` shows them",
                name.organisation, name.product, name.version
            ),
        ))),
    }
}

// ---------------------------------------------------------------------------------
// medsec portfolio

#[derive(Debug, clap::Args)]
pub struct PortfolioArgs {
    #[command(subcommand)]
    pub command: PortfolioCommand,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum PortfolioCommand {
    /// Add a product version (or update its facts) with its SBOMs and device model.
    Add(Box<AddArgs>),
    /// List the product versions with their open findings.
    List(ListArgs),
    /// One version: its facts, documents and findings with their triage state.
    Show(ShowArgs),
    /// Each component's level of support and end of support (SBOM properties or a
    /// curated file), with alerts before the end of support.
    Support(SupportArgs),
    /// The FDA's post-market metrics for a product: share of vulnerabilities patched,
    /// time from identification to patch, time from patch to deployment.
    Metrics(MetricsArgs),
    /// Record how many devices of a version are in the field on a day (installed-base
    /// snapshots, from which the time to deployment is measured).
    Deploy(DeployArgs),
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// The day of the count (YYYY-MM-DD).
    #[arg(long)]
    pub on: String,
    /// Devices of this version in the field on that day.
    #[arg(long)]
    pub installed: i64,
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    #[arg(long = "org")]
    pub organisation: String,
    #[arg(long)]
    pub product: String,
    /// A patch counts as deployed once this share of the vulnerable version's devices
    /// has moved on (medsec's definition; the guidance gives none).
    #[arg(long, default_value_t = 0.9)]
    pub deployed_share: f64,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct SupportArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// A curated support file (see examples/support/component-support.yaml).
    #[arg(long, value_name = "FILE")]
    pub curated: Option<PathBuf>,
    /// Alert this many days before a component's end of support.
    #[arg(long, default_value_t = 180)]
    pub lead_days: u32,
    /// Judge as of this day (YYYY-MM-DD; default today, UTC).
    #[arg(long)]
    pub today: Option<String>,
    /// List every component, not only those with an alert, a conflict or a problem.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A device folder (or device.yaml): takes organisation, product and version from
    /// its identity and keeps the device model and every element's SBOM.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["organisation", "product", "version"])]
    pub device: Option<PathBuf>,
    #[arg(long = "org", required_unless_present = "device")]
    pub organisation: Option<String>,
    #[arg(long, required_unless_present = "device")]
    pub product: Option<String>,
    #[arg(long = "version", required_unless_present = "device")]
    pub version: Option<String>,
    /// Release date (YYYY-MM-DD).
    #[arg(long)]
    pub release_date: Option<String>,
    /// End of support (YYYY-MM-DD).
    #[arg(long)]
    pub end_of_support: Option<String>,
    /// Devices of this version in the field.
    #[arg(long)]
    pub installed_base: Option<i64>,
    /// An SBOM of the version (repeatable); kept as a new revision when its bytes change.
    #[arg(long, value_name = "FILE")]
    pub sbom: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// Also list resolved findings.
    #[arg(long)]
    pub all: bool,
    /// Trace every finding through the version's stored device model: elements, threats,
    /// FMEA rows and the worst patient harm.
    #[arg(long)]
    pub trace: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run_portfolio(args: PortfolioArgs) -> miette::Result<u8> {
    match args.command {
        PortfolioCommand::Add(a) => run_add(*a, &args.store),
        PortfolioCommand::List(l) => run_list(l, &args.store),
        PortfolioCommand::Show(s) => run_show(s, &args.store),
        PortfolioCommand::Support(s) => run_support(s, &args.store),
        PortfolioCommand::Metrics(m) => run_metrics(m, &args.store),
        PortfolioCommand::Deploy(d) => run_deploy(d, &args.store),
    }
}

fn check_date(flag: &str, text: &str) -> Result<String, String> {
    text.parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|e| format!("{flag} `{text}` is not a date (YYYY-MM-DD): {e}"))
}

#[derive(Serialize)]
struct AddOutput {
    version: VersionInfo,
    created: bool,
    documents: Vec<DocumentAdded>,
}

#[derive(Serialize)]
struct DocumentAdded {
    kind: String,
    name: String,
    revision: i64,
    sha256: String,
    /// False when the bytes equal the current revision (nothing was added).
    added: bool,
}

fn run_add(args: AddArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let mut documents: Vec<(String, String, String, Vec<u8>)> = Vec::new(); // kind, name, format, bytes
    let name = match &args.device {
        Some(path) => {
            let loaded = match super::load_device(path)? {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let identity = &loaded.device.device;
            let bytes = std::fs::read(&loaded.path)
                .map_err(|e| miette::miette!("cannot read {}: {e}", loaded.path.display()))?;
            documents.push((
                "device-model".into(),
                "device.yaml".into(),
                "medsec device 1".into(),
                bytes,
            ));
            let base = loaded.path.parent().map(PathBuf::from).unwrap_or_default();
            for element in &loaded.device.elements {
                if let Some(rel) = element.software.as_ref().and_then(|s| s.sbom.as_ref()) {
                    let path = base.join(rel);
                    match read_sbom_document(&path) {
                        Ok((format, bytes)) => {
                            documents.push(("sbom".into(), rel.clone(), format, bytes))
                        }
                        Err(e) => return Ok(bad("medsec::portfolio::sbom", e)),
                    }
                }
            }
            VersionRef {
                organisation: identity.manufacturer.clone(),
                product: identity.name.clone(),
                version: identity.version.clone(),
            }
        }
        None => VersionRef {
            organisation: args
                .organisation
                .clone()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            product: args.product.clone().unwrap_or_default().trim().to_owned(),
            version: args.version.clone().unwrap_or_default().trim().to_owned(),
        },
    };
    for (flag, value) in [
        ("--org", &name.organisation),
        ("--product", &name.product),
        ("--version", &name.version),
    ] {
        if value.is_empty() {
            return Ok(bad("medsec::portfolio::empty", format!("{flag} is empty")));
        }
    }
    for path in &args.sbom {
        match read_sbom_document(path) {
            Ok((format, bytes)) => {
                let file = super::evidence::evidence_name(path)
                    .unwrap_or_else(|| path.display().to_string());
                documents.push(("sbom".into(), file, format, bytes));
            }
            Err(e) => return Ok(bad("medsec::portfolio::sbom", e)),
        }
    }
    let mut facts = VersionFacts {
        installed_base: args.installed_base,
        ..VersionFacts::default()
    };
    if let Some(n) = args.installed_base
        && n < 0
    {
        return Ok(bad(
            "medsec::portfolio::installed-base",
            format!("--installed-base {n} is negative"),
        ));
    }
    for (flag, value, slot) in [
        (
            "--release-date",
            &args.release_date,
            &mut facts.release_date,
        ),
        (
            "--end-of-support",
            &args.end_of_support,
            &mut facts.end_of_support,
        ),
    ] {
        if let Some(text) = value {
            match check_date(flag, text) {
                Ok(d) => *slot = Some(d),
                Err(e) => return Ok(bad("medsec::portfolio::date", e)),
            }
        }
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let at = now();
    let (version, created) = rt
        .block_on(store.portfolio_add(&name, &facts, &at))
        .map_err(store_error)?;
    let mut added = Vec::new();
    for (kind, doc_name, format, bytes) in &documents {
        let (doc, was_added) = rt
            .block_on(store.add_document(version.id, kind, doc_name, format, bytes, &at))
            .map_err(store_error)?;
        added.push(DocumentAdded {
            kind: doc.kind,
            name: doc.name,
            revision: doc.revision,
            sha256: doc.sha256,
            added: was_added,
        });
    }
    rt.block_on(store.close());
    let output = AddOutput {
        version,
        created,
        documents: added,
    };
    match args.format {
        Format::Json => print_json(&output)?,
        _ => {
            let mut out = format!(
                "{} {} / {} / {}\n",
                if output.created { "Added" } else { "Updated" },
                output.version.name.organisation,
                output.version.name.product,
                output.version.name.version
            );
            for d in &output.documents {
                out.push_str(&format!(
                    "  {} {} revision {}{} sha256 {}\n",
                    d.kind,
                    d.name,
                    d.revision,
                    if d.added { "" } else { " (unchanged)" },
                    d.sha256
                ));
            }
            out.push_str("`medsec monitor` matches the new documents against the store.\n");
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

/// Reads an SBOM file for keeping: it must parse (a document that cannot be read
/// cannot be monitored); returns its format and bytes.
fn read_sbom_document(path: &std::path::Path) -> Result<(String, Vec<u8>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match medsec_formats::sbom::read(&bytes) {
        Ok(reading) => Ok((
            format!("{} {}", reading.sbom.format, reading.sbom.spec_version),
            bytes,
        )),
        Err(e) => Err(format!("{}: not a readable SBOM: {e}", path.display())),
    }
}

#[derive(Serialize)]
struct ListRow {
    #[serde(flatten)]
    version: VersionInfo,
    open_findings: std::collections::BTreeMap<String, usize>,
    documents: usize,
}

fn run_list(args: ListArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let versions = rt
        .block_on(store.portfolio_versions())
        .map_err(store_error)?;
    let mut rows_out = Vec::new();
    for v in versions {
        let findings = rt
            .block_on(store.findings(v.id, true))
            .map_err(store_error)?;
        let docs = rt
            .block_on(store.documents(v.id, false))
            .map_err(store_error)?;
        let mut by_severity = std::collections::BTreeMap::new();
        for f in findings.iter().filter(|f| f.status == "affected") {
            *by_severity.entry(f.severity.clone()).or_insert(0) += 1;
        }
        rows_out.push(ListRow {
            version: v,
            open_findings: by_severity,
            documents: docs.len(),
        });
    }
    rt.block_on(store.close());
    match args.format {
        Format::Json => print_json(&rows_out)?,
        format => {
            let mut rows = Rows::new([
                "organisation",
                "product",
                "version",
                "released",
                "end of support",
                "installed",
                "documents",
                "open affected (by severity)",
            ]);
            for r in &rows_out {
                rows.push([
                    r.version.name.organisation.clone(),
                    r.version.name.product.clone(),
                    r.version.name.version.clone(),
                    r.version.release_date.clone().unwrap_or_default(),
                    r.version.end_of_support.clone().unwrap_or_default(),
                    r.version
                        .installed_base
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                    r.documents.to_string(),
                    r.open_findings
                        .iter()
                        .map(|(s, n)| format!("{n} {s}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            let text = if format == Format::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            };
            print(&format!("{text}\n{} version(s)\n", rows_out.len()))
                .map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

#[derive(Serialize)]
struct ShownFinding<'a> {
    component: &'a str,
    vulnerability: &'a str,
    open: bool,
    status: &'a str,
    severity: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    kev: bool,
    first_seen: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    triage: Option<Effective<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<medsec_postmarket::trace::Trace>,
}

#[derive(Serialize)]
struct ShowOutput<'a> {
    version: &'a VersionInfo,
    documents: &'a [medsec_store::DocumentInfo],
    findings: Vec<ShownFinding<'a>>,
    /// Why findings could not be traced, when `--trace` was asked and they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_not_possible: Option<String>,
}

/// The version's device model and SBOMs as stored, written to a scratch folder in the
/// layout the device file names them by, and loaded. `Err` says why it cannot be done.
fn stored_device(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    documents: &[medsec_store::DocumentInfo],
) -> miette::Result<Result<(tempfile::TempDir, medsec_device::LoadedDevice), String>> {
    let current: Vec<&medsec_store::DocumentInfo> = {
        let mut latest: std::collections::BTreeMap<(&str, &str), &medsec_store::DocumentInfo> =
            std::collections::BTreeMap::new();
        for d in documents {
            latest.insert((d.kind.as_str(), d.name.as_str()), d);
        }
        latest.into_values().collect()
    };
    if !current.iter().any(|d| d.kind == "device-model") {
        return Ok(Err("no device model is kept for this version (add it with `medsec portfolio add --device`)".into()));
    }
    let dir =
        tempfile::tempdir().map_err(|e| miette::miette!("cannot make a scratch folder: {e}"))?;
    for d in &current {
        let relative = if d.kind == "device-model" {
            "device.yaml"
        } else {
            d.name.as_str()
        };
        let path = std::path::Path::new(relative);
        // Names come from device files: only plain relative paths are written.
        if path.is_absolute()
            || path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Ok(Err(format!(
                "document name `{}` is not a plain relative path",
                d.name
            )));
        }
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| miette::miette!("{e}"))?;
        }
        let bytes = rt
            .block_on(store.document_content(d.id))
            .map_err(store_error)?;
        std::fs::write(&target, bytes).map_err(|e| miette::miette!("{e}"))?;
    }
    match medsec_device::load(dir.path()) {
        Ok(loaded) => Ok(Ok((dir, loaded))),
        Err(e) => Ok(Err(format!("the stored device model does not load: {e}"))),
    }
}

fn run_show(args: ShowArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let version = match find_version(&rt, &store, &args.version.name())? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let documents = rt
        .block_on(store.documents(version.id, true))
        .map_err(store_error)?;
    let findings = rt
        .block_on(store.findings(version.id, !args.all))
        .map_err(store_error)?;
    let (order, history) = rt
        .block_on(store.product_decisions(version.id))
        .map_err(store_error)?;
    let device = if args.trace {
        Some(stored_device(&rt, &store, &documents)?)
    } else {
        None
    };
    rt.block_on(store.close());
    let (traces, trace_not_possible) = match &device {
        Some(Ok((_dir, loaded))) => {
            let rules = medsec_threat::Catalogue::builtin().map_err(|e| {
                miette::miette!(code = "medsec::internal", "built-in threat rules: {e}")
            })?;
            let policy = medsec_threat::Policy::default_policy().map_err(|e| {
                miette::miette!(code = "medsec::internal", "built-in risk policy: {e}")
            })?;
            let model = medsec_threat::analyse(loaded, &rules);
            let register = medsec_threat::register(&model, &policy);
            let software = medsec_postmarket::trace::DeviceSoftware::read(loaded);
            let traces: Vec<Option<medsec_postmarket::trace::Trace>> = findings
                .iter()
                .map(|f| {
                    let d = &f.detail;
                    Some(medsec_postmarket::trace::trace_in(
                        &software,
                        loaded,
                        &model,
                        &register,
                        &medsec_postmarket::trace::TraceInput {
                            name: d["component"]["name"]
                                .as_str()
                                .unwrap_or(&f.component)
                                .to_owned(),
                            version: d["component"]["version"].as_str().map(str::to_owned),
                            purl: d["component"]["purl"].as_str().map(str::to_owned),
                            cpe: None,
                            vulnerability: f.vulnerability.clone(),
                            cvss_vector: d["score"]["vector"].as_str().map(str::to_owned),
                            base_score: f.score,
                        },
                    ))
                })
                .collect();
            (traces, None)
        }
        Some(Err(why)) => (vec![None; findings.len()], Some(why.clone())),
        None => (vec![None; findings.len()], None),
    };
    let mut traces = traces.into_iter();
    let shown: Vec<ShownFinding<'_>> = findings
        .iter()
        .map(|f| ShownFinding {
            trace: traces.next().flatten(),
            component: &f.component,
            vulnerability: &f.vulnerability,
            open: f.open,
            status: &f.status,
            severity: &f.severity,
            score: f.score,
            kev: f.kev,
            first_seen: &f.first_seen,
            resolved_at: f.resolved_at.as_deref(),
            triage: effective(
                &history,
                &order,
                &version.name.version,
                &f.component,
                &f.vulnerability,
            ),
        })
        .collect();
    let output = ShowOutput {
        version: &version,
        documents: &documents,
        findings: shown,
        trace_not_possible,
    };
    match args.format {
        Format::Json => print_json(&output)?,
        format => {
            let markdown = format == Format::Markdown;
            let v = &version;
            let mut out = format!(
                "{} / {} / {}\nreleased {}; end of support {}; installed base {}\n\n",
                v.name.organisation,
                v.name.product,
                v.name.version,
                v.release_date.as_deref().unwrap_or("-"),
                v.end_of_support.as_deref().unwrap_or("-"),
                v.installed_base.map_or("-".to_owned(), |n| n.to_string())
            );
            let mut rows = Rows::new(["document", "kind", "revision", "format", "sha256", "added"]);
            for d in &documents {
                rows.push([
                    d.name.clone(),
                    d.kind.clone(),
                    d.revision.to_string(),
                    d.format.clone(),
                    d.sha256.clone(),
                    d.added_at.clone(),
                ]);
            }
            out.push_str(&if markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            });
            out.push('\n');
            let mut rows = Rows::new([
                "component",
                "vulnerability",
                "status",
                "severity",
                "KEV",
                "first seen",
                "triage",
                "trace",
            ]);
            for f in &output.findings {
                rows.push([
                    f.component.to_owned(),
                    f.vulnerability.to_owned(),
                    if f.open {
                        f.status.to_owned()
                    } else {
                        format!("resolved {}", f.resolved_at.unwrap_or(""))
                    },
                    f.severity.to_owned(),
                    if f.kev { "KEV" } else { "" }.to_owned(),
                    f.first_seen.to_owned(),
                    match &f.triage {
                        Some(t) => format!(
                            "{}{}{}",
                            t.decision.state.as_str(),
                            t.decision
                                .adjusted_score
                                .map(|v| format!(", device score {v:.1}"))
                                .unwrap_or_default(),
                            t.inherited_from
                                .map(|v| format!(" (inherited from {v})"))
                                .unwrap_or_default()
                        ),
                        None => "not triaged".to_owned(),
                    },
                    match &f.trace {
                        Some(t) => {
                            let v = serde_json::to_value(&t.summary).unwrap_or_default();
                            format!(
                                "{} element(s), worst harm {}, {} safety row(s)",
                                v["elements"],
                                v["worst_severity"].as_str().unwrap_or("-"),
                                v["safety_rows"].as_array().map_or(0, Vec::len)
                            )
                        }
                        None => String::new(),
                    },
                ]);
            }
            if let Some(why) = &output.trace_not_possible {
                out.push_str(&format!("\nNo trace: {why}\n"));
            }
            out.push_str(&if markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            });
            out.push_str(&format!("\n{} finding(s)\n", output.findings.len()));
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------
// medsec monitor

/// Match the portfolio's versions against the store and record what changed: only the
/// versions whose SBOMs or matching records changed since the last run are re-matched.
#[derive(Debug, clap::Args)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Re-match every version, whatever changed.
    #[arg(long)]
    pub full: bool,
    /// Keep running: a pass every this many seconds (for a service; cron can run it once).
    #[arg(long, value_name = "SECONDS")]
    pub every: Option<u64>,
    /// Exit 1 when a run records a new or changed affected finding at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Send new affected findings at or above `--notify-min-severity` (and every KEV-listed
    /// one) to this webhook as HMAC-SHA256-signed JSON (https, or http on loopback).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// The environment variable holding the webhook's shared secret (never on the command
    /// line, where other users of the machine could read it).
    #[arg(long, value_name = "NAME", default_value = "MEDSEC_WEBHOOK_SECRET")]
    pub webhook_secret_env: String,
    /// E-mail the same notices through this SMTP server (credentials, if needed, from
    /// MEDSEC_SMTP_USERNAME and MEDSEC_SMTP_PASSWORD).
    #[arg(long, value_name = "HOST", requires_all = ["smtp_from", "smtp_to"])]
    pub smtp_host: Option<String>,
    #[arg(long, default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(long, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// A recipient (repeatable).
    #[arg(long, value_name = "ADDRESS")]
    pub smtp_to: Vec<String>,
    /// required (STARTTLS), implicit (SMTPS) or none-loopback-only.
    #[arg(long, default_value = "required")]
    pub smtp_tls: String,
    /// The lowest severity that notifies (critical, high, medium, low, none); unscored
    /// findings notify too.
    #[arg(long, default_value = "high")]
    pub notify_min_severity: String,
}

/// Where notices go.
struct Notifier {
    webhook: Option<medsec_postmarket::notify::WebhookConfig>,
    smtp: Option<medsec_postmarket::notify::SmtpConfig>,
    threshold: medsec_postmarket::notify::Threshold,
}

fn notifier(args: &MonitorArgs) -> Result<Option<Notifier>, u8> {
    use medsec_postmarket::notify::{Severity, SmtpConfig, SmtpTls, Threshold, WebhookConfig};
    if args.webhook.is_none() && args.smtp_host.is_none() {
        return Ok(None);
    }
    let min: Severity = match args.notify_min_severity.parse() {
        Ok(s) => s,
        Err(e) => {
            return Err(bad(
                "medsec::monitor::severity",
                format!("--notify-min-severity: {e}"),
            ));
        }
    };
    let webhook = match &args.webhook {
        Some(url) => match std::env::var(&args.webhook_secret_env) {
            Ok(secret) if !secret.is_empty() => {
                Some(WebhookConfig::new(url.clone(), secret.into_bytes()))
            }
            _ => {
                return Err(bad(
                    "medsec::monitor::notify",
                    format!(
                        "--webhook needs its secret in the environment variable {}",
                        args.webhook_secret_env
                    ),
                ));
            }
        },
        None => None,
    };
    let smtp = match &args.smtp_host {
        Some(host) => {
            let tls = match args.smtp_tls.as_str() {
                "required" => SmtpTls::Required,
                "implicit" => SmtpTls::Implicit,
                "none-loopback-only" => SmtpTls::NoneLoopbackOnly,
                other => {
                    return Err(bad(
                        "medsec::monitor::notify",
                        format!(
                            "--smtp-tls `{other}`: use required, implicit or none-loopback-only"
                        ),
                    ));
                }
            };
            let mut c = SmtpConfig::new(
                host.clone(),
                args.smtp_from.clone().unwrap_or_default(),
                args.smtp_to.clone(),
            );
            c.port = args.smtp_port;
            c.tls = tls;
            c.username = std::env::var("MEDSEC_SMTP_USERNAME")
                .ok()
                .filter(|v| !v.is_empty());
            c.password = std::env::var("MEDSEC_SMTP_PASSWORD")
                .ok()
                .filter(|v| !v.is_empty());
            Some(c)
        }
        None => None,
    };
    Ok(Some(Notifier {
        webhook,
        smtp,
        threshold: Threshold::new(min),
    }))
}

/// Sends one notice per version with new, reopened or newly affected findings that pass
/// the threshold. Returns what was sent, and the errors (the run itself is recorded
/// whatever happens here).
fn notify(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    n: &Notifier,
    report: &medsec_scan::monitor::MonitorReport,
) -> miette::Result<(Vec<String>, Vec<String>)> {
    use medsec_postmarket::notify::{Notice, NoticeComponent, NoticeFinding, NoticeProduct};
    let mut sent = Vec::new();
    let mut errors = Vec::new();
    let versions = rt
        .block_on(store.portfolio_versions())
        .map_err(store_error)?;
    for v in &versions {
        let changed: Vec<&medsec_store::FindingChange> = report
            .changes
            .iter()
            .filter(|c| c.version_id == v.id && c.kind != "resolved")
            .collect();
        if changed.is_empty() {
            continue;
        }
        let stored = rt
            .block_on(store.findings(v.id, true))
            .map_err(store_error)?;
        let candidates: Vec<NoticeFinding> = changed
            .iter()
            .filter_map(|c| {
                stored
                    .iter()
                    .find(|f| f.component == c.component && f.vulnerability == c.vulnerability)
            })
            .map(|f| {
                let d = &f.detail;
                let component = NoticeComponent::new(
                    d["component"]["name"]
                        .as_str()
                        .unwrap_or(&f.component)
                        .to_owned(),
                    d["component"]["version"].as_str().map(str::to_owned),
                    d["component"]["purl"].as_str().map(str::to_owned),
                );
                let first_seen = f
                    .first_seen
                    .parse()
                    .unwrap_or_else(|_| jiff::Timestamp::now());
                let mut nf = NoticeFinding::new(f.vulnerability.clone(), component, first_seen);
                nf.severity = f.severity.parse().ok();
                nf.cvss_score = f.score;
                nf.cvss_vector = d["score"]["vector"].as_str().map(str::to_owned);
                nf.kev = f.kev;
                nf.epss = d["epss"]["probability"].as_f64();
                nf.aliases = d["aliases"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                nf.status = if f.status == "affected" {
                    medsec_core::vex::VexStatus::Affected
                } else {
                    medsec_core::vex::VexStatus::UnderInvestigation
                };
                nf
            })
            .collect();
        let product = NoticeProduct::new(&v.name.organisation, &v.name.product, &v.name.version);
        let Some(notice) =
            Notice::from_candidates(product, candidates, n.threshold, jiff::Timestamp::now())
        else {
            continue;
        };
        if let Some(w) = &n.webhook {
            match medsec_postmarket::notify::send_webhook(w, &notice) {
                Ok(d) => sent.push(format!(
                    "webhook {} for {} {} (delivery {}, {} attempt(s))",
                    d.status, v.name.product, v.name.version, d.id, d.attempts
                )),
                Err(e) => errors.push(format!(
                    "webhook for {} {}: {e}",
                    v.name.product, v.name.version
                )),
            }
        }
        if let Some(m) = &n.smtp {
            match medsec_postmarket::notify::send_email(m, &notice) {
                Ok(()) => sent.push(format!(
                    "e-mail for {} {} to {}",
                    v.name.product,
                    v.name.version,
                    m.to.join(", ")
                )),
                Err(e) => errors.push(format!(
                    "e-mail for {} {}: {e}",
                    v.name.product, v.name.version
                )),
            }
        }
    }
    Ok((sent, errors))
}

const SEVERITIES: [&str; 6] = ["unknown", "none", "low", "medium", "high", "critical"];

pub fn run_monitor(args: MonitorArgs) -> miette::Result<u8> {
    let threshold = match &args.fail_on {
        Some(s) => match SEVERITIES.iter().position(|x| x.eq_ignore_ascii_case(s)) {
            Some(i) => Some(i),
            None => {
                return Ok(bad(
                    "medsec::monitor::severity",
                    format!("--fail-on `{s}`: use one of {}", SEVERITIES.join(", ")),
                ));
            }
        },
        None => None,
    };
    if args.every == Some(0) {
        return Ok(bad(
            "medsec::monitor::every",
            "--every 0: give at least one second".into(),
        ));
    }
    let notifier = match notifier(&args) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let rt = runtime()?;
    let store = args.store.open(&rt)?;
    let options = medsec_scan::monitor::MonitorOptions {
        full: args.full,
        ..Default::default()
    };
    let mut code = exit::OK;
    loop {
        let report = rt
            .block_on(medsec_scan::monitor::monitor(&store, &options, &now))
            .map_err(store_error)?;
        if let Some(t) = threshold
            && report.changes.iter().any(|c| {
                matches!(c.kind.as_str(), "new" | "changed" | "reopened")
                    && c.status == "affected"
                    && SEVERITIES
                        .iter()
                        .position(|s| *s == c.severity)
                        .is_some_and(|i| i >= t && i >= 2)
            })
        {
            code = exit::FINDINGS;
        }
        match args.format {
            Format::Json => print_json(&report)?,
            format => {
                let r = &report.run;
                let mut out = format!(
                    "Monitoring run #{} at {}: {} version(s) re-matched of {}; {} new, {} changed, {} resolved.\n",
                    r.id,
                    r.finished_at,
                    r.versions,
                    report.versions.len(),
                    r.new,
                    r.changed,
                    r.resolved
                );
                let mut rows = Rows::new(["product", "version", "re-matched", "why"]);
                for v in &report.versions {
                    rows.push([
                        format!("{} / {}", v.version.organisation, v.version.product),
                        v.version.version.clone(),
                        if v.rematched { "yes" } else { "no" }.to_owned(),
                        v.reason.clone(),
                    ]);
                }
                out.push_str(&if format == Format::Markdown {
                    rows.to_markdown()
                } else {
                    rows.to_table()
                });
                out.push('\n');
                if !report.changes.is_empty() {
                    let mut rows = Rows::new([
                        "change",
                        "component",
                        "vulnerability",
                        "status",
                        "severity",
                        "what",
                    ]);
                    for c in &report.changes {
                        rows.push([
                            c.kind.clone(),
                            c.component.clone(),
                            c.vulnerability.clone(),
                            c.status.clone(),
                            c.severity.clone(),
                            c.summary.clone(),
                        ]);
                    }
                    out.push_str(&if format == Format::Markdown {
                        rows.to_markdown()
                    } else {
                        rows.to_table()
                    });
                    out.push('\n');
                }
                for v in report.versions.iter().filter(|v| !v.unreadable.is_empty()) {
                    out.push_str(&format!(
                        "warning: {} {}: unreadable SBOM(s): {}\n",
                        v.version.product,
                        v.version.version,
                        v.unreadable.join("; ")
                    ));
                }
                print(&out).map_err(crate::output::io_error)?;
            }
        }
        if let Some(n) = &notifier {
            let (sent, errors) = notify(&rt, &store, n, &report)?;
            for s in &sent {
                eprintln!("notified: {s}");
            }
            for e in &errors {
                let diagnostic = miette::MietteDiagnostic::new(format!(
                    "{e} (the monitoring run is recorded; the notice was not delivered)"
                ))
                .with_code("medsec::monitor::notify");
                eprintln!("{:?}", miette::Report::new(diagnostic));
            }
            if !errors.is_empty() && args.every.is_none() {
                code = exit::BAD_INPUT;
            }
        }
        match args.every {
            Some(seconds) => std::thread::sleep(std::time::Duration::from_secs(seconds)),
            None => break,
        }
    }
    rt.block_on(store.close());
    Ok(code)
}

// ---------------------------------------------------------------------------------
// medsec triage

/// Record a triage decision (VEX state) for one finding of a product version.
#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// The finding's component, as `medsec portfolio show` lists it.
    #[arg(long)]
    pub component: String,
    /// The finding's vulnerability id.
    #[arg(long)]
    pub vulnerability: String,
    /// in_triage, affected, not_affected, fixed or false_positive.
    #[arg(long)]
    pub state: String,
    /// For not_affected: a CISA label or a CycloneDX justification code.
    #[arg(long)]
    pub justification: Option<String>,
    /// How the vulnerability does or does not affect the device.
    #[arg(long)]
    pub impact: Option<String>,
    /// For affected: what users should do.
    #[arg(long)]
    pub action: Option<String>,
    /// The score confirmed for this device: the rubric-adjusted CVSS vector (answers
    /// proposed by `medsec trace`, turned into a vector by `medsec rubric`), or the
    /// original one when the rubric changes nothing. Scored and kept with the decision.
    #[arg(long, value_name = "CVSS")]
    pub adjusted_vector: Option<String>,
    /// Who decides.
    #[arg(long)]
    pub author: String,
    /// Why.
    #[arg(long)]
    pub rationale: String,
    /// The decision this one replaces, as you last saw it (`#ID` from `medsec triage` or
    /// `portfolio show`), or `none` for the first decision of the finding in this
    /// version. Given, the decision is refused with a conflict when someone else decided
    /// meanwhile (optimistic locking); left out, it is appended unconditionally.
    #[arg(long, value_name = "ID|none")]
    pub supersedes: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run_triage(args: TriageArgs) -> miette::Result<u8> {
    let Some(state) = TriageState::parse(&args.state) else {
        return Ok(bad(
            "medsec::triage::state",
            format!(
                "--state `{}`: use one of {}",
                args.state,
                TriageState::ALL.map(|s| s.as_str()).join(", ")
            ),
        ));
    };
    let justification = match &args.justification {
        Some(j) => match parse_justification(j) {
            Ok(j) => Some(j),
            Err(e) => return Ok(bad("medsec::triage::invalid", e.to_string())),
        },
        None => None,
    };
    let adjusted = match &args.adjusted_vector {
        Some(text) => match medsec_score::parse(text.trim()) {
            Ok(v) => Some((v.to_string(), v.score().overall.score.value())),
            Err(e) => {
                return Ok(bad(
                    "medsec::triage::invalid",
                    format!("--adjusted-vector `{text}`: {e}"),
                ));
            }
        },
        None => None,
    };
    let expect = match args.supersedes.as_deref().map(str::trim) {
        None => medsec_store::Expect::Any,
        Some("none") => medsec_store::Expect::NoDecision,
        Some(text) => match text.trim_start_matches('#').parse::<i64>() {
            Ok(id) if id > 0 => medsec_store::Expect::Latest(id),
            _ => {
                return Ok(bad(
                    "medsec::triage::invalid",
                    format!("--supersedes `{text}`: give a decision number (#12 or 12) or `none`"),
                ));
            }
        },
    };
    let rt = runtime()?;
    let store = args.store.open(&rt)?;
    let version = match find_version(&rt, &store, &args.version.name())? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let findings = rt
        .block_on(store.findings(version.id, false))
        .map_err(store_error)?;
    if !findings
        .iter()
        .any(|f| f.component == args.component && f.vulnerability == args.vulnerability)
    {
        return Ok(bad(
            "medsec::triage::unknown-finding",
            format!(
                "{} has no finding of {} in {}; `medsec portfolio show` lists the findings (run `medsec monitor` first)",
                version.name.version, args.vulnerability, args.component
            ),
        ));
    }
    let decision = Decision {
        id: 0,
        version: version.name.version.clone(),
        component: args.component.clone(),
        vulnerability: args.vulnerability.clone(),
        state,
        justification,
        impact: args.impact.clone().filter(|s| !s.trim().is_empty()),
        action: args.action.clone().filter(|s| !s.trim().is_empty()),
        author: args.author.trim().to_owned(),
        rationale: args.rationale.trim().to_owned(),
        at: jiff::Timestamp::now(),
        adjusted_score: adjusted.as_ref().map(|(_, s)| *s),
        adjusted_vector: adjusted.map(|(v, _)| v),
    };
    if let Err(e) = decision.validate() {
        return Ok(bad("medsec::triage::invalid", e.to_string()));
    }
    let recorded_id = rt.block_on(store.record_decision_expecting(version.id, &decision, expect));
    rt.block_on(store.close());
    let id = match recorded_id {
        Ok(id) => id,
        Err(e @ medsec_store::StoreError::Conflict { .. }) => {
            return Ok(bad("medsec::triage::conflict", e.to_string()));
        }
        Err(e) => return Err(store_error(e)),
    };
    let recorded = Decision { id, ..decision };
    match args.format {
        Format::Json => print_json(&recorded)?,
        _ => print(&format!(
            "Recorded decision #{id}: {} {} in {} {} is {} ({}).\nLater versions that ship {} inherit it until they decide themselves.\n",
            recorded.vulnerability,
            recorded.component,
            version.name.product,
            version.name.version,
            recorded.state.as_str(),
            recorded.rationale,
            recorded.component
        ))
        .map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------
// medsec vex export

#[derive(Debug, clap::Args)]
pub struct VexArgs {
    #[command(subcommand)]
    pub command: VexCommand,
}

#[derive(Debug, Subcommand)]
pub enum VexCommand {
    /// Export a product version's triage state as CycloneDX VEX, CSAF VEX or OpenVEX.
    Export(Box<VexExportArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VexFormat {
    Cyclonedx,
    Csaf,
    Openvex,
}

#[derive(Debug, clap::Args)]
pub struct VexExportArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    #[arg(long, value_enum)]
    pub format: VexFormat,
    /// The publisher's namespace URL (CSAF `publisher.namespace`), e.g. https://psirt.example.invalid.
    #[arg(long)]
    pub namespace: String,
    /// The publisher's name; default: the organisation.
    #[arg(long)]
    pub author: Option<String>,
    /// The device's package URL, which OpenVEX and CycloneDX identify the product by.
    /// Default: `pkg:generic/ORGANISATION/PRODUCT@VERSION` (lowercase, spaces as dashes).
    #[arg(long, value_name = "PURL")]
    pub product_purl: Option<String>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub fn run_vex(args: VexArgs) -> miette::Result<u8> {
    let VexCommand::Export(args) = args.command;
    let rt = runtime()?;
    let store = args.store.open(&rt)?;
    let version = match find_version(&rt, &store, &args.version.name())? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let findings = rt
        .block_on(store.findings(version.id, true))
        .map_err(store_error)?;
    let (order, history) = rt
        .block_on(store.product_decisions(version.id))
        .map_err(store_error)?;
    rt.block_on(store.close());
    let items: Vec<FindingDecision<'_>> = findings
        .iter()
        .map(|f| FindingDecision {
            component: f.component.clone(),
            vulnerability: f.vulnerability.clone(),
            aliases: f
                .detail
                .get("aliases")
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            effective: effective(
                &history,
                &order,
                &version.name.version,
                &f.component,
                &f.vulnerability,
            ),
        })
        .collect();
    if items.is_empty() {
        return Ok(bad(
            "medsec::vex::empty",
            format!(
                "{} {} has no open findings to state anything about; run `medsec monitor` first",
                version.name.product, version.name.version
            ),
        ));
    }
    let purl_text = match &args.product_purl {
        Some(p) => p.clone(),
        None => {
            let part = |s: &str| {
                s.trim()
                    .to_lowercase()
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '.' || c == '-' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect::<String>()
            };
            format!(
                "pkg:generic/{}/{}@{}",
                part(&version.name.organisation),
                part(&version.name.product),
                part(&version.name.version)
            )
        }
    };
    let product_purl: medsec_core::purl::Purl = match purl_text.parse() {
        Ok(p) => p,
        Err(e) => {
            return Ok(bad(
                "medsec::vex::purl",
                format!("--product-purl `{purl_text}`: {e}"),
            ));
        }
    };
    let mut statements =
        match device_statements(&version.name.product, &version.name.version, &items) {
            Ok(s) => s,
            Err(e) => return Ok(bad("medsec::vex::invalid", e.to_string())),
        };
    for st in &mut statements {
        for p in &mut st.products {
            p.purl = Some(product_purl.clone());
        }
    }
    let author = medsec_core::vex::VexAuthor::new(
        args.author
            .clone()
            .unwrap_or_else(|| version.name.organisation.clone()),
        args.namespace.clone(),
    );
    let timestamp = jiff::Timestamp::now();
    let slug = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
    };
    let id = format!(
        "{}/vex/{}-{}-{}",
        args.namespace.trim_end_matches('/'),
        slug(&version.name.product),
        slug(&version.name.version),
        timestamp.as_second()
    );
    let doc = match medsec_core::vex::VexDocument::new(id, author, timestamp, statements) {
        Ok(d) => d,
        Err(e) => return Ok(bad("medsec::vex::invalid", e.to_string())),
    };
    let written = match args.format {
        VexFormat::Cyclonedx => medsec_formats::write::cyclonedx::write_vex(
            &doc,
            &format!("urn:uuid:{}", uuid_from(&doc.id)),
        ),
        VexFormat::Csaf => medsec_formats::write::csaf::write_vex(&doc),
        VexFormat::Openvex => medsec_formats::write::openvex::write(&doc),
    };
    let written = match written {
        Ok(w) => w,
        Err(e) => return Ok(bad("medsec::vex::invalid", e.to_string())),
    };
    for n in &written.normalisations {
        eprintln!("note: {n:?}");
    }
    match &args.out {
        Some(path) => std::fs::write(path, &written.json)
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => print(&written.json).map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

/// A UUID (version 8, name-based) from the document id, so that the same document id
/// always gets the same serial number.
fn uuid_from(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(id.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[derive(Serialize)]
struct SupportOutput<'a> {
    version: &'a VersionRef,
    today: String,
    lead_days: u32,
    alerts: Vec<medsec_postmarket::support::Alert>,
    components: Vec<&'a medsec_postmarket::support::ComponentSupport>,
}

fn run_support(args: SupportArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    use medsec_postmarket::support::{Curated, alerts, resolve_sbom};
    let curated = match &args.curated {
        Some(path) => match Curated::load(path) {
            Ok(c) => Some(c),
            Err(e) => return Ok(bad("medsec::portfolio::curated", e.to_string())),
        },
        None => None,
    };
    let today = match &args.today {
        Some(t) => match check_date("--today", t) {
            Ok(d) => d
                .parse::<jiff::civil::Date>()
                .map_err(|e| miette::miette!("{e}"))?,
            Err(e) => return Ok(bad("medsec::portfolio::date", e)),
        },
        None => jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let version = match find_version(&rt, &store, &args.version.name())? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let documents = rt
        .block_on(store.documents(version.id, false))
        .map_err(store_error)?;
    let mut resolved = Vec::new();
    let mut unreadable = Vec::new();
    for doc in documents.iter().filter(|d| d.kind == "sbom") {
        let bytes = rt
            .block_on(store.document_content(doc.id))
            .map_err(store_error)?;
        match medsec_formats::sbom::read(&bytes) {
            Ok(reading) => resolved.extend(resolve_sbom(&reading.sbom, curated.as_ref())),
            Err(e) => unreadable.push(format!("{}: {e}", doc.name)),
        }
    }
    rt.block_on(store.close());
    let found = alerts(&resolved, today, args.lead_days);
    let shown: Vec<&medsec_postmarket::support::ComponentSupport> = resolved
        .iter()
        .filter(|c| {
            args.all
                || !c.support.conflicts.is_empty()
                || !c.support.problems.is_empty()
                || found.iter().any(|a| a.component == c.component)
        })
        .collect();
    for u in &unreadable {
        eprintln!("warning: unreadable SBOM {u}");
    }
    let output = SupportOutput {
        version: &version.name,
        today: today.to_string(),
        lead_days: args.lead_days,
        alerts: found,
        components: shown,
    };
    match args.format {
        Format::Json => print_json(&output)?,
        format => {
            let mut out = format!(
                "{} {}: support of {} component(s) as of {} (alerts {} days ahead)\n",
                version.name.product,
                version.name.version,
                resolved.len(),
                output.today,
                args.lead_days
            );
            let mut rows = Rows::new(["alert", "component", "level", "end of support"]);
            for a in &output.alerts {
                rows.push([
                    a.to_string(),
                    format!(
                        "{} {}",
                        a.component.name,
                        a.component.version.as_deref().unwrap_or("")
                    ),
                    a.level.as_str().to_owned(),
                    a.end_of_support.map(|d| d.to_string()).unwrap_or_default(),
                ]);
            }
            out.push_str(&if format == Format::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            });
            out.push('\n');
            for c in &output.components {
                for conflict in &c.support.conflicts {
                    out.push_str(&format!(
                        "conflict: {} {}: {conflict}\n",
                        c.component.name,
                        c.component.version.as_deref().unwrap_or("")
                    ));
                }
                for p in &c.support.problems {
                    out.push_str(&format!(
                        "problem: {} {}: {}\n",
                        c.component.name,
                        c.component.version.as_deref().unwrap_or(""),
                        p.message
                    ));
                }
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

#[derive(Serialize)]
struct MetricsOutput {
    organisation: String,
    product: String,
    versions: Vec<String>,
    #[serde(flatten)]
    metrics: medsec_postmarket::metrics::Metrics,
}

fn run_metrics(args: MetricsArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    use medsec_postmarket::metrics::{FindingTimes, metrics};
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let versions: Vec<VersionInfo> = rt
        .block_on(store.portfolio_versions())
        .map_err(store_error)?
        .into_iter()
        .filter(|v| {
            v.name.organisation == args.organisation.trim() && v.name.product == args.product.trim()
        })
        .collect();
    let Some(first) = versions.first() else {
        return Ok(bad(
            "medsec::portfolio::unknown-version",
            format!(
                "no product `{}` of `{}` in the portfolio; `medsec portfolio list` shows them",
                args.product, args.organisation
            ),
        ));
    };
    let (order, history) = rt
        .block_on(store.product_decisions(first.id))
        .map_err(store_error)?;
    if !(args.deployed_share > 0.0 && args.deployed_share <= 1.0) {
        return Ok(bad(
            "medsec::portfolio::share",
            format!("--deployed-share {} is not in (0, 1]", args.deployed_share),
        ));
    }
    let mut times = Vec::new();
    for v in &versions {
        let deployment: Vec<(jiff::civil::Date, i64)> = rt
            .block_on(store.deployments(v.id))
            .map_err(store_error)?
            .into_iter()
            .filter_map(|(d, n)| d.parse().ok().map(|d| (d, n)))
            .collect();
        for f in rt
            .block_on(store.findings(v.id, false))
            .map_err(store_error)?
        {
            if f.status != "affected" {
                continue;
            }
            let Ok(first_seen) = f.first_seen.parse::<jiff::Timestamp>() else {
                continue;
            };
            let decision = effective(
                &history,
                &order,
                &v.name.version,
                &f.component,
                &f.vulnerability,
            );
            let state = decision.as_ref().map(|e| e.decision.state);
            let fixed_at = decision
                .as_ref()
                .filter(|e| e.decision.state == TriageState::Fixed)
                .map(|e| e.decision.at);
            let resolved_at = f
                .resolved_at
                .as_deref()
                .and_then(|r| r.parse::<jiff::Timestamp>().ok());
            let patched = match (fixed_at, resolved_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            times.push(FindingTimes {
                first_seen,
                patched,
                excluded: matches!(
                    state,
                    Some(TriageState::NotAffected | TriageState::FalsePositive)
                ),
                deployment: deployment.clone(),
            });
        }
    }
    rt.block_on(store.close());
    let output = MetricsOutput {
        organisation: args.organisation.trim().to_owned(),
        product: args.product.trim().to_owned(),
        versions: versions.iter().map(|v| v.name.version.clone()).collect(),
        metrics: metrics(&times, jiff::Timestamp::now(), args.deployed_share),
    };
    match args.format {
        Format::Json => print_json(&output)?,
        _ => {
            let m = &output.metrics;
            let mut out = format!(
                "{} / {} ({} version(s): {})\n",
                output.organisation,
                output.product,
                output.versions.len(),
                output.versions.join(", ")
            );
            out.push_str(&format!(
                "vulnerabilities (affected when found): {}; patched: {}{}; open: {}{}; left out as not affected or false positive: {}\n",
                m.vulnerabilities,
                m.patched,
                m.share_patched.map(|s| format!(" ({:.1} %)", s * 100.0)).unwrap_or_default(),
                m.open,
                m.oldest_open_days.map(|d| format!(", oldest {d} days")).unwrap_or_default(),
                m.excluded
            ));
            match &m.days_to_patch {
                Some(s) => out.push_str(&format!(
                    "days from identification to patch: median {}, 90th percentile {}, max {}\n",
                    s.median, s.p90, s.max
                )),
                None => out.push_str("days from identification to patch: nothing patched yet\n"),
            }
            match &m.days_to_deploy {
                Some(s) => out.push_str(&format!(
                    "days from patch to deployment ({:.0} % of the vulnerable version's devices moved on): median {}, 90th percentile {}, max {}; measured for {}, not measurable for {} (no installed-base snapshots around the patch: `medsec portfolio deploy`)\n",
                    m.deployed_share * 100.0,
                    s.median,
                    s.p90,
                    s.max,
                    m.deployment_measured,
                    m.deployment_not_measured
                )),
                None => out.push_str(&format!(
                    "days from patch to deployment: not measurable for the {} patched finding(s): no installed-base snapshots around the patch (`medsec portfolio deploy`)\n",
                    m.deployment_not_measured
                )),
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

fn run_deploy(args: DeployArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let on = match check_date("--on", &args.on) {
        Ok(d) => d,
        Err(e) => return Ok(bad("medsec::portfolio::date", e)),
    };
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    if on > today {
        return Ok(bad(
            "medsec::portfolio::date",
            format!(
                "--on {on} is in the future (today is {today}, UTC): a count of devices in the field is a record of the past"
            ),
        ));
    }
    if args.installed < 0 {
        return Ok(bad(
            "medsec::portfolio::installed-base",
            format!("--installed {} is negative", args.installed),
        ));
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let version = match find_version(&rt, &store, &args.version.name())? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    rt.block_on(store.record_deployment(version.id, &on, args.installed, &now()))
        .map_err(store_error)?;
    rt.block_on(store.close());
    print(&format!(
        "Recorded: {} devices of {} {} in the field on {on}.\n",
        args.installed, version.name.product, version.name.version
    ))
    .map_err(crate::output::io_error)?;
    Ok(exit::OK)
}
