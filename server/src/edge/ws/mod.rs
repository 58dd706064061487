//! One WebSocket connection: a reader that handles the client's frames in
//! order and a writer that drains two bounded queues to the socket.
//!
//! - `replies` carries this connection's own answers (Welcome, backlog,
//!   acks, errors); the reader waits for room in it, so a slow client slows
//!   only its own requests.
//! - `live` carries fan-out from the hub, which never waits: when it is
//!   full the hub drops the connection and the client resumes by cursor.
//!
//! The connection joins the hub before it reads the backlog, so nothing
//! committed in between is missed; what arrives twice the client drops by
//! (chat, seq).

mod connection;
mod dispatch;
mod limits;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, close_code};
use courier_protocol::budget;
use courier_protocol::{
    ChatId, ChatSummary, ClientFrame, ErrorCode, PROTOCOL_VERSION, Seq, ServerFrame, UserInfo,
};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{Notify, mpsc};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use crate::features::Features;
use crate::kernel::delivery::hub::{Encoded, Follower};

use connection::Connection;
pub use limits::Limits;
use writer::{WRITE_TIMEOUT, write_loop};

/// A WebSocket as the connection sees it: axum's in the server, and any
/// pair of message channels in a test.
pub trait Socket:
    Sink<WsMessage, Error = axum::Error>
    + Stream<Item = Result<WsMessage, axum::Error>>
    + Send
    + Unpin
    + 'static
{
}

impl<S> Socket for S where
    S: Sink<WsMessage, Error = axum::Error>
        + Stream<Item = Result<WsMessage, axum::Error>>
        + Send
        + Unpin
        + 'static
{
}

/// How long a new socket may take to say `Hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames waiting for a slow client before the hub gives up on it.
const LIVE_QUEUE: usize = 256;
const REPLY_QUEUE: usize = 32;
/// Time the writer gets to flush what is queued when the connection ends.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves one socket of `me`, opened with the session whose token hash is
/// `session` (signing that session out closes the socket).
pub async fn serve(
    mut socket: impl Socket,
    me: UserInfo,
    session: Vec<u8>,
    features: Arc<Features>,
    limits: Arc<Limits>,
    shutdown: CancellationToken,
) {
    let (cursors, recent) = match timeout(HELLO_TIMEOUT, socket.next()).await {
        Ok(Some(Ok(WsMessage::Text(text)))) => match ClientFrame::parse(&text) {
            Ok(ClientFrame::Hello {
                version: PROTOCOL_VERSION,
                cursors,
                recent,
            }) => (cursors, recent),
            Ok(ClientFrame::Hello { .. }) => {
                return refuse(socket, ErrorCode::UnsupportedVersion).await;
            }
            Ok(_) => return refuse(socket, ErrorCode::HelloRequired).await,
            Err(code) => return refuse(socket, code).await,
        },
        _ => return,
    };
    let (sink, stream) = socket.split();
    let (reply_tx, reply_rx) = mpsc::channel(REPLY_QUEUE);
    let (live_tx, live_rx) = mpsc::channel(LIVE_QUEUE);
    let kick = Arc::new(Notify::new());
    let device = session.clone();
    // Join the hub before reading the chat list: a chat created or joined
    // from now on reaches this connection through `follow`, and one created
    // before is in the list.
    let registration = features.kernel.delivery.hub().register(
        me.id,
        session,
        Follower {
            queue: live_tx,
            kick: Arc::clone(&kick),
        },
    );
    features.presence.came_online(me.id).await;
    features.accounts.seen(&device).await;
    // A list without the user's folders would be saved back over them.
    let (chats, folders) = match (
        features.chats.chats_of(&me).await,
        features.prefs.folders(&me).await,
    ) {
        (Ok(chats), Ok(folders)) => (chats, folders),
        (Err(code), _) | (_, Err(code)) => {
            let _ = reply_tx.try_send(Encoded::new(&ServerFrame::error(code)));
            drop(reply_tx);
            drop(registration);
            features.presence.went_offline(me.id).await;
            return write_loop(sink, reply_rx, live_rx).await;
        }
    };
    let listed: Vec<ChatId> = chats.iter().map(|c| c.id).collect();
    features
        .kernel
        .delivery
        .hub()
        .follow_listed(&registration, &listed);
    let newest: Vec<(ChatId, Seq)> = chats.iter().map(|c| (c.id, c.last_seq)).collect();
    // Welcome takes as many chats as fit one frame; the rest follow as
    // `Chat` frames, before any event.
    let mut chats = chats;
    chats.iter_mut().for_each(budget::shorten_preview);
    let mut runs = budget::by_bytes(chats, budget::summary_bytes).into_iter();
    let first = runs.next().unwrap_or_default();
    let rest: Vec<ChatSummary> = runs.flatten().collect();
    let welcome = ServerFrame::Welcome {
        version: PROTOCOL_VERSION,
        me: me.clone(),
        chats: first,
        folders,
        more: rest.iter().map(|c| c.id).collect(),
    };
    // Queued before the writer starts, so it is the first frame out.
    let _ = reply_tx.try_send(Encoded::new(&welcome));
    let mut writer = tokio::spawn(write_loop(sink, reply_rx, live_rx));
    for chat in rest {
        if reply_tx
            .send(Encoded::new(&ServerFrame::Chat { chat }))
            .await
            .is_err()
        {
            break;
        }
    }

    let conn = Connection::new(me, features, limits, reply_tx);
    let reader = async {
        conn.resume(&newest, &cursors, recent).await;
        conn.read_loop(stream, &kick, &shutdown).await;
    };
    let writer_done = tokio::select! {
        _ = reader => false,
        _ = &mut writer => true,
    };
    // Leaving the hub and dropping the reply queue ends the writer once it
    // has flushed what is queued.
    drop(registration);
    conn.features.presence.went_offline(conn.me.id).await;
    conn.features.accounts.seen(&device).await;
    drop(conn);
    if !writer_done && timeout(FLUSH_TIMEOUT, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Answers a bad opening with an error frame and closes.
async fn refuse(mut socket: impl Socket, code: ErrorCode) {
    let error = WsMessage::Text(ServerFrame::error(code).encode().into());
    let close = WsMessage::Close(Some(CloseFrame {
        code: close_code::POLICY,
        reason: Utf8Bytes::from_static(""),
    }));
    let _ = timeout(WRITE_TIMEOUT, async {
        socket.send(error).await?;
        socket.send(close).await
    })
    .await;
}
