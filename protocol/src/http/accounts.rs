//! Accounts, guests and sign-in: `/api/signup`, `/api/signin`,
//! `/api/guest`, `/api/account`, `/api/accounts`, `/api/me/blocked`.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};

use crate::http::chats::{JoinAnswer, Joined};
use crate::model::user::UserInfo;

/// `POST /api/signup`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUp {
    pub username: String,
    pub password: String,
    /// Defaults to the username.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/signin`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// `POST /api/guest`: join a chat by invite with only a display name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestJoin {
    pub invite: String,
    pub name: String,
}

/// `POST /api/account`: a guest chooses a username and password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub username: String,
    pub password: String,
}

/// The answer of the account endpoints: who is signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub me: UserInfo,
}

/// `GET /api/accounts`: the accounts this browser is signed in to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accounts {
    pub accounts: Vec<UserInfo>,
}

/// Names the account a request is for, where a browser is signed in to
/// several (`?account=` on `/ws`, whose opening cannot carry headers).
pub const ACCOUNT_HEADER: &str = "x-courier-account";

/// `GET /api/me/blocked`: whom the user blocked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocked {
    /// The people the user blocked, the most recent first.
    pub blocked: Vec<UserInfo>,
}

pub const SIGN_UP: Endpoint<SignUp, Me> = Endpoint::new(Method::Post, "/api/signup");
pub const SIGN_IN: Endpoint<SignIn, Me> = Endpoint::new(Method::Post, "/api/signin");
/// For the account named by [`ACCOUNT_HEADER`] (or the default cookie's).
pub const SIGN_OUT: Endpoint<(), ()> = Endpoint::new(Method::Post, "/api/signout");
pub const ME: Endpoint<(), Me> = Endpoint::new(Method::Get, "/api/me");
pub const ACCOUNTS: Endpoint<(), Accounts> = Endpoint::new(Method::Get, "/api/accounts");
/// A guest becomes an account.
pub const CLAIM: Endpoint<Claim, Me> = Endpoint::new(Method::Post, "/api/account");
/// A new guest joins by invite; 202 with `JoinPending` where admins approve.
pub const GUEST: Endpoint<GuestJoin, JoinAnswer<Joined>> =
    Endpoint::new(Method::Post, "/api/guest");
pub const BLOCK: Endpoint<(), ()> = Endpoint::new(Method::Put, "/api/users/{id}/block");
pub const UNBLOCK: Endpoint<(), ()> = Endpoint::new(Method::Delete, "/api/users/{id}/block");
pub const BLOCKED: Endpoint<(), Blocked> = Endpoint::new(Method::Get, "/api/me/blocked");
