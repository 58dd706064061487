//! What a call's legs fetch over HTTP: the ICE servers.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use courier_protocol::http::IceServers;
use courier_protocol::http::calls;
use courier_protocol::limits::body;

use crate::edge::extract::Session;
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&calls::ICE_SERVERS, ice_servers)
        .layer(DefaultBodyLimit::max(body::CALLS))
}

/// # GET /api/calls/ice
/// STUN and TURN servers with credentials for the caller, valid
/// `TURN_TTL_S`; empty when no relay is configured.
async fn ice_servers(State(s): State<AppState>, session: Session) -> Json<IceServers> {
    Json(s.features.calls.ice_servers(&session.me))
}
