//! Errors of the pages: the API's errors shown as an HTML page with the same status
//! (401 sends the browser to the login page instead).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use medsec_server::error::ApiError;

use crate::page::{crumb, layout, respond, see_other};

#[derive(Debug)]
pub struct WebError(pub ApiError);

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError(e)
    }
}

impl From<medsec_store::StoreError> for WebError {
    fn from(e: medsec_store::StoreError) -> Self {
        WebError(ApiError::from(e))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            return see_other("/login");
        }
        let title = e.status.canonical_reason().unwrap_or("Error");
        respond(
            e.status,
            layout(
                title,
                None,
                &[crumb("Portfolio", "/")],
                html! {
                    p.problem role="alert" { (e.detail) }
                    p { a href="/" { "Back to the portfolio" } }
                },
            ),
        )
    }
}

pub type WebResult<T> = Result<T, WebError>;
