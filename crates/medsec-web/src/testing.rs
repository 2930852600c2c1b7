//! The test plan of a version with the recorded results and their evidence files, and
//! the form that records a result (multipart, with evidence files) through the API's
//! handler.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use medsec_catalog::results::{DeviceKey, TestResult};
use medsec_server::AppState;
use medsec_server::api::portfolio::stored_device;
use medsec_server::api::scoped_version;
use medsec_server::auth::Permission;
use medsec_server::error::ApiError;
use serde::Deserialize;

use crate::device::{may, notice_text};
use crate::engines::engines;
use crate::error::WebResult;
use crate::forms::{Part, api_multipart, field, read_parts, reason_headers};
use crate::page::{badge, crumb, csrf_field, here, layout, respond, see_other, version_tabs};
use crate::session::Signed;

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

fn plan_table(
    loaded: &medsec_device::LoadedDevice,
    results: &[TestResult],
) -> Result<(Markup, Vec<(String, String)>), ApiError> {
    let e = engines()?;
    let model = medsec_threat::analyse(loaded, &e.rules);
    let register = medsec_threat::register(&model, &e.risk_policy);
    let plan = medsec_catalog::plan::plan(
        &e.catalog,
        &e.test_policy,
        &loaded.device,
        &model,
        &register,
        results,
    );
    let s = &plan.summary;
    let tests: Vec<(String, String)> = plan
        .tests
        .iter()
        .map(|t| (t.id.clone(), t.title.clone()))
        .collect();
    let markup = html! {
        p { "Rigour: " (plan.rigour.level) " (rank " (plan.rigour.rank) "). "
            (s.planned) " tests planned, " (s.laboratory) " by an accredited laboratory; "
            (s.passed) " passed, " (s.failed) " failed, " (s.not_applicable) " not applicable, " (s.pending) " pending." }
        @if let Some(lab) = &plan.laboratory { p { "Laboratory rule: " (serde_json::to_string(lab).unwrap_or_default()) } }
        div.scroll tabindex="0" role="region" aria-label="Test plan" { table #plan {
            caption { "Test plan (latest result of each test)" }
            thead { tr { th scope="col" { "Test" } th scope="col" { "Title" } th scope="col" { "Independence" } th scope="col" { "Laboratory" }
                th scope="col" { "Threats verified" } th scope="col" { "Result" } } }
            tbody { @for t in &plan.tests { tr {
                td.mono { (t.id) }
                td { (t.title) }
                td { (serde_json::to_value(t.independence).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()) }
                td { @if t.laboratory { "required" } @else { "no" } }
                td { (t.threats.len()) }
                td { @match &t.result {
                    Some(r) => { (badge(r.outcome.as_str())) " " (r.performed_on) " by " (r.tester) },
                    None => "pending",
                } }
            } } }
        } }
    };
    Ok((markup, tests))
}

pub async fn page(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
    Query(q): Query<Notice>,
) -> WebResult<Response> {
    let (org, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let key = DeviceKey {
        manufacturer: info.name.organisation.clone(),
        name: info.name.product.clone(),
        version: info.name.version.clone(),
    };
    let results = state.store().test_results(&key).await?;
    let has_model = state
        .store()
        .documents(version, false)
        .await?
        .iter()
        .any(|d| d.kind == "device-model");
    let (plan, tests) = if has_model {
        match stored_device(&state, version).await {
            Ok((dir, loaded)) => {
                let r = results.clone();
                tokio::task::spawn_blocking(move || {
                    let _keep = dir;
                    plan_table(&loaded, &r)
                })
                .await
                .map_err(|e| ApiError::internal(format!("computing the test plan: {e}")))??
            }
            Err(e) => (html! { p.problem role="alert" { (e.detail) } }, Vec::new()),
        }
    } else {
        (
            html! { p { "No device model: the test plan is made from it." } },
            Vec::new(),
        )
    };
    let may_record = may(&caller, org, Permission::RecordEvidence);
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let title = format!("{} {}: test plan", info.name.product, info.name.version);
    let body = html! {
        (version_tabs(version, "tests"))
        @if let Some(n) = notice_text(q.notice.as_deref()) { p.notice role="status" { (n) } }
        (plan)
        section aria-labelledby="results" {
            h2 #results { "Recorded results" }
            @if results.is_empty() { p { "No results recorded yet." } } @else {
                div.scroll tabindex="0" role="region" aria-label="Recorded results" { table {
                    caption { "Every recorded result, oldest first (append-only)" }
                    thead { tr { th scope="col" { "Test" } th scope="col" { "Outcome" } th scope="col" { "Performed" } th scope="col" { "Tester" }
                        th scope="col" { "Laboratory" } th scope="col" { "Tools" } th scope="col" { "Notes" } th scope="col" { "Evidence" } th scope="col" { "Recorded" } } }
                    tbody { @for r in &results { tr {
                        td.mono { (r.test) } td { (badge(r.outcome.as_str())) } td { (r.performed_on) } td { (r.tester) }
                        td { (r.laboratory.as_deref().unwrap_or("–")) @if let Some(a) = &r.accreditation { " (" (a) ")" } }
                        td { (r.tools.join(", ")) } td { (r.notes.as_deref().unwrap_or("")) }
                        td { ul { @for ev in &r.evidence { li {
                            a href=(format!("/api/v1/versions/{version}/evidence/{}", ev.sha256)) download=(ev.name) { (ev.name) }
                            " (" (ev.size) " bytes, SHA-256 " span.mono { (ev.sha256) } ")"
                        } } } }
                        td { (r.recorded_at) }
                    } } }
                } }
            }
        }
        @if may_record {
            form.box method="post" action=(format!("/versions/{version}/tests")) enctype="multipart/form-data" {
                h2 { "Record a test result" }
                (csrf_field(&caller))
                label for="r-test" { "Test" }
                @if tests.is_empty() {
                    input #r-test type="text" name="test" required maxlength="50" placeholder="T-13";
                } @else {
                    select #r-test name="test" required {
                        @for (id, t) in &tests { option value=(id) { (id) ": " (t) } }
                    }
                }
                label for="r-outcome" { "Outcome" }
                select #r-outcome name="outcome" required {
                    option value="pass" { "pass" } option value="fail" { "fail" } option value="not-applicable" { "not applicable" }
                }
                label for="r-tester" { "Tester" }
                input #r-tester type="text" name="tester" required maxlength="200";
                label for="r-lab" { "Laboratory (optional)" }
                input #r-lab type="text" name="laboratory" maxlength="300";
                label for="r-acc" { "Accreditation of the laboratory (optional)" }
                input #r-acc type="text" name="accreditation" maxlength="200";
                label for="r-date" { "Performed on" }
                input #r-date type="date" name="performed_on" value=(today) max=(today) required;
                label for="r-tools" { "Tools and versions, one per line (optional)" }
                textarea #r-tools name="tools" {}
                label for="r-notes" { "Notes (optional)" }
                textarea #r-notes name="notes" {}
                label for="r-files" { "Evidence files" }
                input #r-files type="file" name="file" multiple;
                label for="r-reason" { "Reason, for the audit log (optional)" }
                input #r-reason type="text" name="reason" maxlength="1000";
                p { button type="submit" { "Record result" } }
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
                here("Test plan"),
            ],
            body,
        ),
    ))
}

pub async fn record(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(version): Path<i64>,
    form: Multipart,
) -> WebResult<Response> {
    // The version first: a foreign id gets 404 before the body is read.
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let parts = read_parts(form).await?;
    let reason = field(&parts, "reason").map(Part::text);
    // The API's form names each tool in its own `tool` field.
    let mut forwarded: Vec<Part> = Vec::new();
    for p in parts {
        match p.name.as_str() {
            "reason" => {}
            "tools" => {
                for line in p.text().lines().map(str::trim).filter(|l| !l.is_empty()) {
                    forwarded.push(Part {
                        name: "tool".into(),
                        file_name: None,
                        bytes: line.as_bytes().to_vec(),
                    });
                }
            }
            _ => forwarded.push(p),
        }
    }
    let multipart = api_multipart(&state, &forwarded).await?;
    let headers = reason_headers(reason.as_deref())?;
    // The result is listed on the test plan page.
    let _recorded = medsec_server::api::evidence::record(
        State(state),
        caller,
        headers,
        Path(version),
        multipart,
    )
    .await?;
    Ok(see_other(&format!(
        "/versions/{version}/tests?notice=result#results"
    )))
}
