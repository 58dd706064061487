//! HTTP: the account, guest and chat endpoints, the WebSocket upgrade, and
//! the app's static files. Each handler documents its behaviour; the wire
//! details are in PROTOCOL.md.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path as UrlPath, Query, State};
use axum::handler::Handler;
use axum::http::header::{
    CACHE_CONTROL, COOKIE, HOST, ORIGIN, RETRY_AFTER, SET_COOKIE, USER_AGENT,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{MethodFilter, any, get, on};
use axum::{Json, Router};
use courier_protocol::http::{
    ACCOUNT_HEADER, Accounts, ApiError, Blocked, ChatCreated, ChatSettings, Claim, DeviceName,
    Devices, Draft, Endpoint, Folders, Found, GuestJoin, InviteLink, InviteLinks, InvitePreview,
    JoinPending, JoinRequests, Joined, Me, MemberAction, Members, Method, NewDirect, NewGroup,
    NewInvite, NewPassword, NewScheduled, Presence, Privacy, Reads, RequestAnswer, ScheduledPosts,
    SignIn, SignUp, Since,
};
use courier_protocol::limits::{ACCOUNTS_MAX, MAX_FRAME_BYTES, MAX_HTTP_BODY_BYTES};
use courier_protocol::model::device;
use courier_protocol::{ChatId, ChatKind, ClientMsgId, ErrorCode, Place, Seq, UserId, UserInfo};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::gate::Gate;
use crate::service::{Joining, SESSION_TTL_MS, Service, SignedIn};
use crate::throttle::{Buckets, Counts, Rate};
use crate::{auth, security, ws};

pub const SESSION_COOKIE: &str = "courier_session";

#[derive(Clone)]
pub struct AppState {
    pub svc: Arc<Service>,
    /// Origins besides the server's own host allowed to open sockets and call the API.
    pub allowed_origins: Arc<Vec<String>>,
    /// One permit per open WebSocket.
    pub connections: Arc<Semaphore>,
    pub max_sockets_per_user: usize,
    /// Cancelled on shutdown: every socket closes.
    pub shutdown: CancellationToken,
    /// Throttles sign-in attempts and new users.
    pub gate: Arc<Gate>,
    /// Rates of what sockets may ask, per user.
    pub socket_limits: Arc<ws::Limits>,
    /// Each user's open sockets on this node, from the upgrade on.
    pub sockets: Arc<Counts<UserId>>,
    /// Each user's allowance of searches and other scans.
    pub scans: Arc<Buckets<UserId>>,
    /// Take the client's address from the last `X-Forwarded-For` entry (a
    /// load balancer in front appends it) instead of the TCP peer.
    pub trust_forwarded_for: bool,
}

/// Searches (and `since` lookups) one user may make: each may scan a lot.
pub const SCANS: Rate = Rate {
    burst: 10.0,
    per_second: 2.0,
};

/// The network an address stands for in per-address limits: one host
/// usually holds a whole IPv6 /64, so that is one key.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
        v4 => v4,
    }
}

/// The address a request came from, for per-address limits.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<ClientAddress> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let address = forwarded
            .or(peer)
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddress(network_of(address)))
    }
}

/// Routes a typed endpoint to its handler at the endpoint's own method
/// and path.
trait Serve {
    fn serve<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static;
}

impl Serve for Router<AppState> {
    fn serve<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let method = match endpoint.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        };
        self.route(endpoint.path, on(method, handler))
    }
}

/// The whole server as a router, so tests drive it without a socket.
pub fn app(state: AppState, static_dir: &Path, https: bool) -> Router {
    use courier_protocol::http::{
        accounts, chats, devices, messaging, moderation, prefs, presence,
    };
    let api = Router::new()
        .serve(&accounts::SIGN_UP, sign_up)
        .serve(&accounts::SIGN_IN, sign_in)
        .serve(&accounts::SIGN_OUT, sign_out)
        .serve(&accounts::ME, me)
        .serve(&accounts::ACCOUNTS, accounts)
        .serve(&accounts::CLAIM, claim_account)
        .serve(&accounts::GUEST, guest_join)
        .serve(&accounts::BLOCK, block)
        .serve(&accounts::UNBLOCK, unblock)
        .serve(&accounts::BLOCKED, blocked)
        .serve(&devices::DEVICES, devices)
        .serve(&devices::RENAME_DEVICE, rename_device)
        .serve(&devices::END_DEVICE, end_device)
        .serve(&devices::CHANGE_PASSWORD, change_password)
        .serve(&chats::INVITE_PREVIEW, invite_preview)
        .serve(&chats::JOIN_BY_INVITE, join_by_invite)
        .serve(&chats::PUBLIC_PREVIEW, public_preview)
        .serve(&chats::JOIN_PUBLIC, join_public)
        .serve(&chats::NEW_DIRECT, new_direct)
        .serve(&chats::NEW_GROUP, new_group)
        .serve(&chats::NEW_CHANNEL, new_channel)
        .serve(&chats::LEAVE, leave)
        .serve(&chats::SET_PLACE, set_place)
        .serve(&moderation::UPDATE_CHAT, update_chat)
        .serve(&moderation::MEMBERS, members)
        .serve(&moderation::MEMBER_ACTION, member_action)
        .serve(&moderation::INVITES, invites)
        .serve(&moderation::NEW_INVITE, create_invite)
        .serve(&moderation::REVOKE_INVITE, revoke_invite)
        .serve(&moderation::JOIN_REQUESTS, join_requests)
        .serve(&moderation::ANSWER_REQUEST, answer_request)
        .serve(&messaging::READS, reads)
        .serve(&messaging::SINCE, since)
        .serve(&messaging::SEARCH, search)
        .serve(&messaging::SAVE_DRAFT, save_draft)
        .serve(&messaging::SCHEDULED, scheduled)
        .serve(&messaging::SCHEDULE, schedule)
        .serve(&messaging::UNSCHEDULE, unschedule)
        .serve(&prefs::FOLDERS, folders)
        .serve(&prefs::SET_FOLDERS, set_folders)
        .serve(&presence::PRESENCE, presence)
        .serve(&presence::PRIVACY, privacy)
        .serve(&presence::SET_PRIVACY, set_privacy)
        .route("/ws", get(websocket))
        .route("/api", any(unknown_api))
        .route("/api/", any(unknown_api))
        .route("/api/{*rest}", any(unknown_api))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_HTTP_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    let policy = security::Policy::new(static_dir, https);
    let index = static_dir.join("index.html");
    // Paths the app routes itself (such as /join/<code>) get index.html.
    let files = ServeDir::new(static_dir).fallback(ServeFile::new(index));
    api.fallback_service(files)
        .layer(CompressionLayer::new())
        // Revalidate every file: the service worker and index.html must never
        // be stale, and the rest is cheap to confirm by Last-Modified.
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn_with_state(policy, security::headers))
}

/// Any other `/api/…` path: a JSON 404, not the app's page.
async fn unknown_api() -> ApiFailure {
    ApiFailure::from(ErrorCode::NotFound)
}

/// A client-visible failure: a stable code with its HTTP status, and for
/// `slow_down` how long to wait.
pub struct ApiFailure {
    code: ErrorCode,
    retry_after: Option<Duration>,
}

impl ApiFailure {
    /// 429 `slow_down` with `Retry-After`.
    pub fn slow_down(wait: Duration) -> ApiFailure {
        ApiFailure {
            code: ErrorCode::SlowDown,
            retry_after: Some(wait),
        }
    }
}

impl From<ErrorCode> for ApiFailure {
    fn from(code: ErrorCode) -> ApiFailure {
        ApiFailure {
            code,
            retry_after: None,
        }
    }
}

impl From<JsonRejection> for ApiFailure {
    fn from(rejection: JsonRejection) -> ApiFailure {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::from(ErrorCode::BodyTooLarge)
        } else {
            ApiFailure::from(ErrorCode::BadRequest)
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Json(ApiError {
            error: self.code,
            retry_after_ms: self.retry_after.map(|w| w.as_millis() as u64),
        });
        match self.retry_after {
            // Whole seconds, rounded up: never "try again now" too early.
            Some(wait) => {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                (status, [(RETRY_AFTER, seconds.max(1).to_string())], body).into_response()
            }
            None => (status, body).into_response(),
        }
    }
}

type ApiResult<T> = Result<T, ApiFailure>;

/// A JSON body whose rejection is an [`ApiFailure`] like every other error.
#[derive(FromRequest)]
#[from_request(via(Json), rejection(ApiFailure))]
pub struct Body<T>(T);

/// The signed-in user, from the session cookie; 401 without one.
/// What a device signing in is called: its browser and system, from its
/// `User-Agent` ("Firefox on Linux"); the user may rename it.
pub struct DeviceAgent(pub String);

impl FromRequestParts<AppState> for DeviceAgent {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> ApiResult<DeviceAgent> {
        let agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(DeviceAgent(device::name_from_agent(agent)))
    }
}

pub struct Session {
    pub me: UserInfo,
    pub token: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiFailure;

    /// With an account named (header, or query on `/ws`), only a session
    /// of that account will do: a tab must never act as another account.
    /// Its own cookie is looked for first, then the default one (set alone
    /// before there were several).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Session> {
        let account = named_account(parts)?;
        let own = account.map(account_cookie);
        let token = cookies(&parts.headers)
            .filter(|(name, _)| Some(*name) == own.as_deref() || *name == SESSION_COOKIE)
            .max_by_key(|(name, _)| *name != SESSION_COOKIE)
            .map(|(_, token)| token.to_owned())
            .ok_or(ErrorCode::Unauthorized)?;
        let me = state
            .svc
            .session_user(&token)
            .await?
            .filter(|me| account.is_none_or(|id| id == me.id))
            .ok_or(ErrorCode::Unauthorized)?;
        Ok(Session { me, token })
    }
}

/// The account a request is for, when the browser holds several.
fn named_account(parts: &Parts) -> ApiResult<Option<UserId>> {
    let query = parts.uri.query().unwrap_or("");
    let named = match parts.headers.get(ACCOUNT_HEADER) {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiFailure::from(ErrorCode::BadRequest))?,
        ),
        None => query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find_map(|(name, value)| (name == "account").then_some(value)),
    };
    named
        .map(|id| {
            id.parse()
                .map(UserId)
                .map_err(|_| ApiFailure::from(ErrorCode::BadRequest))
        })
        .transpose()
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Each signed-in account's own cookie, beside the default one.
fn account_cookie(user: UserId) -> String {
    format!("{SESSION_COOKIE}_{}", user.0)
}

fn session_cookie(name: &str, token: &str, max_age_s: i64) -> (HeaderName, HeaderValue) {
    let cookie = format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}");
    let value = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    (SET_COOKIE, value)
}

/// Sets the default cookie (the last account signed in) and the account's
/// own, so the browser keeps earlier accounts signed in beside it.
fn signed_in<T: serde::Serialize>(session: &SignedIn, body: T) -> Response {
    let max_age_s = SESSION_TTL_MS / 1000;
    let cookies = [
        session_cookie(SESSION_COOKIE, &session.token, max_age_s),
        session_cookie(&account_cookie(session.me.id), &session.token, max_age_s),
    ];
    (AppendHeaders(cookies), Json(body)).into_response()
}

/// Refuses requests that a page on another site makes with this site's
/// cookie (cross-site WebSocket hijacking, CSRF). Requests without an Origin
/// header come from non-browser clients, which hold their own cookies.
async fn check_origin(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let headers = request.headers();
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let same_host = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host);
        if !same_host && !state.allowed_origins.iter().any(|o| o == origin) {
            return ApiFailure::from(ErrorCode::BadOrigin).into_response();
        }
    }
    next.run(request).await
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
        .svc
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
    let signed = s.svc.sign_in(&body.username, &body.password, &device).await;
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
    s.svc.sign_out(&session.token).await?;
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
        if let Some(me) = s.svc.session_user(token).await?
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
        .svc
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
        devices: s.svc.devices(&session.me, &session.token).await?,
    }))
}

/// # PATCH /api/me/devices/{id}
async fn rename_device(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
    Body(body): Body<DeviceName>,
) -> ApiResult<StatusCode> {
    s.svc.rename_device(&session.me, &id, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # DELETE /api/me/devices/{id}
/// Signs that device out; its sockets close on every node.
async fn end_device(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<StatusCode> {
    s.svc.end_device(&session.me, &id).await?;
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
        .svc
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

/// # POST /api/guest
/// Creates a guest with only a display name, signs them in and joins them
/// to the invite's chat; 202 `JoinPending` if the link needs approval.
/// 404 `bad_invite` for an unknown code, 410 for a dead one.
async fn guest_join(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    DeviceAgent(device): DeviceAgent,
    Body(body): Body<GuestJoin>,
) -> ApiResult<Response> {
    s.gate
        .may_create_user(address)
        .map_err(ApiFailure::slow_down)?;
    let (session, joining) = s
        .svc
        .join_as_guest(&body.invite, &body.name, &device)
        .await?;
    Ok(match joining {
        Joining::Joined(chat) => signed_in(
            &session,
            Joined {
                me: session.me.clone(),
                chat: *chat,
            },
        ),
        Joining::Pending => {
            let mut response = signed_in(
                &session,
                JoinPending {
                    pending: true,
                    me: Some(session.me.clone()),
                },
            );
            *response.status_mut() = StatusCode::ACCEPTED;
            response
        }
    })
}

/// # GET /api/invites/{code}
/// What the join screen shows; needs no session. 404 `bad_invite`;
/// 410 `invite_expired`, `invite_revoked` or `invite_used_up`.
async fn invite_preview(
    State(s): State<AppState>,
    UrlPath(code): UrlPath<String>,
) -> ApiResult<Json<InvitePreview>> {
    Ok(Json(s.svc.invite_preview(&code).await?))
}

/// # POST /api/invites/{code}/join
/// Joins the signed-in user to the chat (a no-op for a member); 202
/// `JoinPending` if the link needs an admin's approval; 403 `banned`.
async fn join_by_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath(code): UrlPath<String>,
) -> ApiResult<Response> {
    Ok(match s.svc.join_by_invite(&session.me, &code).await? {
        Joining::Joined(chat) => Json(ChatCreated { chat: *chat }).into_response(),
        Joining::Pending => (
            StatusCode::ACCEPTED,
            Json(JoinPending {
                pending: true,
                me: None,
            }),
        )
            .into_response(),
    })
}

/// # GET /api/public/{handle}
/// A public group or channel by its @handle; needs no session.
async fn public_preview(
    State(s): State<AppState>,
    UrlPath(handle): UrlPath<String>,
) -> ApiResult<Json<InvitePreview>> {
    Ok(Json(s.svc.public_preview(&handle).await?))
}

/// # POST /api/public/{handle}/join
/// Joins (subscribes to) a public chat; 403 `banned`.
async fn join_public(
    State(s): State<AppState>,
    session: Session,
    UrlPath(handle): UrlPath<String>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s.svc.join_public(&session.me, &handle).await?,
    }))
}

/// # POST /api/chats/direct
/// The 1:1 chat with a username, created on first use; 404 `unknown_user`.
async fn new_direct(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewDirect>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s.svc.direct_chat(&session.me, &body.username).await?,
    }))
}

/// # POST /api/chats/group
/// A new group with the caller as its only member; others join by its invite link.
async fn new_group(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewGroup>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .svc
            .new_group(&session.me, &body.name, ChatKind::Group)
            .await?,
    }))
}

/// # POST /api/chats/channel
/// A new channel owned by the caller: only admins post, subscribers read.
async fn new_channel(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<NewGroup>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s
            .svc
            .new_group(&session.me, &body.name, ChatKind::Channel)
            .await?,
    }))
}

/// # PATCH /api/chats/{id}
/// Changes name, @handle, slow mode or signatures; needs the `edit_info`
/// right (403 `not_allowed`); 409 `handle_taken`.
async fn update_chat(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<ChatSettings>,
) -> ApiResult<Json<ChatCreated>> {
    Ok(Json(ChatCreated {
        chat: s.svc.update_chat(&session.me, ChatId(id), &body).await?,
    }))
}

#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_page")]
    limit: usize,
}

fn default_page() -> usize {
    100
}

/// # GET /api/chats/{id}/members?after=<user id>&limit=<n>
/// One page of members by user id (at most 200); 403 `not_member` unless
/// the caller is in the chat.
async fn members(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Members>> {
    let Query(page) = page.map_err(|_| ErrorCode::BadRequest)?;
    let (members, next) = s
        .svc
        .members(&session.me, ChatId(id), UserId(page.after), page.limit)
        .await?;
    Ok(Json(Members { members, next }))
}

/// # GET /api/chats/{id}/reads
/// Members' read cursors, for "seen by" (members only).
async fn reads(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<Reads>> {
    let reads = s.svc.reads(&session.me, ChatId(id)).await?;
    Ok(Json(Reads { reads }))
}

#[derive(serde::Deserialize)]
struct SinceQuery {
    at: i64,
}

/// # GET /api/chats/{id}/since?at=
/// The chat's first post at or after a time, for "jump to a date".
async fn since(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    query: Result<Query<SinceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Since>> {
    let Query(SinceQuery { at }) = query.map_err(|_| ErrorCode::BadRequest)?;
    s.scans
        .take(&session.me.id, 1.0)
        .map_err(ApiFailure::slow_down)?;
    let seq = s.svc.post_since(&session.me, ChatId(id), at).await?;
    Ok(Json(Since { seq }))
}

/// # PUT /api/chats/{id}/place
/// Pins, mutes or archives the chat in the caller's own list.
async fn set_place(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<Place>,
) -> ApiResult<Json<ChatCreated>> {
    let chat = s.svc.set_place(&session.me, ChatId(id), body).await?;
    Ok(Json(ChatCreated { chat }))
}

/// # PUT /api/chats/{id}/draft
/// Saves the caller's draft; their other devices get a `draft` frame.
async fn save_draft(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<Draft>,
) -> ApiResult<StatusCode> {
    s.svc.save_draft(&session.me, ChatId(id), body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/users/{id}/presence
/// For someone the caller shares a chat with; 403 `not_member` otherwise.
async fn presence(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<Presence>> {
    Ok(Json(s.svc.presence(&session.me, UserId(id)).await?))
}

/// # PUT /api/users/{id}/block
/// Blocks the person: neither can open a 1:1 with the other or send in
/// theirs (`blocked`) until unblocked. 404 `unknown_user`.
async fn block(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.svc.set_blocked(&session.me, UserId(id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # DELETE /api/users/{id}/block
async fn unblock(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.svc.set_blocked(&session.me, UserId(id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/me/blocked
async fn blocked(State(s): State<AppState>, session: Session) -> ApiResult<Json<Blocked>> {
    Ok(Json(Blocked {
        blocked: s.svc.blocked(&session.me).await?,
    }))
}

/// # POST /api/chats/{id}/leave
/// Leaves a group or channel; the user's sockets get `left`. 400 for a
/// 1:1, 403 `owner_stays` for its owner.
async fn leave(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<StatusCode> {
    s.svc.leave(&session.me, ChatId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/me/privacy
async fn privacy(State(s): State<AppState>, session: Session) -> ApiResult<Json<Privacy>> {
    Ok(Json(s.svc.privacy(&session.me).await?))
}

/// # PUT /api/me/privacy
async fn set_privacy(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<Privacy>,
) -> ApiResult<StatusCode> {
    s.svc.set_privacy(&session.me, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/me/folders
async fn folders(State(s): State<AppState>, session: Session) -> ApiResult<Json<Folders>> {
    let folders = s.svc.folders(&session.me).await?;
    Ok(Json(Folders { folders }))
}

/// # PUT /api/me/folders
/// Replaces all the user's folders; their devices get them by a `folders`
/// frame.
async fn set_folders(
    State(s): State<AppState>,
    session: Session,
    Body(body): Body<Folders>,
) -> ApiResult<StatusCode> {
    s.svc.set_folders(&session.me, body.folders).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # POST /api/chats/{id}/scheduled
/// Keeps a message for the server to post at `at` (the `post` right).
async fn schedule(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<NewScheduled>,
) -> ApiResult<StatusCode> {
    s.svc.schedule(&session.me, ChatId(id), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/scheduled
/// The caller's messages waiting in the chat.
async fn scheduled(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<ScheduledPosts>> {
    let scheduled = s.svc.scheduled(&session.me, ChatId(id)).await?;
    Ok(Json(ScheduledPosts { scheduled }))
}

/// # DELETE /api/chats/{id}/scheduled/{msg}
async fn unschedule(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, msg)): UrlPath<(i64, String)>,
) -> ApiResult<StatusCode> {
    s.svc
        .unschedule(&session.me, ChatId(id), &ClientMsgId(msg))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: String,
    chat: Option<i64>,
    before: Option<i64>,
}

/// # GET /api/search?q=&chat=&before=
/// Messages containing `q` in one chat (a member's) or all of the user's.
async fn search(
    State(s): State<AppState>,
    session: Session,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Found>> {
    let Query(query) = query.map_err(|_| ErrorCode::BadRequest)?;
    s.scans
        .take(&session.me.id, 1.0)
        .map_err(ApiFailure::slow_down)?;
    let messages = s
        .svc
        .search(
            &session.me,
            &query.q,
            query.chat.map(ChatId),
            query.before.map(Seq),
        )
        .await?;
    Ok(Json(Found { messages }))
}

/// # POST /api/chats/{id}/members/{user}
/// Promote, demote (owner only), remove, ban or unban (the `ban` right;
/// admins only by the owner). 403 `owner_stays` for the owner.
async fn member_action(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, user)): UrlPath<(i64, i64)>,
    Body(body): Body<MemberAction>,
) -> ApiResult<StatusCode> {
    s.svc
        .member_action(&session.me, ChatId(id), UserId(user), &body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/invites
/// The chat's links, main one first; the `invite` right.
async fn invites(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<InviteLinks>> {
    Ok(Json(InviteLinks {
        invites: s.svc.invites(&session.me, ChatId(id)).await?,
    }))
}

/// # POST /api/chats/{id}/invites
/// A new link with an optional expiry, usage limit and approval.
async fn create_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
    Body(body): Body<NewInvite>,
) -> ApiResult<Json<InviteLink>> {
    Ok(Json(
        s.svc.create_invite(&session.me, ChatId(id), &body).await?,
    ))
}

/// # DELETE /api/chats/{id}/invites/{code}
/// Revokes a link; revoking the main link replaces it with a new one.
async fn revoke_invite(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, code)): UrlPath<(i64, String)>,
) -> ApiResult<StatusCode> {
    s.svc.revoke_invite(&session.me, ChatId(id), &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # GET /api/chats/{id}/requests
/// People waiting to join; the `invite` right.
async fn join_requests(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Json<JoinRequests>> {
    Ok(Json(JoinRequests {
        requests: s.svc.join_requests(&session.me, ChatId(id)).await?,
    }))
}

/// # POST /api/chats/{id}/requests/{user}
/// Approves or declines a join request; 404 `unknown_user` if none waits.
async fn answer_request(
    State(s): State<AppState>,
    session: Session,
    UrlPath((id, user)): UrlPath<(i64, i64)>,
    Body(body): Body<RequestAnswer>,
) -> ApiResult<StatusCode> {
    s.svc
        .answer_request(&session.me, ChatId(id), UserId(user), body.approve)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hard cap on one incoming WebSocket message. Frames between the protocol's
/// `MAX_FRAME_BYTES` and this get an error frame; above it the socket closes.
const SOCKET_MESSAGE_CAP: usize = 4 * MAX_FRAME_BYTES;

/// # GET /ws
/// Upgrades to the Courier socket (see PROTOCOL.md). 401 without a session,
/// 403 from a foreign Origin, 503 when the server is at its connection limit.
async fn websocket(
    State(s): State<AppState>,
    session: Session,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    // Counted from the upgrade, not from `Hello`: silent sockets count too.
    let Some(held) = s.sockets.take(&session.me.id, s.max_sockets_per_user) else {
        return Err(ApiFailure::from(ErrorCode::TooMany));
    };
    let Ok(permit) = Arc::clone(&s.connections).try_acquire_owned() else {
        tracing::warn!("connection limit reached");
        return Ok(StatusCode::SERVICE_UNAVAILABLE.into_response());
    };
    Ok(upgrade
        .max_message_size(SOCKET_MESSAGE_CAP)
        .max_frame_size(SOCKET_MESSAGE_CAP)
        // tungstenite's 128 KiB default buffers per socket would be most of
        // an idle connection's memory; frames are small.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| async move {
            ws::serve(
                socket,
                session.me,
                auth::token_hash(&session.token),
                s.svc,
                s.socket_limits,
                s.shutdown,
            )
            .await;
            drop(held);
            drop(permit);
        }))
}
