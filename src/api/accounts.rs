//! Signing up and in, guests, accounts on this browser, blocking.

use courier_protocol::UserId;
use courier_protocol::http::ACCOUNT_HEADER;
use courier_protocol::http::accounts::{
    ACCOUNTS, Accounts, BLOCK, BLOCKED, Blocked, CLAIM, Claim, GUEST, GuestJoin, ME, Me, SIGN_IN,
    SIGN_OUT, SIGN_UP, SignIn, SignUp, UNBLOCK,
};
use courier_protocol::http::chats::{JoinAnswer, Joined};
use gloo_net::http::Request;

use super::{ApiFail, ask, call};

pub async fn sign_up(body: &SignUp) -> Result<Me, ApiFail> {
    call(&SIGN_UP, &[], "", body).await
}

pub async fn sign_in(body: &SignIn) -> Result<Me, ApiFail> {
    call(&SIGN_IN, &[], "", body).await
}

/// A guest chooses a username and password.
pub async fn claim(body: &Claim) -> Result<Me, ApiFail> {
    call(&CLAIM, &[], "", body).await
}

/// Joins by an invite as a new guest.
pub async fn guest(body: &GuestJoin) -> Result<JoinAnswer<Joined>, ApiFail> {
    call(&GUEST, &[], "", body).await
}

pub async fn me() -> Result<Me, ApiFail> {
    ask(&ME).await
}

/// The accounts this browser is signed in to.
pub async fn accounts() -> Result<Accounts, ApiFail> {
    ask(&ACCOUNTS).await
}

/// Signs `account` out (the server answers 204); signing out locally
/// happens whatever it says.
pub async fn sign_out(account: UserId) {
    let req = Request::post(SIGN_OUT.path).header(ACCOUNT_HEADER, &account.0.to_string());
    let _ = req.send().await;
}

pub async fn blocked() -> Result<Blocked, ApiFail> {
    ask(&BLOCKED).await
}

/// Blocks (`on`) or unblocks `user`.
pub async fn set_blocked(user: UserId, on: bool) -> Result<(), ApiFail> {
    let endpoint = if on { &BLOCK } else { &UNBLOCK };
    call(endpoint, &[&user.0], "", &()).await
}
