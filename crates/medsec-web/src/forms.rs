//! Form helpers: multipart forms read into parts, re-encoded for the API's multipart
//! handler without the fields a browser sends empty, and the audit reason given in a
//! form turned into the API's `X-Audit-Reason` header.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use medsec_server::AppState;
use medsec_server::api::REASON_HEADER;
use medsec_server::error::ApiError;

/// One part of a multipart form.
pub struct Part {
    pub name: String,
    /// The file name, for a file input; a file input left empty has an empty one.
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    /// A text field left empty, or a file input with no file chosen.
    pub fn is_blank(&self) -> bool {
        match &self.file_name {
            Some(f) => f.trim().is_empty() && self.bytes.is_empty(),
            None => self.text().trim().is_empty(),
        }
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the upload is larger than the server accepts")
    } else {
        ApiError::bad_request(format!("the form: {}", e.body_text()))
    }
}

pub async fn read_parts(mut form: Multipart) -> Result<Vec<Part>, ApiError> {
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(multipart_error)?.to_vec();
        parts.push(Part {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// The first non-blank text field of that name.
pub fn field<'p>(parts: &'p [Part], name: &str) -> Option<&'p Part> {
    parts
        .iter()
        .find(|p| p.name == name && p.file_name.is_none() && !p.is_blank())
}

/// The parts as a multipart request the API's extractor reads, blank parts left out.
pub async fn api_multipart(state: &AppState, parts: &[Part]) -> Result<Multipart, ApiError> {
    // A boundary that cannot occur in the parts' bytes.
    let mut boundary = String::from("medsec-web-form");
    while parts.iter().any(|p| {
        p.bytes
            .windows(boundary.len())
            .any(|w| w == boundary.as_bytes())
    }) {
        boundary.push('x');
    }
    let quote = |s: &str| s.replace(['"', '\r', '\n', '\\'], "_");
    let mut body = Vec::new();
    for p in parts.iter().filter(|p| !p.is_blank()) {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match &p.file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                    quote(&p.name),
                    quote(f)
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                    quote(&p.name)
                )
                .as_bytes(),
            ),
        }
        body.extend_from_slice(&p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .map_err(|e| ApiError::internal(format!("form: {e}")))?;
    Multipart::from_request(request, state)
        .await
        .map_err(|e| ApiError::bad_request(format!("the form: {}", e.body_text())))
}

/// The headers the API's handlers read: the audit reason given in the form. The API
/// reads the reason from a header, which carries only visible ASCII: other text is
/// refused rather than dropped from the audit log.
pub fn reason_headers(reason: Option<&str>) -> Result<HeaderMap, ApiError> {
    let mut h = HeaderMap::new();
    if let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        let one_line = r.replace(['\r', '\n', '\t'], " ");
        let v = HeaderValue::from_str(&one_line).map_err(|_| {
            ApiError::invalid(
                "the reason may only hold ASCII letters, digits and punctuation (the audit log receives it in an HTTP header)",
            )
        })?;
        h.insert(REASON_HEADER, v);
    }
    Ok(h)
}

/// A URL-encoded form whose rejection (a missing field, a body that is not a form) is
/// answered with the HTML error page, as every other error of the pages.
pub struct WebForm<T>(pub T);

impl<T, S> FromRequest<S> for WebForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::WebError;

    async fn from_request(req: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(v)| WebForm(v))
            .map_err(|e| {
                ApiError::new(
                    e.status(),
                    "invalid",
                    format!("the form: {}", e.body_text()),
                )
                .into()
            })
    }
}
