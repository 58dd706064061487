//! Identifiers that cross the wire.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::MAX_CLIENT_MSG_ID_LEN;

/// A user (account or guest), assigned by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A chat, assigned by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChatId(pub i64);

/// A position in one chat's gap-free event sequence: 1, 2, 3, …
/// `Seq(0)` means "nothing yet".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(pub i64);

impl Seq {
    pub const ZERO: Seq = Seq(0);

    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

/// The id a client gives a message before sending it. Sending the same id
/// twice stores one message (idempotent sends). ASCII letters, digits, `-`
/// and `_`, 1 to [`MAX_CLIENT_MSG_ID_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientMsgId(pub String);

impl ClientMsgId {
    pub fn validate(&self) -> Result<(), ErrorCode> {
        if client_made(&self.0) {
            Ok(())
        } else {
            Err(ErrorCode::BadClientId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `id` follows the rules of an id a client makes: ASCII letters,
/// digits, `-` and `_`, 1 to [`MAX_CLIENT_MSG_ID_LEN`] bytes.
pub(crate) fn client_made(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_MSG_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_msg_id_rules() {
        assert!(ClientMsgId("0190f3a1b2c-x_Y9".into()).validate().is_ok());
        assert_eq!(
            ClientMsgId(String::new()).validate(),
            Err(ErrorCode::BadClientId)
        );
        assert_eq!(
            ClientMsgId("a b".into()).validate(),
            Err(ErrorCode::BadClientId)
        );
        assert_eq!(
            ClientMsgId("x".repeat(65)).validate(),
            Err(ErrorCode::BadClientId)
        );
    }
}

/// A file uploaded to the server (`/api/uploads/{id}`, `/api/media/{id}`):
/// 32 lower-case hex digits (128 random bits), made by the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub String);

impl FileId {
    pub const LEN: usize = 32;

    pub fn validate(&self) -> Result<(), ErrorCode> {
        let ok = self.0.len() == FileId::LEN
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok { Ok(()) } else { Err(ErrorCode::BadFile) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
