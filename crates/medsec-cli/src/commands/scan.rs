//! `medsec scan SBOM`: the SBOM's components against the offline vulnerability store.

use std::path::PathBuf;

use clap::ValueEnum;
use medsec_core::cpe::Cpe;
use medsec_formats::sbom as reader;
use medsec_match::{CpeProductMap, MatchContext, MatchStatus};
use medsec_scan::{ScanOptions, ScanReport, Severity};

use super::store::{StoreArgs, runtime, store_error};
use crate::exit;
use crate::output::{Rows, print, print_json};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Aligned text for people.
    #[default]
    Table,
    /// JSON for programs: every finding with its evidence.
    Json,
    /// SARIF 2.1.0 for CI annotations.
    Sarif,
    /// Markdown for documents and pull requests.
    Markdown,
}

/// Scan an SBOM (CycloneDX, SPDX) against the vulnerability store, offline.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The SBOM file.
    pub sbom: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: ScanFormat,
    /// Exit 1 when an affected finding is at or above this severity (critical, high,
    /// medium, low), as Grype's --fail-on does. Findings of unknown severity never
    /// trip it (they are listed and counted).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Platforms the product runs on or with (CPE 2.3), so that NVD configurations
    /// that need one ("running on X") are decided exactly instead of at lower
    /// confidence.
    #[arg(long = "platform", value_name = "CPE")]
    pub platforms: Vec<String>,
    /// More entries for the name → CPE map used for components without purl or CPE
    /// (YAML, the format of medsec-match's data/cpe-products.yaml).
    #[arg(long, value_name = "FILE")]
    pub cpe_map: Option<PathBuf>,
    /// Show only affected findings (leave out unknown and under investigation).
    #[arg(long)]
    pub only_affected: bool,
}

pub fn options(platforms: &[String], cpe_map: Option<&PathBuf>) -> miette::Result<ScanOptions> {
    let mut context = MatchContext::default();
    for p in platforms {
        let cpe: Cpe = p.parse().map_err(|e| {
            miette::miette!(
                code = "medsec::cpe::invalid",
                "--platform {p:?} is not a CPE 2.3 name: {e}"
            )
        })?;
        context.platform_cpes.push(cpe);
    }
    let mut products = CpeProductMap::default();
    if let Some(path) = cpe_map {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!(code = "medsec::io", "{}: {e}", path.display()))?;
        products
            .extend_from_yaml(&text)
            .map_err(|e| miette::miette!(code = "medsec::cpe_map", "{}: {e}", path.display()))?;
    }
    context.cpe_products = Some(products.clone());
    Ok(ScanOptions {
        context,
        products: Some(products),
    })
}

/// Reads an SBOM for scanning; problems as located diagnostics and exit 2.
pub fn read_sbom(path: &std::path::Path) -> Result<medsec_core::component::Sbom, u8> {
    let limit = reader::Limits::default().max_bytes;
    if let Some(size) = super::sbom::too_large(path, limit) {
        eprintln!(
            "{}: the file is {size} bytes, over the {limit}-byte limit for SBOMs",
            path.display()
        );
        return Err(exit::BAD_INPUT);
    }
    let bytes = match super::sbom::read_limited(path, limit) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: cannot read the file: {e}", path.display());
            return Err(exit::BAD_INPUT);
        }
    };
    match reader::read(&bytes) {
        Ok(r) => Ok(r.sbom),
        Err(e) => {
            for p in e.problems() {
                eprintln!("{}: {p}", path.display());
            }
            Err(exit::BAD_INPUT)
        }
    }
}

pub fn run(args: Args) -> miette::Result<u8> {
    let opts = options(&args.platforms, args.cpe_map.as_ref())?;
    let sbom = match read_sbom(&args.sbom) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let rt = runtime()?;
    let store = args.store.open(&rt)?;
    let name = args.sbom.display().to_string();
    let report = rt
        .block_on(medsec_scan::scan(&store, &sbom, &name, &opts))
        .map_err(store_error);
    rt.block_on(store.close());
    let mut report = report?;
    if report.store.records == 0 {
        eprintln!(
            "the vulnerability store at {} holds no advisories: a scan against it would say nothing.\n\
             Import some first: `medsec db import FILES…` (offline) or `medsec db sync` (internet).",
            args.store.url()
        );
        return Ok(exit::BAD_INPUT);
    }
    if args.only_affected {
        report
            .findings
            .retain(|f| f.status == MatchStatus::Affected);
    }
    match args.format {
        ScanFormat::Json => print_json(&report)?,
        ScanFormat::Sarif => {
            let uri = name.replace('\\', "/");
            let sarif = medsec_scan::to_sarif(&report, &uri)
                .map_err(|e| miette::miette!(code = "medsec::sarif", "{e}"))?;
            print(&sarif).map_err(crate::output::io_error)?;
        }
        ScanFormat::Table | ScanFormat::Markdown => {
            let rows = table(&report);
            let text = if args.format == ScanFormat::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            };
            if !report.findings.is_empty() {
                print(&text).map_err(crate::output::io_error)?;
            }
            eprintln!("{}", summary_line(&report));
        }
    }
    Ok(match args.fail_on {
        Some(threshold) if report.affected_at_least(threshold) > 0 => exit::FINDINGS,
        _ => exit::OK,
    })
}

pub fn table(report: &ScanReport) -> Rows {
    let mut rows = Rows::new([
        "vulnerability",
        "component",
        "version",
        "status",
        "severity",
        "confidence",
        "fixed in",
        "KEV",
        "EPSS",
        "via",
    ]);
    for f in &report.findings {
        let via = f
            .evidence
            .iter()
            .map(|e| format!("{} {}", e.source, e.record))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push([
            f.vulnerability.clone(),
            match &f.component.group {
                Some(g) => format!("{g}/{}", f.component.name),
                None => f.component.name.clone(),
            },
            f.component.version.clone().unwrap_or_else(|| "?".into()),
            f.status.as_str().replace('_', " "),
            match &f.score {
                Some(s) => match s.score {
                    Some(n) => format!("{} {n:.1}", f.severity),
                    None => f.severity.to_string(),
                },
                None => f.severity.to_string(),
            },
            format!("{:?}", f.confidence).to_lowercase(),
            f.fixed_in.join(", "),
            if f.known_exploited { "yes" } else { "" }.to_string(),
            f.epss
                .map(|e| format!("{:.3}", e.probability))
                .unwrap_or_default(),
            via,
        ]);
    }
    rows
}

pub fn summary_line(report: &ScanReport) -> String {
    let affected: usize = report.affected_by_severity.values().sum();
    let by_sev: Vec<String> = report
        .affected_by_severity
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let other = report.findings.len() - report.findings.iter().filter(|f| f.is_affected()).count();
    let mut line = format!(
        "{}: {} components scanned against {} stored records ({} backend{}); {} affected finding(s){}",
        report.sbom,
        report.components_scanned,
        report.store.records,
        report.store.backend,
        report
            .store
            .last_import
            .as_ref()
            .map(|t| format!(", last import {t}"))
            .unwrap_or_default(),
        affected,
        if by_sev.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_sev.join(", "))
        },
    );
    if other > 0 {
        line.push_str(&format!(
            "; {other} undecided (unknown or under investigation)"
        ));
    }
    if report.cleared > 0 {
        line.push_str(&format!(
            "; {} cleared by the advisories (fixed or not affected)",
            report.cleared
        ));
    }
    if !report.components_without_identity.is_empty() {
        line.push_str(&format!(
            "; {} component(s) without purl, CPE or a curated CPE could not be looked up",
            report.components_without_identity.len()
        ));
    }
    line
}
