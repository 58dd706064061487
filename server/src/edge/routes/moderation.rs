//! What owners and admins do: settings, members, invite links, join
//! requests; and leaving a chat.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use courier_protocol::http::{
    ChatCreated, ChatSettings, InviteLink, InviteLinks, JoinRequests, MemberAction, Members,
    NewInvite, RequestAnswer,
};
use courier_protocol::http::{chats, moderation};
use courier_protocol::limits::body;
use courier_protocol::{ChatId, ErrorCode, UserId};

use crate::edge::extract::{Body, Session};
use crate::edge::failure::ApiResult;
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&chats::LEAVE, leave)
        .serve(&moderation::UPDATE_CHAT, update_chat)
        .serve(&moderation::MEMBERS, members)
        .serve(&moderation::MEMBER_ACTION, member_action)
        .serve(&moderation::INVITES, invites)
        .serve(&moderation::NEW_INVITE, create_invite)
        .serve(&moderation::REVOKE_INVITE, revoke_invite)
        .serve(&moderation::JOIN_REQUESTS, join_requests)
        .serve(&moderation::ANSWER_REQUEST, answer_request)
        .layer(DefaultBodyLimit::max(body::MODERATION))
}

/// # PATCH /api/chats/{id}
/// Changes name, @handle, slow mode or signatures; needs the `edit_info`
/// right (403 `not_allowed`); 409 `handle_taken`.
async fn update_chat(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<ChatSettings>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .features
            .moderation
            .update_chat(&session.me, ChatId(id), &body)
            .await?,
    }))
}

#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_page")]
    limit: usize,
}

fn default_page() -> usize {
    100
}

/// # GET /api/chats/{id}/members?after=<user id>&limit=<n>
/// One page of members by user id (at most 200); 403 `not_member` unless
/// the caller is in the chat.
async fn members(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Members>> {
    let Query(page) = page.map_err(|_| ErrorCode::BadRequest)?;
    let (members, next) = s
        .features
        .chats
        .members(&session.me, ChatId(id), UserId(page.after), page.limit)
        .await?;
    Ok(Json(Members { members, next }))
}

/// # POST /api/chats/{id}/leave
/// Leaves a group or channel; the user's sockets get `left`. 400 for a
/// 1:1, 403 `owner_stays` for its owner.
async fn leave(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.features.moderation.leave(&session.me, ChatId(id)).await?;
    s.features
        .group_calls
        .drop_user(ChatId(id), session.me.id)
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// # POST /api/chats/{id}/members/{user}
/// Promote, demote (owner only), remove, ban or unban (the `ban` right;
/// admins only by the owner). 403 `owner_stays` for the owner.
async fn member_action(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, user)): UrlPath<(i64, i64)>,
    Body(body): Body<MemberAction>,
) -> ApiResult<StatusCode> {
    s.features
        .moderation
        .member_action(&session.me, ChatId(id), UserId(user), &body)
        .await?;
    // One removed or banned leaves the group's call too (moderation and
    // calls are rooms apart: the edge joins them).
    if matches!(body, MemberAction::Remove | MemberAction::Ban) {
        s.features
            .group_calls
            .drop_user(ChatId(id), UserId(user))
            .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/invites
/// The chat's links, main one first; the `invite` right.
async fn invites(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<InviteLinks>> {
    Ok(Json(InviteLinks {
        invites: s
            .features
            .moderation
            .invites(&session.me, ChatId(id))
            .await?,
    }))
}

/// # POST /api/chats/{id}/invites
/// A new link with an optional expiry, usage limit and approval.
async fn create_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<NewInvite>,
) -> ApiResult<Json<InviteLink>> {
    Ok(Json(
        s.features
            .moderation
            .create_invite(&session.me, ChatId(id), &body)
            .await?,
    ))
}

/// # DELETE /api/chats/{id}/invites/{code}
/// Revokes a link; revoking the main link replaces it with a new one.
async fn revoke_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, code)): UrlPath<(i64, String)>,
) -> ApiResult<StatusCode> {
    s.features
        .moderation
        .revoke_invite(&session.me, ChatId(id), &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/requests
/// People waiting to join; the `invite` right.
async fn join_requests(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<JoinRequests>> {
    Ok(Json(JoinRequests {
        requests: s
            .features
            .moderation
            .join_requests(&session.me, ChatId(id))
            .await?,
    }))
}

/// # POST /api/chats/{id}/requests/{user}
/// Approves or declines a join request; 404 `unknown_user` if none waits.
async fn answer_request(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, user)): UrlPath<(i64, i64)>,
    Body(body): Body<RequestAnswer>,
) -> ApiResult<StatusCode> {
    s.features
        .moderation
        .answer_request(&session.me, ChatId(id), UserId(user), body.approve)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
