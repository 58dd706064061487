//! A user's devices: each sign-in is one (its session), named from its
//! browser. They are listed, renamed and ended from Preferences, and a new
//! password ends all but the one that set it.

use courier_protocol::limits::{check_name, check_password};
use courier_protocol::model::device::{DEVICE_NAME_MAX, Device};
use courier_protocol::{ErrorCode, UserInfo, UserKind};

use super::Accounts;
use crate::kernel::auth;
use crate::kernel::db::SessionRow;
use crate::kernel::error::Result;
use crate::kernel::to_hex;

/// Bytes of the token's hash that name a device on the wire: enough to
/// tell one user's devices apart, and no use to anyone without the token.
const ID_BYTES: usize = 8;

fn device_id(token_hash: &[u8]) -> String {
    to_hex(token_hash.get(..ID_BYTES).unwrap_or(token_hash))
}

impl Accounts {
    /// Every live device of `me`; `token` marks the one asking.
    pub async fn devices(&self, me: &UserInfo, token: &str) -> Result<Vec<Device>> {
        let current = auth::token_hash(token);
        let sessions = self.k.store.sessions_of(me.id, self.k.now_ms()).await?;
        Ok(sessions
            .into_iter()
            .map(|s| Device {
                id: device_id(&s.token_hash),
                current: s.token_hash == current,
                name: s.name,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    async fn session_of_device(&self, me: &UserInfo, id: &str) -> Result<SessionRow> {
        self.k
            .store
            .sessions_of(me.id, self.k.now_ms())
            .await?
            .into_iter()
            .find(|s| device_id(&s.token_hash) == id)
            .ok_or(ErrorCode::NotFound)
    }

    pub async fn rename_device(&self, me: &UserInfo, id: &str, name: &str) -> Result<()> {
        let name = name.trim();
        check_name(name, DEVICE_NAME_MAX)?;
        let session = self.session_of_device(me, id).await?;
        if !self
            .k
            .store
            .rename_session(me.id, &session.token_hash, name)
            .await?
        {
            return Err(ErrorCode::NotFound);
        }
        Ok(())
    }

    /// Signs the device out: its sockets close on every node.
    pub async fn end_device(&self, me: &UserInfo, id: &str) -> Result<()> {
        let session = self.session_of_device(me, id).await?;
        self.end_session(&session.token_hash).await
    }

    /// Checks the old password, sets the new one and signs out every other
    /// device of the account (their sockets close on every node).
    pub async fn change_password(
        &self,
        me: &UserInfo,
        token: &str,
        old: &str,
        new: &str,
    ) -> Result<()> {
        if me.kind != UserKind::Account {
            return Err(ErrorCode::NotAllowed);
        }
        check_password(new)?;
        let username = me.username.as_deref().ok_or(ErrorCode::NotAllowed)?;
        let (_, phc) = self
            .k
            .store
            .credentials(username)
            .await?
            .ok_or(ErrorCode::BadCredentials)?;
        if !auth::verify_password(old.to_owned(), phc).await? {
            return Err(ErrorCode::BadCredentials);
        }
        let hash = auth::hash_password(new.to_owned()).await?;
        self.k.store.set_password(me.id, &hash).await?;
        let ended = self
            .k
            .store
            .end_sessions(me.id, &auth::token_hash(token))
            .await?;
        for session in ended {
            self.k.delivery.end_session(&session).await;
        }
        Ok(())
    }

    /// A socket of the session opened or closed: the device was seen.
    pub async fn seen(&self, session: &[u8]) {
        if let Err(e) = self.k.store.touch_session(session, self.k.now_ms()).await {
            tracing::warn!(error = %e, "noting a device as seen");
        }
    }
}
