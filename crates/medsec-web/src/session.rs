//! Logging in and out through the API's own handlers (same rate limits, same answer for
//! an unknown e-mail and a wrong password), and the caller of a page.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::html;
use medsec_server::AppState;
use medsec_server::api::account::ClientAddr;
use medsec_server::auth::Caller;
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::forms::WebForm;
use crate::page::{layout, respond, see_other};

/// The caller of a page: a cookie session (or an API token); without one, the browser is
/// sent to the login page.
pub struct Signed(pub Caller);

impl FromRequestParts<AppState> for Signed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Caller::from_request_parts(parts, state)
            .await
            .map(Signed)
            .map_err(WebError::from)
    }
}

fn login_form(message: Option<&str>) -> maud::Markup {
    layout(
        "Log in",
        None,
        &[],
        html! {
            @if let Some(m) = message {
                p.problem role="alert" { (m) }
            }
            form.box method="post" action="/login" {
                label for="email" { "E-mail" }
                input #email type="email" name="email" autocomplete="username" required;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button type="submit" { "Log in" } }
            }
        },
    )
}

pub async fn login_page() -> Response {
    respond(StatusCode::OK, login_form(None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// Whether a form was posted from a page of this server. The login form has no session
/// (so no CSRF token) yet: a login from another site (login CSRF, which would sign the
/// victim into the attacker's account) is refused on the browser's own word
/// (`Sec-Fetch-Site`, else `Origin` against `Host`). Clients that send neither are not
/// browsers acting for another site.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> Response {
    if !same_origin(&headers) {
        return respond(
            StatusCode::FORBIDDEN,
            login_form(Some("Log in from this server's own login page.")),
        );
    }
    let body = serde_json::json!({ "email": form.email, "password": form.password }).to_string();
    match medsec_server::api::account::login(State(state), client, Bytes::from(body)).await {
        Ok(api) => {
            let mut r = see_other("/");
            if let Some(cookie) = api.headers().get(header::SET_COOKIE) {
                r.headers_mut().insert(header::SET_COOKIE, cookie.clone());
            }
            r
        }
        // The API answers an unknown e-mail and a wrong password alike; so does the page.
        Err(e) if e.status == StatusCode::UNAUTHORIZED => respond(
            StatusCode::UNAUTHORIZED,
            login_form(Some("Wrong e-mail or password.")),
        ),
        Err(e) => respond(e.status, login_form(Some(&e.detail))),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn logout(
    State(state): State<AppState>,
    Signed(mut caller): Signed,
    WebForm(form): WebForm<CsrfForm>,
) -> WebResult<Response> {
    caller.csrf_from_form(&form.csrf_token);
    let api = medsec_server::api::account::logout(State(state), caller).await?;
    let mut r = see_other("/login");
    if let Some(cookie) = api.headers().get(header::SET_COOKIE) {
        r.headers_mut().insert(header::SET_COOKIE, cookie.clone());
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn logins_from_other_sites_are_told_apart() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(same_origin(&headers(&[])));
    }
}
