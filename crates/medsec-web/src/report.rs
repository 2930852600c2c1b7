//! The report of a version's stored device model, built as `medsec report` builds it:
//! threat model, FMEA (reopened by failed tests), test plan, coverage, the recorded
//! results, each element's software scanned against the vulnerability store now, and
//! from the portfolio the triage decisions in force and the monitoring history.
//! Downloaded as the report folder (zip), or its HTML or PDF.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use medsec_core::component::{Component, ComponentKind, Organization};
use medsec_device::LoadedDevice;
use medsec_report::build::{
    AssessmentDetails, ElementFindings, FindingEvent, FindingsHistory, ReportInput, Results,
    TriageState, Variant, Vulnerabilities, VulnerabilityFinding,
};
use medsec_server::AppState;
use medsec_server::api::portfolio::stored_device;
use medsec_server::api::scoped_version;
use medsec_server::auth::{Caller, Permission};
use medsec_server::error::ApiError;
use medsec_store::VersionInfo;

use crate::engines::engines;
use crate::error::WebResult;
use crate::page::{crumb, here, layout, respond, version_tabs};
use crate::session::Signed;

pub async fn page(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
) -> WebResult<Response> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let has_model = state
        .store()
        .documents(version, false)
        .await?
        .iter()
        .any(|d| d.kind == "device-model");
    let title = format!("{} {}: report", info.name.product, info.name.version);
    let body = html! {
        (version_tabs(version, "report"))
        @if has_model {
            p { "The full report of the stored device model: threat model, FMEA register (rows reopened by failed tests), test plan, coverage, "
                "the recorded test results, each element's software scanned against the vulnerability store when you download, "
                "the triage decisions in force and the monitoring history. It is built anew for each download." }
            ul {
                li { a href=(format!("/versions/{version}/report.zip")) download { "Report folder (zip: HTML, PDF, Markdown, JSON, figures)" } }
                li { a href=(format!("/versions/{version}/report.html")) download { "Report (HTML, self-contained)" } }
                li { a href=(format!("/versions/{version}/report.pdf")) download { "Report (PDF)" } }
            }
        } @else {
            p { "This version has no device model: the report is made from it. Upload one on the device page." }
        }
    };
    Ok(respond(
        StatusCode::OK,
        layout(
            &title,
            Some(&caller),
            &[
                crumb("Portfolio", "/"),
                crumb(
                    format!("{} {}", info.name.product, info.name.version),
                    format!("/versions/{version}"),
                ),
                here("Report"),
            ],
            body,
        ),
    ))
}

/// The files of the report folder, as `medsec report --out` writes them.
struct Files {
    /// (name, bytes) in the order written; report.pdf only when the PDF writer succeeded.
    files: Vec<(String, Vec<u8>)>,
    /// Why report.pdf is missing.
    pdf_failed: Option<String>,
    slug: String,
}

/// Scans each element's software (SBOM and inline components) against the store, as
/// `medsec assess` does.
async fn vulnerabilities(
    state: &AppState,
    loaded: &LoadedDevice,
) -> Result<Vulnerabilities, ApiError> {
    let products = medsec_match::CpeProductMap::default();
    let options = medsec_scan::ScanOptions {
        context: medsec_match::MatchContext {
            cpe_products: Some(products.clone()),
            ..Default::default()
        },
        products: Some(products.clone()),
    };
    let base = loaded
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut elements = Vec::new();
    let mut store_state = None;
    for element in &loaded.device.elements {
        let Some(software) = &element.software else {
            continue;
        };
        let mut components: Vec<Component> = Vec::new();
        let mut source = Vec::new();
        let mut sha = None;
        if let Some(rel) = &software.sbom {
            let bytes = std::fs::read(base.join(rel))
                .map_err(|e| ApiError::internal(format!("{rel}: {e}")))?;
            let reading = medsec_formats::sbom::read(&bytes)
                .map_err(|e| ApiError::invalid(format!("{rel}: not a readable SBOM: {e}")))?;
            sha = Some(reading.sbom.original.sha256.clone());
            components.extend(reading.sbom.components);
            source.push(rel.clone());
        }
        for c in &software.components {
            let mut component = Component::new(ComponentKind::Library, c.name.clone());
            component.version = Some(c.version.clone());
            // The device check validated these; one that does not parse is not used for lookup.
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
        let prepared = medsec_scan::prepare_components(&components, &products);
        let src = medsec_scan::Source {
            name: source.join(" + "),
            format: None,
            sha256: sha,
            components: components.len(),
        };
        let report = medsec_scan::scan_prepared(state.store(), &src, &prepared, &options).await?;
        if report.store.records == 0 {
            return Ok(Vulnerabilities::NotRun {
                reason: format!(
                    "the vulnerability store ({}) holds no advisories: import some with `medsec db import` or `medsec db sync`",
                    report.store.backend
                ),
            });
        }
        elements.push(ElementFindings {
            element: element.id.clone(),
            source: report.sbom.clone(),
            components: report.components_scanned,
            not_looked_up: report.components_without_identity.len(),
            findings: report
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
        });
        store_state = Some(report.store);
    }
    let store = store_state.map_or_else(
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
    Ok(Vulnerabilities::Scanned { store, elements })
}

/// The triage decisions in force and the monitoring history of the version, as
/// `medsec report` takes them from the portfolio.
async fn portfolio_parts(
    state: &AppState,
    info: &VersionInfo,
) -> Result<(Vec<TriageState>, FindingsHistory), ApiError> {
    let store = state.store();
    let findings = store.findings(info.id, false).await?;
    let events = store.finding_events(info.id).await?;
    let (order, decisions) = store.product_decisions(info.id).await?;
    let severity: BTreeMap<(&str, &str), &str> = findings
        .iter()
        .map(|f| {
            (
                (f.component.as_str(), f.vulnerability.as_str()),
                f.severity.as_str(),
            )
        })
        .collect();
    let name = &info.name;
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
    Ok((triage, history))
}

async fn build(
    state: &AppState,
    caller: &Caller,
    version: i64,
    want_pdf: bool,
) -> Result<Files, ApiError> {
    let (_, info) = scoped_version(state, caller, version, Permission::Read).await?;
    let (dir, loaded) = stored_device(state, version).await?;
    let key = medsec_catalog::results::DeviceKey::of(&loaded.device);
    let results = state.store().test_results(&key).await?;
    let vulnerabilities = vulnerabilities(state, &loaded).await?;
    let (triage, history) = portfolio_parts(state, &info).await?;
    let slug: String = format!("{}-{}", info.name.product, info.name.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        let _keep = dir;
        let e = engines()?;
        let model = medsec_threat::analyse(&loaded, &e.rules);
        let mut register = medsec_threat::register(&model, &e.risk_policy);
        let plan = medsec_catalog::plan::plan(
            &e.catalog,
            &e.test_policy,
            &loaded.device,
            &model,
            &register,
            &results,
        );
        let reopened = medsec_catalog::results::reopen_failed(&mut register, &plan);
        let coverage = medsec_catalog::coverage::coverage(
            &e.catalog,
            &e.test_policy,
            &loaded.device,
            &plan,
            &results,
        );
        let input = ReportInput {
            loaded: &loaded,
            summary: medsec_device::summary::summarise(&loaded),
            model: &model,
            register: &register,
            risk_policy: &e.risk_policy,
            reopened,
            catalog: &e.catalog,
            test_policy: &e.test_policy,
            plan: &plan,
            coverage: &coverage,
            results: Results::Read {
                from: "from the store".into(),
                results: results.clone(),
            },
            software: medsec_report::build::read_software(&loaded),
            vulnerabilities,
            triage: Some(triage),
            findings_history: Some(history),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            generated_at: jiff::Timestamp::now(),
            variant: Variant::Full,
            assessment: AssessmentDetails::default(),
        };
        let report = medsec_report::build::build(&input);
        let problems = report.document.check();
        if !problems.is_empty() {
            return Err(ApiError::internal(format!(
                "the report document is inconsistent: {}",
                problems.join("; ")
            )));
        }
        let mut files = vec![
            (
                "report.html".to_owned(),
                medsec_report::html::render(&report.document).into_bytes(),
            ),
            (
                "report.md".to_owned(),
                medsec_report::markdown::render(&report.document).into_bytes(),
            ),
        ];
        let json = serde_json::to_string_pretty(&report.data)
            .map_err(|e| ApiError::internal(format!("report JSON: {e}")))?;
        files.push(("report.json".to_owned(), format!("{json}\n").into_bytes()));
        for (name, svg) in &report.figures {
            files.push((name.clone(), svg.clone().into_bytes()));
        }
        let mut pdf_failed = None;
        if want_pdf {
            match medsec_report::pdf::render(&report.document) {
                Ok(bytes) => files.push(("report.pdf".to_owned(), bytes)),
                Err(e) => pdf_failed = Some(format!("the PDF writer failed: {e}")),
            }
        }
        Ok(Files {
            files,
            pdf_failed,
            slug,
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("building the report: {e}")))?
}

fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub async fn zip(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
) -> WebResult<Response> {
    let mut built = build(&state, &caller, version, true).await?;
    if let Some(why) = &built.pdf_failed {
        // Said inside the folder, as the command says it on its output.
        built.files.push((
            "report.pdf-NOT-WRITTEN.txt".to_owned(),
            format!("{why}\n").into_bytes(),
        ));
    }
    let folder = format!("report-{}", built.slug_or_default());
    let name = format!("{folder}.zip");
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let err = |e: &dyn std::fmt::Display| ApiError::internal(format!("zip: {e}"));
        for (name, bytes) in &built.files {
            out.start_file(format!("{folder}/{name}"), options)
                .map_err(|e| err(&e))?;
            out.write_all(bytes).map_err(|e| err(&e))?;
        }
        Ok(out.finish().map_err(|e| err(&e))?.into_inner())
    })
    .await
    .map_err(|e| ApiError::internal(format!("zip: {e}")))??;
    Ok(download(bytes, "application/zip", &name))
}

impl Files {
    fn slug_or_default(&self) -> &str {
        if self.slug.is_empty() {
            "device"
        } else {
            &self.slug
        }
    }
}

pub async fn html(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
) -> WebResult<Response> {
    let built = build(&state, &caller, version, false).await?;
    let name = format!("report-{}.html", built.slug_or_default());
    let bytes = built
        .files
        .into_iter()
        .find(|(n, _)| n == "report.html")
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok(download(bytes, "text/html; charset=utf-8", &name))
}

pub async fn pdf(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
) -> WebResult<Response> {
    let built = build(&state, &caller, version, true).await?;
    let name = format!("report-{}.pdf", built.slug_or_default());
    if let Some(why) = built.pdf_failed {
        return Err(ApiError::internal(why).into());
    }
    let bytes = built
        .files
        .into_iter()
        .find(|(n, _)| n == "report.pdf")
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok(download(bytes, "application/pdf", &name))
}
