//! Who is calling, and what they may do: password hashing (argon2id), random secrets,
//! session cookies with their CSRF token, API tokens, and the permission table.

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine as _;
use medsec_store::accounts::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "medsec_session";
/// The header that carries the CSRF token of a cookie session.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The multipart field that may carry it instead.
pub const CSRF_FIELD: &str = "csrf_token";

/// What a caller wants to do in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read everything of the organisation.
    Read,
    /// Record test results with their evidence files.
    RecordEvidence,
    /// Change products, versions, device models, SBOMs and triage decisions.
    Write,
    /// Manage members and API tokens, read the audit log.
    Administer,
}

/// The permission table (also in the crate documentation and the README).
pub fn allows(role: Role, permission: Permission) -> bool {
    matches!(
        (role, permission),
        (Role::Admin, _)
            | (_, Permission::Read)
            | (Role::Assessor, Permission::RecordEvidence)
            | (Role::Engineer, Permission::Write)
    )
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new session id (256 random bits).
pub fn new_session_id() -> String {
    b64(&random_bytes::<32>())
}

/// A new API token secret (256 random bits), prefixed so that it is recognisable in a
/// leaked file.
pub fn new_token_secret() -> String {
    format!("medsec_{}", b64(&random_bytes::<32>()))
}

/// SHA-256 (hex) of a session id or token secret: what the store keeps.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a session: derived from its secret id, so it is bound to the
/// session and needs no storage; it cannot be computed without the HttpOnly cookie.
pub fn csrf_token(session_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"medsec-csrf\n");
    h.update(session_id.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The argon2id PHC string of a password (argon2's defaults: 19 MiB, 2 passes, 1 lane,
/// the OWASP minimum).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether a password matches a PHC string (false for a malformed one).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Refuses passwords too short to resist guessing.
pub fn check_password_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("a password needs at least 12 characters".into());
    }
    if password.len() > 1024 {
        return Err("a password may have at most 1024 bytes".into());
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Csrf {
    /// A token-authenticated call, or a safe method.
    NotNeeded,
    Verified,
    /// A cookie session's state-changing request without a CSRF header: the handler may
    /// still find the token in a form field.
    Missing {
        expected: String,
    },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// How the audit log names the caller: `account:ID EMAIL` or `token:ID NAME`.
    pub actor: String,
    pub account_id: Option<i64>,
    pub token_id: Option<i64>,
    /// The organisations the caller belongs to, with the role in each.
    pub memberships: Vec<(i64, Role)>,
    /// The session's CSRF token (cookie sessions only).
    pub csrf_token: Option<String>,
    /// The hash of the session id (cookie sessions only), for logout.
    pub session_hash: Option<String>,
    csrf: Csrf,
}

impl Caller {
    /// The caller's role in an organisation. A caller outside the organisation gets
    /// 404, exactly as for an id that does not exist: existence is not disclosed.
    pub fn authorize(
        &self,
        organisation_id: i64,
        permission: Permission,
        what: &str,
    ) -> Result<Role, ApiError> {
        let Some(role) = self
            .memberships
            .iter()
            .find(|(o, _)| *o == organisation_id)
            .map(|(_, r)| *r)
        else {
            return Err(ApiError::not_found(format!("no {what}")));
        };
        if permission != Permission::Read
            && let Csrf::Missing { .. } = self.csrf
        {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                format!(
                    "a change made with a session cookie needs the session's CSRF token in the {CSRF_HEADER} header (or the {CSRF_FIELD} form field)"
                ),
            ));
        }
        if !allows(role, permission) {
            return Err(ApiError::forbidden(format!(
                "the {} role may not do this (see the permission table)",
                role.as_str()
            )));
        }
        Ok(role)
    }

    /// Accepts the CSRF token found in a form field.
    pub fn csrf_from_form(&mut self, value: &str) {
        if let Csrf::Missing { expected } = &self.csrf
            && same(expected, value)
        {
            self.csrf = Csrf::Verified;
        }
    }

    /// Refuses a state-changing cookie request without its CSRF token (for changes that
    /// are not in one organisation, such as logging out).
    pub fn require_csrf(&self) -> Result<(), ApiError> {
        match self.csrf {
            Csrf::Missing { .. } => Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                format!("this request needs the session's CSRF token in the {CSRF_HEADER} header"),
            )),
            _ => Ok(()),
        }
    }
}

/// The value of a cookie in the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    for value in parts.headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=')
                && k == name
            {
                return Some(v.to_owned());
            }
        }
    }
    None
}

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION)
        && let Ok(text) = v.to_str()
        && let Some(token) = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
    {
        return Some(token.trim().to_owned());
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let store = &state.inner.store;
        if let Some(secret) = bearer(parts) {
            let Some(token) = store.token_by_hash(&secret_hash(&secret)).await? else {
                return Err(ApiError::unauthorized(
                    "the API token is unknown or revoked",
                ));
            };
            return Ok(Caller {
                actor: format!("token:{} {}", token.id, token.name),
                account_id: None,
                token_id: Some(token.id),
                memberships: vec![(token.organisation_id, token.role)],
                csrf_token: None,
                session_hash: None,
                csrf: Csrf::NotNeeded,
            });
        }
        let Some(session_id) = cookie(parts, SESSION_COOKIE) else {
            return Err(ApiError::unauthorized(
                "log in (POST /api/v1/login) or send an API token (Authorization: Bearer, or X-Api-Key)",
            ));
        };
        let hash = secret_hash(&session_id);
        let Some(account) = store.session_account(&hash, now_unix()).await? else {
            return Err(ApiError::unauthorized(
                "the session has ended; log in again",
            ));
        };
        let memberships = store
            .memberships(account.id)
            .await?
            .into_iter()
            .map(|m| (m.organisation_id, m.role))
            .collect();
        let expected = csrf_token(&session_id);
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let csrf = if safe {
            Csrf::NotNeeded
        } else {
            match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
                Some(given) if same(&expected, given) => Csrf::Verified,
                Some(_) => {
                    return Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "csrf",
                        "the CSRF token does not belong to this session",
                    ));
                }
                None => Csrf::Missing {
                    expected: expected.clone(),
                },
            }
        };
        Ok(Caller {
            actor: format!("account:{} {}", account.id, account.email),
            account_id: Some(account.id),
            token_id: None,
            memberships,
            csrf_token: Some(expected),
            session_hash: Some(hash),
            csrf,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn permission_table() {
        use Permission::*;
        let table = [
            (Role::Viewer, [true, false, false, false]),
            (Role::Assessor, [true, true, false, false]),
            (Role::Engineer, [true, false, true, false]),
            (Role::Admin, [true, true, true, true]),
        ];
        for (role, expected) in table {
            let got = [Read, RecordEvidence, Write, Administer].map(|p| allows(role, p));
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterz", &phc));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn secrets_differ_and_csrf_is_bound_to_the_session() {
        let (a, b) = (new_session_id(), new_session_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
