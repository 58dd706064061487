//! Passwords and session tokens.
//!
//! Passwords are hashed with argon2id on tokio's blocking pool: a hash takes
//! tens of milliseconds of CPU and would stall every socket on a runtime
//! worker. Session tokens are 256 random bits; only their SHA-256 is stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("blocking task: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("hashing queue closed")]
    Closed(#[from] tokio::sync::AcquireError),
    /// More hashes are waiting than [`HASH_QUEUE`]: the caller is told to
    /// come back rather than queue without bound.
    #[error("hashing queue full")]
    Busy,
}

/// At most this many hashes at once: each takes ~19 MiB and a core, and
/// sign-in is open to anyone, so a flood must queue, not exhaust memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
/// At most this many hashes waiting for one of the [`HASHING`] permits.
const HASH_QUEUE: usize = 256;
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// One place in the hashing queue, given back however the wait ends (a
/// request dropped while it waits too).
struct Waiting;

impl Waiting {
    fn join() -> Result<Waiting, AuthError> {
        if WAITING.fetch_add(1, Ordering::AcqRel) >= HASH_QUEUE {
            WAITING.fetch_sub(1, Ordering::AcqRel);
            return Err(AuthError::Busy);
        }
        Ok(Waiting)
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A hashing permit, or `Busy` when the queue is full.
async fn hashing_permit() -> Result<tokio::sync::SemaphorePermit<'static>, AuthError> {
    let waiting = Waiting::join()?;
    let permit = HASHING.acquire().await;
    drop(waiting);
    Ok(permit?)
}

pub async fn hash_password(password: String) -> Result<String, AuthError> {
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    })
    .await?
}

pub async fn verify_password(password: String, phc: String) -> Result<bool, AuthError> {
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&phc).map_err(|e| AuthError::Hash(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

/// A fresh session token (what the cookie carries) and its stored hash.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A random invite code: 12 URL-safe characters, 72 bits.
pub fn new_invite_code() -> String {
    let mut bytes = [0u8; 9];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A dummy PHC string so that signing in as an unknown user costs the same
/// time as a wrong password, and does not tell which usernames exist.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0jdNsFtWhqC8ztQCo5ISPVJbXuvWjtVdWuZ4QZ3xA9M";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let phc = hash_password("correct horse".into()).await.ok();
        let phc = phc.unwrap_or_default();
        assert!(phc.starts_with("$argon2id$"));
        assert!(matches!(
            verify_password("correct horse".into(), phc.clone()).await,
            Ok(true)
        ));
        assert!(matches!(
            verify_password("wrong horse".into(), phc).await,
            Ok(false)
        ));
        assert!(matches!(
            verify_password("x".into(), DUMMY_HASH.into()).await,
            Ok(false)
        ));
    }

    #[test]
    fn tokens_are_long_and_hashed() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 43);
        assert_eq!(hash, token_hash(&token));
        assert_ne!(new_token().0, token);
    }
}
