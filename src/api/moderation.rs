//! What admins do: settings, members, invite links, join requests.

use courier_protocol::http::ChatSettings;
use courier_protocol::http::chats::{
    ChatCreated, InviteLink, InviteLinks, JoinRequests, NewInvite, RequestAnswer,
};
use courier_protocol::http::moderation::{
    ANSWER_REQUEST, INVITES, JOIN_REQUESTS, MEMBER_ACTION, MEMBERS, MemberAction, Members,
    NEW_INVITE, REVOKE_INVITE, UPDATE_CHAT,
};
use courier_protocol::{ChatId, ChatSummary, UserId};

use super::chats::keep_chat;
use super::{ApiFail, call};
use crate::store::Store;

/// Changes what `settings` sets; the chat is kept as the server answers it.
pub async fn update_chat(
    store: Option<Store>,
    chat: ChatId,
    settings: &ChatSettings,
) -> Result<ChatSummary, ApiFail> {
    let ChatCreated { chat } = call(&UPDATE_CHAT, &[&chat.0], "", settings).await?;
    keep_chat(store, &chat).await;
    Ok(chat)
}

/// A page of members: those with ids after `after`, at most `limit` (or
/// the server's page).
pub async fn members(
    chat: ChatId,
    after: Option<UserId>,
    limit: Option<u32>,
) -> Result<Members, ApiFail> {
    let query = [
        after.map(|u| format!("after={}", u.0)),
        limit.map(|n| format!("limit={n}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("&");
    call(&MEMBERS, &[&chat.0], &query, &()).await
}

pub async fn member_action(
    chat: ChatId,
    user: UserId,
    action: &MemberAction,
) -> Result<(), ApiFail> {
    call(&MEMBER_ACTION, &[&chat.0, &user.0], "", action).await
}

pub async fn invites(chat: ChatId) -> Result<InviteLinks, ApiFail> {
    call(&INVITES, &[&chat.0], "", &()).await
}

pub async fn new_invite(chat: ChatId, invite: &NewInvite) -> Result<InviteLink, ApiFail> {
    call(&NEW_INVITE, &[&chat.0], "", invite).await
}

pub async fn revoke_invite(chat: ChatId, code: &str) -> Result<(), ApiFail> {
    call(&REVOKE_INVITE, &[&chat.0, &code], "", &()).await
}

pub async fn join_requests(chat: ChatId) -> Result<JoinRequests, ApiFail> {
    call(&JOIN_REQUESTS, &[&chat.0], "", &()).await
}

pub async fn answer_request(chat: ChatId, user: UserId, approve: bool) -> Result<(), ApiFail> {
    call(
        &ANSWER_REQUEST,
        &[&chat.0, &user.0],
        "",
        &RequestAnswer { approve },
    )
    .await
}
