//! Configuration, start-up and graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::serve::ListenerExt;
use courier_sfu::Sfu;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::edge::router::{AppState, SCANS, app};
use crate::edge::ws;
use crate::features::Features;
use crate::features::accounts::gate::Gate;
use crate::features::calls::Turn;
use crate::kernel::Kernel;
use crate::kernel::blob::{Blobs, S3};
use crate::kernel::clock::Clock;
use crate::kernel::db::{PgStore, SqliteStore, Store};
use crate::kernel::delivery::Delivery;
use crate::kernel::delivery::bus::{Bus, LocalBus, NatsBus};
use crate::kernel::delivery::hub::Hub;
use crate::kernel::delivery::placement::Placement;
use crate::kernel::throttle::Buckets;

/// Courier's server: serves the app, its API and its WebSocket.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "courier-server", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free one; the URL is printed).
    #[arg(long, env = "COURIER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Use this PostgreSQL database (postgres://user@host:port/db) instead
    /// of SQLite under --data, so that many nodes can share it.
    #[arg(long, env = "COURIER_POSTGRES")]
    pub postgres: Option<String>,
    /// Connect to this NATS server (nats://host:4222) to fan out to other
    /// nodes sharing the same PostgreSQL database.
    #[arg(long, env = "COURIER_NATS")]
    pub nats: Option<String>,
    /// The NATS subject the nodes of one deployment share.
    #[arg(long, env = "COURIER_NATS_SUBJECT", default_value = "courier.events")]
    pub nats_subject: String,
    /// Directory for the database and files (under blobs/); created if
    /// missing.
    #[arg(long, env = "COURIER_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Where files' bytes go: absent for blobs/ under --data (one node);
    /// s3://bucket[/prefix] for an S3-compatible store, which the nodes of
    /// a cluster share (see the --s3-* flags). The bucket must exist.
    #[arg(long, env = "COURIER_BLOB", value_name = "URL")]
    pub blob: Option<String>,
    /// The S3-compatible store's URL (http://127.0.0.1:9000); absent for
    /// AWS S3 itself. Requests are path-style: {endpoint}/{bucket}/{key}.
    #[arg(long, env = "COURIER_S3_ENDPOINT", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// The S3 store's region.
    #[arg(long, env = "COURIER_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// The S3 access key id. Set keys in the environment: a flag's value
    /// is visible to every user of the machine. Without keys, AWS's
    /// instance credentials are used.
    #[arg(long, env = "COURIER_S3_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,
    /// The S3 secret access key (set COURIER_S3_SECRET_ACCESS_KEY rather
    /// than the flag).
    #[arg(long, env = "COURIER_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<Secret>,
    /// Directory of the built app (Trunk's dist/) served at /.
    #[arg(long, env = "COURIER_STATIC", default_value = "dist")]
    pub static_dir: PathBuf,
    /// Another origin (scheme://host:port) allowed to use the API and socket,
    /// besides the server's own. Repeat, or separate with commas.
    #[arg(
        long = "allowed-origin",
        env = "COURIER_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Most WebSocket connections at once; beyond it upgrades get 503.
    #[arg(long, env = "COURIER_MAX_CONNECTIONS", default_value_t = 100_000)]
    pub max_connections: usize,
    /// Most open sockets (tabs, devices) of one user; beyond it upgrades
    /// get 429, so one account cannot take the whole connection limit.
    #[arg(long, env = "COURIER_MAX_SOCKETS_PER_USER", default_value_t = 64)]
    pub max_sockets_per_user: usize,
    /// Courier is reached over HTTPS (TLS ends at a proxy in front): its
    /// cookies are marked `Secure` and browsers are told to keep to HTTPS.
    #[arg(long, env = "COURIER_HTTPS")]
    pub https: bool,
    /// New users (sign-ups and guests) one address may make per hour, in
    /// bursts of a tenth of it; 0 for no limit.
    #[arg(long, env = "COURIER_NEW_USERS_PER_HOUR", default_value_t = 200)]
    pub new_users_per_hour: u32,
    /// Behind a load balancer: a client's address is the last entry of
    /// `X-Forwarded-For`, not the balancer's.
    #[arg(long, env = "COURIER_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Messages, edits, reactions and forwards one user may send a second
    /// (in bursts of three seconds' worth); beyond it the socket answers
    /// `slow_down` with the wait.
    #[arg(long, env = "COURIER_SENDS_PER_SECOND", default_value_t = 30)]
    pub sends_per_second: u32,
    /// The most bytes one user's uploaded files may take.
    #[arg(long, env = "COURIER_UPLOAD_QUOTA", default_value_t = 20 * 1024 * 1024 * 1024)]
    pub upload_quota: u64,
    /// A TURN relay for calls (`turn:host:3478`, repeatable for its
    /// transports), sharing `--turn-secret` with the server (coturn's
    /// `use-auth-secret`); absent, legs connect directly or not at all.
    #[arg(long = "turn-url", env = "COURIER_TURN_URLS", value_delimiter = ',')]
    pub turn_urls: Vec<String>,
    /// The secret shared with the TURN relay (set COURIER_TURN_SECRET
    /// rather than the flag, which `ps` shows).
    #[arg(long, env = "COURIER_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<Secret>,
    /// Calls' media must go through the TURN relay, never directly, so
    /// the two people never learn each other's address.
    #[arg(long, env = "COURIER_TURN_RELAY_ONLY")]
    pub turn_relay_only: bool,
    /// The UDP address groups' calls' media comes to (the SFU's one port);
    /// by default this machine's address on its default route, any port.
    #[arg(long, env = "COURIER_SFU_UDP")]
    pub sfu_udp: Option<SocketAddr>,
    /// The address browsers reach the SFU at, when `--sfu-udp` is not it
    /// (a wildcard bind, or behind NAT); port 0 keeps the bound port.
    #[arg(long, env = "COURIER_SFU_ADVERTISE")]
    pub sfu_advertise: Option<SocketAddr>,
    /// The server's time: the wall clock, unless a test moves it.
    #[arg(skip)]
    pub clock: Clock,
}

/// A value kept out of `Debug` output (and so out of logs and panics).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("creating the data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("opening the store: {0}")]
    Store(#[from] crate::kernel::db::StoreError),
    #[error("opening the blob store: {0}")]
    Blobs(#[from] crate::kernel::blob::BlobError),
    #[error("bus: {0}")]
    Bus(#[from] crate::kernel::delivery::bus::BusError),
    #[error("placement: {0}")]
    Placement(#[from] crate::kernel::delivery::placement::PlacementError),
    #[error("listening on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("starting the SFU: {0}")]
    Sfu(#[from] courier_sfu::SfuError),
}

/// How often a node of a cluster looks for events whose notice it missed.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// How often a node renews the presence of its connected users.
const PRESENCE_EVERY: std::time::Duration = std::time::Duration::from_secs(20);
/// How often a node closes sockets whose session ended or expired.
const SESSIONS_EVERY: std::time::Duration = std::time::Duration::from_secs(3);
/// How often scheduled messages are posted and expired ones deleted.
const TIMERS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs `task` every `period` (never two at once) until `shutdown`.
async fn every<F, Fut>(period: std::time::Duration, shutdown: CancellationToken, mut task: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => task().await,
        }
    }
}

/// The blob store `config` names: files under `<data>/blobs`, or an
/// S3-compatible store, checked to answer before the server starts. (No
/// log line here: the first line out must be the one giving the URL.)
async fn open_blobs(config: &Config) -> Result<Blobs, StartError> {
    let Some(url) = &config.blob else {
        return Ok(Blobs::local(&config.data.join("blobs"))?);
    };
    let s3 = S3 {
        endpoint: config.s3_endpoint.clone(),
        region: config.s3_region.clone(),
        access_key_id: config.s3_access_key_id.clone(),
        secret_access_key: config.s3_secret_access_key.clone().map(|s| s.0),
        ..S3::at(url)?
    };
    let blobs = Blobs::s3(&s3)?;
    blobs.check().await?;
    Ok(blobs)
}

/// Courier on `config`'s store and bus, with its workers started:
/// everything but the listening socket, so tests can drive it directly.
pub async fn router(
    config: &Config,
    shutdown: CancellationToken,
) -> Result<axum::Router, StartError> {
    std::fs::create_dir_all(&config.data)
        .map_err(|e| StartError::DataDir(config.data.clone(), e))?;
    let store: Arc<dyn Store> = match &config.postgres {
        Some(url) => Arc::new(PgStore::open(url).await?),
        None => Arc::new(SqliteStore::open(&config.data).await?),
    };
    let hub = Arc::new(Hub::default());
    let (bus, subscriber, placement): (Arc<dyn Bus>, _, _) = match &config.nats {
        None => (Arc::new(LocalBus), None, None),
        Some(url) => {
            let (bus, subscriber) = NatsBus::connect(url, &config.nats_subject).await?;
            let node = bus.node();
            let placement = Placement::open(bus.client(), &config.nats_subject, node).await?;
            (Arc::new(bus), Some((node, subscriber)), Some(placement))
        }
    };
    let delivery = Delivery::new(Arc::clone(&store), hub, bus, placement);
    let blobs = open_blobs(config).await?;
    let kernel = Kernel::new(store, delivery, blobs, config.clock.clone());
    let turn = match (&config.turn_secret, config.turn_urls.is_empty()) {
        (Some(secret), false) => Some(Turn {
            urls: config.turn_urls.clone(),
            secret: secret.0.clone(),
            relay_only: config.turn_relay_only,
        }),
        _ => None,
    };
    let sfu_udp = config
        .sfu_udp
        .unwrap_or_else(|| SocketAddr::new(courier_sfu::routed_address(), 0));
    let (sfu, mut sfu_events) = Sfu::start(sfu_udp, config.sfu_advertise)?;
    tracing::info!(addr = %sfu.addr(), "SFU");
    let features = Arc::new(Features::new(
        Arc::new(kernel),
        config.upload_quota,
        turn,
        Arc::new(sfu),
    ));
    let group_calls = features.group_calls.clone();
    tokio::spawn(async move {
        while let Some(event) = sfu_events.recv().await {
            group_calls.heard(event).await;
        }
    });
    tokio::spawn(features.group_calls.clone().serve(shutdown.clone()));
    if let Some((node, subscriber)) = subscriber {
        let relaying = Arc::clone(&features.kernel);
        tokio::spawn(NatsBus::listen(node, subscriber, move |notice| {
            let kernel = Arc::clone(&relaying);
            async move { kernel.delivery.relay(notice).await }
        }));
        let swept = Arc::clone(&features.kernel);
        tokio::spawn(every(SWEEP_EVERY, shutdown.clone(), move || {
            let kernel = Arc::clone(&swept);
            async move { kernel.delivery.sweep().await }
        }));
    }
    let presence = features.presence.clone();
    tokio::spawn(every(PRESENCE_EVERY, shutdown.clone(), move || {
        let presence = presence.clone();
        async move { presence.renew_presence().await }
    }));
    let accounts = features.accounts.clone();
    tokio::spawn(every(SESSIONS_EVERY, shutdown.clone(), move || {
        let accounts = accounts.clone();
        async move { accounts.end_dead_sessions().await }
    }));
    let messaging = features.messaging.clone();
    tokio::spawn(every(TIMERS_EVERY, shutdown.clone(), move || {
        let messaging = messaging.clone();
        async move { messaging.run_timers().await }
    }));
    let calls = features.calls.clone();
    tokio::spawn(every(TIMERS_EVERY, shutdown.clone(), move || {
        let calls = calls.clone();
        async move { calls.run_timers().await }
    }));
    let group_calls = features.group_calls.clone();
    tokio::spawn(every(TIMERS_EVERY, shutdown.clone(), move || {
        let group_calls = group_calls.clone();
        async move { group_calls.run_timers().await }
    }));
    let media = features.media.clone();
    tokio::spawn(every(TIMERS_EVERY, shutdown.clone(), move || {
        let media = media.clone();
        async move { media.run_checks().await }
    }));
    let state = AppState {
        features,
        allowed_origins: Arc::new(config.allowed_origins.clone()),
        connections: Arc::new(Semaphore::new(config.max_connections)),
        max_sockets_per_user: config.max_sockets_per_user,
        shutdown: shutdown.clone(),
        gate: Arc::new(Gate::new(config.new_users_per_hour)),
        trust_forwarded_for: config.trust_forwarded_for,
        socket_limits: Arc::new(ws::Limits::new(config.sends_per_second)),
        sockets: Arc::default(),
        scans: Arc::new(Buckets::new(SCANS)),
    };
    Ok(app(state, &config.static_dir, config.https))
}

/// A bound, ready server; [`Running::serve`] runs it until `shutdown`.
pub struct Running {
    listener: TcpListener,
    router: axum::Router,
    shutdown: CancellationToken,
}

impl Running {
    pub async fn start(
        config: &Config,
        shutdown: CancellationToken,
    ) -> Result<Running, StartError> {
        let router = router(config, shutdown.clone()).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| StartError::Listen(config.listen, e))?;
        Ok(Running {
            listener,
            router,
            shutdown,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled, then closes every socket and
    /// waits for requests in flight.
    pub async fn serve(self) -> std::io::Result<()> {
        let shutdown = self.shutdown.clone();
        // Small frames must leave at once: Nagle's algorithm meeting the
        // peer's delayed ACK costs 40 ms a message.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY");
            }
        });
        let router = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    }
}
