//! The device page of a version: its documents, the data-flow diagram and the FDA
//! architecture views, the threat table and the FMEA register with server-side filters
//! (STRIDE, risk, residual risk, target), and the uploads of a device model and SBOMs.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, PreEscaped, html};
use medsec_device::LoadedDevice;
use medsec_device::model::Stride;
use medsec_server::AppState;
use medsec_server::api::portfolio::{SbomQuery, stored_device};
use medsec_server::api::scoped_version;
use medsec_server::auth::{CSRF_FIELD, Caller, Permission, allows};
use medsec_server::error::ApiError;
use medsec_store::accounts::Role;
use medsec_threat::RiskLevel;
use serde::Deserialize;

use crate::engines::engines;
use crate::error::WebResult;
use crate::forms::{field, read_parts, reason_headers};
use crate::page::{badge, crumb, csrf_field, here, layout, respond, see_other, version_tabs};
use crate::session::Signed;

pub const STRIDE: [Stride; 6] = [
    Stride::Spoofing,
    Stride::Tampering,
    Stride::Repudiation,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
    Stride::ElevationOfPrivilege,
];

/// The caller's role in an organisation (the caller was already scoped to it).
pub fn role_in(caller: &Caller, org: i64) -> Option<Role> {
    caller
        .memberships
        .iter()
        .find(|(o, _)| *o == org)
        .map(|(_, r)| *r)
}

pub fn may(caller: &Caller, org: i64, permission: Permission) -> bool {
    role_in(caller, org).is_some_and(|r| allows(r, permission))
}

/// The server-side filters of the threat and FMEA tables (query string).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filters {
    pub stride: Option<String>,
    pub risk: Option<String>,
    pub residual: Option<String>,
    pub target: Option<String>,
    pub notice: Option<String>,
}

impl Filters {
    fn wanted(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    fn keeps(&self, stride: Stride, risk: RiskLevel, residual: RiskLevel, target: &str) -> bool {
        Self::wanted(&self.stride).is_none_or(|s| s == stride.as_str())
            && Self::wanted(&self.risk).is_none_or(|r| r == risk.as_str())
            && Self::wanted(&self.residual).is_none_or(|r| r == residual.as_str())
            && Self::wanted(&self.target).is_none_or(|t| t == target)
    }
}

/// The notices shown after a form (fixed texts, chosen by a code in the query).
pub fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "device" => Some("The device model was saved as a new revision."),
        "device-same" => Some("The device model is unchanged: nothing was added."),
        "sbom" => Some(
            "The SBOM was saved. The next monitoring run matches it against the vulnerability store.",
        ),
        "sbom-same" => Some("The SBOM is unchanged: nothing was added."),
        "version" => Some("The product version was saved."),
        "result" => Some("The test result was recorded."),
        "triage" => Some("The triage decision was recorded."),
        _ => None,
    }
}

/// Drops an XML declaration so that the SVG can sit inside the HTML.
pub fn inline_svg(svg: &str) -> PreEscaped<String> {
    let s = svg.trim_start();
    let s = match s.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(s, |(_, after)| after.trim_start()),
        None => s,
    };
    PreEscaped(s.to_owned())
}

fn select(
    id: &str,
    label: &str,
    name: &str,
    options: &[(String, String)],
    current: Option<&str>,
) -> Markup {
    html! {
        div {
            label for=(id) { (label) }
            select #(id) name=(name) {
                option value="" selected[current.is_none()] { "any" }
                @for (value, text) in options {
                    option value=(value) selected[current == Some(value.as_str())] { (text) }
                }
            }
        }
    }
}

/// The computed part of the page (diagram, views, tables), made off the async runtime.
fn computed(
    loaded: &LoadedDevice,
    results: &[medsec_catalog::results::TestResult],
    f: &Filters,
) -> Result<Markup, ApiError> {
    let e = engines()?;
    let model = medsec_threat::analyse(loaded, &e.rules);
    let mut register = medsec_threat::register(&model, &e.risk_policy);
    let plan = medsec_catalog::plan::plan(
        &e.catalog,
        &e.test_policy,
        &loaded.device,
        &model,
        &register,
        results,
    );
    // As the API's risk view: rows whose verifying tests failed are reopened.
    medsec_catalog::results::reopen_failed(&mut register, &plan);
    let mut counts = medsec_diagram::ThreatCounts::new();
    for t in &model.threats {
        if let medsec_threat::engine::Target::Element(el) = &t.target {
            *counts.entry(el.id.clone()).or_insert(0) += 1;
        }
    }
    let diagram = medsec_diagram::to_svg(&loaded.device, &counts);
    let views = medsec_diagram::architecture_views(&loaded.device, &counts);
    let row_of = |id: &str| register.rows.iter().find(|r| r.id == id);
    let targets: BTreeSet<&str> = model.threats.iter().map(|t| t.target.id()).collect();
    let threats: Vec<_> = model
        .threats
        .iter()
        .filter(|t| {
            let (risk, residual) = row_of(&t.id)
                .map_or((RiskLevel::NotAssessed, RiskLevel::NotAssessed), |r| {
                    (r.risk, r.residual_risk)
                });
            f.keeps(t.rule.stride, risk, residual, t.target.id())
        })
        .collect();
    let rows: Vec<_> = register
        .rows
        .iter()
        .filter(|r| f.keeps(r.stride, r.risk, r.residual_risk, r.target))
        .collect();
    let stride_options: Vec<(String, String)> = STRIDE
        .iter()
        .map(|s| (s.as_str().to_owned(), s.as_str().to_owned()))
        .collect();
    let risk_options: Vec<(String, String)> = RiskLevel::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
        .collect();
    let target_options: Vec<(String, String)> = targets
        .iter()
        .map(|t| ((*t).to_owned(), (*t).to_owned()))
        .collect();
    Ok(html! {
        section aria-labelledby="dfd" {
            h2 #dfd { "Data-flow diagram" }
            p.muted { "Badges count the threats found on each element by the built-in rules." }
            figure.figure { (inline_svg(&diagram)) figcaption { "Data-flow diagram of " (loaded.device.device.name) " " (loaded.device.device.version) } }
        }
        section aria-labelledby="views" {
            h2 #views { "Architecture views (FDA premarket guidance)" }
            @for v in &views {
                figure.figure {
                    (inline_svg(&v.svg))
                    figcaption { strong { (v.title) } ". " (v.caption) }
                }
            }
        }
        section aria-labelledby="filters" {
            h2 #filters { "Threats and FMEA" }
            form.filters method="get" {
                (select("f-stride", "STRIDE", "stride", &stride_options, Filters::wanted(&f.stride)))
                (select("f-risk", "Risk before controls", "risk", &risk_options, Filters::wanted(&f.risk)))
                (select("f-residual", "Residual risk", "residual", &risk_options, Filters::wanted(&f.residual)))
                (select("f-target", "Target", "target", &target_options, Filters::wanted(&f.target)))
                div { button type="submit" { "Filter" } }
            }
            p { (threats.len()) " of " (model.threats.len()) " threats and " (rows.len()) " of " (register.rows.len()) " FMEA rows shown"
                " (risk policy " (register.policy) "; " (model.rules_in_catalogue) " rules in the catalogue)." }
        }
        div.scroll tabindex="0" role="region" aria-label="Threats" { table #threats {
            caption { "Threats (STRIDE per element and per interaction)" }
            thead { tr { th scope="col" { "Threat" } th scope="col" { "Title" } th scope="col" { "STRIDE" } th scope="col" { "Target" }
                th scope="col" { "Worst harm" } th scope="col" { "Mitigated by" } th scope="col" { "Risk" } th scope="col" { "Residual risk" } } }
            tbody {
                @for t in &threats {
                    @let row = row_of(&t.id);
                    tr {
                        td.mono { (t.id) }
                        td { (t.rule.title) }
                        td { (t.rule.stride.as_str()) }
                        td { (t.target.name()) " " span.mono { "(" (t.target.id()) ")" } }
                        td { @if let Some(h) = &t.worst_harm { (h.harm) " (" (format!("{:?}", h.severity).to_lowercase()) ", " (h.asset_name) ")" } @else { "none declared" } }
                        td { @if t.mitigated_by.is_empty() { "none" } @else { (t.mitigated_by.join(", ")) } }
                        td { @if let Some(r) = row { (badge(r.risk.as_str())) } }
                        td { @if let Some(r) = row { (badge(r.residual_risk.as_str())) } }
                    }
                }
            }
        }
        } div.scroll tabindex="0" role="region" aria-label="FMEA risk register" { table #fmea {
            caption { "FMEA risk register" }
            thead { tr { th scope="col" { "Row" } th scope="col" { "Target" } th scope="col" { "STRIDE" } th scope="col" { "Failure mode" }
                th scope="col" { "End effect" } th scope="col" { "Severity" } th scope="col" { "Exploitability" } th.num scope="col" { "Detect." } th.num scope="col" { "RPN" }
                th scope="col" { "Risk" } th scope="col" { "Controls" } th scope="col" { "Residual exploitability" } th.num scope="col" { "Residual RPN" }
                th scope="col" { "Residual risk" } th scope="col" { "Safety" } th scope="col" { "Reopened by" } } }
            tbody {
                @for r in &rows {
                    tr {
                        td.mono { (r.id) }
                        td.mono { (r.target) }
                        td { (r.stride.as_str()) }
                        td { (r.failure_mode) }
                        td { @if let Some(h) = &r.end_effect { (h.harm) } @else { "–" } }
                        td { @if let Some(s) = &r.severity { (s.level) } @else { "not assessed" } }
                        td { (r.exploitability.level) }
                        td.num { (r.detectability) }
                        td.num { @if let Some(n) = r.rpn { (n) } @else { "–" } }
                        td { (badge(r.risk.as_str())) }
                        td { @if r.controls.is_empty() { "none" } @else { (r.controls.join(", ")) } }
                        td { (r.residual_exploitability.level) }
                        td.num { @if let Some(n) = r.residual_rpn { (n) } @else { "–" } }
                        td { (badge(r.residual_risk.as_str())) }
                        td { @if r.safety { "yes" } @else { "no" } }
                        td { (r.reopened_by.join(", ")) }
                    }
                }
            }
        }
        }
    })
}

pub async fn page(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
    Query(f): Query<Filters>,
) -> WebResult<Response> {
    let (org, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let docs = state.store().documents(version, false).await?;
    let has_model = docs.iter().any(|d| d.kind == "device-model");
    let model_part = if has_model {
        match stored_device(&state, version).await {
            Ok((dir, loaded)) => {
                let key = medsec_catalog::results::DeviceKey::of(&loaded.device);
                let results = state.store().test_results(&key).await?;
                let filters = f.clone();
                tokio::task::spawn_blocking(move || {
                    let _keep = dir;
                    computed(&loaded, &results, &filters)
                })
                .await
                .map_err(|e| ApiError::internal(format!("computing the device page: {e}")))??
            }
            Err(e) => html! { p.problem role="alert" { (e.detail) } },
        }
    } else {
        html! { p { "This version has no device model yet." @if may(&caller, org, Permission::Write) { " Upload one below (its SBOMs first, under the names the model gives them)." } } }
    };
    let may_write = may(&caller, org, Permission::Write);
    let title = format!("{} {}", info.name.product, info.name.version);
    let body = html! {
        (version_tabs(version, "device"))
        @if let Some(n) = notice_text(f.notice.as_deref()) { p.notice role="status" { (n) } }
        dl.facts {
            dt { "Organisation" } dd { (info.name.organisation) }
            dt { "Released" } dd { (info.release_date.as_deref().unwrap_or("not given")) }
            dt { "End of support" } dd { (info.end_of_support.as_deref().unwrap_or("not given")) }
            dt { "Installed base" } dd { (info.installed_base.map_or("not given".to_owned(), |n| n.to_string())) }
        }
        section aria-labelledby="docs" {
            h2 #docs { "Documents" }
            @if docs.is_empty() { p { "No documents yet." } } @else {
                table {
                    caption { "Current revision of each document" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Kind" } th.num scope="col" { "Revision" } th scope="col" { "Format" } th scope="col" { "SHA-256" } th scope="col" { "Added" } } }
                    tbody { @for d in &docs { tr {
                        td { a href=(format!("/api/v1/versions/{version}/documents/{}", d.id)) { (d.name) } }
                        td { (d.kind) } td.num { (d.revision) } td { (d.format) } td.mono { (d.sha256) } td { (d.added_at) }
                    } } }
                }
            }
        }
        @if may_write {
            section aria-labelledby="uploads" {
                h2 #uploads { "Uploads" }
                form.box method="post" action=(format!("/versions/{version}/sboms")) enctype="multipart/form-data" {
                    h3 { "Upload an SBOM" }
                    (csrf_field(&caller))
                    label for="sbom-name" { "Name (the path the device model gives it, e.g. sbom/firmware.cdx.json; default: the file's name)" }
                    input #sbom-name type="text" name="name" maxlength="300";
                    label for="sbom-file" { "SBOM file (CycloneDX or SPDX)" }
                    input #sbom-file type="file" name="file" required;
                    label for="sbom-reason" { "Reason, for the audit log (optional)" }
                    input #sbom-reason type="text" name="reason" maxlength="1000";
                    p { button type="submit" { "Upload SBOM" } }
                }
                form.box method="post" action=(format!("/versions/{version}/device")) enctype="multipart/form-data" {
                    h3 { "Upload a device model" }
                    (csrf_field(&caller))
                    // The revision this page shows: a model changed by someone else
                    // meanwhile makes the upload conflict instead of replacing theirs.
                    @if let Some(current) = docs.iter().find(|d| d.kind == "device-model") {
                        input type="hidden" name="if_match" value=(current.sha256);
                    }
                    label for="device-file" { "device.yaml (its manufacturer, name and version must be this version's)" }
                    input #device-file type="file" name="file" required;
                    label for="device-reason" { "Reason, for the audit log (optional)" }
                    input #device-reason type="text" name="reason" maxlength="1000";
                    p { button type="submit" { "Upload device model" } }
                }
            }
        }
        (model_part)
    };
    Ok(respond(
        StatusCode::OK,
        layout(
            &title,
            Some(&caller),
            &[crumb("Portfolio", "/"), here(title.clone())],
            body,
        ),
    ))
}

/// File name, bytes, name field, reason, and the revision the editor started from.
type UploadForm = (
    Option<String>,
    Vec<u8>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The uploaded file and the form's fields, after the CSRF token was taken.
async fn upload_form(caller: &mut Caller, form: Multipart) -> Result<UploadForm, ApiError> {
    let parts = read_parts(form).await?;
    if let Some(t) = field(&parts, CSRF_FIELD) {
        caller.csrf_from_form(&t.text());
    }
    let file = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.is_some() && !p.is_blank())
        .ok_or_else(|| ApiError::invalid("choose a file to upload"))?;
    let name = field(&parts, "name").map(|p| p.text().trim().to_owned());
    let reason = field(&parts, "reason").map(|p| p.text());
    let if_match = field(&parts, "if_match")
        .map(|p| p.text().trim().to_owned())
        .filter(|t| !t.is_empty());
    Ok((
        file.file_name.clone(),
        file.bytes.clone(),
        name,
        reason,
        if_match,
    ))
}

pub async fn upload_device(
    State(state): State<AppState>,
    Signed(mut caller): Signed,
    Path(version): Path<i64>,
    form: Multipart,
) -> WebResult<Response> {
    // The version first: a foreign id gets 404 before the body is read.
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let (_, bytes, _, reason, if_match) = upload_form(&mut caller, form).await?;
    let mut headers = reason_headers(reason.as_deref())?;
    if let Some(sha) = if_match {
        let value = axum::http::HeaderValue::from_str(&format!("\"{sha}\""))
            .map_err(|_| ApiError::invalid("the form's revision field is not a SHA-256"))?;
        headers.insert(axum::http::header::IF_MATCH, value);
    }
    let written = medsec_server::api::portfolio::device_put(
        State(state),
        caller,
        headers,
        Path(version),
        Bytes::from(bytes),
    )
    .await?;
    let notice = if written.0.added {
        "device"
    } else {
        "device-same"
    };
    Ok(see_other(&format!("/versions/{version}?notice={notice}")))
}

pub async fn upload_sbom(
    State(state): State<AppState>,
    Signed(mut caller): Signed,
    Path(version): Path<i64>,
    form: Multipart,
) -> WebResult<Response> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let (file_name, bytes, name, reason, _) = upload_form(&mut caller, form).await?;
    let name = name
        .filter(|n| !n.is_empty())
        .or_else(|| file_name.map(|f| f.rsplit(['/', '\\']).next().unwrap_or(&f).to_owned()))
        .unwrap_or_default();
    let headers = reason_headers(reason.as_deref())?;
    let written = medsec_server::api::portfolio::sbom_post(
        State(state),
        caller,
        headers,
        Path(version),
        Query(SbomQuery { name }),
        Bytes::from(bytes),
    )
    .await?;
    let notice = if written.0.added { "sbom" } else { "sbom-same" };
    Ok(see_other(&format!("/versions/{version}?notice={notice}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_keep_only_matching_rows() {
        let f = Filters {
            stride: Some("spoofing".into()),
            target: Some(" ".into()),
            ..Filters::default()
        };
        assert!(f.keeps(
            Stride::Spoofing,
            RiskLevel::Acceptable,
            RiskLevel::Acceptable,
            "x"
        ));
        assert!(!f.keeps(
            Stride::Tampering,
            RiskLevel::Acceptable,
            RiskLevel::Acceptable,
            "x"
        ));
        let f = Filters {
            residual: Some("unacceptable".into()),
            target: Some("pump".into()),
            ..Filters::default()
        };
        assert!(f.keeps(
            Stride::Tampering,
            RiskLevel::Acceptable,
            RiskLevel::Unacceptable,
            "pump"
        ));
        assert!(!f.keeps(
            Stride::Tampering,
            RiskLevel::Unacceptable,
            RiskLevel::Acceptable,
            "pump"
        ));
        assert!(!f.keeps(
            Stride::Tampering,
            RiskLevel::Acceptable,
            RiskLevel::Unacceptable,
            "hub"
        ));
    }

    #[test]
    fn the_xml_declaration_is_dropped() {
        assert_eq!(inline_svg("<?xml version=\"1.0\"?>\n<svg/>").0, "<svg/>");
        assert_eq!(inline_svg("<svg/>").0, "<svg/>");
    }
}
