//! The JSON HTTP API, one module per capability: the only place that
//! calls an endpoint. Each call names a typed endpoint of `protocol` (no
//! path is written by hand) and this tab's account; what a call changes
//! that this device keeps (a chat's settings, folders, a chat left) it
//! writes into the store itself, so components never do.

pub mod accounts;
pub mod calls;
pub mod chats;
pub mod devices;
pub mod messaging;
pub mod moderation;
pub mod prefs;
pub mod presence;

use std::fmt::Display;

use courier_protocol::ErrorCode;
use courier_protocol::http::{ACCOUNT_HEADER, ApiError, Endpoint, Method};
use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::account;

/// Why an HTTP call failed.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ApiFail {
    #[error("{0}")]
    Code(ErrorCode),
    #[error("cannot reach the server")]
    Network,
}

async fn finish<R: DeserializeOwned>(
    resp: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<R, ApiFail> {
    let resp = resp.map_err(|_| ApiFail::Network)?;
    if resp.status() == 204 {
        // No content: only a body type that accepts `null` (unit) fits.
        serde_json::from_value(serde_json::Value::Null)
            .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))
    } else if resp.ok() {
        resp.json()
            .await
            .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))
    } else {
        match resp.json::<ApiError>().await {
            Ok(e) => Err(ApiFail::Code(e.error)),
            Err(_) if resp.status() >= 500 => Err(ApiFail::Code(ErrorCode::Internal)),
            Err(_) => Err(ApiFail::Network),
        }
    }
}

/// Names this tab's account, so the server picks its cookie among the
/// browser's (see `account`).
pub(crate) fn as_account(req: RequestBuilder) -> RequestBuilder {
    match account::acting() {
        Some(id) => req.header(ACCOUNT_HEADER, &id.0.to_string()),
        None => req,
    }
}

/// Calls `endpoint` at its path filled with `at` (and `query`, already
/// encoded, if not empty), sending `body` unless it is `()`.
pub(super) async fn call<Req: Serialize, Resp: DeserializeOwned>(
    endpoint: &Endpoint<Req, Resp>,
    at: &[&dyn Display],
    query: &str,
    body: &Req,
) -> Result<Resp, ApiFail> {
    let mut url = endpoint.at(at);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let req = as_account(match endpoint.method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Put => Request::put(&url),
        Method::Patch => Request::patch(&url),
        Method::Delete => Request::delete(&url),
    });
    let body = serde_json::to_value(body).map_err(|_| ApiFail::Code(ErrorCode::BadRequest))?;
    if body.is_null() {
        return finish(req.send().await).await;
    }
    let req = req
        .json(&body)
        .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))?;
    finish(req.send().await).await
}

/// [`call`] without a body, query or path variables.
pub(super) async fn ask<Resp: DeserializeOwned>(
    endpoint: &Endpoint<(), Resp>,
) -> Result<Resp, ApiFail> {
    call(endpoint, &[], "", &()).await
}
