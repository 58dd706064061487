//! What a call's legs fetch over HTTP: the ICE servers, and a group's
//! call going on.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use courier_protocol::http::IceServers;
use courier_protocol::http::calls;
use courier_protocol::limits::body;
use courier_protocol::{ChatId, GroupCall};

use crate::edge::extract::Session;
use crate::edge::failure::ApiResult;
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&calls::ICE_SERVERS, ice_servers)
        .serve(&calls::GROUP_CALL, group_call)
        .layer(DefaultBodyLimit::max(body::CALLS))
}

/// # GET /api/calls/ice
/// STUN and TURN servers with credentials for the caller, valid
/// `TURN_TTL_S`; empty when no relay is configured.
async fn ice_servers(State(s): State<AppState>, session: Session) -> Json<IceServers> {
    Json(s.features.calls.ice_servers(&session.me))
}

/// # GET /api/chats/{id}/call
/// The group's call going on now, for a member.
async fn group_call(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<Option<GroupCall>>> {
    Ok(Json(
        s.features
            .group_calls
            .current(&session.me, ChatId(id))
            .await?,
    ))
}
