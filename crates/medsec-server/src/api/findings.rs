//! Findings per version (filtered and paged) with the triage decision in force, triage
//! decisions, and VEX export through the existing writers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use medsec_postmarket::triage::{
    Decision, FindingDecision, TriageState, device_statements, effective, parse_justification,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::portfolio::bytes_response;
use super::{parse_json, required_text, scoped_version};
use crate::AppState;
use crate::auth::{Caller, Permission};
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct FindingsQuery {
    /// Only this severity (critical, high, medium, low, none, unknown …), repeatable as
    /// a comma-separated list.
    pub severity: Option<String>,
    /// `open` (default), `resolved` or `all`.
    pub status: Option<String>,
    /// Only findings in CISA's KEV catalog (true) or not in it (false).
    pub kev: Option<bool>,
    /// Skip this many (default 0).
    pub offset: Option<usize>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingOut {
    pub id: i64,
    pub component: String,
    pub vulnerability: String,
    pub open: bool,
    /// The scan's verdict (affected, possibly affected …).
    pub status: String,
    pub severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub kev: bool,
    pub first_seen: String,
    pub last_changed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// The triage decision in force (own or inherited from an earlier version).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub triage: Option<serde_json::Value>,
    /// The scan finding, as monitoring recorded it.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingsPage {
    /// Findings matching the filters, before paging.
    pub total: usize,
    pub offset: usize,
    pub findings: Vec<FindingOut>,
}

/// The version's findings with the triage decision in force, filtered and paged.
#[utoipa::path(get, path = "/api/v1/versions/{version}/findings", tag = "findings",
    params(("version" = i64, Path, description = "product version id"), FindingsQuery),
    responses((status = 200, body = FindingsPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
    Query(q): Query<FindingsQuery>,
) -> ApiResult<Json<FindingsPage>> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    // `open` for the store: open only, resolved only, or all.
    let open = match q.status.as_deref().unwrap_or("open") {
        "open" => Some(true),
        "resolved" => Some(false),
        "all" => None,
        other => {
            return Err(ApiError::invalid(format!(
                "status `{other}`: use open, resolved or all"
            )));
        }
    };
    let severities: Option<Vec<String>> = q.severity.as_deref().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_ascii_lowercase())
            .filter(|x| !x.is_empty())
            .collect()
    });
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    // Filtered, ordered and paged by the database: a request reads only its page
    // (reading every finding of a large version per request was the cost under load).
    let (total, matching) = state
        .store()
        .findings_page(
            version,
            open,
            q.kev,
            severities.as_deref(),
            u64::try_from(offset).unwrap_or(u64::MAX),
            u64::try_from(limit).unwrap_or(1000),
        )
        .await?;
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    let (order, history) = state.store().product_decisions(version).await?;
    let page = matching
        .into_iter()
        .map(|f| {
            let triage = effective(
                &history,
                &order,
                &info.name.version,
                &f.component,
                &f.vulnerability,
            )
            .and_then(|e| serde_json::to_value(e).ok());
            FindingOut {
                id: f.id,
                component: f.component,
                vulnerability: f.vulnerability,
                open: f.open,
                status: f.status,
                severity: f.severity,
                score: f.score,
                kev: f.kev,
                first_seen: f.first_seen,
                last_changed: f.last_changed,
                resolved_at: f.resolved_at,
                triage,
                detail: f.detail,
            }
        })
        .collect();
    Ok(Json(FindingsPage {
        total,
        offset,
        findings: page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TriageRequest {
    /// The finding's component, as the findings list names it.
    pub component: String,
    pub vulnerability: String,
    /// in_triage, affected, not_affected, fixed or false_positive.
    pub state: String,
    /// For not_affected: a CISA label or a CycloneDX justification code.
    pub justification: Option<String>,
    pub impact: Option<String>,
    /// For affected: what users should do.
    pub action: Option<String>,
    /// The rubric-adjusted CVSS vector confirmed for this device.
    pub adjusted_vector: Option<String>,
    /// Why.
    pub rationale: String,
    /// Optimistic locking: the id of the decision this one replaces, as the editor last
    /// saw it, or `null` for the first decision of the finding in this version. Given,
    /// the request is refused with 409 when someone else decided meanwhile; left out,
    /// the decision is appended unconditionally.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub supersedes: Option<Option<i64>>,
}

/// A field given as `null` is `Some(None)`, a field left out is `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Record a triage decision for a finding of the version (engineer). The author is the
/// caller; later versions shipping the same component inherit the decision.
#[utoipa::path(post, path = "/api/v1/versions/{version}/triage", tag = "findings",
    params(("version" = i64, Path, description = "product version id")), request_body = TriageRequest,
    responses((status = 201, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(version): Path<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Decision>)> {
    let (_org, info) = scoped_version(&state, &caller, version, Permission::Write).await?;
    let r: TriageRequest = parse_json(&body)?;
    let state_text = r.state.trim();
    let triage_state = TriageState::parse(state_text).ok_or_else(|| {
        ApiError::invalid(format!(
            "state `{state_text}`: use one of {}",
            TriageState::ALL.map(|s| s.as_str()).join(", ")
        ))
    })?;
    let justification = r
        .justification
        .as_deref()
        .map(parse_justification)
        .transpose()
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let adjusted = match r.adjusted_vector.as_deref() {
        Some(text) => match medsec_score::parse(text.trim()) {
            Ok(v) => Some((v.to_string(), v.score().overall.score.value())),
            Err(e) => {
                return Err(ApiError::invalid(format!("adjusted_vector `{text}`: {e}")));
            }
        },
        None => None,
    };
    let findings = state.store().findings(version, false).await?;
    if !findings
        .iter()
        .any(|f| f.component == r.component && f.vulnerability == r.vulnerability)
    {
        return Err(ApiError::invalid(format!(
            "this version has no finding of {} in {}",
            r.vulnerability, r.component
        )));
    }
    let decision = Decision {
        id: 0,
        version: info.name.version.clone(),
        component: r.component.clone(),
        vulnerability: r.vulnerability.clone(),
        state: triage_state,
        justification,
        impact: r.impact.filter(|s| !s.trim().is_empty()),
        action: r.action.filter(|s| !s.trim().is_empty()),
        author: caller.actor.clone(),
        rationale: required_text("rationale", &r.rationale, 10_000)?,
        at: jiff::Timestamp::now(),
        adjusted_score: adjusted.as_ref().map(|(_, s)| *s),
        adjusted_vector: adjusted.map(|(v, _)| v),
    };
    decision
        .validate()
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let expect = match r.supersedes {
        None => medsec_store::Expect::Any,
        Some(None) => medsec_store::Expect::NoDecision,
        Some(Some(id)) => medsec_store::Expect::Latest(id),
    };
    let id = super::store_as(&state, &caller, &headers)
        .record_decision_expecting(version, &decision, expect)
        .await?;
    let recorded = Decision { id, ..decision };
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// Every triage decision of the version's product (all versions), oldest first, with
/// the product's versions in order (decisions are inherited along it).
#[utoipa::path(get, path = "/api/v1/versions/{version}/triage", tag = "findings",
    params(("version" = i64, Path, description = "product version id")),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn decisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let (order, history) = state.store().product_decisions(version).await?;
    Ok(Json(
        serde_json::json!({ "versions": order, "decisions": history }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct VexQuery {
    /// cyclonedx, csaf or openvex.
    pub format: String,
    /// The publisher's namespace URL (CSAF `publisher.namespace`).
    pub namespace: String,
    /// The publisher's name; default: the organisation.
    pub author: Option<String>,
    /// The device's package URL; default `pkg:generic/ORGANISATION/PRODUCT@VERSION`.
    pub product_purl: Option<String>,
}

/// The version's triage state as a VEX document (CycloneDX, CSAF or OpenVEX).
#[utoipa::path(get, path = "/api/v1/versions/{version}/vex", tag = "findings",
    params(("version" = i64, Path, description = "product version id"), VexQuery),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn vex(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
    Query(q): Query<VexQuery>,
) -> ApiResult<Response> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let findings = state.store().findings(version, true).await?;
    let (order, history) = state.store().product_decisions(version).await?;
    let name = &info.name;
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
                &name.version,
                &f.component,
                &f.vulnerability,
            ),
        })
        .collect();
    if items.is_empty() {
        return Err(ApiError::invalid(
            "this version has no open findings to state anything about",
        ));
    }
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
    let purl_text = q.product_purl.clone().unwrap_or_else(|| {
        format!(
            "pkg:generic/{}/{}@{}",
            part(&name.organisation),
            part(&name.product),
            part(&name.version)
        )
    });
    let product_purl: medsec_core::purl::Purl = purl_text
        .parse()
        .map_err(|e| ApiError::invalid(format!("product_purl `{purl_text}`: {e}")))?;
    let mut statements = device_statements(&name.product, &name.version, &items)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    for st in &mut statements {
        for p in &mut st.products {
            p.purl = Some(product_purl.clone());
        }
    }
    let namespace = required_text("namespace", &q.namespace, 500)?;
    let author = medsec_core::vex::VexAuthor::new(
        q.author
            .clone()
            .unwrap_or_else(|| name.organisation.clone()),
        namespace.clone(),
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
        namespace.trim_end_matches('/'),
        slug(&name.product),
        slug(&name.version),
        timestamp.as_second()
    );
    let doc = medsec_core::vex::VexDocument::new(id, author, timestamp, statements)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let written = match q.format.as_str() {
        "cyclonedx" => {
            use sha2::{Digest, Sha256};
            let h = Sha256::digest(doc.id.as_bytes());
            let mut b = [0u8; 16];
            b.copy_from_slice(&h[..16]);
            b[6] = (b[6] & 0x0f) | 0x80;
            b[8] = (b[8] & 0x3f) | 0x80;
            medsec_formats::write::cyclonedx::write_vex(
                &doc,
                &format!("urn:uuid:{}", super::format_uuid(&b)),
            )
        }
        "csaf" => medsec_formats::write::csaf::write_vex(&doc),
        "openvex" => medsec_formats::write::openvex::write(&doc),
        other => {
            return Err(ApiError::invalid(format!(
                "format `{other}`: use cyclonedx, csaf or openvex"
            )));
        }
    }
    .map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(bytes_response(
        written.json.into_bytes(),
        "application/json",
        &crate::auth::secret_hash(&doc.id),
    ))
}
