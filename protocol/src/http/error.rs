//! The body of every failed request.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// The body of every failed API call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    /// With `slow_down`: how long to wait before asking again (also in
    /// the `Retry-After` header, in whole seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}
