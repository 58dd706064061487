//! Accounts, sessions and devices: sign-up, sign-in and out, the accounts
//! of this browser, a guest keeping their chats, devices and passwords.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use courier_protocol::http::{
    Accounts, Claim, DeviceName, Devices, Me, NewPassword, SignIn, SignUp,
};
use courier_protocol::http::{accounts, devices};
use courier_protocol::limits::{ACCOUNTS_MAX, body};
use courier_protocol::{ErrorCode, UserInfo};

use crate::edge::extract::{
    Body, ClientAddress, DeviceAgent, SESSION_COOKIE, Session, account_cookie, cookies,
    session_cookie, signed_in,
};
use crate::edge::failure::{ApiFailure, ApiResult};
use crate::edge::router::{AppState, Serve};
use crate::features::accounts::SESSION_TTL_MS;

/// This capability's endpoints, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .serve(&accounts::SIGN_UP, sign_up)
        .serve(&accounts::SIGN_IN, sign_in)
        .serve(&accounts::SIGN_OUT, sign_out)
        .serve(&accounts::ME, me)
        .serve(&accounts::ACCOUNTS, accounts)
        .serve(&accounts::CLAIM, claim_account)
        .serve(&devices::DEVICES, devices)
        .serve(&devices::RENAME_DEVICE, rename_device)
        .serve(&devices::END_DEVICE, end_device)
        .serve(&devices::CHANGE_PASSWORD, change_password)
        .layer(DefaultBodyLimit::max(body::ACCOUNTS))
}

/// # POST /api/signup
/// Creates an account and signs it in (sets the session cookie).
async fn sign_up(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    DeviceAgent(device): DeviceAgent,
    Body(body): Body<SignUp>,
) -> ApiResult<Response> {
    s.gate
        .may_create_user(address)
        .map_err(ApiFailure::slow_down)?;
    let session = s
        .features
        .accounts
        .sign_up(
            &body.username,
            &body.password,
            body.name.as_deref(),
            &device,
        )
        .await?;
    Ok(signed_in(
        &session,
        Me {
            me: session.me.clone(),
        },
    ))
}

/// # POST /api/signin
/// Checks the password and starts a new session; 401 `bad_credentials`
/// whether the username or the password was wrong.
async fn sign_in(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    DeviceAgent(device): DeviceAgent,
    Body(body): Body<SignIn>,
) -> ApiResult<Response> {
    s.gate
        .may_sign_in(address, &body.username)
        .map_err(ApiFailure::slow_down)?;
    s.gate.trying(&body.username);
    let signed = s
        .features
        .accounts
        .sign_in(&body.username, &body.password, &device)
        .await;
    match &signed {
        Ok(_) => s.gate.signed_in(address, &body.username, true),
        Err(ErrorCode::BadCredentials) => s.gate.signed_in(address, &body.username, false),
        Err(_) => {}
    }
    let session = signed?;
    Ok(signed_in(
        &session,
        Me {
            me: session.me.clone(),
        },
    ))
}

/// # POST /api/signout
/// Ends this session on the server, closes the sockets opened with it and
/// clears the cookie.
async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    session: Session,
) -> ApiResult<Response> {
    s.features.accounts.sign_out(&session.token).await?;
    let mut cleared = vec![session_cookie(&account_cookie(session.me.id), "", 0)];
    // The default cookie goes only if it was this account's.
    if cookies(&headers).any(|(name, token)| name == SESSION_COOKIE && token == session.token) {
        cleared.push(session_cookie(SESSION_COOKIE, "", 0));
    }
    Ok((StatusCode::NO_CONTENT, AppendHeaders(cleared)).into_response())
}

/// # GET /api/accounts
/// The accounts this browser is signed in to (by their cookies), for
/// switching between them; at most `ACCOUNTS_MAX`.
async fn accounts(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Accounts>> {
    let mut accounts: Vec<UserInfo> = Vec::new();
    // Stale cookies count against a bound on lookups, not against the list.
    for (_, token) in cookies(&headers)
        .filter(|(name, _)| name.starts_with(SESSION_COOKIE))
        .take(2 * ACCOUNTS_MAX)
    {
        if let Some(me) = s.features.accounts.session_user(token).await?
            && accounts.len() < ACCOUNTS_MAX
            && !accounts.iter().any(|a| a.id == me.id)
        {
            accounts.push(me);
        }
    }
    Ok(Json(Accounts { accounts }))
}

/// # GET /api/me
/// Also (re)sets the account's own cookie: a session begun before there
/// were several has only the default one, which the next sign-in replaces.
async fn me(session: Session) -> Response {
    let own = session_cookie(
        &account_cookie(session.me.id),
        &session.token,
        SESSION_TTL_MS / 1000,
    );
    (AppendHeaders([own]), Json(Me { me: session.me })).into_response()
}

/// # POST /api/account
/// A guest chooses a username and password; same user id, chats and
/// history. 409 `already_account` for an account.
async fn claim_account(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<Claim>,
) -> ApiResult<Response> {
    let signed = s
        .features
        .accounts
        .claim_account(&session.me, &session.token, &body.username, &body.password)
        .await?;
    Ok(signed_in(
        &signed,
        Me {
            me: signed.me.clone(),
        },
    ))
}

/// # GET /api/me/devices
async fn devices(State(s): State<AppState>, session: Session) -> ApiResult<Json<Devices>> {
    Ok(Json(Devices {
        devices: s
            .features
            .accounts
            .devices(&session.me, &session.token)
            .await?,
    }))
}

/// # PATCH /api/me/devices/{id}
async fn rename_device(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
    Body(body): Body<DeviceName>,
) -> ApiResult<StatusCode> {
    s.features
        .accounts
        .rename_device(&session.me, &id, &body.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # DELETE /api/me/devices/{id}
/// Signs that device out; its sockets close on every node.
async fn end_device(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<StatusCode> {
    s.features.accounts.end_device(&session.me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # POST /api/me/password
/// Throttled like signing in: it checks a password.
async fn change_password(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    session: Session,
    Body(body): Body<NewPassword>,
) -> ApiResult<StatusCode> {
    let username = session.me.username.clone().unwrap_or_default();
    s.gate
        .may_sign_in(address, &username)
        .map_err(ApiFailure::slow_down)?;
    s.gate.trying(&username);
    let changed = s
        .features
        .accounts
        .change_password(&session.me, &session.token, &body.old, &body.new)
        .await;
    match &changed {
        Ok(()) => s.gate.signed_in(address, &username, true),
        Err(ErrorCode::BadCredentials) => s.gate.signed_in(address, &username, false),
        Err(_) => {}
    }
    changed?;
    Ok(StatusCode::NO_CONTENT)
}
