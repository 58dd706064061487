//! What calls ask over HTTP: the ICE servers, and a group's call.

use courier_protocol::http::calls::{GROUP_CALL, ICE_SERVERS, IceServers};
use courier_protocol::{ChatId, GroupCall};

use super::{ApiFail, ask, call};

pub async fn ice_servers() -> Result<IceServers, ApiFail> {
    ask(&ICE_SERVERS).await
}

/// The call going on in group `chat`, if any.
pub async fn group_call(chat: ChatId) -> Result<Option<GroupCall>, ApiFail> {
    call(&GROUP_CALL, &[&chat.0], "", &()).await
}
