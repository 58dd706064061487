//! Who is online and when they were last seen, and who may know it.

use std::sync::Arc;

use courier_protocol::http::{Presence as Seen, Privacy};
use courier_protocol::{ErrorCode, UserId, UserInfo};

use crate::kernel::Kernel;
use crate::kernel::error::Result;

/// How long a connected user's sockets vouch for them being online; the
/// server renews it well before (`startup::PRESENCE_EVERY`).
const ONLINE_FOR_MS: i64 = 45_000;
/// Users marked online per presence update.
const PRESENCE_PAGE: usize = 500;

#[derive(Clone)]
pub struct Presence {
    k: Arc<Kernel>,
}

impl Presence {
    pub fn new(k: Arc<Kernel>) -> Presence {
        Presence { k }
    }

    /// A socket of `me` opened: they are online.
    pub async fn came_online(&self, me: UserId) {
        let now = self.k.now_ms();
        if let Err(e) = self.k.store.touch(&[me], now + ONLINE_FOR_MS, now).await {
            tracing::warn!(error = %e, "marking online");
        }
    }

    /// A socket of `me` closed: if it was their last here, they were last
    /// seen now (a socket on another node renews them within seconds).
    pub async fn went_offline(&self, me: UserId) {
        let now = self.k.now_ms();
        if self.k.delivery.hub().connections_of(me) == 0
            && let Err(e) = self.k.store.touch(&[me], now, now).await
        {
            tracing::warn!(error = %e, "marking offline");
        }
    }

    /// Renews the presence of everyone connected to this node.
    pub async fn renew_presence(&self) {
        let now = self.k.now_ms();
        for page in self.k.delivery.hub().users().chunks(PRESENCE_PAGE) {
            if let Err(e) = self.k.store.touch(page, now + ONLINE_FOR_MS, now).await {
                tracing::warn!(error = %e, "renewing presence");
            }
        }
    }

    /// Whether `user` is online and when they were last seen, for someone
    /// who shares a chat with them; hidden if they chose so.
    pub async fn presence(&self, me: &UserInfo, user: UserId) -> Result<Seen> {
        let seen = self
            .k
            .store
            .presence(user, me.id)
            .await?
            .ok_or(ErrorCode::NotMember)?;
        if seen.hidden {
            return Ok(Seen {
                online: false,
                last_seen: None,
            });
        }
        Ok(Seen {
            online: seen.online_until > self.k.now_ms(),
            last_seen: Some(seen.seen_at),
        })
    }

    pub async fn privacy(&self, me: &UserInfo) -> Result<Privacy> {
        Ok(Privacy {
            hide_last_seen: self.k.store.hides_seen(me.id).await?,
        })
    }

    pub async fn set_privacy(&self, me: &UserInfo, privacy: Privacy) -> Result<()> {
        Ok(self
            .k
            .store
            .set_hide_seen(me.id, privacy.hide_last_seen)
            .await?)
    }
}
