//! Online and last seen, and who may know it.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::StatusCode;
use courier_protocol::UserId;
use courier_protocol::http::presence;
use courier_protocol::http::{Presence, Privacy};
use courier_protocol::limits::body;

use crate::edge::extract::{Body, Session};
use crate::edge::failure::ApiResult;
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&presence::PRESENCE, presence)
        .serve(&presence::PRIVACY, privacy)
        .serve(&presence::SET_PRIVACY, set_privacy)
        .layer(DefaultBodyLimit::max(body::PRESENCE))
}

/// # GET /api/users/{id}/presence
/// For someone the caller shares a chat with; 403 `not_member` otherwise.
async fn presence(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<Presence>> {
    Ok(Json(
        s.features
            .presence
            .presence(&session.me, UserId(id))
            .await?,
    ))
}

/// # GET /api/me/privacy
async fn privacy(State(s): State<AppState>, session: Session) -> ApiResult<Json<Privacy>> {
    Ok(Json(s.features.presence.privacy(&session.me).await?))
}

/// # PUT /api/me/privacy
async fn set_privacy(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<Privacy>,
) -> ApiResult<StatusCode> {
    s.features.presence.set_privacy(&session.me, body).await?;
    Ok(StatusCode::NO_CONTENT)
}
