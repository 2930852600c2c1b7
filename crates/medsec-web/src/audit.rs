//! The organisation's audit log (admin), oldest first, a page at a time, with the
//! chain's hashes so that an entry can be checked against `medsec` exports.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use medsec_server::AppState;
use medsec_server::api::scoped_organisation;
use medsec_server::auth::Permission;
use serde::Deserialize;

use crate::error::WebResult;
use crate::page::{crumb, here, layout, respond};
use crate::session::Signed;

const PAGE: i64 = 100;

#[derive(Deserialize)]
pub struct AuditQuery {
    after: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(org): Path<i64>,
    Query(q): Query<AuditQuery>,
) -> WebResult<Response> {
    let organisation = scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let after = q.after.unwrap_or(0).max(0);
    let entries = state.store().audit_entries(Some(org), after, PAGE).await?;
    let last = entries.last().map(|e| e.seq);
    let title = format!("{}: audit log", organisation.name);
    let body = html! {
        p { "Every change in the organisation, oldest first; each entry's hash covers the previous one." }
        @if entries.is_empty() { p { "No entries" @if after > 0 { " after entry " (after) } "." } } @else {
            div.scroll tabindex="0" role="region" aria-label="Audit log" { table #audit {
                caption { "Entries " (entries.first().map_or(0, |e| e.seq)) " to " (last.unwrap_or(0)) }
                thead { tr { th.num scope="col" { "Seq" } th scope="col" { "At" } th scope="col" { "Actor" } th scope="col" { "Action" }
                    th scope="col" { "Record" } th scope="col" { "Reason" } th scope="col" { "Change" } th scope="col" { "Hash" } } }
                tbody { @for e in &entries { tr {
                    td.num { (e.seq) } td { (e.at) } td { (e.actor) } td { (e.action) }
                    td { (e.record_kind) " " span.mono { (e.record_id) } }
                    td { (e.reason.as_deref().unwrap_or("–")) }
                    td { details { summary { "before / after" }
                        pre { "before: " (e.before_json.as_deref().unwrap_or("–")) }
                        pre { "after: " (e.after_json.as_deref().unwrap_or("–")) } } }
                    td.mono { (e.hash.get(..16).unwrap_or(&e.hash)) "…" }
                } } }
            } }
        }
        @if let Some(l) = last.filter(|_| entries.len() as i64 == PAGE) {
            p { a href=(format!("/organisations/{org}/audit?after={l}")) { "Next entries" } }
        }
    };
    Ok(respond(
        StatusCode::OK,
        layout(
            &title,
            Some(&caller),
            &[crumb("Portfolio", "/"), here("Audit log")],
            body,
        ),
    ))
}
