//! Products, versions and their documents; the device model of a version and what the
//! library crates compute from it (threat model, FMEA register, requirements, test
//! plan).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use medsec_store::{DocumentInfo, VersionFacts, VersionRef};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    Version, check_date, now, parse_json, required_text, scoped_organisation, scoped_version,
};
use crate::AppState;
use crate::auth::{Caller, Permission};
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProductOut {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub created_at: String,
}

impl From<medsec_store::accounts::ProductInfo> for ProductOut {
    fn from(p: medsec_store::accounts::ProductInfo) -> Self {
        ProductOut {
            id: p.id,
            organisation_id: p.organisation_id,
            name: p.name,
            created_at: p.created_at,
        }
    }
}

/// The organisation's products.
#[utoipa::path(get, path = "/api/v1/organisations/{org}/products", tag = "portfolio",
    params(("org" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Vec<ProductOut>), (status = 404, body = Problem)))]
pub async fn products(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<ProductOut>>> {
    scoped_organisation(&state, &caller, org, Permission::Read).await?;
    let list = state.store().products(org).await?;
    Ok(Json(list.into_iter().map(ProductOut::from).collect()))
}

async fn scoped_product(
    state: &AppState,
    caller: &Caller,
    product: i64,
) -> ApiResult<medsec_store::accounts::ProductInfo> {
    let what = format!("product {product}");
    let Some(org) = state.store().product_organisation(product).await? else {
        return Err(ApiError::not_found(format!("no {what}")));
    };
    caller.authorize(org, Permission::Read, &what)?;
    state
        .store()
        .product(product)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {what}")))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{product}", tag = "portfolio",
    params(("product" = i64, Path, description = "product id")),
    responses((status = 200, body = ProductOut), (status = 404, body = Problem)))]
pub async fn product(
    State(state): State<AppState>,
    caller: Caller,
    Path(product): Path<i64>,
) -> ApiResult<Json<ProductOut>> {
    Ok(Json(scoped_product(&state, &caller, product).await?.into()))
}

/// A product's versions, in the order they were added.
#[utoipa::path(get, path = "/api/v1/products/{product}/versions", tag = "portfolio",
    params(("product" = i64, Path, description = "product id")),
    responses((status = 200, body = Vec<Version>), (status = 404, body = Problem)))]
pub async fn product_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(product): Path<i64>,
) -> ApiResult<Json<Vec<Version>>> {
    scoped_product(&state, &caller, product).await?;
    let versions = state.store().product_versions(product).await?;
    Ok(Json(versions.into_iter().map(Version::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionRequest {
    /// The product's name (created when new).
    pub product: String,
    pub version: String,
    /// YYYY-MM-DD.
    pub release_date: Option<String>,
    /// YYYY-MM-DD.
    pub end_of_support: Option<String>,
    pub installed_base: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VersionWritten {
    pub version: Version,
    pub created: bool,
}

/// Add a product version (creating its product when new) or update its facts (engineer).
#[utoipa::path(post, path = "/api/v1/organisations/{org}/versions", tag = "portfolio",
    params(("org" = i64, Path, description = "organisation id")), request_body = VersionRequest,
    responses((status = 200, body = VersionWritten), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn version_write(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<VersionWritten>> {
    let organisation = scoped_organisation(&state, &caller, org, Permission::Write).await?;
    let request: VersionRequest = parse_json(&body)?;
    let name = VersionRef {
        organisation: organisation.name,
        product: required_text("product", &request.product, 300)?,
        version: required_text("version", &request.version, 200)?,
    };
    if request.installed_base.is_some_and(|n| n < 0) {
        return Err(ApiError::invalid("`installed_base` is negative"));
    }
    let facts = VersionFacts {
        release_date: request
            .release_date
            .as_deref()
            .map(|d| check_date("release_date", d))
            .transpose()?,
        end_of_support: request
            .end_of_support
            .as_deref()
            .map(|d| check_date("end_of_support", d))
            .transpose()?,
        installed_base: request.installed_base,
    };
    let (info, created) = super::store_as(&state, &caller, &headers)
        .portfolio_add(&name, &facts, &now())
        .await?;
    Ok(Json(VersionWritten {
        version: info.into(),
        created,
    }))
}

/// One product version.
#[utoipa::path(get, path = "/api/v1/versions/{version}", tag = "portfolio",
    params(("version" = i64, Path, description = "product version id")),
    responses((status = 200, body = Version), (status = 404, body = Problem)))]
pub async fn version(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<Json<Version>> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    Ok(Json(info.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentOut {
    pub id: i64,
    /// `sbom` or `device-model`.
    pub kind: String,
    pub name: String,
    pub revision: i64,
    pub format: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
}

impl From<DocumentInfo> for DocumentOut {
    fn from(d: DocumentInfo) -> Self {
        DocumentOut {
            id: d.id,
            kind: d.kind,
            name: d.name,
            revision: d.revision,
            format: d.format,
            sha256: d.sha256,
            size: d.size,
            added_at: d.added_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DocumentsQuery {
    /// Every revision, not only the current one of each document.
    pub all_revisions: Option<bool>,
}

/// A version's documents (SBOMs and the device model).
#[utoipa::path(get, path = "/api/v1/versions/{version}/documents", tag = "portfolio",
    params(("version" = i64, Path, description = "product version id"), DocumentsQuery),
    responses((status = 200, body = Vec<DocumentOut>), (status = 404, body = Problem)))]
pub async fn documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
    Query(q): Query<DocumentsQuery>,
) -> ApiResult<Json<Vec<DocumentOut>>> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let docs = state
        .store()
        .documents(version, q.all_revisions.unwrap_or(false))
        .await?;
    Ok(Json(docs.into_iter().map(DocumentOut::from).collect()))
}

/// The bytes of one document revision of the version.
#[utoipa::path(get, path = "/api/v1/versions/{version}/documents/{document}", tag = "portfolio",
    params(("version" = i64, Path, description = "product version id"), ("document" = i64, Path, description = "document id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    Path((version, document)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let docs = state.store().documents(version, true).await?;
    let Some(doc) = docs.into_iter().find(|d| d.id == document) else {
        return Err(ApiError::not_found(format!("no document {document}")));
    };
    let bytes = state.store().document_content(doc.id).await?;
    Ok(bytes_response(
        bytes,
        "application/octet-stream",
        &doc.sha256,
    ))
}

pub fn bytes_response(bytes: Vec<u8>, content_type: &'static str, etag: &str) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// Keeps a document revision and audits it when it is new.
#[allow(clippy::too_many_arguments)]
pub async fn keep_document(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    org: i64,
    version: i64,
    kind: &str,
    name: &str,
    format: &str,
    bytes: &[u8],
    expected: Option<&str>,
) -> ApiResult<(DocumentInfo, bool)> {
    // The organisation was checked by the caller of this function; the store derives it
    // for the audit entry from the version.
    let _ = org;
    let (doc, added) = super::store_as(state, caller, headers)
        .add_document_expecting(version, kind, name, format, bytes, &now(), expected)
        .await?;
    Ok((doc, added))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentWritten {
    pub document: DocumentOut,
    /// False when the bytes equal the current revision (nothing was added).
    pub added: bool,
}

/// Upload the version's device model (device.yaml, engineer). It must load without
/// errors with the version's SBOMs (upload those first, under the names the model
/// gives them), and its identity (manufacturer, name, version) must be the version's
/// organisation, product and version, so that test results recorded for the device
/// belong to this version.
#[utoipa::path(put, path = "/api/v1/versions/{version}/device", tag = "devices",
    params(("version" = i64, Path, description = "product version id")),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 200, body = DocumentWritten), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn device_put(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(version): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<DocumentWritten>> {
    let (org, info) = scoped_version(&state, &caller, version, Permission::Write).await?;
    let bytes = body.to_vec();
    let check = bytes.clone();
    // The SBOMs the model names are checked too: upload them first.
    let mut sboms = Vec::new();
    for d in state.store().documents(version, false).await? {
        if d.kind == "sbom" && d.name != "bom" {
            sboms.push((
                document_name(&d.name)?,
                state.store().document_content(d.id).await?,
            ));
        }
    }
    let identity =
        tokio::task::spawn_blocking(move || -> Result<(String, String, String), String> {
            let dir = tempfile::tempdir().map_err(|e| format!("scratch folder: {e}"))?;
            for (relative, sbom) in sboms {
                let target = dir.path().join(relative);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| format!("scratch folder: {e}"))?;
                }
                std::fs::write(target, sbom).map_err(|e| format!("scratch file: {e}"))?;
            }
            std::fs::write(dir.path().join("device.yaml"), &check)
                .map_err(|e| format!("scratch file: {e}"))?;
            match medsec_device::load(&dir.path().join("device.yaml")) {
                Ok(loaded) => {
                    let d = &loaded.device.device;
                    Ok((d.manufacturer.clone(), d.name.clone(), d.version.clone()))
                }
                Err(medsec_device::LoadError::Invalid(report)) => Err(report
                    .diagnostics
                    .iter()
                    .filter(|d| format!("{:?}", d.level).eq_ignore_ascii_case("error"))
                    .map(|d| format!("line {}:{}: {} ({})", d.line, d.column, d.message, d.code))
                    .collect::<Vec<_>>()
                    .join("; ")),
                Err(other) => Err(other.to_string()),
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("device check: {e}")))?
        .map_err(|e| ApiError::invalid(format!("the device model is invalid: {e}")))?;
    let wanted = (
        info.name.organisation.clone(),
        info.name.product.clone(),
        info.name.version.clone(),
    );
    if identity != wanted {
        return Err(ApiError::invalid(format!(
            "the device model names manufacturer `{}`, device `{}`, version `{}`; this version is `{}` / `{}` / `{}`",
            identity.0, identity.1, identity.2, wanted.0, wanted.1, wanted.2
        )));
    }
    // Optimistic locking: `If-Match: "<sha256>"` (the ETag of GET …/device) makes the
    // upload conditional on the model still being the one the editor started from.
    let expected = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        });
    let (doc, added) = keep_document(
        &state,
        &caller,
        &headers,
        org,
        version,
        "device-model",
        "device.yaml",
        "medsec device 1",
        &bytes,
        expected.as_deref(),
    )
    .await
    .map_err(|e| {
        if e.status == StatusCode::CONFLICT {
            ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                e.detail,
            )
        } else {
            e
        }
    })?;
    Ok(Json(DocumentWritten {
        document: doc.into(),
        added,
    }))
}

/// The version's current device model (device.yaml).
#[utoipa::path(get, path = "/api/v1/versions/{version}/device", tag = "devices",
    params(("version" = i64, Path, description = "product version id")),
    responses((status = 200, content_type = "application/yaml", body = String), (status = 404, body = Problem)))]
pub async fn device_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<Response> {
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let docs = state.store().documents(version, false).await?;
    let Some(doc) = docs.into_iter().find(|d| d.kind == "device-model") else {
        return Err(ApiError::not_found("this version has no device model"));
    };
    let bytes = state.store().document_content(doc.id).await?;
    Ok(bytes_response(bytes, "application/yaml", &doc.sha256))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SbomQuery {
    /// The SBOM's name: the path the device model names it by (`sbom/firmware.cdx.json`),
    /// or any file name.
    pub name: String,
}

/// Reads an SBOM: it must parse (a document that cannot be read cannot be monitored).
pub fn sbom_format(bytes: &[u8]) -> ApiResult<String> {
    match medsec_formats::sbom::read(bytes) {
        Ok(reading) => Ok(format!(
            "{} {}",
            reading.sbom.format, reading.sbom.spec_version
        )),
        Err(e) => Err(ApiError::invalid(format!("not a readable SBOM: {e}"))),
    }
}

/// Checks a document name: a plain relative path (it becomes a file name when the
/// device is loaded).
pub fn document_name(name: &str) -> ApiResult<String> {
    let name = required_text("name", name, 300)?;
    let path = std::path::Path::new(&name);
    if path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        || name == "device.yaml"
    {
        return Err(ApiError::invalid(format!(
            "`{name}` is not a plain relative path (or is the device model's name)"
        )));
    }
    Ok(name)
}

/// Upload an SBOM of the version (CycloneDX or SPDX; engineer): kept as a new revision
/// when its bytes change. `medsec monitor` matches it against the store.
#[utoipa::path(post, path = "/api/v1/versions/{version}/sboms", tag = "sboms",
    params(("version" = i64, Path, description = "product version id"), SbomQuery),
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = DocumentWritten), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn sbom_post(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(version): Path<i64>,
    Query(q): Query<SbomQuery>,
    body: Bytes,
) -> ApiResult<Json<DocumentWritten>> {
    let (org, _) = scoped_version(&state, &caller, version, Permission::Write).await?;
    let name = document_name(&q.name)?;
    let format = sbom_format(&body)?;
    let (doc, added) = keep_document(
        &state, &caller, &headers, org, version, "sbom", &name, &format, &body, None,
    )
    .await?;
    Ok(Json(DocumentWritten {
        document: doc.into(),
        added,
    }))
}

/// What the computed views share: the stored device written to a scratch folder in the
/// layout its file names, loaded.
pub async fn stored_device(
    state: &AppState,
    version: i64,
) -> ApiResult<(tempfile::TempDir, medsec_device::LoadedDevice)> {
    let docs = state.store().documents(version, false).await?;
    if !docs.iter().any(|d| d.kind == "device-model") {
        return Err(ApiError::not_found(
            "this version has no device model (PUT /api/v1/versions/{version}/device)",
        ));
    }
    let mut files = Vec::new();
    for d in &docs {
        let relative = if d.kind == "device-model" {
            "device.yaml".to_owned()
        } else {
            document_name(&d.name)?
        };
        files.push((relative, state.store().document_content(d.id).await?));
    }
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| ApiError::internal(format!("scratch: {e}")))?;
        for (relative, bytes) in files {
            let target = dir.path().join(relative);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| ApiError::internal(format!("scratch: {e}")))?;
            }
            std::fs::write(&target, bytes)
                .map_err(|e| ApiError::internal(format!("scratch: {e}")))?;
        }
        match medsec_device::load(&dir.path().join("device.yaml")) {
            Ok(loaded) => Ok((dir, loaded)),
            Err(e) => Err(ApiError::invalid(format!(
                "the stored device model does not load: {e}"
            ))),
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("device load: {e}")))?
}

#[derive(Clone, Copy)]
enum View {
    Threats,
    Risk,
    Requirements,
    TestPlan,
}

async fn computed(state: &AppState, version: i64, view: View) -> ApiResult<serde_json::Value> {
    let (dir, loaded) = stored_device(state, version).await?;
    let results = match view {
        View::TestPlan | View::Risk => {
            let key = medsec_catalog::results::DeviceKey::of(&loaded.device);
            state.store().test_results(&key).await?
        }
        _ => Vec::new(),
    };
    let engines = state.inner.engines.clone();
    tokio::task::spawn_blocking(move || {
        let _keep = dir;
        let e = &*engines;
        let device = &loaded.device;
        let model = medsec_threat::analyse(&loaded, &e.rules);
        let value = match view {
            View::Threats => serde_json::json!({
                "device": device.device.name,
                "version": device.device.version,
                "rules_in_catalogue": model.rules_in_catalogue,
                "threats_total": model.threats.len(),
                "unmatched_mitigations": model.unmatched_mitigations,
                "threats": model.threats,
            }),
            View::Risk => {
                let mut register = medsec_threat::register(&model, &e.risk_policy);
                let plan = medsec_catalog::plan::plan(
                    &e.catalog,
                    &e.test_policy,
                    device,
                    &model,
                    &register,
                    &results,
                );
                medsec_catalog::results::reopen_failed(&mut register, &plan);
                serde_json::json!({
                    "device": device.device.name,
                    "version": device.device.version,
                    "rows_total": register.rows.len(),
                    "safety_rows": register.safety_rows(),
                    "register": register,
                })
            }
            View::Requirements => {
                let (facts, _) = medsec_catalog::plan::facts(device, &e.test_policy);
                let judged =
                    medsec_catalog::requirements::applicability(&e.catalog, &facts, &e.test_policy);
                serde_json::json!({
                    "device": device.device.name,
                    "version": device.device.version,
                    "catalogue": e.catalog.digest,
                    "frameworks": judged,
                })
            }
            View::TestPlan => {
                let register = medsec_threat::register(&model, &e.risk_policy);
                let plan = medsec_catalog::plan::plan(
                    &e.catalog,
                    &e.test_policy,
                    device,
                    &model,
                    &register,
                    &results,
                );
                serde_json::to_value(&plan).unwrap_or_default()
            }
        };
        Ok(value)
    })
    .await
    .map_err(|e| ApiError::internal(format!("computing: {e}")))?
}

macro_rules! view {
    ($name:ident, $path:literal, $view:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(get, path = $path, tag = "devices",
            params(("version" = i64, Path, description = "product version id")),
            responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Path(version): Path<i64>,
        ) -> ApiResult<Json<serde_json::Value>> {
            scoped_version(&state, &caller, version, Permission::Read).await?;
            Ok(Json(computed(&state, version, $view).await?))
        }
    };
}

view!(
    threats,
    "/api/v1/versions/{version}/threats",
    View::Threats,
    "The STRIDE threat model of the version's device model (the built-in rules)."
);
view!(
    risk,
    "/api/v1/versions/{version}/risk",
    View::Risk,
    "The FMEA risk register of the version's device, rows reopened by failed tests."
);
view!(
    requirements,
    "/api/v1/versions/{version}/requirements",
    View::Requirements,
    "The requirements of every framework and whether they apply to the device, with reasons."
);
view!(
    testplan,
    "/api/v1/versions/{version}/testplan",
    View::TestPlan,
    "The security test plan of the device, with the recorded results."
);

/// An empty 204, used where nothing is answered.
pub fn no_content() -> StatusCode {
    StatusCode::NO_CONTENT
}
