//! The whole HTTP surface: every capability's routes (each with its own
//! body limit), the WebSocket upgrade, the Origin check, and the app's
//! static files. Each handler documents its behaviour; the wire details are
//! in PROTOCOL.md.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::handler::Handler;
use axum::http::header::{ACCEPT_RANGES, CACHE_CONTROL};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, any, get, on};
use courier_protocol::http::{Endpoint, Method};
use courier_protocol::limits::MAX_FRAME_BYTES;
use courier_protocol::{ErrorCode, UserId};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::extract::Session;
use super::extract::check_origin;
use super::failure::{ApiFailure, ApiResult};
use super::{routes, security, ws};
use crate::features::Features;
use crate::features::accounts::gate::Gate;
use crate::kernel::auth;
use crate::kernel::throttle::{Buckets, Counts, Rate};

#[derive(Clone)]
pub struct AppState {
    pub features: Arc<Features>,
    /// Origins besides the server's own host allowed to open sockets and call the API.
    pub allowed_origins: Arc<Vec<String>>,
    /// One permit per open WebSocket.
    pub connections: Arc<Semaphore>,
    pub max_sockets_per_user: usize,
    /// Cancelled on shutdown: every socket closes.
    pub shutdown: CancellationToken,
    /// Throttles sign-in attempts and new users.
    pub gate: Arc<Gate>,
    /// Rates of what sockets may ask, per user.
    pub socket_limits: Arc<ws::Limits>,
    /// Each user's open sockets on this node, from the upgrade on.
    pub sockets: Arc<Counts<UserId>>,
    /// Each user's allowance of searches and other scans.
    pub scans: Arc<Buckets<UserId>>,
    /// Take the client's address from the last `X-Forwarded-For` entry (a
    /// load balancer in front appends it) instead of the TCP peer.
    pub trust_forwarded_for: bool,
}

/// Searches (and `since` lookups) one user may make: each may scan a lot.
pub const SCANS: Rate = Rate {
    burst: 10.0,
    per_second: 2.0,
};

/// Routes a typed endpoint to its handler at the endpoint's own method
/// and path.
pub trait Serve {
    fn serve<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static;
}

impl Serve for Router<AppState> {
    fn serve<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let method = match endpoint.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        };
        self.route(endpoint.path, on(method, handler))
    }
}

/// The whole server as a router, so tests drive it without a socket.
pub fn app(state: AppState, static_dir: &Path, https: bool) -> Router {
    let api = Router::new()
        .merge(routes::accounts::routes())
        .merge(routes::chats::routes())
        .merge(routes::moderation::routes())
        .merge(routes::messaging::routes())
        .merge(routes::presence::routes())
        .merge(routes::calls::routes())
        .merge(routes::prefs::routes())
        .route("/ws", get(websocket))
        .route("/api", any(unknown_api))
        .route("/api/", any(unknown_api))
        .route("/api/{*rest}", any(unknown_api))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Files set their own caching.
        .merge(routes::media::routes())
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state);
    let policy = security::Policy::new(static_dir, https);
    let index = static_dir.join("index.html");
    // Paths the app routes itself (such as /join/<code>) get index.html.
    // The build writes brotli and gzip copies of the app's files
    // (scripts/precompress.mjs): they go as they are, to a browser that
    // takes them, compressed once at their best rather than per request.
    let files = ServeDir::new(static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    api.fallback_service(files)
        // A file served by ranges goes as it is: compressing it would
        // break the ranges, and photos and video gain nothing. (Files of
        // the app are served by ranges too, from their compressed copies.)
        .layer(
            CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                |_: StatusCode, _: Version, h: &HeaderMap, _: &Extensions| {
                    !h.contains_key(ACCEPT_RANGES)
                },
            )),
        )
        // Revalidate every file: the service worker and index.html must never
        // be stale, and the rest is cheap to confirm by Last-Modified.
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn_with_state(policy, security::headers))
}

/// Any other `/api/…` path: a JSON 404, not the app's page.
async fn unknown_api() -> ApiFailure {
    ApiFailure::from(ErrorCode::NotFound)
}

/// Hard cap on one incoming WebSocket message. Frames between the protocol's
/// `MAX_FRAME_BYTES` and this get an error frame; above it the socket closes.
const SOCKET_MESSAGE_CAP: usize = 4 * MAX_FRAME_BYTES;

/// # GET /ws
/// Upgrades to the Courier socket (see PROTOCOL.md). 401 without a session,
/// 403 from a foreign Origin, 503 when the server is at its connection limit.
async fn websocket(
    State(s): State<AppState>,
    session: Session,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    // Counted from the upgrade, not from `Hello`: silent sockets count too.
    let Some(held) = s.sockets.take(&session.me.id, s.max_sockets_per_user) else {
        return Err(ApiFailure::from(ErrorCode::TooMany));
    };
    let Ok(permit) = Arc::clone(&s.connections).try_acquire_owned() else {
        tracing::warn!("connection limit reached");
        return Ok(StatusCode::SERVICE_UNAVAILABLE.into_response());
    };
    Ok(upgrade
        .max_message_size(SOCKET_MESSAGE_CAP)
        .max_frame_size(SOCKET_MESSAGE_CAP)
        // tungstenite's 128 KiB default buffers per socket would be most of
        // an idle connection's memory; frames are small.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| async move {
            ws::serve(
                socket,
                session.me,
                auth::token_hash(&session.token),
                s.features,
                s.socket_limits,
                s.shutdown,
            )
            .await;
            drop(held);
            drop(permit);
        }))
}
