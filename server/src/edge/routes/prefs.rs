//! A user's own arrangement: a chat's place in their list, drafts,
//! blocked people and folders.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::StatusCode;
use courier_protocol::http::{Blocked, ChatCreated, Draft, Folders};
use courier_protocol::http::{accounts, chats, messaging, prefs};
use courier_protocol::limits::body;
use courier_protocol::{ChatId, Place, UserId};

use crate::edge::extract::{Body, Session};
use crate::edge::failure::ApiResult;
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&chats::SET_PLACE, set_place)
        .serve(&messaging::SAVE_DRAFT, save_draft)
        .serve(&accounts::BLOCK, block)
        .serve(&accounts::UNBLOCK, unblock)
        .serve(&accounts::BLOCKED, blocked)
        .serve(&prefs::FOLDERS, folders)
        .serve(&prefs::SET_FOLDERS, set_folders)
        .layer(DefaultBodyLimit::max(body::PREFS))
}

/// # PUT /api/chats/{id}/place
/// Pins, mutes or archives the chat in the caller's own list.
async fn set_place(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<Place>,
) -> ApiResult<Json<ChatCreated>> {
    let chat = s
        .features
        .prefs
        .set_place(&session.me, ChatId(id), body)
        .await?;
    Ok(Json(ChatCreated { chat }))
}

/// # PUT /api/chats/{id}/draft
/// Saves the caller's draft; their other devices get a `draft` frame.
async fn save_draft(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<Draft>,
) -> ApiResult<StatusCode> {
    s.features
        .prefs
        .save_draft(&session.me, ChatId(id), body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # PUT /api/users/{id}/block
/// Blocks the person: neither can open a 1:1 with the other or send in
/// theirs (`blocked`) until unblocked. 404 `unknown_user`.
async fn block(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.features
        .prefs
        .set_blocked(&session.me, UserId(id), true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # DELETE /api/users/{id}/block
async fn unblock(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.features
        .prefs
        .set_blocked(&session.me, UserId(id), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/me/blocked
async fn blocked(State(s): State<AppState>, session: Session) -> ApiResult<Json<Blocked>> {
    Ok(Json(Blocked {
        blocked: s.features.prefs.blocked(&session.me).await?,
    }))
}

/// # GET /api/me/folders
async fn folders(State(s): State<AppState>, session: Session) -> ApiResult<Json<Folders>> {
    let folders = s.features.prefs.folders(&session.me).await?;
    Ok(Json(Folders { folders }))
}

/// # PUT /api/me/folders
/// Replaces all the user's folders; their devices get them by a `folders`
/// frame.
async fn set_folders(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<Folders>,
) -> ApiResult<StatusCode> {
    s.features
        .prefs
        .set_folders(&session.me, body.folders)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
