//! Every bound on client input. The server rejects anything outside them at
//! the edge with an [`ErrorCode`]; the app checks them before sending so a
//! user hears about a problem at once.

use crate::error::ErrorCode;

/// Largest WebSocket message, in bytes, either direction from a client.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest message text, in Unicode scalar values (Telegram allows 4096).
pub const MAX_TEXT_CHARS: usize = 4096;
pub const MAX_CLIENT_MSG_ID_LEN: usize = 64;
/// Most cursors in one `Hello`: a client following more chats resumes the
/// rest with `Sync`.
pub const MAX_CURSORS: usize = 2000;
/// Most groups and channels one user may be in (Telegram's limit).
pub const GROUPS_MAX: u32 = 500;
/// Most messages the server puts in one `Events` frame.
pub const MAX_EVENTS_PER_FRAME: usize = 200;
/// Events in one `History` page, and the newest a new device takes of each
/// chat: a chat of any length opens after one page.
pub const HISTORY_PAGE: usize = 200;
pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const CHAT_NAME_MAX: usize = 64;
/// Most people a new group or channel starts with besides its owner; more
/// join by its link.
pub const NEW_GROUP_MEMBERS_MAX: usize = 50;
/// The reactions a message can get (Telegram's default set is similar).
pub const REACTIONS: &[&str] = &["👍", "❤️", "😂", "😮", "😢", "🙏", "🔥", "🎉"];
/// Most posts one `Views` frame asks about.
pub const MAX_VIEW_SEQS: usize = 100;
/// Longest slow mode: a day (Telegram's longest is an hour).
pub const SLOW_MODE_MAX_S: u32 = 24 * 3600;
/// Longest an invite link may live, and the most joins it may allow.
pub const INVITE_TTL_MAX_S: u32 = 366 * 24 * 3600;
pub const INVITE_USES_MAX: u32 = 200_000;
/// Most entries in one page of a member list.
pub const MEMBER_PAGE_MAX: usize = 200;
/// A search query: at most this many characters, and results per page.
pub const SEARCH_QUERY_MAX: usize = 100;
/// Most people, and most public chats, one directory search answers with.
pub const DIRECTORY_MAX: usize = 20;
pub const SEARCH_PAGE_MAX: usize = 50;
/// Longest disappearing-message timer, and furthest a message can be
/// scheduled: a year.
pub const TTL_MAX_S: u32 = 366 * 24 * 3600;
pub const SCHEDULE_AHEAD_MAX_MS: i64 = 366 * 24 * 3600 * 1000;
/// Most messages one person may have waiting in one chat.
pub const SCHEDULED_MAX: usize = 100;
/// Accounts one browser may keep signed in at once.
pub const ACCOUNTS_MAX: usize = 5;
/// Folders one user may have, as in Telegram.
pub const FOLDERS_MAX: usize = 10;
/// A folder's name shows as a tab: short, in characters.
pub const FOLDER_NAME_MAX: usize = 24;
/// Chats a folder may name, shown and left out together; ten full folders
/// still fit in one request body.
pub const FOLDER_CHATS_MAX: usize = 50;
/// Largest file one upload may hold: 4 GiB, as Telegram's.
pub const MAX_UPLOAD_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Photos and videos one album (one message) may carry, as in Telegram.
pub const ALBUM_MAX: usize = 10;
/// Longest file name kept with a file, in bytes.
pub const FILE_NAME_MAX: usize = 255;
/// Longest media type (`image/jpeg`) a client may claim.
pub const MIME_MAX: usize = 100;
/// Largest width or height a photo or video may claim, in pixels.
pub const MEDIA_SIDE_MAX: u32 = 20_000;
/// Longest a video, audio or voice message may claim to last: a day.
pub const MEDIA_DURATION_MAX_MS: u32 = 24 * 3600 * 1000;
/// Longest round video message, as Telegram's.
pub const ROUND_VIDEO_MAX_MS: u32 = 60 * 1000;
/// Most samples in a voice message's waveform, each 0 to
/// [`WAVEFORM_PEAK`] (5 bits, as Telegram's).
pub const WAVEFORM_MAX: usize = 100;
pub const WAVEFORM_PEAK: u8 = 31;
/// Longest thumbhash placeholder, in base64 characters (a thumbhash is at
/// most 25 bytes).
pub const THUMBHASH_MAX: usize = 48;
/// Longest `Upload-Metadata` header a tus client may send, in bytes.
pub const UPLOAD_METADATA_MAX: usize = 2048;
/// How long a call rings before it counts as missed (Telegram: 45 s).
pub const RING_MS: i64 = 45_000;
/// How often a leg of an answered call says it is still there.
pub const LEG_ALIVE_MS: i64 = 10_000;
/// How long a leg may stay silent before the server ends its call.
pub const LEG_TIMEOUT_MS: i64 = 35_000;
/// The most tabs in a group's call (Telegram's video chats: 30 with
/// video).
pub const MAX_GROUP_CALL_PEOPLE: usize = 30;
/// Largest session description a call's leg sends: video with three
/// simulcast layers and screen sharing fit in a few kilobytes.
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// Largest trickled ICE candidate line.
pub const MAX_CANDIDATE_BYTES: usize = 1024;
/// Longest media id (`mid`) in a signal.
pub const MAX_SIGNAL_NAME_BYTES: usize = 64;
/// How long a TURN credential the server issues stays valid, in seconds.
pub const TURN_TTL_S: u64 = 12 * 3600;
/// Largest HTTP request body of each capability's endpoints, in bytes
/// (413 `body_too_large` beyond it, before any parsing): what its largest
/// valid request takes, JSON escapes included (a character is at most six
/// bytes, as `\uXXXX`), with room to spare. Tested below.
pub mod body {
    use super::MAX_TEXT_CHARS;

    /// Sign-up and sign-in, guests, device names, a password change.
    pub const ACCOUNTS: usize = 4 * 1024;
    /// New chats, joining, a chat's place in one's list.
    pub const CHATS: usize = 4 * 1024;
    /// A chat's settings, members, invite links, join requests.
    pub const MODERATION: usize = 4 * 1024;
    /// A scheduled post or a draft: a whole message.
    pub const MESSAGING: usize = MAX_TEXT_CHARS * 6 + 1024;
    /// Ten full folders.
    pub const PREFS: usize = 16 * 1024;
    /// Whether one shows one's last seen time.
    pub const PRESENCE: usize = 1024;
    /// Calls' endpoints take no body.
    pub const CALLS: usize = 1024;
}

/// A message text: not blank, at most [`MAX_TEXT_CHARS`].
pub fn check_text(text: &str) -> Result<(), ErrorCode> {
    if text.trim().is_empty() {
        Err(ErrorCode::TextEmpty)
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Err(ErrorCode::TextTooLong)
    } else {
        Ok(())
    }
}

/// A username: 3–32 of `a-z`, `0-9`, `_`, starting with a letter. Lower case
/// only, so "Alice" and "alice" cannot be two people.
pub fn check_username(name: &str) -> Result<(), ErrorCode> {
    let ok = (USERNAME_MIN..=USERNAME_MAX).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(())
    } else {
        Err(ErrorCode::BadUsername)
    }
}

/// A public chat's `@handle`: the same rules as a username.
pub fn check_handle(handle: &str) -> Result<(), ErrorCode> {
    check_username(handle).map_err(|_| ErrorCode::BadHandle)
}

pub fn check_password(password: &str) -> Result<(), ErrorCode> {
    let n = password.chars().count();
    if (PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        Ok(())
    } else {
        Err(ErrorCode::BadPassword)
    }
}

/// A display name or chat name: not blank, no control characters, at most
/// `max` characters.
pub fn check_name(name: &str, max: usize) -> Result<(), ErrorCode> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= max
        && !name.chars().any(char::is_control);
    if ok { Ok(()) } else { Err(ErrorCode::BadName) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{
        ChatSettings, DeviceName, Draft, Folders, NewGroup, NewPassword, NewScheduled, SignUp,
    };
    use crate::model::device::DEVICE_NAME_MAX;
    use crate::model::folder::Folder;
    use crate::{ChatId, ClientMsgId, Content};

    /// `n` characters that each take six bytes in JSON.
    fn worst(n: usize) -> String {
        "\u{1}".repeat(n)
    }

    fn fits(limit: usize, request: &impl serde::Serialize) {
        let bytes = serde_json::to_vec(request).unwrap_or_default().len();
        assert!(bytes > 0 && bytes <= limit, "{bytes} bytes over {limit}");
    }

    #[test]
    fn every_body_limit_holds_its_largest_valid_request() {
        let post = |text: String| NewScheduled {
            id: ClientMsgId("x".repeat(MAX_CLIENT_MSG_ID_LEN)),
            content: Content::text(text),
            at: i64::MAX,
        };
        fits(body::MESSAGING, &post(worst(MAX_TEXT_CHARS)));
        fits(body::MESSAGING, &post("😀".repeat(MAX_TEXT_CHARS)));
        fits(
            body::MESSAGING,
            &Draft {
                text: worst(MAX_TEXT_CHARS),
                device: worst(MAX_CLIENT_MSG_ID_LEN),
            },
        );
        let folder = Folder {
            name: worst(FOLDER_NAME_MAX),
            personal: true,
            groups: true,
            channels: true,
            chats: vec![ChatId(i64::MIN); FOLDER_CHATS_MAX / 2],
            excluded: vec![ChatId(i64::MIN); FOLDER_CHATS_MAX / 2],
            skip_muted: true,
            skip_read: true,
        };
        fits(
            body::PREFS,
            &Folders {
                folders: vec![folder; FOLDERS_MAX],
            },
        );
        fits(
            body::ACCOUNTS,
            &SignUp {
                username: "a".repeat(USERNAME_MAX),
                password: worst(PASSWORD_MAX),
                name: Some(worst(DISPLAY_NAME_MAX)),
            },
        );
        fits(
            body::ACCOUNTS,
            &NewPassword {
                old: worst(PASSWORD_MAX),
                new: worst(PASSWORD_MAX),
            },
        );
        fits(
            body::ACCOUNTS,
            &DeviceName {
                name: worst(DEVICE_NAME_MAX),
            },
        );
        fits(
            body::CHATS,
            &NewGroup {
                name: worst(CHAT_NAME_MAX),
                members: vec!["a".repeat(USERNAME_MAX); NEW_GROUP_MEMBERS_MAX],
            },
        );
        fits(
            body::MODERATION,
            &ChatSettings {
                name: Some(worst(CHAT_NAME_MAX)),
                handle: Some("a".repeat(USERNAME_MAX)),
                ..ChatSettings::default()
            },
        );
    }

    #[test]
    fn text_bounds() {
        assert_eq!(check_text("  \n"), Err(ErrorCode::TextEmpty));
        assert!(check_text(&"é".repeat(MAX_TEXT_CHARS)).is_ok());
        assert_eq!(
            check_text(&"é".repeat(MAX_TEXT_CHARS + 1)),
            Err(ErrorCode::TextTooLong)
        );
    }

    #[test]
    fn usernames() {
        assert!(check_username("alice_01").is_ok());
        for bad in ["al", "Alice", "1alice", "al ice", &"a".repeat(33)] {
            assert_eq!(check_username(bad), Err(ErrorCode::BadUsername), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(check_name("Ünïcode 名前", DISPLAY_NAME_MAX).is_ok());
        assert_eq!(check_name(" ", DISPLAY_NAME_MAX), Err(ErrorCode::BadName));
        assert_eq!(
            check_name("a\u{0}b", DISPLAY_NAME_MAX),
            Err(ErrorCode::BadName)
        );
    }

    #[test]
    fn passwords() {
        assert_eq!(check_password("short"), Err(ErrorCode::BadPassword));
        assert!(check_password("long enough").is_ok());
    }
}
