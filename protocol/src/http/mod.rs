//! The HTTP endpoints' bodies, one file per capability (see PROTOCOL.md).
//! Errors come back as [`ApiError`] with a 4xx/5xx status.

pub mod accounts;
pub mod calls;
pub mod chats;
pub mod devices;
pub mod endpoint;
pub mod error;
pub mod media;
pub mod messaging;
pub mod moderation;
pub mod prefs;
pub mod presence;

pub use accounts::*;
pub use calls::*;
pub use chats::*;
pub use devices::*;
pub use endpoint::{Endpoint, Method, Route};
pub use error::ApiError;
pub use messaging::*;
pub use moderation::*;
pub use prefs::*;
pub use presence::*;

/// Every endpoint, for the router's and PROTOCOL.md's tests.
pub const ROUTES: &[Route] = &[
    devices::DEVICES.route(),
    devices::RENAME_DEVICE.route(),
    devices::END_DEVICE.route(),
    devices::CHANGE_PASSWORD.route(),
    accounts::SIGN_UP.route(),
    accounts::SIGN_IN.route(),
    accounts::SIGN_OUT.route(),
    accounts::ME.route(),
    accounts::ACCOUNTS.route(),
    accounts::CLAIM.route(),
    accounts::GUEST.route(),
    accounts::BLOCK.route(),
    accounts::UNBLOCK.route(),
    accounts::BLOCKED.route(),
    calls::ICE_SERVERS.route(),
    calls::GROUP_CALL.route(),
    chats::INVITE_PREVIEW.route(),
    chats::JOIN_BY_INVITE.route(),
    chats::PUBLIC_PREVIEW.route(),
    chats::JOIN_PUBLIC.route(),
    chats::NEW_DIRECT.route(),
    chats::NEW_GROUP.route(),
    chats::NEW_CHANNEL.route(),
    chats::LEAVE.route(),
    chats::SET_PLACE.route(),
    moderation::UPDATE_CHAT.route(),
    moderation::MEMBERS.route(),
    moderation::MEMBER_ACTION.route(),
    moderation::INVITES.route(),
    moderation::NEW_INVITE.route(),
    moderation::REVOKE_INVITE.route(),
    moderation::JOIN_REQUESTS.route(),
    moderation::ANSWER_REQUEST.route(),
    messaging::READS.route(),
    messaging::SINCE.route(),
    messaging::SEARCH.route(),
    messaging::SAVE_DRAFT.route(),
    messaging::SCHEDULED.route(),
    messaging::SCHEDULE.route(),
    messaging::UNSCHEDULE.route(),
    prefs::FOLDERS.route(),
    prefs::SET_FOLDERS.route(),
    presence::PRESENCE.route(),
    presence::PRIVACY.route(),
    presence::SET_PRIVACY.route(),
];
