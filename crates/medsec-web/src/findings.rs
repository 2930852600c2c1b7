//! Findings of a version: the list with filters (the API's list handler), a finding's
//! page with its traceability chain (component → elements → threats → FMEA rows →
//! harm, `medsec_postmarket::trace`) and its triage decisions, and the triage form
//! (the API's record handler).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use medsec_core::vex::{CdxJustification, CisaJustification};
use medsec_postmarket::trace::{Trace, TraceInput};
use medsec_postmarket::triage::{TriageState, effective};
use medsec_server::AppState;
use medsec_server::api::findings::FindingsQuery;
use medsec_server::api::portfolio::stored_device;
use medsec_server::api::scoped_version;
use medsec_server::auth::Permission;
use medsec_server::error::ApiError;
use medsec_store::StoredFinding;
use serde::Deserialize;

use crate::dashboard::SEVERITIES;
use crate::device::{may, notice_text};
use crate::engines::engines;
use crate::error::WebResult;
use crate::forms::{WebForm, reason_headers};
use crate::page::{badge, crumb, csrf_field, here, layout, respond, see_other, version_tabs};
use crate::session::Signed;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    severity: Option<String>,
    status: Option<String>,
    kev: Option<String>,
    offset: Option<usize>,
}

const PAGE: usize = 100;

fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let severity = nonempty(&q.severity);
    let status = nonempty(&q.status).unwrap_or_else(|| "open".to_owned());
    let kev = match nonempty(&q.kev).as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let offset = q.offset.unwrap_or(0);
    let page = medsec_server::api::findings::list(
        State(state),
        caller.clone(),
        Path(version),
        Query(FindingsQuery {
            severity: severity.clone(),
            status: Some(status.clone()),
            kev,
            offset: Some(offset),
            limit: Some(PAGE),
        }),
    )
    .await?
    .0;
    let link = |offset: usize| {
        format!(
            "/versions/{version}/findings?severity={}&status={status}&kev={}&offset={offset}",
            severity.as_deref().unwrap_or(""),
            match kev {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
        )
    };
    let title = format!("{} {}: findings", info.name.product, info.name.version);
    let body = html! {
        (version_tabs(version, "findings"))
        form.filters method="get" {
            div { label for="f-sev" { "Severity" }
                select #f-sev name="severity" {
                    option value="" selected[severity.is_none()] { "any" }
                    @for s in SEVERITIES { option value=(s) selected[severity.as_deref() == Some(s)] { (s) } }
                } }
            div { label for="f-status" { "Status" }
                select #f-status name="status" {
                    @for s in ["open", "resolved", "all"] { option value=(s) selected[status == s] { (s) } }
                } }
            div { label for="f-kev" { "In CISA KEV" }
                select #f-kev name="kev" {
                    option value="" selected[kev.is_none()] { "any" }
                    option value="yes" selected[kev == Some(true)] { "yes" }
                    option value="no" selected[kev == Some(false)] { "no" }
                } }
            div { button type="submit" { "Filter" } }
        }
        p { (page.total) " findings match; " (page.findings.len()) " shown from " (page.offset + usize::from(!page.findings.is_empty())) "." }
        @if !page.findings.is_empty() {
            div.scroll tabindex="0" role="region" aria-label="Findings" { table #findings {
                caption { "Findings of the monitoring runs, with the triage decision in force" }
                thead { tr { th scope="col" { "Vulnerability" } th scope="col" { "Component" } th scope="col" { "Severity" } th.num scope="col" { "Score" }
                    th scope="col" { "KEV" } th scope="col" { "Verdict" } th scope="col" { "First seen" } th scope="col" { "Triage" } } }
                tbody { @for f in &page.findings { tr {
                    td { a href=(format!("/versions/{version}/findings/{}", f.id)) { (f.vulnerability) } }
                    td.mono { (f.component) }
                    td { (badge(&f.severity)) }
                    td.num { @if let Some(s) = f.score { (format!("{s:.1}")) } @else { "–" } }
                    td { @if f.kev { "yes" } @else { "no" } }
                    td { @if f.open { (f.status) } @else { "resolved " (f.resolved_at.as_deref().unwrap_or("")) } }
                    td { (f.first_seen) }
                    td { @match &f.triage {
                        Some(t) => {
                            (t["decision"]["state"].as_str().unwrap_or("?"))
                            @if let Some(v) = t["inherited_from"].as_str() { " (inherited from " (v) ")" }
                        },
                        None => "not triaged",
                    } }
                } } }
            } }
        }
        nav aria-label="Pages" { p {
            @if offset > 0 { a href=(link(offset.saturating_sub(PAGE))) { "Previous page" } " " }
            @if offset + page.findings.len() < page.total { a href=(link(offset + PAGE)) { "Next page" } }
        } }
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
                here("Findings"),
            ],
            body,
        ),
    ))
}

/// The finding of the version with that id; 404 for another version's.
async fn scoped_finding(
    state: &AppState,
    version: i64,
    finding: i64,
) -> Result<StoredFinding, ApiError> {
    state
        .store()
        .findings(version, false)
        .await?
        .into_iter()
        .find(|f| f.id == finding)
        .ok_or_else(|| ApiError::not_found(format!("no finding {finding} in this version")))
}

fn trace_input(f: &StoredFinding) -> TraceInput {
    let d = &f.detail;
    TraceInput {
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
    }
}

fn trace_of(loaded: &medsec_device::LoadedDevice, input: &TraceInput) -> Result<Trace, ApiError> {
    let e = engines()?;
    let model = medsec_threat::analyse(loaded, &e.rules);
    let register = medsec_threat::register(&model, &e.risk_policy);
    let software = medsec_postmarket::trace::DeviceSoftware::read(loaded);
    Ok(medsec_postmarket::trace::trace_in(
        &software, loaded, &model, &register, input,
    ))
}

/// Where and how an element's software lists the component.
fn matched_text(m: &medsec_postmarket::trace::ComponentMatch) -> String {
    let place = match &m.source {
        medsec_postmarket::trace::ComponentSource::Sbom { path } => path.as_str(),
        medsec_postmarket::trace::ComponentSource::Inline => "inline components",
    };
    format!("{place} by {}", code(m.matched_by))
}

fn trace_markup(t: &Trace) -> Markup {
    let s = &t.summary;
    html! {
        p { "Component " strong { (t.finding.name) " " (t.finding.version.as_deref().unwrap_or("")) } " → "
            (s.elements) " element(s) → " (s.threats) " threat(s) → " (s.rows) " FMEA row(s) → worst harm severity "
            strong { (s.worst_severity.map_or("none declared".to_owned(), code)) } "; worst residual risk "
            (s.worst_residual_risk.map_or("–".to_owned(), |r| r.as_str().to_owned()))
            @if s.safety_relevant { "; " strong { "safety-relevant" } " (rows " (s.safety_rows.join(", ")) ")" } "." }
        @if let Some(why) = &t.unplaced_reason { p.problem { "Not placed in the device model: " (why) } }
        ol.chain {
            @for el in &t.elements {
                li {
                    "Element " strong { (el.element_name) } " " span.mono { "(" (el.element) ")" }
                    ", matched in: " (el.matched.iter().map(matched_text).collect::<Vec<_>>().join("; "))
                    @if el.threats.is_empty() { p { "No threat of the model can be realised through it." } }
                    ol { @for th in &el.threats { li {
                        "Threat " span.mono { (th.threat) } ": " (th.title) " (" (th.stride.as_str()) ", via " (code(th.via)) ")"
                        @match &th.row {
                            Some(r) => { " → FMEA row: risk " (badge(r.risk.as_str())) ", residual " (badge(r.residual_risk.as_str()))
                                @if !r.controls.is_empty() { ", controls " (r.controls.join(", ")) }
                                @if r.safety { ", safety-relevant" } },
                            None => " → no FMEA row",
                        }
                        @if let Some(h) = &th.harm { " → harm: " (h.harm) " (" (code(h.severity)) ", " (h.asset_name) ")" }
                    } } }
                    @if !el.not_realisable.is_empty() { p.muted { "Not realisable through this vulnerability: " (el.not_realisable.join(", ")) } }
                }
            }
        }
        @for p in &t.problems { p.problem { (serde_json::to_string(p).unwrap_or_default()) } }
        details {
            summary { "Rubric answers proposed from the device model" }
            pre { (serde_json::to_string_pretty(&t.rubric).unwrap_or_default()) }
        }
    }
}

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path((version, finding)): Path<(i64, i64)>,
    Query(q): Query<Notice>,
) -> WebResult<Response> {
    let (org, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let f = scoped_finding(&state, version, finding).await?;
    let (order, history) = state.store().product_decisions(version).await?;
    let in_force = effective(
        &history,
        &order,
        &info.name.version,
        &f.component,
        &f.vulnerability,
    );
    let has_model = state
        .store()
        .documents(version, false)
        .await?
        .iter()
        .any(|d| d.kind == "device-model");
    let trace = if has_model {
        match stored_device(&state, version).await {
            Ok((dir, loaded)) => {
                let input = trace_input(&f);
                let t = tokio::task::spawn_blocking(move || {
                    let _keep = dir;
                    trace_of(&loaded, &input)
                })
                .await
                .map_err(|e| ApiError::internal(format!("tracing: {e}")))??;
                trace_markup(&t)
            }
            Err(e) => html! { p.problem { (e.detail) } },
        }
    } else {
        html! { p { "No device model: the finding cannot be traced to threats and harm." } }
    };
    let decisions: Vec<_> = history
        .iter()
        .filter(|d| d.component == f.component && d.vulnerability == f.vulnerability)
        .collect();
    // The decision this page shows as the latest of this version: the form names it, so
    // that a decision recorded by someone else meanwhile makes the submission conflict.
    let latest_here = decisions
        .iter()
        .filter(|d| d.version == info.name.version)
        .map(|d| d.id)
        .max();
    let title = format!("{} in {}", f.vulnerability, f.component);
    let body = html! {
        (version_tabs(version, "findings"))
        @if let Some(n) = notice_text(q.notice.as_deref()) { p.notice role="status" { (n) } }
        dl.facts {
            dt { "Severity" } dd { (badge(&f.severity)) @if let Some(s) = f.score { " " (format!("{s:.1}")) } }
            dt { "CVSS vector" } dd.mono { (f.detail["score"]["vector"].as_str().unwrap_or("not given")) }
            dt { "Verdict" } dd { (f.status) }
            dt { "In CISA KEV" } dd { @if f.kev { "yes" } @else { "no" } }
            dt { "State" } dd { @if f.open { "open" } @else { "resolved " (f.resolved_at.as_deref().unwrap_or("")) } }
            dt { "First seen" } dd { (f.first_seen) }
            dt { "Title" } dd { (f.detail["title"].as_str().unwrap_or("–")) }
            dt { "Decision in force" } dd { @match &in_force {
                Some(e) => { strong { (e.decision.state.as_str()) } " by " (e.decision.author) ", " (e.decision.at.to_string())
                    @if let Some(v) = e.inherited_from { " (inherited from " (v) ")" } },
                None => "not triaged",
            } }
        }
        section aria-labelledby="trace" { h2 #trace { "Traceability" } (trace) }
        section aria-labelledby="decisions" {
            h2 #decisions { "Triage decisions (every version of the product, append-only)" }
            @if decisions.is_empty() { p { "None yet." } } @else {
                table {
                    caption { "Decisions for this component and vulnerability" }
                    thead { tr { th scope="col" { "Version" } th scope="col" { "State" } th scope="col" { "Justification" } th scope="col" { "Rationale" }
                        th scope="col" { "Device score" } th scope="col" { "Author" } th scope="col" { "At" } } }
                    tbody { @for d in &decisions { tr {
                        td { (d.version) } td { (d.state.as_str()) } td { (d.justification.map_or("–", |j| j.as_str())) } td { (d.rationale) }
                        td { @if let Some(s) = d.adjusted_score { (format!("{s:.1}")) " " } span.mono { (d.adjusted_vector.as_deref().unwrap_or("")) } }
                        td { (d.author) } td { (d.at.to_string()) }
                    } } }
                }
            }
        }
        @if may(&caller, org, Permission::Write) {
            form.box method="post" action=(format!("/versions/{version}/findings/{finding}/triage")) {
                h2 { "Record a triage decision" }
                (csrf_field(&caller))
                input type="hidden" name="supersedes" value=(latest_here.map_or_else(|| "none".to_owned(), |id| id.to_string()));
                label for="t-state" { "VEX state" }
                select #t-state name="state" required {
                    @for s in TriageState::ALL { option value=(s.as_str()) { (s.as_str()) } }
                }
                label for="t-just" { "Justification (for not_affected)" }
                select #t-just name="justification" {
                    option value="" { "none" }
                    optgroup label="CISA" { @for j in CisaJustification::ALL { option value=(code(j)) { (code(j)) } } }
                    optgroup label="CycloneDX" { @for j in CdxJustification::ALL { option value=(code(j)) { (code(j)) } } }
                }
                label for="t-impact" { "Impact statement (optional)" }
                input #t-impact type="text" name="impact" maxlength="2000";
                label for="t-action" { "Action statement (for affected)" }
                input #t-action type="text" name="action" maxlength="2000";
                label for="t-vector" { "Adjusted CVSS vector confirmed for this device (optional)" }
                input #t-vector type="text" name="adjusted_vector" maxlength="300";
                label for="t-rationale" { "Rationale" }
                textarea #t-rationale name="rationale" required {}
                label for="t-reason" { "Reason, for the audit log (optional)" }
                input #t-reason type="text" name="reason" maxlength="1000";
                p { button type="submit" { "Record decision" } }
            }
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
                crumb("Findings", format!("/versions/{version}/findings")),
                here(f.vulnerability.clone()),
            ],
            body,
        ),
    ))
}

#[derive(Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    csrf_token: String,
    state: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    adjusted_vector: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    reason: String,
    /// The latest decision of this version the page showed (`none`, or its id); empty
    /// from an older page: no check.
    #[serde(default)]
    supersedes: String,
}

pub async fn triage(
    State(state): State<AppState>,
    Signed(mut caller): Signed,
    Path((version, finding)): Path<(i64, i64)>,
    WebForm(form): WebForm<TriageForm>,
) -> WebResult<Response> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let f = scoped_finding(&state, version, finding).await?;
    caller.csrf_from_form(&form.csrf_token);
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let body = serde_json::json!({
        "component": f.component,
        "vulnerability": f.vulnerability,
        "state": form.state,
        "justification": opt(&form.justification),
        "impact": opt(&form.impact),
        "action": opt(&form.action),
        "adjusted_vector": opt(&form.adjusted_vector),
        "rationale": form.rationale,
    });
    let mut body = body;
    match form.supersedes.trim() {
        "" => {}
        "none" => body["supersedes"] = serde_json::Value::Null,
        id => match id.parse::<i64>() {
            Ok(id) => body["supersedes"] = serde_json::json!(id),
            Err(_) => {
                return Err(ApiError::invalid(
                    "the form's `supersedes` field is not a decision number",
                )
                .into());
            }
        },
    }
    let headers = reason_headers(opt(&form.reason).as_deref())?;
    // The decision is shown on the finding's page.
    let _recorded = medsec_server::api::findings::record(
        State(state),
        caller,
        headers,
        Path(version),
        Bytes::from(body.to_string()),
    )
    .await?;
    Ok(see_other(&format!(
        "/versions/{version}/findings/{finding}?notice=triage"
    )))
}
