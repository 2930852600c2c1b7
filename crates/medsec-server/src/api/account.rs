//! Logging in and out, the caller, organisations, members, API tokens and the audit log.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use medsec_store::accounts::Role;
use medsec_store::audit::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{now, parse_json, reason, required_text, scoped_organisation};
use crate::AppState;
use crate::auth::{
    Caller, Permission, SESSION_COOKIE, csrf_token, new_session_id, new_token_secret, now_unix,
    secret_hash, verify_password,
};
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MembershipOut {
    pub organisation_id: i64,
    pub organisation: String,
    /// admin, engineer, assessor or viewer.
    pub role: String,
}

/// The caller: an account (logged in) or an API token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// How the audit log names the caller.
    pub actor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    pub memberships: Vec<MembershipOut>,
    /// The session's CSRF token: send it in the `X-CSRF-Token` header of every
    /// state-changing request made with the session cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

async fn me_of(state: &AppState, caller: &Caller) -> ApiResult<Me> {
    let mut memberships = Vec::new();
    for (org, role) in &caller.memberships {
        if let Some(o) = state.store().organisation(*org).await? {
            memberships.push(MembershipOut {
                organisation_id: o.id,
                organisation: o.name,
                role: role.as_str().to_owned(),
            });
        }
    }
    Ok(Me {
        actor: caller.actor.clone(),
        account_id: caller.account_id,
        memberships,
        csrf_token: caller.csrf_token.clone(),
    })
}

/// The client's address (the peer of the connection; `unknown` when the router is
/// called without one, as in tests). Proxies' forwarding headers are not trusted.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

/// Log in with e-mail and password: sets the session cookie and answers the caller
/// with the session's CSRF token. An unknown e-mail and a wrong password get the same
/// answer in comparable time; too many failures per account or per client address in
/// the window get 429.
#[utoipa::path(post, path = "/api/v1/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Bytes,
) -> ApiResult<Response> {
    let request: LoginRequest = parse_json(&body)?;
    let email = request.email.trim().to_lowercase();
    let limits = &state.inner.settings.login;
    let now_s = now_unix();
    let (by_email, by_client) = state
        .store()
        .login_failures(&email, &client, now_s - limits.window_seconds)
        .await?;
    if by_email >= limits.per_account || by_client >= limits.per_client {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!(
                "too many failed logins; try again in up to {} minutes",
                (limits.window_seconds + 59) / 60
            ),
        ));
    }
    let account = state.store().account_by_email(&email).await?;
    // An unknown or disabled account is checked against a dummy hash, so that it takes
    // as long as a wrong password.
    let (phc, account) = match account {
        Some((a, phc)) if !a.disabled => (phc, Some(a)),
        _ => (state.inner.dummy_hash.clone(), None),
    };
    let password = request.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::internal(format!("password check: {e}")))?;
    let success = ok && account.is_some();
    state
        .store()
        .login_attempt_record(&email, &client, now_s, success)
        .await?;
    let Some(account) = account.filter(|_| success) else {
        return Err(ApiError::unauthorized("wrong e-mail or password"));
    };
    let session_id = new_session_id();
    let settings = &state.inner.settings;
    state
        .store()
        .session_create(
            &secret_hash(&session_id),
            account.id,
            &now(),
            now_s + settings.session_seconds,
        )
        .await?;
    let memberships = state.store().memberships(account.id).await?;
    let me = Me {
        actor: format!("account:{} {}", account.id, account.email),
        account_id: Some(account.id),
        memberships: memberships
            .into_iter()
            .map(|m| MembershipOut {
                organisation_id: m.organisation_id,
                organisation: m.organisation,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
        csrf_token: Some(csrf_token(&session_id)),
    };
    let cookie = format!(
        "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        settings.session_seconds,
        if settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut response = Json(me).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?,
    );
    Ok(response)
}

/// End the session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "session",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_csrf()?;
    if let Some(hash) = &caller.session_hash {
        state.store().session_delete(hash, now_unix()).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let secure = if state.inner.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?,
    );
    Ok(response)
}

/// The caller, its organisations and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    Ok(Json(me_of(&state, &caller).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganisationOut {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// The caller's role in it.
    pub role: String,
}

/// The caller's organisations.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationOut>), (status = 401, body = Problem)))]
pub async fn organisations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<OrganisationOut>>> {
    let mut out = Vec::new();
    for (org, role) in &caller.memberships {
        if let Some(o) = state.store().organisation(*org).await? {
            out.push(OrganisationOut {
                id: o.id,
                name: o.name,
                created_at: o.created_at,
                role: role.as_str().to_owned(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(out))
}

/// One organisation of the caller.
#[utoipa::path(get, path = "/api/v1/organisations/{org}", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id")),
    responses((status = 200, body = OrganisationOut), (status = 404, body = Problem)))]
pub async fn organisation(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<i64>,
) -> ApiResult<Json<OrganisationOut>> {
    let role = caller.authorize(org, Permission::Read, &format!("organisation {org}"))?;
    let o = scoped_organisation(&state, &caller, org, Permission::Read).await?;
    Ok(Json(OrganisationOut {
        id: o.id,
        name: o.name,
        created_at: o.created_at,
        role: role.as_str().to_owned(),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberOut {
    pub account_id: i64,
    pub email: String,
    pub role: String,
    pub since: String,
}

/// The organisation's members (admin).
#[utoipa::path(get, path = "/api/v1/organisations/{org}/members", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Vec<MemberOut>), (status = 404, body = Problem)))]
pub async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<MemberOut>>> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let members = state.store().members(org).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberOut {
                account_id: m.account_id,
                email: m.email,
                role: m.role.as_str().to_owned(),
                since: m.since,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberRequest {
    /// The e-mail of an existing account.
    pub email: String,
    /// admin, engineer, assessor or viewer.
    pub role: String,
}

fn parse_role(text: &str) -> ApiResult<Role> {
    Role::parse(text.trim()).ok_or_else(|| {
        ApiError::invalid(format!(
            "role `{text}`: use one of admin, engineer, assessor, viewer"
        ))
    })
}

/// Give an account a role in the organisation, or change it (admin).
#[utoipa::path(post, path = "/api/v1/organisations/{org}/members", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id")), request_body = MemberRequest,
    responses((status = 200, body = MemberOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn member_set(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<MemberOut>> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let request: MemberRequest = parse_json(&body)?;
    let role = parse_role(&request.role)?;
    let Some((account, _)) = state.store().account_by_email(&request.email).await? else {
        return Err(ApiError::invalid(
            "no account has that e-mail; an operator creates accounts with `medsec account add`",
        ));
    };
    let why = reason(&headers);
    state
        .store()
        .membership_set(
            account.id,
            org,
            role,
            Actor {
                name: &caller.actor,
                reason: why.as_deref(),
            },
            &now(),
        )
        .await?;
    Ok(Json(MemberOut {
        account_id: account.id,
        email: account.email,
        role: role.as_str().to_owned(),
        since: now(),
    }))
}

/// Remove an account from the organisation (admin).
#[utoipa::path(delete, path = "/api/v1/organisations/{org}/members/{account}", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id"), ("account" = i64, Path, description = "account id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn member_remove(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((org, account)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let why = reason(&headers);
    let removed = state
        .store()
        .membership_remove(
            account,
            org,
            Actor {
                name: &caller.actor,
                reason: why.as_deref(),
            },
            &now(),
        )
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no member {account}")))
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub organisation_id: i64,
    pub role: String,
    pub created_by: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl From<medsec_store::accounts::TokenInfo> for TokenOut {
    fn from(t: medsec_store::accounts::TokenInfo) -> Self {
        TokenOut {
            id: t.id,
            name: t.name,
            organisation_id: t.organisation_id,
            role: t.role.as_str().to_owned(),
            created_by: t.created_by,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The organisation's API tokens (admin), never their secrets.
#[utoipa::path(get, path = "/api/v1/organisations/{org}/tokens", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Vec<TokenOut>), (status = 404, body = Problem)))]
pub async fn tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<TokenOut>>> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let tokens = state.store().tokens(org).await?;
    Ok(Json(tokens.into_iter().map(TokenOut::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub name: String,
    /// admin, engineer, assessor or viewer.
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewToken {
    pub token: TokenOut,
    /// The secret, shown this once: only its SHA-256 is kept.
    pub secret: String,
}

/// Create an API token of the organisation (admin); its secret is answered once.
#[utoipa::path(post, path = "/api/v1/organisations/{org}/tokens", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id")), request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn token_create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let request: TokenRequest = parse_json(&body)?;
    let name = required_text("name", &request.name, 200)?;
    let role = parse_role(&request.role)?;
    let secret = new_token_secret();
    let why = reason(&headers);
    let info = state
        .store()
        .token_create(
            &secret_hash(&secret),
            &name,
            org,
            role,
            Actor {
                name: &caller.actor,
                reason: why.as_deref(),
            },
            &now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token: info.into(),
            secret,
        }),
    ))
}

/// Revoke an API token of the organisation (admin).
#[utoipa::path(delete, path = "/api/v1/organisations/{org}/tokens/{token}", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id"), ("token" = i64, Path, description = "token id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn token_revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((org, token)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let why = reason(&headers);
    let revoked = state
        .store()
        .token_revoke(
            org,
            token,
            Actor {
                name: &caller.actor,
                reason: why.as_deref(),
            },
            &now(),
        )
        .await?;
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no live token {token}")))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Entries after this sequence number (default 0).
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

/// The organisation's audit log entries (admin), oldest first.
#[utoipa::path(get, path = "/api/v1/organisations/{org}/audit", tag = "organisations",
    params(("org" = i64, Path, description = "organisation id"), AuditQuery),
    responses((status = 200, body = Vec<AuditEntryOut>), (status = 404, body = Problem)))]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<i64>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntryOut>>> {
    scoped_organisation(&state, &caller, org, Permission::Administer).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let entries = state
        .store()
        .audit_entries(Some(org), q.after.unwrap_or(0).max(0), limit)
        .await?;
    let parse = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                record_kind: e.record_kind,
                record_id: e.record_id,
                reason: e.reason,
                before: parse(e.before_json),
                after: parse(e.after_json),
                hash: e.hash,
            })
            .collect(),
    ))
}
