//! Accounts and their sessions: signing up, in and out, a guest keeping
//! their chats with a username and password, sessions that end or expire
//! closing their sockets on every node.

use std::sync::Arc;

use courier_protocol::limits::{DISPLAY_NAME_MAX, check_name, check_password, check_username};
use courier_protocol::{ErrorCode, UserInfo, UserKind};

use crate::kernel::Kernel;
use crate::kernel::auth;
use crate::kernel::db::NewUser;
use crate::kernel::error::Result;

/// Sessions one check of the sockets' sessions reads at once.
const SESSION_PAGE: usize = 500;

/// How long a session lives without signing in again.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// A signed-in user and the token their cookie must carry.
pub struct SignedIn {
    pub me: UserInfo,
    pub token: String,
}

#[derive(Clone)]
pub struct Accounts {
    pub(super) k: Arc<Kernel>,
}

impl Accounts {
    pub fn new(k: Arc<Kernel>) -> Accounts {
        Accounts { k }
    }

    /// A new account, signed in on a device called `device`.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        name: Option<&str>,
        device: &str,
    ) -> Result<SignedIn> {
        check_username(username)?;
        check_password(password)?;
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(username);
        check_name(name, DISPLAY_NAME_MAX)?;
        let hash = auth::hash_password(password.to_owned()).await?;
        let me = self
            .k
            .store
            .create_user(NewUser {
                username: Some(username),
                name,
                password_hash: Some(&hash),
                kind: UserKind::Account,
                now: self.k.now_ms(),
            })
            .await?;
        self.start_session(me, device).await
    }

    /// Checks the password; an unknown username costs the same time as a
    /// wrong password and gives the same answer.
    pub async fn sign_in(&self, username: &str, password: &str, device: &str) -> Result<SignedIn> {
        let found = self.k.store.credentials(username).await?;
        let phc = found
            .as_ref()
            .map_or(auth::DUMMY_HASH.to_owned(), |(_, h)| h.clone());
        let ok = auth::verify_password(password.to_owned(), phc).await?;
        match found {
            Some((me, _)) if ok => self.start_session(me, device).await,
            _ => Err(ErrorCode::BadCredentials),
        }
    }

    /// Ends the session and closes its sockets on every node.
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        self.end_session(&auth::token_hash(token)).await
    }

    /// Deletes a session and closes its sockets on every node.
    pub async fn end_session(&self, hash: &[u8]) -> Result<()> {
        self.k.store.delete_session(hash).await?;
        self.k.delivery.end_session(hash).await;
        Ok(())
    }

    /// Closes this node's sockets whose session has ended or expired: the
    /// bus's notice may have been lost, and expiry sends none.
    pub async fn end_dead_sessions(&self) {
        let sessions = self.k.delivery.hub().sessions();
        for page in sessions.chunks(SESSION_PAGE) {
            match self.k.store.live_sessions(page, self.k.now_ms()).await {
                Ok(live) => {
                    for session in page.iter().filter(|s| !live.contains(s)) {
                        self.k.delivery.hub().end_session(session);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "checking sessions"),
            }
        }
    }

    pub async fn start_session(&self, me: UserInfo, device: &str) -> Result<SignedIn> {
        let (token, hash) = auth::new_token();
        let now = self.k.now_ms();
        self.k
            .store
            .create_session(&hash, me.id, device, now, now + SESSION_TTL_MS)
            .await?;
        Ok(SignedIn { me, token })
    }

    pub async fn session_user(&self, token: &str) -> Result<Option<UserInfo>> {
        Ok(self
            .k
            .store
            .session_user(&auth::token_hash(token), self.k.now_ms())
            .await?)
    }

    /// A guest chooses a username and password and keeps everything.
    /// A guest becomes an account on a new session of the same device:
    /// the guest's token, which an invite link's page may have seen, stops
    /// working and its sockets close.
    pub async fn claim_account(
        &self,
        me: &UserInfo,
        token: &str,
        username: &str,
        password: &str,
    ) -> Result<SignedIn> {
        if me.kind != UserKind::Guest {
            return Err(ErrorCode::AlreadyAccount);
        }
        check_username(username)?;
        check_password(password)?;
        let hash = auth::hash_password(password.to_owned()).await?;
        let me = self.k.store.claim_account(me.id, username, &hash).await?;
        let old = auth::token_hash(token);
        let device = self
            .k
            .store
            .sessions_of(me.id, self.k.now_ms())
            .await?
            .into_iter()
            .find(|s| s.token_hash == old)
            .map(|s| s.name)
            .unwrap_or_default();
        let signed = self.start_session(me, &device).await?;
        self.end_session(&old).await?;
        Ok(signed)
    }
}
