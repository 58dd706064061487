//! TURN credentials for a relay that shares a secret with the server
//! (coturn's `use-auth-secret`): the username carries its expiry, the
//! password is the HMAC-SHA1 of the username under the secret, so the
//! relay checks them without asking anyone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use courier_protocol::UserId;
use courier_protocol::http::IceServer;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// A TURN relay's addresses and the secret it shares with the server.
#[derive(Clone)]
pub struct Turn {
    pub urls: Vec<String>,
    pub secret: String,
    /// Calls' media must go through the relay.
    pub relay_only: bool,
}

impl Turn {
    /// The relay as `user` may use it until `expires_s` (Unix seconds).
    pub fn server_for(&self, user: UserId, expires_s: u64) -> IceServer {
        let username = format!("{expires_s}:{}", user.0);
        // HMAC takes a key of any length.
        let mut mac = Hmac::<Sha1>::new_from_slice(self.secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC keys have no length limit"));
        mac.update(username.as_bytes());
        IceServer {
            urls: self.urls.clone(),
            credential: Some(STANDARD.encode(mac.finalize().into_bytes())),
            username: Some(username),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_the_usernames_hmac_under_the_secret() {
        let turn = Turn {
            urls: vec!["turn:127.0.0.1:3478".into()],
            secret: "north".into(),
            relay_only: false,
        };
        let server = turn.server_for(UserId(42), 1_700_000_000);
        assert_eq!(server.username.as_deref(), Some("1700000000:42"));
        // `printf 1700000000:42 | openssl dgst -sha1 -hmac north -binary | base64`
        assert_eq!(
            server.credential.as_deref(),
            Some("DWX3FI7DiPIpadEYQAZsnZBAagI=")
        );
    }
}
