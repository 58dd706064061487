//! What the socket does not carry about messages: search, read
//! receipts, dates, drafts, scheduled messages.

use courier_protocol::http::messaging::{
    Draft, Found, NewScheduled, READS, Reads, SAVE_DRAFT, SCHEDULE, SCHEDULED, SEARCH, SINCE,
    ScheduledPosts, Since, UNSCHEDULE,
};
use courier_protocol::{ChatId, ClientMsgId};

use super::{ApiFail, call};

/// Who read how far in `chat`.
pub async fn reads(chat: ChatId) -> Result<Reads, ApiFail> {
    call(&READS, &[&chat.0], "", &()).await
}

/// The first post of `chat` at or after `at` (ms), as the server has it.
pub async fn since(chat: ChatId, at: i64) -> Result<Since, ApiFail> {
    call(&SINCE, &[&chat.0], &format!("at={at}"), &()).await
}

/// Searches the server's messages: all of one's chats, or one.
pub async fn search(text: &str, chat: Option<ChatId>) -> Result<Found, ApiFail> {
    let mut query = format!("q={}", js_sys::encode_uri_component(text));
    if let Some(chat) = chat {
        query.push_str(&format!("&chat={}", chat.0));
    }
    call(&SEARCH, &[], &query, &()).await
}

pub async fn save_draft(chat: ChatId, draft: &Draft) -> Result<(), ApiFail> {
    call(&SAVE_DRAFT, &[&chat.0], "", draft).await
}

pub async fn scheduled(chat: ChatId) -> Result<ScheduledPosts, ApiFail> {
    call(&SCHEDULED, &[&chat.0], "", &()).await
}

pub async fn schedule(chat: ChatId, post: &NewScheduled) -> Result<(), ApiFail> {
    call(&SCHEDULE, &[&chat.0], "", post).await
}

pub async fn unschedule(chat: ChatId, id: &ClientMsgId) -> Result<(), ApiFail> {
    call(&UNSCHEDULE, &[&chat.0, &id.0], "", &()).await
}
