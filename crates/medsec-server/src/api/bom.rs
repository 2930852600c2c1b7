//! The Dependency-Track BOM upload that CI plugins use, so that existing pipelines
//! upload to medsec unchanged: `PUT /api/v1/bom` (JSON with a base64 BOM) and
//! `POST /api/v1/bom` (multipart), authenticated by `X-Api-Key`, answering a token
//! that `GET /api/v1/bom/token/{uuid}` reports as processed.
//!
//! A Dependency-Track project is a product version here: `projectName` is the product,
//! `projectVersion` the version, `project` the version's project UUID (answered with
//! every version). With `autoCreate`, a missing version is created in the caller's one
//! organisation where it may write. The BOM is kept as the version's document `bom`
//! (a new revision per changed upload); `medsec monitor` matches it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use base64::Engine as _;
use medsec_store::{VersionFacts, VersionRef};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::portfolio::{keep_document, sbom_format};
use super::{format_uuid, now, parse_json, project_uuid, required_text};
use crate::AppState;
use crate::auth::{CSRF_FIELD, Caller, Permission};
use crate::error::{ApiError, ApiResult, Problem};

/// The JSON body of `PUT /api/v1/bom` (Dependency-Track's `BomSubmitRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BomSubmitRequest {
    /// The project's UUID (a version's `project`).
    pub project: Option<String>,
    pub project_name: Option<String>,
    pub project_version: Option<String>,
    #[serde(default)]
    pub auto_create: bool,
    /// The BOM, base64-encoded.
    pub bom: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BomUploadResponse {
    /// Identifies this upload.
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BomProcessing {
    /// Always false: medsec keeps the BOM before answering the upload.
    pub processing: bool,
}

fn new_token() -> String {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

struct Upload {
    project: Option<String>,
    name: Option<String>,
    version: Option<String>,
    auto_create: bool,
    bom: Vec<u8>,
}

async fn accept(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    u: Upload,
) -> ApiResult<BomUploadResponse> {
    let mut versions = Vec::new();
    for (org, _) in &caller.memberships {
        for v in state.store().organisation_versions(*org).await? {
            versions.push((*org, v));
        }
    }
    let found = if let Some(uuid) = &u.project {
        let uuid = uuid.trim().to_ascii_lowercase();
        match versions
            .into_iter()
            .find(|(_, v)| project_uuid(v.id) == uuid)
        {
            Some(found) => found,
            None => return Err(ApiError::not_found(format!("no project {uuid}"))),
        }
    } else {
        let (Some(name), Some(version)) = (&u.name, &u.version) else {
            return Err(ApiError::invalid(
                "name the project: `project` (UUID), or `projectName` and `projectVersion`",
            ));
        };
        let name = required_text("projectName", name, 300)?;
        let version = required_text("projectVersion", version, 200)?;
        let mut matching: Vec<_> = versions
            .into_iter()
            .filter(|(_, v)| v.name.product == name && v.name.version == version)
            .collect();
        match (matching.len(), u.auto_create) {
            (1, _) => matching.remove(0),
            (0, true) => {
                let writable: Vec<i64> = caller
                    .memberships
                    .iter()
                    .filter(|(_, r)| crate::auth::allows(*r, Permission::Write))
                    .map(|(o, _)| *o)
                    .collect();
                let [org] = writable[..] else {
                    return Err(ApiError::invalid(
                        "autoCreate needs a caller that may write in exactly one organisation (use that organisation's API token)",
                    ));
                };
                let organisation =
                    super::scoped_organisation(state, caller, org, Permission::Write).await?;
                let name = VersionRef {
                    organisation: organisation.name,
                    product: name,
                    version,
                };
                let (info, _) = super::store_as(state, caller, headers)
                    .portfolio_add(&name, &VersionFacts::default(), &now())
                    .await?;
                (org, info)
            }
            (0, false) => {
                // The caller's own words are not echoed: a 404 reads the same for all.
                return Err(ApiError::not_found(
                    "no such project version; set autoCreate to create it",
                ));
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "project `{name}` version `{version}` is in several of the caller's organisations; use its `project` UUID"
                )));
            }
        }
    };
    let (org, info) = found;
    caller.authorize(org, Permission::Write, "project")?;
    let format = sbom_format(&u.bom)?;
    let (doc, _) = keep_document(
        state, caller, headers, org, info.id, "sbom", "bom", &format, &u.bom, None,
    )
    .await?;
    tracing::info!(version = info.id, document = doc.id, "BOM kept");
    Ok(BomUploadResponse { token: new_token() })
}

fn decode(b64: &str) -> ApiResult<Vec<u8>> {
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| ApiError::invalid(format!("`bom` is not base64: {e}")))
}

/// Upload a BOM (Dependency-Track compatible, JSON with a base64 BOM).
#[utoipa::path(put, path = "/api/v1/bom", tag = "sboms", request_body = BomSubmitRequest,
    responses((status = 200, body = BomUploadResponse), (status = 401, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<BomUploadResponse>> {
    caller.require_csrf()?;
    let r: BomSubmitRequest = parse_json(&body)?;
    let upload = Upload {
        project: r.project,
        name: r.project_name,
        version: r.project_version,
        auto_create: r.auto_create,
        bom: decode(&r.bom)?,
    };
    Ok(Json(accept(&state, &caller, &headers, upload).await?))
}

/// The multipart form of `POST /api/v1/bom` (documentation of the fields).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct BomForm {
    project: Option<String>,
    project_name: Option<String>,
    project_version: Option<String>,
    /// `true` to create a missing project.
    auto_create: Option<String>,
    /// The BOM (a file part or text).
    #[schema(value_type = String, format = Binary)]
    bom: Vec<u8>,
}

/// Upload a BOM (Dependency-Track compatible, multipart form).
#[utoipa::path(post, path = "/api/v1/bom", tag = "sboms",
    request_body(content = BomForm, content_type = "multipart/form-data"),
    responses((status = 200, body = BomUploadResponse), (status = 401, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    mut form: Multipart,
) -> ApiResult<Json<BomUploadResponse>> {
    let mut upload = Upload {
        project: None,
        name: None,
        version: None,
        auto_create: false,
        bom: Vec::new(),
    };
    let mut has_bom = false;
    let too_large = super::evidence::multipart_error;
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "bom" {
            upload.bom = field.bytes().await.map_err(too_large)?.to_vec();
            has_bom = true;
            continue;
        }
        let text = field.text().await.map_err(too_large)?;
        match name.as_str() {
            "project" => upload.project = Some(text),
            "projectName" => upload.name = Some(text),
            "projectVersion" => upload.version = Some(text),
            "autoCreate" => upload.auto_create = text.trim().eq_ignore_ascii_case("true"),
            CSRF_FIELD => caller.csrf_from_form(&text),
            // Fields of Dependency-Track this server has no use for are ignored.
            _ => {}
        }
    }
    caller.require_csrf()?;
    if !has_bom {
        return Err(ApiError::invalid("the form has no `bom` field"));
    }
    Ok(Json(accept(&state, &caller, &headers, upload).await?))
}

/// Whether an upload is still being processed: never, since uploads are kept before
/// they are answered (Dependency-Track answers the same for a token it does not know).
#[utoipa::path(get, path = "/api/v1/bom/token/{uuid}", tag = "sboms",
    params(("uuid" = String, Path, description = "the upload's token")),
    responses((status = 200, body = BomProcessing), (status = 401, body = Problem)))]
pub async fn token(_caller: Caller, Path(_uuid): Path<String>) -> Json<BomProcessing> {
    Json(BomProcessing { processing: false })
}
