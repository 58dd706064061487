//! Last seen, and whether one shows it.

use courier_protocol::UserId;
use courier_protocol::http::presence::{PRESENCE, PRIVACY, Presence, Privacy, SET_PRIVACY};

use super::{ApiFail, ask, call};

pub async fn presence(user: UserId) -> Result<Presence, ApiFail> {
    call(&PRESENCE, &[&user.0], "", &()).await
}

pub async fn privacy() -> Result<Privacy, ApiFail> {
    ask(&PRIVACY).await
}

pub async fn set_privacy(hide_last_seen: bool) -> Result<(), ApiFail> {
    call(&SET_PRIVACY, &[], "", &Privacy { hide_last_seen }).await
}
