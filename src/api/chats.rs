//! Opening chats (new ones, by a link or @handle) and leaving them; a
//! chat's place in one's list.

use courier_protocol::http::chats::{
    ChatCreated, DIRECTORY, Directory, INVITE_PREVIEW, InvitePreview, JOIN_BY_INVITE, JOIN_PUBLIC,
    JoinAnswer, LEAVE, NEW_CHANNEL, NEW_DIRECT, NEW_GROUP, NewDirect, NewGroup, SET_PLACE,
};
use courier_protocol::{ChatId, ChatSummary, Place};

use super::{ApiFail, call};
use crate::store::Store;

pub async fn invite_preview(code: &str) -> Result<InvitePreview, ApiFail> {
    call(&INVITE_PREVIEW, &[&code], "", &()).await
}

pub async fn join_by_invite(code: &str) -> Result<JoinAnswer<ChatCreated>, ApiFail> {
    call(&JOIN_BY_INVITE, &[&code], "", &()).await
}

/// Joins a public group or channel by its @handle.
pub async fn join_public(handle: &str) -> Result<ChatCreated, ApiFail> {
    call(&JOIN_PUBLIC, &[&handle], "", &()).await
}

/// People and public chats matching `text` (see [`Directory`]).
pub async fn directory(text: &str) -> Result<Directory, ApiFail> {
    let query = format!("q={}", js_sys::encode_uri_component(text));
    call(&DIRECTORY, &[], &query, &()).await
}

/// Opens (or finds) the 1:1 chat with `username`.
pub async fn new_direct(username: String) -> Result<ChatCreated, ApiFail> {
    call(&NEW_DIRECT, &[], "", &NewDirect { username }).await
}

/// Creates a group, or a channel, with the people named by `members`.
pub async fn new_group(
    name: String,
    channel: bool,
    members: Vec<String>,
) -> Result<ChatCreated, ApiFail> {
    let endpoint = if channel { &NEW_CHANNEL } else { &NEW_GROUP };
    call(endpoint, &[], "", &NewGroup { name, members }).await
}

/// Leaves a chat, and forgets it on this device.
pub async fn leave(store: Option<Store>, chat: ChatId) -> Result<(), ApiFail> {
    call(&LEAVE, &[&chat.0], "", &()).await?;
    if let Some(store) = store {
        // A failed write leaves the chat until the next resume drops it.
        let _ = store.forget_chat(chat).await;
    }
    Ok(())
}

/// Moves the chat in one's list (pinned, muted, archived); kept as the
/// server answers it.
pub async fn set_place(
    store: Option<Store>,
    chat: ChatId,
    place: &Place,
) -> Result<ChatSummary, ApiFail> {
    let ChatCreated { chat } = call(&SET_PLACE, &[&chat.0], "", place).await?;
    keep_chat(store, &chat).await;
    Ok(chat)
}

/// Keeps a chat as the server just answered it (the socket's frame for
/// it may come later).
pub(super) async fn keep_chat(store: Option<Store>, chat: &ChatSummary) {
    if let Some(store) = store {
        let _ = store.put_chats(std::slice::from_ref(chat)).await;
    }
}
