//! The portfolio dashboard: for each of the caller's organisations, its products and
//! versions with their open findings by severity and the trend of open findings over
//! the monitoring runs; a form to add a product version.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use medsec_server::AppState;
use medsec_server::api::scoped_organisation;
use medsec_server::auth::{Permission, allows};
use serde::Deserialize;

use crate::error::WebResult;
use crate::forms::{WebForm, reason_headers};
use crate::page::{badge, csrf_field, layout, respond, see_other, sparkline};
use crate::session::Signed;

/// The severities of findings, worst first, as the scan names them.
pub const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "none", "unknown"];

/// Open findings after each monitoring run that changed the version's findings, from
/// its finding events (new and reopened open a finding, resolved closes it).
pub fn open_trend(
    events: &[(String, String, i64, String, String, String)],
) -> Vec<(String, usize)> {
    let mut points: Vec<(i64, String, usize)> = Vec::new();
    let mut open: i64 = 0;
    for (_, _, run, at, kind, _) in events {
        match kind.as_str() {
            "new" | "reopened" => open += 1,
            "resolved" => open -= 1,
            _ => {}
        }
        let n = usize::try_from(open.max(0)).unwrap_or(0);
        match points.last_mut() {
            Some((r, a, count)) if r == run => {
                a.clone_from(at);
                *count = n;
            }
            _ => points.push((*run, at.clone(), n)),
        }
    }
    points
        .into_iter()
        .map(|(run, at, n)| (format!("run {run}, {at}"), n))
        .collect()
}

pub async fn page(State(state): State<AppState>, Signed(caller): Signed) -> WebResult<Response> {
    let store = state.store();
    let mut sections: Vec<Markup> = Vec::new();
    for (org_id, role) in &caller.memberships {
        let Some(org) = store.organisation(*org_id).await? else {
            continue;
        };
        let mut rows = Vec::new();
        for product in store.products(org.id).await? {
            for v in store.product_versions(product.id).await? {
                let open = store.findings(v.id, true).await?;
                let mut by: BTreeMap<&str, usize> = BTreeMap::new();
                for f in &open {
                    *by.entry(f.severity.as_str()).or_insert(0) += 1;
                }
                let counts: Vec<usize> = SEVERITIES
                    .iter()
                    .map(|s| by.get(s).copied().unwrap_or(0))
                    .collect();
                let trend = open_trend(&store.finding_events(v.id).await?);
                rows.push(html! {
                    tr {
                        td { (product.name) }
                        td { a href=(format!("/versions/{}", v.id)) { (v.name.version) } }
                        td { (v.release_date.as_deref().unwrap_or("–")) }
                        td { (v.end_of_support.as_deref().unwrap_or("–")) }
                        @for (s, n) in SEVERITIES.iter().zip(&counts) {
                            td.num {
                                @if *n > 0 {
                                    a href=(format!("/versions/{}/findings?severity={s}", v.id)) { (n) }
                                } @else { "0" }
                            }
                        }
                        td.num { a href=(format!("/versions/{}/findings", v.id)) { (open.len()) } }
                        td { (sparkline(&trend, "Open findings after each monitoring run")) }
                    }
                });
            }
        }
        let may_write = allows(*role, Permission::Write);
        let may_audit = allows(*role, Permission::Administer);
        sections.push(html! {
            section aria-labelledby=(format!("org-{}", org.id)) {
                h2 #(format!("org-{}", org.id)) { (org.name) }
                p.muted { "Your role: " (role.as_str()) "."
                    @if may_audit { " " a href=(format!("/organisations/{}/audit", org.id)) { "Audit log" } } }
                @if rows.is_empty() {
                    p { "No product versions yet." }
                } @else {
                    table {
                        caption { "Product versions and their open findings by severity" }
                        thead { tr {
                            th scope="col" { "Product" } th scope="col" { "Version" }
                            th scope="col" { "Released" } th scope="col" { "End of support" }
                            @for s in SEVERITIES { th.num scope="col" { (badge(s)) } }
                            th.num scope="col" { "Open" } th scope="col" { "Trend" }
                        } }
                        tbody { @for r in &rows { (r) } }
                    }
                }
                @if may_write {
                    details {
                        summary { "Add a product version" }
                        form.box method="post" action=(format!("/organisations/{}/versions", org.id)) {
                            (csrf_field(&caller))
                            @let p = format!("o{}-", org.id);
                            label for=(format!("{p}product")) { "Product" }
                            input #(format!("{p}product")) type="text" name="product" required maxlength="300";
                            label for=(format!("{p}version")) { "Version" }
                            input #(format!("{p}version")) type="text" name="version" required maxlength="200";
                            label for=(format!("{p}release")) { "Release date (optional)" }
                            input #(format!("{p}release")) type="date" name="release_date";
                            label for=(format!("{p}eos")) { "End of support (optional)" }
                            input #(format!("{p}eos")) type="date" name="end_of_support";
                            label for=(format!("{p}base")) { "Installed base (optional)" }
                            input #(format!("{p}base")) type="number" min="0" name="installed_base";
                            label for=(format!("{p}reason")) { "Reason, for the audit log (optional)" }
                            input #(format!("{p}reason")) type="text" name="reason" maxlength="1000";
                            p { button type="submit" { "Add version" } }
                        }
                    }
                }
            }
        });
    }
    Ok(respond(
        StatusCode::OK,
        layout(
            "Portfolio",
            Some(&caller),
            &[],
            html! {
                @if sections.is_empty() { p { "Your account belongs to no organisation yet." } }
                @for s in &sections { (s) }
            },
        ),
    ))
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    csrf_token: String,
    product: String,
    version: String,
    #[serde(default)]
    release_date: String,
    #[serde(default)]
    end_of_support: String,
    #[serde(default)]
    installed_base: String,
    #[serde(default)]
    reason: String,
}

fn optional(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

pub async fn add_version(
    State(state): State<AppState>,
    Signed(mut caller): Signed,
    Path(org): Path<i64>,
    WebForm(form): WebForm<VersionForm>,
) -> WebResult<Response> {
    // The organisation first: a foreign id gets 404 before the form is looked at.
    scoped_organisation(&state, &caller, org, Permission::Read).await?;
    caller.csrf_from_form(&form.csrf_token);
    let installed_base = match optional(&form.installed_base) {
        Some(n) => Some(n.parse::<i64>().map_err(|_| {
            medsec_server::error::ApiError::invalid(format!(
                "installed base `{n}` is not a whole number"
            ))
        })?),
        None => None,
    };
    let body = serde_json::json!({
        "product": form.product,
        "version": form.version,
        "release_date": optional(&form.release_date),
        "end_of_support": optional(&form.end_of_support),
        "installed_base": installed_base,
    });
    let headers = reason_headers(optional(&form.reason))?;
    let written = medsec_server::api::portfolio::version_write(
        State(state),
        caller,
        headers,
        Path(org),
        Bytes::from(body.to_string()),
    )
    .await?;
    Ok(see_other(&format!(
        "/versions/{}?notice=version",
        written.0.version.id
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(run: i64, at: &str, kind: &str) -> (String, String, i64, String, String, String) {
        (
            "c".into(),
            "v".into(),
            run,
            at.into(),
            kind.into(),
            String::new(),
        )
    }

    #[test]
    fn the_trend_counts_open_findings_after_each_run() {
        let events = [
            event(1, "t1", "new"),
            event(1, "t1", "new"),
            event(2, "t2", "changed"),
            event(3, "t3", "resolved"),
            event(4, "t4", "reopened"),
            event(4, "t4", "new"),
        ];
        let trend: Vec<usize> = open_trend(&events).into_iter().map(|(_, n)| n).collect();
        assert_eq!(trend, [2, 2, 1, 3]);
        assert!(open_trend(&[]).is_empty());
    }
}
