//! The handlers of `/api/v1/`, grouped by what they serve, and what they share: the
//! look-ups that scope every id to the caller's organisations, request parsing after
//! those checks, and the audit entry of every change.

pub mod account;
pub mod bom;
pub mod evidence;
pub mod findings;
pub mod portfolio;

use axum::http::HeaderMap;
use medsec_store::VersionInfo;
use medsec_store::audit::NewAuditEntry;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, Permission};
use crate::error::{ApiError, ApiResult};

/// The header that carries the reason for a change, kept in the audit log.
pub const REASON_HEADER: &str = "x-audit-reason";

pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// A product version.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Version {
    pub id: i64,
    pub organisation: String,
    pub product: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_of_support: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_base: Option<i64>,
    pub created_at: String,
    /// The version's project UUID for Dependency-Track-compatible uploads (stable, derived
    /// from the version id).
    pub project: String,
}

impl From<VersionInfo> for Version {
    fn from(v: VersionInfo) -> Self {
        Version {
            project: project_uuid(v.id),
            id: v.id,
            organisation: v.name.organisation,
            product: v.name.product,
            version: v.name.version,
            release_date: v.release_date,
            end_of_support: v.end_of_support,
            installed_base: v.installed_base,
            created_at: v.created_at,
        }
    }
}

/// A UUID (RFC 9562 version 8, name-based) for a version id.
pub fn project_uuid(version_id: i64) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("medsec product version {version_id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

pub fn format_uuid(b: &[u8; 16]) -> String {
    let hex = crate::auth::hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The version, when the caller may do `permission` in its organisation; 404 otherwise
/// (a foreign version is indistinguishable from a missing one).
pub async fn scoped_version(
    state: &AppState,
    caller: &Caller,
    version_id: i64,
    permission: Permission,
) -> ApiResult<(i64, VersionInfo)> {
    let what = format!("product version {version_id}");
    let Some(org) = state.store().version_organisation(version_id).await? else {
        return Err(ApiError::not_found(format!("no {what}")));
    };
    caller.authorize(org, permission, &what)?;
    let Some(info) = state.store().version_info(version_id).await? else {
        return Err(ApiError::not_found(format!("no {what}")));
    };
    Ok((org, info))
}

/// Checks that an organisation exists and the caller may do `permission` in it.
pub async fn scoped_organisation(
    state: &AppState,
    caller: &Caller,
    organisation_id: i64,
    permission: Permission,
) -> ApiResult<medsec_store::accounts::Organisation> {
    let what = format!("organisation {organisation_id}");
    caller.authorize(organisation_id, permission, &what)?;
    state
        .store()
        .organisation(organisation_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {what}")))
}

/// Parses a JSON body (after the caller's rights were checked, so nothing about a
/// foreign resource is learnt from validation errors).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("the JSON body: {e}")))
}

/// The reason for a change given in the `X-Audit-Reason` header.
pub fn reason(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REASON_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().chars().take(1000).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The store acting as the caller: changes to regulated records (versions, documents,
/// test results, triage decisions) append their audit entry in the same transaction,
/// naming the caller and the `X-Audit-Reason` given.
pub fn store_as(state: &AppState, caller: &Caller, headers: &HeaderMap) -> medsec_store::Store {
    state
        .store()
        .acting_as(caller.actor.clone(), reason(headers))
}

/// Appends an audit entry for a change the caller made (for records the store does not
/// audit itself: accounts, memberships, tokens).
#[allow(clippy::too_many_arguments)]
pub async fn audit(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    organisation_id: i64,
    action: &str,
    kind: &str,
    id: impl ToString,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> ApiResult<()> {
    let entry = NewAuditEntry {
        actor: caller.actor.clone(),
        organisation_id: Some(organisation_id),
        action: action.to_owned(),
        record_kind: kind.to_owned(),
        record_id: id.to_string(),
        reason: reason(headers),
        before,
        after,
    };
    state.store().audit_append(&entry, &now()).await?;
    Ok(())
}

pub fn to_json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// A trimmed, non-empty text field of at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(format!("`{field}` is empty")));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(format!(
            "`{field}` is longer than {max} characters"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "`{field}` contains control characters"
        )));
    }
    Ok(v.to_owned())
}

pub fn check_date(field: &str, text: &str) -> ApiResult<String> {
    text.trim()
        .parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|e| {
            ApiError::invalid(format!(
                "`{field}` `{text}` is not a date (YYYY-MM-DD): {e}"
            ))
        })
}
