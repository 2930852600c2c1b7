//! The web interface of `medsec serve` (issue 10): server-rendered HTML pages for
//! teams, laboratories and notified bodies, merged beside the REST API:
//!
//! ```no_run
//! # fn demo(state: medsec_server::AppState) -> axum::Router {
//! medsec_server::router(state.clone()).merge(medsec_web::router(state))
//! # }
//! ```
//!
//! Every page and form goes through the API's own handlers and helpers
//! (`medsec_server::api`): the same session, the same organisation scoping (another
//! organisation's id answers 404, as a missing one), the same permission table, the same
//! validation and the same audit entries. Forms carry the session's CSRF token in the
//! `csrf_token` field, which the API's `Caller` checks.
//!
//! No JavaScript and no external resource: every page works with a plain browser, and
//! the Content-Security-Policy allows only the one inline stylesheet (by its hash),
//! same-origin images and same-origin form targets.
//!
//! | route | page |
//! |---|---|
//! | `GET /login`, `POST /login`, `POST /logout` | session |
//! | `GET /` | portfolio dashboard: products, versions, open findings by severity, trends |
//! | `POST /organisations/{org}/versions` | add a product version |
//! | `GET /organisations/{org}/audit` | the organisation's audit log (admin) |
//! | `GET /versions/{v}` | device page: diagram, architecture views, threats and FMEA with filters, documents, uploads |
//! | `POST /versions/{v}/device`, `POST /versions/{v}/sboms` | upload a device model, an SBOM |
//! | `GET /versions/{v}/tests`, `POST /versions/{v}/tests` | test plan with results; record a result with evidence |
//! | `GET /versions/{v}/findings`, `GET /versions/{v}/findings/{id}` | findings with filters; a finding's trace and triage |
//! | `POST /versions/{v}/findings/{id}/triage` | record a triage decision |
//! | `GET /versions/{v}/report`, `…/report.zip`, `…/report.html`, `…/report.pdf` | the report of the stored device model |

mod audit;
mod dashboard;
mod device;
mod engines;
mod error;
mod findings;
mod forms;
mod page;
mod report;
mod session;
mod testing;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use medsec_server::AppState;

pub use page::content_security_policy;

/// The web interface's routes, to be merged with `medsec_server::router`.
///
/// Uploads (device model, SBOM, evidence) accept up to the server's upload limit, as the
/// API's upload routes do. Requests are counted in `/metrics` like the API's.
pub fn router(state: AppState) -> Router {
    let upload = DefaultBodyLimit::max(state.settings().upload_limit);
    Router::new()
        .route("/", get(dashboard::page))
        // Browsers ask for it on every site; there is none, and an empty answer keeps
        // their consoles free of 404s.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/organisations/{org}/versions",
            post(dashboard::add_version),
        )
        .route("/organisations/{org}/audit", get(audit::page))
        .route("/versions/{version}", get(device::page))
        .route(
            "/versions/{version}/device",
            post(device::upload_device).layer(upload),
        )
        .route(
            "/versions/{version}/sboms",
            post(device::upload_sbom).layer(upload),
        )
        .route(
            "/versions/{version}/tests",
            get(testing::page).post(testing::record).layer(upload),
        )
        .route("/versions/{version}/findings", get(findings::list))
        .route(
            "/versions/{version}/findings/{finding}",
            get(findings::page),
        )
        .route(
            "/versions/{version}/findings/{finding}/triage",
            post(findings::triage),
        )
        .route("/versions/{version}/report", get(report::page))
        .route("/versions/{version}/report.zip", get(report::zip))
        .route("/versions/{version}/report.html", get(report::html))
        .route("/versions/{version}/report.pdf", get(report::pdf))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            medsec_server::measure,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// `medsec_server::serve` with the web interface merged beside the API: checks the
/// configuration, opens the store, listens, calls `ready` with the bound address and
/// serves until SIGINT or SIGTERM, then finishes the requests in flight and closes the
/// store. (The server crate cannot merge these routes itself: this crate depends on it.)
pub async fn serve(
    config: medsec_server::Config,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), medsec_server::ServerError> {
    use medsec_server::ServerError;
    medsec_server::check(&config)?;
    let store = medsec_store::Store::open(&config.database_url).await?;
    let state = AppState::new(store.clone(), config.settings.clone())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServerError::Io)?;
    ready(addr);
    let app = medsec_server::router(state.clone()).merge(router(state));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(medsec_server::shutdown_signal())
    .await
    .map_err(ServerError::Io)?;
    store.close().await;
    Ok(())
}

/// The headers of every web response: the strict CSP, no sniffing, no referrer, no
/// framing, and no caching of pages that hold confidential data.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_security_policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
