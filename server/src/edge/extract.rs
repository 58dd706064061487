//! What a handler learns from a request before it runs: the JSON body,
//! the client's address, the device's name, the signed-in session; and the
//! session cookies and the Origin check.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::{AppendHeaders, IntoResponse, Response};
use courier_protocol::http::ACCOUNT_HEADER;
use courier_protocol::model::device;
use courier_protocol::{ErrorCode, UserId, UserInfo};

use super::failure::{ApiFailure, ApiResult};
use super::router::AppState;
use crate::features::accounts::{SESSION_TTL_MS, SignedIn};

pub const SESSION_COOKIE: &str = "courier_session";

/// A JSON body whose rejection is an [`ApiFailure`] like every other error.
#[derive(FromRequest)]
#[from_request(via(Json), rejection(ApiFailure))]
pub struct Body<T>(pub T);

/// The network an address stands for in per-address limits: one host
/// usually holds a whole IPv6 /64, so that is one key.
pub fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
        v4 => v4,
    }
}

/// The address a request came from, for per-address limits.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<ClientAddress> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let address = forwarded
            .or(peer)
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddress(network_of(address)))
    }
}

/// What a device signing in is called: its browser and system, from its
/// `User-Agent` ("Firefox on Linux"); the user may rename it.
pub struct DeviceAgent(pub String);

impl FromRequestParts<AppState> for DeviceAgent {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> ApiResult<DeviceAgent> {
        let agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(DeviceAgent(device::name_from_agent(agent)))
    }
}

/// The signed-in user, from the session cookie; 401 without one.
pub struct Session {
    pub me: UserInfo,
    pub token: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiFailure;

    /// With an account named (header, or query on `/ws`), only a session
    /// of that account will do: a tab must never act as another account.
    /// Its own cookie is looked for first, then the default one (set alone
    /// before there were several).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Session> {
        let account = named_account(parts)?;
        let own = account.map(account_cookie);
        let token = cookies(&parts.headers)
            .filter(|(name, _)| Some(*name) == own.as_deref() || *name == SESSION_COOKIE)
            .max_by_key(|(name, _)| *name != SESSION_COOKIE)
            .map(|(_, token)| token.to_owned())
            .ok_or(ErrorCode::Unauthorized)?;
        let me = state
            .features
            .accounts
            .session_user(&token)
            .await?
            .filter(|me| account.is_none_or(|id| id == me.id))
            .ok_or(ErrorCode::Unauthorized)?;
        Ok(Session { me, token })
    }
}

/// The account a request is for, when the browser holds several.
pub fn named_account(parts: &Parts) -> ApiResult<Option<UserId>> {
    let query = parts.uri.query().unwrap_or("");
    let named = match parts.headers.get(ACCOUNT_HEADER) {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiFailure::from(ErrorCode::BadRequest))?,
        ),
        None => query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find_map(|(name, value)| (name == "account").then_some(value)),
    };
    named
        .map(|id| {
            id.parse()
                .map(UserId)
                .map_err(|_| ApiFailure::from(ErrorCode::BadRequest))
        })
        .transpose()
}

pub fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Each signed-in account's own cookie, beside the default one.
pub fn account_cookie(user: UserId) -> String {
    format!("{SESSION_COOKIE}_{}", user.0)
}

pub fn session_cookie(name: &str, token: &str, max_age_s: i64) -> (HeaderName, HeaderValue) {
    let cookie = format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}");
    let value = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    (SET_COOKIE, value)
}

/// Sets the default cookie (the last account signed in) and the account's
/// own, so the browser keeps earlier accounts signed in beside it.
pub fn signed_in<T: serde::Serialize>(session: &SignedIn, body: T) -> Response {
    let max_age_s = SESSION_TTL_MS / 1000;
    let cookies = [
        session_cookie(SESSION_COOKIE, &session.token, max_age_s),
        session_cookie(&account_cookie(session.me.id), &session.token, max_age_s),
    ];
    (AppendHeaders(cookies), Json(body)).into_response()
}

/// Refuses requests that a page on another site makes with this site's
/// cookie (cross-site WebSocket hijacking, CSRF). Requests without an Origin
/// header come from non-browser clients, which hold their own cookies.
pub async fn check_origin(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let headers = request.headers();
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let same_host = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host);
        if !same_host && !state.allowed_origins.iter().any(|o| o == origin) {
            return ApiFailure::from(ErrorCode::BadOrigin).into_response();
        }
    }
    next.run(request).await
}
