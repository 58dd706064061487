//! Chats and joining them: a guest from an invite link, invite and public
//! previews, joining, new 1:1 chats, groups and channels.

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use courier_protocol::http::{
    ChatCreated, Directory, GuestJoin, InvitePreview, JoinPending, Joined, NewDirect, NewGroup,
};
use courier_protocol::http::{accounts, chats};
use courier_protocol::limits::body;
use courier_protocol::{ChatKind, ErrorCode};

use crate::edge::extract::{Body, ClientAddress, DeviceAgent, Session, signed_in};
use crate::edge::failure::{ApiFailure, ApiResult};
use crate::edge::router::{AppState, Serve};
use crate::features::chats::Joining;

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&accounts::GUEST, guest_join)
        .serve(&chats::INVITE_PREVIEW, invite_preview)
        .serve(&chats::JOIN_BY_INVITE, join_by_invite)
        .serve(&chats::PUBLIC_PREVIEW, public_preview)
        .serve(&chats::JOIN_PUBLIC, join_public)
        .serve(&chats::DIRECTORY, directory)
        .serve(&chats::NEW_DIRECT, new_direct)
        .serve(&chats::NEW_GROUP, new_group)
        .serve(&chats::NEW_CHANNEL, new_channel)
        .layer(DefaultBodyLimit::max(body::CHATS))
}

/// # POST /api/guest
/// Creates a guest with only a display name, signs them in and joins them
/// to the invite's chat; 202 `JoinPending` if the link needs approval.
/// 404 `bad_invite` for an unknown code, 410 for a dead one.
async fn guest_join(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    DeviceAgent(device): DeviceAgent,
    Body(body): Body<GuestJoin>,
) -> ApiResult<Response> {
    s.gate
        .may_create_user(address)
        .map_err(ApiFailure::slow_down)?;
    let (session, joining) = s
        .features
        .chats
        .join_as_guest(&body.invite, &body.name, &device)
        .await?;
    Ok(match joining {
        Joining::Joined(chat) => signed_in(
            &session,
            Joined {
                me: session.me.clone(),
                chat: *chat,
            },
        ),
        Joining::Pending => {
            let mut response = signed_in(
                &session,
                JoinPending {
                    pending: true,
                    me: Some(session.me.clone()),
                },
            );
            *response.status_mut() = StatusCode::ACCEPTED;
            response
        }
    })
}

/// # GET /api/invites/{code}
/// What the join screen shows; needs no session. 404 `bad_invite`;
/// 410 `invite_expired`, `invite_revoked` or `invite_used_up`.
async fn invite_preview(
    State(s): State<AppState>,
    UrlPath(code): UrlPath<String>,
) -> ApiResult<Json<InvitePreview>> {
    Ok(Json(s.features.chats.invite_preview(&code).await?))
}

/// # POST /api/invites/{code}/join
/// Joins the signed-in user to the chat (a no-op for a member); 202
/// `JoinPending` if the link needs an admin's approval; 403 `banned`.
async fn join_by_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath(code): UrlPath<String>,
) -> ApiResult<Response> {
    Ok(
        match s.features.chats.join_by_invite(&session.me, &code).await? {
            Joining::Joined(chat) => Json(ChatCreated { chat: *chat }).into_response(),
            Joining::Pending => (
                StatusCode::ACCEPTED,
                Json(JoinPending {
                    pending: true,
                    me: None,
                }),
            )
                .into_response(),
        },
    )
}

/// # GET /api/public/{handle}
/// A public group or channel by its @handle; needs no session.
async fn public_preview(
    State(s): State<AppState>,
    UrlPath(handle): UrlPath<String>,
) -> ApiResult<Json<InvitePreview>> {
    Ok(Json(s.features.chats.public_preview(&handle).await?))
}

/// # POST /api/public/{handle}/join
/// Joins (subscribes to) a public chat; 403 `banned`.
async fn join_public(
    State(s): State<AppState>,
    session: Session,
    UrlPath(handle): UrlPath<String>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s.features.chats.join_public(&session.me, &handle).await?,
    }))
}

/// # POST /api/chats/direct
/// The 1:1 chat with a username, created on first use; 404 `unknown_user`.
async fn new_direct(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewDirect>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .features
            .chats
            .direct_chat(&session.me, &body.username)
            .await?,
    }))
}

#[derive(serde::Deserialize)]
struct DirectoryQuery {
    q: String,
}

/// # GET /api/directory?q=
/// People by @username (or by name, among those one shares a chat with)
/// and public groups and channels by @handle or title; 400 for an empty
/// or over-long `q`.
async fn directory(
    State(s): State<AppState>,
    session: Session,
    query: Result<Query<DirectoryQuery>, QueryRejection>,
) -> ApiResult<Json<Directory>> {
    let Query(query) = query.map_err(|_| ErrorCode::BadRequest)?;
    // A scan of the users and chats, paced as message search is.
    s.scans
        .take(&session.me.id, 1.0)
        .map_err(ApiFailure::slow_down)?;
    Ok(Json(
        s.features.chats.directory(&session.me, &query.q).await?,
    ))
}

/// # POST /api/chats/group
/// A new group owned by the caller, with the people it names; others join by its invite link.
async fn new_group(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewGroup>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .features
            .chats
            .new_group(&session.me, &body.name, ChatKind::Group, &body.members)
            .await?,
    }))
}

/// # POST /api/chats/channel
/// A new channel owned by the caller: only admins post, subscribers read.
async fn new_channel(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewGroup>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .features
            .chats
            .new_group(&session.me, &body.name, ChatKind::Channel, &body.members)
            .await?,
    }))
}
