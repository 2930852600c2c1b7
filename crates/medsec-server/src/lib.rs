//! `medsec serve` (issue 10): the REST API over the store, for teams, laboratories and
//! notified bodies, with accounts, roles, strict organisation isolation and the audit
//! log.
//!
//! ```no_run
//! # async fn demo() -> Result<(), medsec_server::ServerError> {
//! let config = medsec_server::Config::new("127.0.0.1:8080".parse().unwrap(), "store.db".into());
//! medsec_server::serve(config, |addr| eprintln!("listening on http://{addr}")).await
//! # }
//! ```
//!
//! # The API
//!
//! Versioned under `/api/v1/`, JSON in and out; the OpenAPI 3.1 document generated from
//! the handlers' annotations is at `GET /openapi.json` (every route is in it; the
//! isolation test walks it). Every error is an RFC 9457 problem document
//! (`application/problem+json`: `status`, `title`, `code`, `detail`). Also `GET
//! /healthz` (the store answers) and `GET /metrics` (Prometheus text: requests and a
//! latency histogram per route, resident memory).
//!
//! # Who may do what
//!
//! A caller is an account logged in with a session cookie (`POST /api/v1/login`), or
//! an API token of one organisation with one role (`Authorization: Bearer …` or
//! `X-Api-Key: …`). Accounts belong to organisations with a role each:
//!
//! | | viewer | assessor | engineer | admin |
//! |---|:-:|:-:|:-:|:-:|
//! | read the organisation's products, versions, documents, device models, threats, risks, requirements, test plans, results, evidence, findings, triage, VEX | ✓ | ✓ | ✓ | ✓ |
//! | record test results with evidence files | | ✓ | | ✓ |
//! | add versions, upload device models and SBOMs (also the Dependency-Track upload), record triage decisions | | | ✓ | ✓ |
//! | manage members and API tokens, read the audit log | | | | ✓ |
//!
//! Engineers do not record test results, so that test evidence stays apart from the
//! design team; assessors do not change what they assess. Organisations and accounts
//! are created by an operator (`medsec account add`).
//!
//! **Isolation.** Every id in a path is looked up with the organisation it belongs to
//! and checked against the caller's memberships before anything else (the body is read
//! after the check): another organisation's id answers 404 exactly as an id that does
//! not exist. Lists only hold the caller's organisations. Evidence files are stored
//! once by SHA-256 for everyone, so a download is only answered for a file attached to
//! a result of the version named in the path.
//!
//! # Security
//!
//! - Passwords: argon2id (PHC strings, argon2's defaults: 19 MiB, 2 passes). Login
//!   answers an unknown e-mail and a wrong password alike, after checking a dummy hash
//!   so both take as long. Failed logins are kept in the store; more than
//!   [`LoginLimits::per_account`] per e-mail or [`LoginLimits::per_client`] per client
//!   address within [`LoginLimits::window_seconds`] get 429, across every server
//!   process.
//! - Sessions: a 256-bit random id in the cookie `medsec_session` (`HttpOnly`,
//!   `SameSite=Strict`, `Secure` unless the server listens on loopback only and was
//!   started with `--insecure-cookies`); only its SHA-256 is stored, so several server
//!   processes share sessions and a copy of the database does not open one.
//! - CSRF: a state-changing request made with the session cookie must carry the
//!   session's CSRF token (answered by login and `GET /api/v1/me`) in the
//!   `X-CSRF-Token` header or a `csrf_token` form field; it is SHA-256 of a label and
//!   the session id, bound to the session. Token-authenticated calls need none.
//! - API tokens: 256-bit random secrets shown once; only their SHA-256 is stored.
//! - Body limits: [`Settings::body_limit`] for every request, the larger
//!   [`Settings::upload_limit`] for SBOM, device model, evidence and BOM uploads; over
//!   it, 413.
//! - Audit: every change (versions, documents, test results, triage decisions,
//!   accounts, memberships, tokens) is appended to the store's hash-chained audit log
//!   ([`medsec_store::audit`]) with the caller, the time, the record, before/after JSON
//!   and the reason given in the `X-Audit-Reason` header. The change and its entry are
//!   two transactions for the portfolio and evidence records (the store's functions
//!   for them commit on their own), one for accounts, memberships and tokens.
//!
//! # Stateless
//!
//! A server keeps nothing between requests but metrics: sessions, rate-limit counts and
//! the audit chain live in the store, so several `medsec serve` processes against one
//! PostgreSQL database serve the same data.

pub mod api;
pub mod auth;
pub mod error;
mod metrics;

/// The request counter and latency histogram, for routes merged beside the API's.
pub use metrics::measure;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use medsec_store::Store;
use utoipa::OpenApi;

pub use crate::metrics::Metrics;

/// Login rate limits.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failed logins per e-mail address within the window.
    pub per_account: i64,
    /// Failed logins per client address within the window.
    pub per_client: i64,
    pub window_seconds: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_client: 20,
            window_seconds: 15 * 60,
        }
    }
}

/// What a server is configured with (beyond its store).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Set `Secure` on the session cookie (off only for loopback tests).
    pub secure_cookies: bool,
    pub session_seconds: i64,
    /// Bytes of any request body.
    pub body_limit: usize,
    /// Bytes of an upload (SBOM, device model, evidence, BOM).
    pub upload_limit: usize,
    pub login: LoginLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: true,
            session_seconds: 12 * 3600,
            body_limit: 1 << 20,
            upload_limit: 64 << 20,
            login: LoginLimits::default(),
        }
    }
}

/// How `serve` starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub settings: Settings,
}

impl Config {
    pub fn new(listen: SocketAddr, database_url: String) -> Self {
        Config {
            listen,
            database_url,
            settings: Settings::default(),
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] medsec_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[source] std::io::Error),
    #[error("{0}")]
    Config(String),
    #[error("the built-in catalogues do not load: {0}")]
    Engines(String),
}

/// The catalogues and policies the computed views use, loaded once.
pub struct Engines {
    pub rules: medsec_threat::Catalogue,
    pub risk_policy: medsec_threat::Policy,
    pub catalog: medsec_catalog::Catalog,
    pub test_policy: medsec_catalog::TestPolicy,
}

impl Engines {
    pub fn builtin() -> Result<Engines, ServerError> {
        let e = |x: String| ServerError::Engines(x);
        Ok(Engines {
            rules: medsec_threat::Catalogue::builtin().map_err(|x| e(x.to_string()))?,
            risk_policy: medsec_threat::Policy::default_policy().map_err(|x| e(x.to_string()))?,
            catalog: medsec_catalog::Catalog::builtin().map_err(|x| e(x.to_string()))?,
            test_policy: medsec_catalog::TestPolicy::default_policy()
                .map_err(|x| e(x.to_string()))?,
        })
    }
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) settings: Settings,
    pub(crate) metrics: Metrics,
    /// An argon2id hash of a random password: what an unknown account is checked
    /// against, so that it takes as long as a known one.
    pub(crate) dummy_hash: String,
    pub(crate) engines: Arc<Engines>,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> Result<AppState, ServerError> {
        let dummy_hash = auth::hash_password(&auth::new_session_id())
            .map_err(|e| ServerError::Config(format!("argon2: {e}")))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                settings,
                metrics: Metrics::default(),
                dummy_hash,
                engines: Arc::new(Engines::builtin()?),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The limits and options the server runs with (the web interface applies the same
    /// upload limit).
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }
}

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "medsec", description = "Cybersecurity of medical devices: portfolio, device models, threat models, risk, requirements, test plans, evidence, SBOMs, findings, triage and VEX."),
    paths(
        healthz, metrics_text, openapi_json,
        api::account::login, api::account::logout, api::account::me,
        api::account::organisations, api::account::organisation,
        api::account::members, api::account::member_set, api::account::member_remove,
        api::account::tokens, api::account::token_create, api::account::token_revoke,
        api::account::audit_log,
        api::portfolio::products, api::portfolio::product, api::portfolio::product_versions,
        api::portfolio::version_write, api::portfolio::version,
        api::portfolio::documents, api::portfolio::document,
        api::portfolio::device_put, api::portfolio::device_get, api::portfolio::sbom_post,
        api::portfolio::threats, api::portfolio::risk, api::portfolio::requirements,
        api::portfolio::testplan,
        api::evidence::record, api::evidence::list, api::evidence::download,
        api::findings::list, api::findings::record, api::findings::decisions, api::findings::vex,
        api::bom::put, api::bom::post, api::bom::token,
    ),
    components(schemas(error::Problem)),
    tags(
        (name = "session"), (name = "organisations"), (name = "portfolio"), (name = "devices"),
        (name = "evidence"), (name = "sboms"), (name = "findings"), (name = "operations")
    )
)]
pub struct ApiDoc;

/// Whether the store answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = String), (status = 503, body = error::Problem)))]
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store().organisation(0).await {
        Ok(_) => "ok\n".into_response(),
        Err(e) => error::ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("the store does not answer: {e}"),
        )
        .into_response(),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics_text(State(state): State<AppState>) -> Response {
    let mut r = state.inner.metrics.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, body = Object)))]
async fn openapi_json() -> Response {
    let mut r = ApiDoc::openapi()
        .to_json()
        .unwrap_or_default()
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    use api::{account as a, bom, evidence as e, findings as f, portfolio as p};
    let settings = &state.inner.settings;
    let upload = DefaultBodyLimit::max(settings.upload_limit);
    let v1 = Router::new()
        .route("/login", post(a::login))
        .route("/logout", post(a::logout))
        .route("/me", get(a::me))
        .route("/organisations", get(a::organisations))
        .route("/organisations/{org}", get(a::organisation))
        .route("/organisations/{org}/products", get(p::products))
        .route("/organisations/{org}/versions", post(p::version_write))
        .route(
            "/organisations/{org}/members",
            get(a::members).post(a::member_set),
        )
        .route(
            "/organisations/{org}/members/{account}",
            axum::routing::delete(a::member_remove),
        )
        .route(
            "/organisations/{org}/tokens",
            get(a::tokens).post(a::token_create),
        )
        .route(
            "/organisations/{org}/tokens/{token}",
            axum::routing::delete(a::token_revoke),
        )
        .route("/organisations/{org}/audit", get(a::audit_log))
        .route("/products/{product}", get(p::product))
        .route("/products/{product}/versions", get(p::product_versions))
        .route("/versions/{version}", get(p::version))
        .route("/versions/{version}/documents", get(p::documents))
        .route("/versions/{version}/documents/{document}", get(p::document))
        .route(
            "/versions/{version}/device",
            get(p::device_get).put(p::device_put).layer(upload),
        )
        .route(
            "/versions/{version}/sboms",
            post(p::sbom_post).layer(upload),
        )
        .route("/versions/{version}/threats", get(p::threats))
        .route("/versions/{version}/risk", get(p::risk))
        .route("/versions/{version}/requirements", get(p::requirements))
        .route("/versions/{version}/testplan", get(p::testplan))
        .route(
            "/versions/{version}/test-results",
            get(e::list).post(e::record).layer(upload),
        )
        .route("/versions/{version}/evidence/{sha256}", get(e::download))
        .route("/versions/{version}/findings", get(f::list))
        .route(
            "/versions/{version}/triage",
            get(f::decisions).post(f::record),
        )
        .route("/versions/{version}/vex", get(f::vex))
        .route("/bom", put(bom::put).post(bom::post).layer(upload))
        .route("/bom/token/{uuid}", get(bom::token));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi_json))
        .nest("/api/v1", v1)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::measure,
        ))
        .layer(DefaultBodyLimit::max(settings.body_limit))
        .layer(axum::middleware::map_response(
            error::problem_for_plain_errors,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            settings.upload_limit.max(settings.body_limit),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Checks a configuration: cookies without `Secure` only on a loopback address.
pub fn check(config: &Config) -> Result<(), ServerError> {
    if !config.settings.secure_cookies && !config.listen.ip().is_loopback() {
        return Err(ServerError::Config(format!(
            "cookies without the Secure flag are only allowed on a loopback address, not {}",
            config.listen
        )));
    }
    Ok(())
}

/// Opens the store, listens, calls `ready` with the bound address, and serves until
/// SIGINT or SIGTERM; then stops accepting, finishes the requests in flight and
/// closes the store.
pub async fn serve(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    check(&config)?;
    let store = Store::open(&config.database_url).await?;
    let state = AppState::new(store.clone(), config.settings.clone())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServerError::Io)?;
    ready(addr);
    serve_on(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Serves `state` on a bound listener until `shutdown` completes (graceful).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(ServerError::Io)
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT: shutting down"),
        _ = term => tracing::info!("SIGTERM: shutting down"),
    }
}
