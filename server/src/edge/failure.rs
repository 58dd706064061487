//! How a request fails: a stable code with its HTTP status (from
//! `ErrorCode`), as JSON, with `Retry-After` when the client should wait.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};
use courier_protocol::ErrorCode;
use courier_protocol::http::ApiError;

/// A client-visible failure: a stable code with its HTTP status, and for
/// `slow_down` how long to wait.
pub struct ApiFailure {
    code: ErrorCode,
    retry_after: Option<Duration>,
}

impl ApiFailure {
    /// 429 `slow_down` with `Retry-After`.
    pub fn slow_down(wait: Duration) -> ApiFailure {
        ApiFailure {
            code: ErrorCode::SlowDown,
            retry_after: Some(wait),
        }
    }
}

impl From<ErrorCode> for ApiFailure {
    fn from(code: ErrorCode) -> ApiFailure {
        ApiFailure {
            code,
            retry_after: None,
        }
    }
}

impl From<JsonRejection> for ApiFailure {
    fn from(rejection: JsonRejection) -> ApiFailure {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::from(ErrorCode::BodyTooLarge)
        } else {
            ApiFailure::from(ErrorCode::BadRequest)
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Json(ApiError {
            error: self.code,
            retry_after_ms: self
                .retry_after
                .map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
        });
        match self.retry_after {
            // Whole seconds, rounded up: never "try again now" too early.
            Some(wait) => {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                (status, [(RETRY_AFTER, seconds.max(1).to_string())], body).into_response()
            }
            None => (status, body).into_response(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiFailure>;
