//! What a call's leg asks over HTTP: the ICE servers.

use courier_protocol::http::calls::{ICE_SERVERS, IceServers};

use super::{ApiFail, ask};

pub async fn ice_servers() -> Result<IceServers, ApiFail> {
    ask(&ICE_SERVERS).await
}
