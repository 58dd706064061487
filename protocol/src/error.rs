//! Stable error codes. The wire carries the code (snake_case); the app maps
//! each to a translated sentence. Never rename one: add a new code instead.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON of a known frame type.
    #[error("malformed frame")]
    BadFrame,
    /// The frame is larger than `MAX_FRAME_BYTES`.
    #[error("frame too large")]
    FrameTooLarge,
    /// The first frame was not `Hello`, or `Hello` came twice.
    #[error("hello expected first, once")]
    HelloRequired,
    /// The client's protocol version is one this server cannot speak.
    #[error("unsupported protocol version")]
    UnsupportedVersion,
    #[error("message text is empty")]
    TextEmpty,
    #[error("message text is too long")]
    TextTooLong,
    #[error("client message id is malformed")]
    BadClientId,
    /// Too many cursors or other list entries.
    #[error("too many items")]
    TooMany,
    /// The chat does not exist or the user is not a member; the two are not
    /// told apart, so nobody learns which chats exist.
    #[error("not a member of this chat")]
    NotMember,
    #[error("not signed in")]
    Unauthorized,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("username is taken")]
    UsernameTaken,
    #[error("username must be 3-32 of a-z, 0-9, _ and start with a letter")]
    BadUsername,
    #[error("password must be 8-256 characters")]
    BadPassword,
    #[error("name is empty, too long or has control characters")]
    BadName,
    #[error("no such user")]
    UnknownUser,
    #[error("invite link is not valid")]
    BadInvite,
    /// Only guests can choose a username and password this way.
    #[error("already has an account")]
    AlreadyAccount,
    /// An HTTP request body is larger than its endpoint's limit (`limits::body`).
    #[error("request body too large")]
    BodyTooLarge,
    /// The request body is not what the endpoint takes.
    #[error("bad request")]
    BadRequest,
    #[error("origin not allowed")]
    BadOrigin,
    /// A member's role lacks the right (posting in a channel, banning, …).
    #[error("your role in this chat does not allow it")]
    NotAllowed,
    /// Slow mode is on and the member sent too recently.
    #[error("slow mode: wait before sending again")]
    SlowMode,
    /// The user was banned from the chat and cannot join it again.
    #[error("banned from this chat")]
    Banned,
    #[error("invite link has expired")]
    InviteExpired,
    #[error("invite link was revoked")]
    InviteRevoked,
    #[error("invite link has reached its usage limit")]
    InviteUsedUp,
    /// Another chat has that @handle.
    #[error("that @handle is taken")]
    HandleTaken,
    #[error("@handle must be 3-32 of a-z, 0-9, _ and start with a letter")]
    BadHandle,
    #[error("the owner cannot be removed, banned or demoted")]
    OwnerStays,
    /// The message acted on does not exist, is itself an act, or was deleted.
    #[error("that message is not there to act on")]
    BadTarget,
    #[error("not one of the reactions on offer")]
    BadReaction,
    /// Asked too often (sign-in attempts, frames, searches): wait the time
    /// the error gives, then try again.
    #[error("too many requests: wait and try again")]
    SlowDown,
    /// One of the two people of a 1:1 blocked the other: no new chat, no
    /// message.
    #[error("this person cannot be messaged")]
    Blocked,
    /// A search ran out of time before it was done: narrow it (more words,
    /// one chat).
    #[error("search too broad")]
    TooBroad,
    /// No such endpoint, or a file the caller may not read (never told
    /// apart: a stranger learns nothing of a file).
    #[error("not found")]
    NotFound,
    /// A file over the largest upload (`limits::MAX_UPLOAD_BYTES`).
    #[error("file too large")]
    FileTooLarge,
    /// The upload would take the user past their storage quota.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// An upload's bytes sent at another offset than the server holds:
    /// ask the offset (HEAD) and go on from there.
    #[error("upload offset mismatch")]
    OffsetMismatch,
    /// A message names a file that is not there, not complete, or not the
    /// sender's to send.
    #[error("bad file")]
    BadFile,
    /// A call step or signal for a call that is not there for the sender,
    /// has ended, or is not at a point where that step applies.
    #[error("that call is not going on")]
    NoCall,
    /// The caller is in another call already.
    #[error("already in a call")]
    InCall,
    /// Both people of a 1:1 called each other at once: the other's call
    /// goes on (it rings on the sender's devices, and their app answers it).
    #[error("the other person is calling you")]
    CallCrossed,
    /// The group's call has `limits::MAX_GROUP_CALL_PEOPLE` in it.
    #[error("the call is full")]
    CallFull,
    /// A fault on the server; details are in its log, never on the wire.
    #[error("internal error")]
    Internal,
}

/// Whether a client that got a code should send the same request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The same request will get the same answer: show it and stop.
    Never,
    /// The server asked to wait, or failed itself: send it again after a
    /// wait (`retry_after_ms` when given).
    Later,
}

impl ErrorCode {
    /// Each code's wire name, HTTP status and whether a client tries again:
    /// the one table the server's answers and the app's retries read.
    const fn spec(self) -> (&'static str, u16, Retry) {
        use Retry::{Later, Never};
        match self {
            ErrorCode::BadFrame => ("bad_frame", 400, Never),
            ErrorCode::FrameTooLarge => ("frame_too_large", 400, Never),
            ErrorCode::HelloRequired => ("hello_required", 400, Never),
            ErrorCode::UnsupportedVersion => ("unsupported_version", 400, Never),
            ErrorCode::TextEmpty => ("text_empty", 400, Never),
            ErrorCode::TextTooLong => ("text_too_long", 400, Never),
            ErrorCode::BadClientId => ("bad_client_id", 400, Never),
            ErrorCode::TooMany => ("too_many", 429, Never),
            ErrorCode::NotMember => ("not_member", 403, Never),
            ErrorCode::Unauthorized => ("unauthorized", 401, Never),
            ErrorCode::BadCredentials => ("bad_credentials", 401, Never),
            ErrorCode::UsernameTaken => ("username_taken", 409, Never),
            ErrorCode::BadUsername => ("bad_username", 400, Never),
            ErrorCode::BadPassword => ("bad_password", 400, Never),
            ErrorCode::BadName => ("bad_name", 400, Never),
            ErrorCode::UnknownUser => ("unknown_user", 404, Never),
            ErrorCode::BadInvite => ("bad_invite", 404, Never),
            ErrorCode::AlreadyAccount => ("already_account", 409, Never),
            ErrorCode::BodyTooLarge => ("body_too_large", 413, Never),
            ErrorCode::BadRequest => ("bad_request", 400, Never),
            ErrorCode::BadOrigin => ("bad_origin", 403, Never),
            ErrorCode::NotAllowed => ("not_allowed", 403, Never),
            ErrorCode::SlowMode => ("slow_mode", 429, Never),
            ErrorCode::Banned => ("banned", 403, Never),
            ErrorCode::InviteExpired => ("invite_expired", 410, Never),
            ErrorCode::InviteRevoked => ("invite_revoked", 410, Never),
            ErrorCode::InviteUsedUp => ("invite_used_up", 410, Never),
            ErrorCode::HandleTaken => ("handle_taken", 409, Never),
            ErrorCode::BadHandle => ("bad_handle", 400, Never),
            ErrorCode::OwnerStays => ("owner_stays", 403, Never),
            ErrorCode::BadTarget => ("bad_target", 400, Never),
            ErrorCode::BadReaction => ("bad_reaction", 400, Never),
            ErrorCode::NotFound => ("not_found", 404, Never),
            ErrorCode::FileTooLarge => ("file_too_large", 413, Never),
            ErrorCode::QuotaExceeded => ("quota_exceeded", 413, Never),
            ErrorCode::OffsetMismatch => ("offset_mismatch", 409, Never),
            ErrorCode::BadFile => ("bad_file", 400, Never),
            ErrorCode::SlowDown => ("slow_down", 429, Later),
            ErrorCode::Blocked => ("blocked", 403, Never),
            ErrorCode::TooBroad => ("too_broad", 422, Never),
            ErrorCode::NoCall => ("no_call", 409, Never),
            ErrorCode::InCall => ("in_call", 409, Never),
            ErrorCode::CallCrossed => ("call_crossed", 409, Never),
            ErrorCode::CallFull => ("call_full", 409, Never),
            ErrorCode::Internal => ("internal", 500, Later),
        }
    }

    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        self.spec().0
    }

    /// The HTTP status an endpoint answers this code with.
    pub const fn status(self) -> u16 {
        self.spec().1
    }

    pub const fn retry(self) -> Retry {
        self.spec().2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde() {
        for code in [
            ErrorCode::BadFrame,
            ErrorCode::FrameTooLarge,
            ErrorCode::HelloRequired,
            ErrorCode::UnsupportedVersion,
            ErrorCode::TextEmpty,
            ErrorCode::TextTooLong,
            ErrorCode::BadClientId,
            ErrorCode::TooMany,
            ErrorCode::NotMember,
            ErrorCode::Unauthorized,
            ErrorCode::BadCredentials,
            ErrorCode::UsernameTaken,
            ErrorCode::BadUsername,
            ErrorCode::BadPassword,
            ErrorCode::BadName,
            ErrorCode::UnknownUser,
            ErrorCode::BadInvite,
            ErrorCode::AlreadyAccount,
            ErrorCode::BodyTooLarge,
            ErrorCode::BadRequest,
            ErrorCode::BadOrigin,
            ErrorCode::Internal,
            ErrorCode::NotAllowed,
            ErrorCode::SlowMode,
            ErrorCode::Banned,
            ErrorCode::InviteExpired,
            ErrorCode::InviteRevoked,
            ErrorCode::InviteUsedUp,
            ErrorCode::HandleTaken,
            ErrorCode::BadHandle,
            ErrorCode::OwnerStays,
            ErrorCode::BadTarget,
            ErrorCode::BadReaction,
            ErrorCode::NotFound,
            ErrorCode::SlowDown,
            ErrorCode::Blocked,
            ErrorCode::TooBroad,
            ErrorCode::FileTooLarge,
            ErrorCode::QuotaExceeded,
            ErrorCode::OffsetMismatch,
            ErrorCode::BadFile,
            ErrorCode::NoCall,
            ErrorCode::InCall,
            ErrorCode::CallCrossed,
            ErrorCode::CallFull,
        ] {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(code.as_str()))
            );
            assert!((400..600).contains(&code.status()), "{code:?}");
            // Only a fault of the server answers 5xx, and a client tries
            // again only what may pass next time.
            assert_eq!(code.status() >= 500, code == ErrorCode::Internal);
        }
    }
}
