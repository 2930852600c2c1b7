//! The harness of the server tests: a router on a fresh SQLite store (or a given URL),
//! two organisations with an account of every role and tokens, and requests sent with
//! tower's `oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

pub mod pg;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use medsec_server::{AppState, Settings};
use medsec_store::Store;
use medsec_store::accounts::Role;
use medsec_store::audit::Actor;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "a long test password";

pub struct Org {
    pub id: i64,
    pub name: String,
    /// Token secrets by role.
    pub tokens: Vec<(Role, String)>,
}

impl Org {
    pub fn token(&self, role: Role) -> &str {
        self.tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, s)| s.as_str())
            .unwrap()
    }
    pub fn email(&self, role: Role) -> String {
        email(role, &self.name)
    }
}

pub struct App {
    pub _dir: Option<tempfile::TempDir>,
    pub store: Store,
    pub router: Router,
    pub a: Org,
    pub b: Org,
}

pub fn test_settings() -> Settings {
    Settings {
        secure_cookies: true,
        ..Settings::default()
    }
}

pub async fn sqlite_app(settings: Settings) -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("store.db").display().to_string();
    let mut app = app_on(&url, settings).await;
    app._dir = Some(dir);
    app
}

pub async fn app_on(url: &str, settings: Settings) -> App {
    let store = Store::open(url).await.unwrap();
    let a = seed(&store, PM_ORG).await;
    let b = seed(&store, "Bravo").await;
    let state = AppState::new(store.clone(), settings).unwrap();
    App {
        _dir: None,
        store,
        router: medsec_server::router(state),
        a,
        b,
    }
}

pub fn email(role: Role, org: &str) -> String {
    let slug: String = org
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{}@{slug}.example", role.as_str())
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// An organisation with one account of every role (password [`PASSWORD`]) and a token
/// of every role.
pub async fn seed(store: &Store, name: &str) -> Org {
    let actor = Actor {
        name: "test",
        reason: None,
    };
    let (org, _) = store
        .organisation_ensure(name, actor, &now())
        .await
        .unwrap();
    let hash = medsec_server::auth::hash_password(PASSWORD).unwrap();
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let email = email(role, name);
        let account = store
            .account_create(&email, &hash, actor, &now())
            .await
            .unwrap()
            .unwrap();
        store
            .membership_set(account.id, org.id, role, actor, &now())
            .await
            .unwrap();
        let secret = medsec_server::auth::new_token_secret();
        store
            .token_create(
                &medsec_server::auth::secret_hash(&secret),
                &format!("{} token", role.as_str()),
                org.id,
                role,
                actor,
                &now(),
            )
            .await
            .unwrap();
        tokens.push((role, secret));
    }
    Org {
        id: org.id,
        name: name.to_owned(),
        tokens,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// How a request authenticates.
#[derive(Clone)]
pub enum Auth {
    None,
    Token(String),
    /// Session cookie and (when given) the CSRF header.
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

pub async fn send(
    router: &Router,
    method: Method,
    path: &str,
    auth: &Auth,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(path);
    match auth {
        Auth::None => {}
        Auth::Token(t) => builder = builder.header("authorization", format!("Bearer {t}")),
        Auth::Session { cookie, csrf } => {
            builder = builder.header("cookie", format!("medsec_session={cookie}"));
            if let Some(c) = csrf {
                builder = builder.header("x-csrf-token", c);
            }
        }
    }
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    let response = router
        .clone()
        .oneshot(builder.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

pub async fn get(router: &Router, path: &str, auth: &Auth) -> Reply {
    send(router, Method::GET, path, auth, None, Vec::new()).await
}

pub async fn post_json(router: &Router, path: &str, auth: &Auth, body: Value) -> Reply {
    send(
        router,
        Method::POST,
        path,
        auth,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

/// Logs in; returns the session (cookie and CSRF token) and the reply.
pub async fn login(router: &Router, email: &str, password: &str) -> (Option<Auth>, Reply) {
    let reply = post_json(
        router,
        "/api/v1/login",
        &Auth::None,
        serde_json::json!({ "email": email, "password": password }),
    )
    .await;
    if reply.status != StatusCode::OK {
        return (None, reply);
    }
    let cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("medsec_session=")
        .to_owned();
    let csrf = reply.json()["csrf_token"].as_str().map(str::to_owned);
    (
        Some(Auth::Session {
            cookie: value,
            csrf,
        }),
        reply,
    )
}

/// A multipart body with text fields and files; returns the content type and bytes.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "medsec-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn example(path: &str) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    std::fs::read(root.join(path)).unwrap()
}

pub const PM_PRODUCT: &str = "Halvard Vigil Patient Monitoring System";
pub const PM_ORG: &str = "Halvard Vital Systems AG";

/// Seeds the patient monitor example as a version of the organisation (engineer token):
/// SBOMs, the device model, and one monitored finding. Returns the version id.
pub async fn seed_patient_monitor(app: &App, org: &Org) -> i64 {
    // The example's identity names its manufacturer: the organisation has that name.
    let _ = org;
    let auth = Auth::Token(org.token(Role::Engineer).to_owned());
    let r = post_json(
        &app.router,
        &format!("/api/v1/organisations/{}/versions", org.id),
        &auth,
        serde_json::json!({ "product": PM_PRODUCT, "version": "5.1", "release_date": "2025-03-01" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let version = r.json()["version"]["id"].as_i64().unwrap();
    for name in ["monitor-firmware", "central-station", "hl7-gateway"] {
        let r = send(
            &app.router,
            Method::POST,
            &format!("/api/v1/versions/{version}/sboms?name=sbom/{name}.cdx.json"),
            &auth,
            Some("application/json"),
            example(&format!("patient-monitor/sbom/{name}.cdx.json")),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = send(
        &app.router,
        Method::PUT,
        &format!("/api/v1/versions/{version}/device"),
        &auth,
        Some("application/yaml"),
        example("patient-monitor/device.yaml"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let observed = medsec_store::ObservedFinding {
        component: "pkg:generic/zlib@1.2.11".into(),
        vulnerability: "CVE-2022-37434".into(),
        status: "affected".into(),
        severity: "critical".into(),
        score: Some(9.8),
        kev: false,
        detail: serde_json::json!({ "component": { "name": "zlib", "version": "1.2.11" } }),
    };
    let now = now();
    app.store
        .record_monitor_run(&now, &now, (0, 0), &[(version, vec![observed])])
        .await
        .unwrap();
    version
}
