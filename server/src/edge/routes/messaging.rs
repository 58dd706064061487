//! Messages over HTTP: read cursors, "since", search and scheduled
//! messages (sending itself goes over the socket).

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use courier_protocol::http::messaging;
use courier_protocol::http::{Found, NewScheduled, Reads, ScheduledPosts, Since};
use courier_protocol::limits::body;
use courier_protocol::{ChatId, ClientMsgId, ErrorCode, Seq};

use crate::edge::extract::{Body, Session};
use crate::edge::failure::{ApiFailure, ApiResult};
use crate::edge::router::{AppState, Serve};

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&messaging::READS, reads)
        .serve(&messaging::SINCE, since)
        .serve(&messaging::SEARCH, search)
        .serve(&messaging::SCHEDULED, scheduled)
        .serve(&messaging::SCHEDULE, schedule)
        .serve(&messaging::UNSCHEDULE, unschedule)
        .layer(DefaultBodyLimit::max(body::MESSAGING))
}

/// # GET /api/chats/{id}/reads
/// Members' read cursors, for "seen by" (members only).
async fn reads(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<Reads>> {
    let reads = s.features.messaging.reads(&session.me, ChatId(id)).await?;
    Ok(Json(Reads { reads }))
}

#[derive(serde::Deserialize)]
struct SinceQuery {
    at: i64,
}

/// # GET /api/chats/{id}/since?at=
/// The chat's first post at or after a time, for "jump to a date".
async fn since(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    query: Result<Query<SinceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Since>> {
    let Query(SinceQuery { at }) = query.map_err(|_| ErrorCode::BadRequest)?;
    s.scans
        .take(&session.me.id, 1.0)
        .map_err(ApiFailure::slow_down)?;
    let seq = s
        .features
        .messaging
        .post_since(&session.me, ChatId(id), at)
        .await?;
    Ok(Json(Since { seq }))
}

/// # POST /api/chats/{id}/scheduled
/// Keeps a message for the server to post at `at` (the `post` right).
async fn schedule(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<NewScheduled>,
) -> ApiResult<StatusCode> {
    s.features
        .messaging
        .schedule(&session.me, ChatId(id), &body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/scheduled
/// The caller's messages waiting in the chat.
async fn scheduled(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<ScheduledPosts>> {
    let scheduled = s
        .features
        .messaging
        .scheduled(&session.me, ChatId(id))
        .await?;
    Ok(Json(ScheduledPosts { scheduled }))
}

/// # DELETE /api/chats/{id}/scheduled/{msg}
async fn unschedule(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, msg)): UrlPath<(i64, String)>,
) -> ApiResult<StatusCode> {
    s.features
        .messaging
        .unschedule(&session.me, ChatId(id), &ClientMsgId(msg))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: String,
    chat: Option<i64>,
    before: Option<i64>,
}

/// # GET /api/search?q=&chat=&before=
/// Messages containing `q` in one chat (a member's) or all of the user's.
async fn search(
    State(s): State<AppState>,
    session: Session,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Found>> {
    let Query(query) = query.map_err(|_| ErrorCode::BadRequest)?;
    s.scans
        .take(&session.me.id, 1.0)
        .map_err(ApiFailure::slow_down)?;
    let messages = s
        .features
        .messaging
        .search(
            &session.me,
            &query.q,
            query.chat.map(ChatId),
            query.before.map(Seq),
        )
        .await?;
    Ok(Json(Found { messages }))
}
