//! Test results with their evidence files (multipart upload), listed per version, and
//! evidence files downloaded by SHA-256.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use medsec_catalog::results::{DeviceKey, Outcome, TestResult};
use medsec_store::{NewEvidence, NewTestResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::portfolio::bytes_response;
use super::{now, required_text, scoped_version};
use crate::AppState;
use crate::auth::{CSRF_FIELD, Caller, Permission};
use crate::error::{ApiError, ApiResult, Problem};

/// The multipart form of a test result (documentation of the fields).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct TestResultForm {
    /// The test (`T-13`), as the catalogue and the test plan name it.
    test: String,
    /// pass, fail or not-applicable.
    outcome: String,
    tester: String,
    laboratory: Option<String>,
    accreditation: Option<String>,
    /// YYYY-MM-DD, not in the future; default today (UTC).
    performed_on: Option<String>,
    /// `tool version`, repeatable.
    tool: Option<Vec<String>>,
    notes: Option<String>,
    /// Evidence files, repeatable; each part's file name is kept.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Option<Vec<Vec<u8>>>,
    /// The session's CSRF token, when the header is not sent.
    csrf_token: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TestResultOut {
    pub id: i64,
    pub test: String,
    pub outcome: String,
    pub tester: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laboratory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accreditation: Option<String>,
    pub performed_on: String,
    pub tools: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub evidence: Vec<EvidenceOut>,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EvidenceOut {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

impl From<TestResult> for TestResultOut {
    fn from(r: TestResult) -> Self {
        TestResultOut {
            id: r.id,
            test: r.test,
            outcome: r.outcome.as_str().to_owned(),
            tester: r.tester,
            laboratory: r.laboratory,
            accreditation: r.accreditation,
            performed_on: r.performed_on,
            tools: r.tools,
            notes: r.notes,
            evidence: r
                .evidence
                .into_iter()
                .map(|e| EvidenceOut {
                    name: e.name,
                    sha256: e.sha256,
                    size: e.size,
                })
                .collect(),
            recorded_at: r.recorded_at,
        }
    }
}

fn key_of(info: &medsec_store::VersionInfo) -> DeviceKey {
    DeviceKey {
        manufacturer: info.name.organisation.clone(),
        name: info.name.product.clone(),
        version: info.name.version.clone(),
    }
}

/// A multipart error as a problem: 413 when the body went over a limit (axum's own, or
/// the server-wide cap, which surfaces as a failed stream).
pub fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    let mut over_limit = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        over_limit |= s.to_string().contains("length limit exceeded");
        source = s.source();
    }
    if over_limit {
        ApiError::too_large("the upload is larger than the server accepts")
    } else {
        ApiError::bad_request(format!("the multipart body: {}", e.body_text()))
    }
}

/// A file name without directories or control characters.
fn clean_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().to_owned();
    (!clean.is_empty() && clean != "." && clean != "..").then_some(clean)
}

/// Record a test result with its evidence files (assessor or admin; multipart form).
#[utoipa::path(post, path = "/api/v1/versions/{version}/test-results", tag = "evidence",
    params(("version" = i64, Path, description = "product version id")),
    request_body(content = TestResultForm, content_type = "multipart/form-data"),
    responses((status = 201, body = TestResultOut), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    Path(version): Path<i64>,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<TestResultOut>)> {
    // The organisation is checked before the body is read.
    scoped_version(&state, &caller, version, Permission::Read).await?;
    let mut fields: std::collections::BTreeMap<String, String> = Default::default();
    let mut tools = Vec::new();
    let mut evidence = Vec::new();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field
                .file_name()
                .and_then(clean_name)
                .ok_or_else(|| ApiError::invalid("an evidence file part has no file name"))?;
            let bytes = field.bytes().await.map_err(multipart_error)?;
            evidence.push(NewEvidence {
                name: file_name,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(multipart_error)?;
        match name.as_str() {
            "tool" => tools.push(required_text("tool", &text, 200)?),
            CSRF_FIELD => caller.csrf_from_form(&text),
            "test" | "outcome" | "tester" | "laboratory" | "accreditation" | "performed_on"
            | "notes" => {
                fields.insert(name, text);
            }
            other => return Err(ApiError::invalid(format!("unknown form field `{other}`"))),
        }
    }
    let (_org, info) = scoped_version(&state, &caller, version, Permission::RecordEvidence).await?;
    let get = |k: &str| fields.get(k).map(String::as_str);
    let test = required_text("test", get("test").unwrap_or_default(), 50)?;
    if state.inner.engines.catalog.test(&test).is_none() {
        return Err(ApiError::invalid(format!(
            "unknown test `{test}`; the test plan lists the tests"
        )));
    }
    let outcome_text = get("outcome").unwrap_or_default().trim();
    let outcome = Outcome::parse(outcome_text).ok_or_else(|| {
        ApiError::invalid(format!(
            "outcome `{outcome_text}`: use pass, fail or not-applicable"
        ))
    })?;
    let tester = required_text("tester", get("tester").unwrap_or_default(), 200)?;
    let laboratory = get("laboratory")
        .map(|l| required_text("laboratory", l, 300))
        .transpose()?;
    let accreditation = get("accreditation")
        .map(|a| required_text("accreditation", a, 200))
        .transpose()?;
    if accreditation.is_some() && laboratory.is_none() {
        return Err(ApiError::invalid(
            "`accreditation` needs `laboratory`: name the laboratory it belongs to",
        ));
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let performed_on = match get("performed_on") {
        Some(text) => {
            let date: jiff::civil::Date = text.trim().parse().map_err(|e| {
                ApiError::invalid(format!("`performed_on` `{text}` is not a date: {e}"))
            })?;
            if date > today {
                return Err(ApiError::invalid(format!(
                    "`performed_on` {date} is in the future (today is {today}, UTC)"
                )));
            }
            date.to_string()
        }
        None => today.to_string(),
    };
    let notes = get("notes")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let new = NewTestResult {
        device: key_of(&info),
        test,
        outcome,
        tester,
        laboratory,
        accreditation,
        performed_on,
        tools,
        notes,
        evidence,
        recorded_at: now(),
    };
    let recorded = super::store_as(&state, &caller, &headers)
        .record_test_result(&new)
        .await?;
    let out: TestResultOut = recorded.into();
    Ok((StatusCode::CREATED, Json(out)))
}

/// The version's recorded test results, oldest first.
#[utoipa::path(get, path = "/api/v1/versions/{version}/test-results", tag = "evidence",
    params(("version" = i64, Path, description = "product version id")),
    responses((status = 200, body = Vec<TestResultOut>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<Json<Vec<TestResultOut>>> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let results = state.store().test_results(&key_of(&info)).await?;
    Ok(Json(results.into_iter().map(TestResultOut::from).collect()))
}

/// An evidence file attached to one of the version's results, by SHA-256.
#[utoipa::path(get, path = "/api/v1/versions/{version}/evidence/{sha256}", tag = "evidence",
    params(("version" = i64, Path, description = "product version id"), ("sha256" = String, Path, description = "the file's SHA-256, lowercase hex")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((version, sha256)): Path<(i64, String)>,
) -> ApiResult<Response> {
    let (_, info) = scoped_version(&state, &caller, version, Permission::Read).await?;
    let sha256 = sha256.to_ascii_lowercase();
    let missing = || ApiError::not_found(format!("no evidence file {sha256} in this version"));
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(missing());
    }
    let key = key_of(&info);
    // Only a file attached to this version's results: the blob table is shared by all.
    if !state
        .store()
        .evidence_attached(&key.manufacturer, &key.name, &key.version, &sha256)
        .await?
    {
        return Err(missing());
    }
    let bytes = state
        .store()
        .evidence_file(&sha256)
        .await?
        .ok_or_else(missing)?;
    Ok(bytes_response(bytes, "application/octet-stream", &sha256))
}
