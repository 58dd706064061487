//! `baseline-server --listen 127.0.0.1:0`: the floor Courier is measured
//! against. It speaks just enough of Courier's protocol for the same load
//! generator (hello → welcome, send → sent + events to the group in
//! `/ws?group=N`), with no auth, no storage and no validation beyond JSON:
//! what a WebSocket broadcast costs by itself on this machine. For files,
//! `PUT /upload/{name}` streams a body to a file and `GET /files/{name}`
//! serves it with tower-http's `ServeDir`: what storing and serving bytes
//! costs by itself.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::extract::Path as UrlPath;
use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::routing::put;
use axum::serve::ListenerExt;
use clap::Parser;
use courier_protocol::{
    ChatId, ClientFrame, Message, PROTOCOL_VERSION, Seq, ServerFrame, UserId, UserInfo, UserKind,
};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tower_http::services::ServeDir;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

#[derive(Default)]
struct Group {
    seq: i64,
    members: Vec<mpsc::Sender<Utf8Bytes>>,
}

type Groups = Arc<Mutex<HashMap<i64, Group>>>;

#[derive(serde::Deserialize)]
struct Params {
    group: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let groups = Groups::default();
    // Named by the pid, so whoever started it can remove it.
    let files = std::env::temp_dir().join(format!("baseline-files-{}", std::process::id()));
    std::fs::create_dir_all(&files)?;
    let app = Router::new()
        .route("/ws", get(upgrade))
        .with_state(groups)
        .route("/upload/{name}", put(store).with_state(files.clone()))
        .nest_service("/files", ServeDir::new(&files));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("Baseline is running at http://{}/", listener.local_addr()?);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

/// Streams the body to `<files>/<name>`, synced to disk like Courier's.
async fn store(
    State(files): State<PathBuf>,
    UrlPath(name): UrlPath<String>,
    body: Body,
) -> StatusCode {
    if name.contains('/') || name.starts_with('.') {
        return StatusCode::BAD_REQUEST;
    }
    let written = async {
        let mut file = tokio::fs::File::create(files.join(name)).await?;
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = chunks.next().await {
            file.write_all(&chunk.map_err(std::io::Error::other)?)
                .await?;
        }
        file.sync_all().await
    };
    match written.await {
        Ok(()) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn upgrade(
    State(groups): State<Groups>,
    Query(p): Query<Params>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| serve(socket, groups, p.group))
}

fn lock(groups: &Groups) -> std::sync::MutexGuard<'_, HashMap<i64, Group>> {
    groups.lock().unwrap_or_else(|p| p.into_inner())
}

async fn serve(socket: WebSocket, groups: Groups, group: i64) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(256);
    lock(&groups)
        .entry(group)
        .or_default()
        .members
        .push(tx.clone());
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(WsMessage::Text(frame)).await.is_err() {
                break;
            }
        }
    });
    let me = UserInfo {
        id: UserId(0),
        name: String::new(),
        username: None,
        kind: UserKind::Guest,
    };
    while let Some(Ok(WsMessage::Text(text))) = stream.next().await {
        match ClientFrame::parse(&text) {
            Ok(ClientFrame::Hello { .. }) => {
                let welcome = ServerFrame::Welcome {
                    version: PROTOCOL_VERSION,
                    me: me.clone(),
                    chats: vec![],
                    folders: vec![],
                    more: vec![],
                };
                if tx.send(welcome.encode().into()).await.is_err() {
                    break;
                }
            }
            Ok(ClientFrame::Send { id, content, .. }) => {
                let chat = ChatId(group);
                let (message, members) = {
                    let mut groups = lock(&groups);
                    let g = groups.entry(group).or_default();
                    g.seq += 1;
                    let message = Message {
                        chat,
                        seq: Seq(g.seq),
                        id,
                        sender: UserId(0),
                        sender_name: String::new(),
                        content: Some(content),
                        at: 0,
                        reply_to: None,
                        act: None,
                        forwarded_from: None,
                        expires_at: None,
                    };
                    (message, g.members.clone())
                };
                let events: Utf8Bytes = ServerFrame::Events {
                    chat,
                    messages: vec![message.clone()],
                }
                .encode()
                .into();
                for member in members {
                    let _ = member.try_send(events.clone());
                }
                if tx
                    .send(ServerFrame::Sent { message }.encode().into())
                    .await
                    .is_err()
                {
                    break;
                }
            }
            _ => {}
        }
    }
    writer.abort();
    if let Some(g) = lock(&groups).get_mut(&group) {
        g.members.retain(|m| !m.same_channel(&tx));
    }
}
