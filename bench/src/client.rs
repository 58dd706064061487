//! One client speaking Courier's protocol over a real socket.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use courier_protocol::{
    ChatId, ChatSummary, ClientFrame, ClientMsgId, Content, Cursor, Message, PROTOCOL_VERSION,
    ServerFrame, UserInfo,
};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Sink = SplitSink<WebSocketStream<TcpStream>, Ws>;
pub type Stream = SplitStream<WebSocketStream<TcpStream>>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("websocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("closed")]
    Closed,
    #[error("unexpected frame: {0}")]
    Unexpected(String),
}

/// The source address for the `i`-th socket: 127.0.0.1 … 127.0.0.50, so
/// each gets its own ~28,000 ephemeral ports.
pub fn source_addr(i: usize) -> IpAddr {
    // `i % 50` fits a byte.
    IpAddr::V4(Ipv4Addr::new(
        127,
        0,
        0,
        1 + u8::try_from(i % 50).unwrap_or(0),
    ))
}

/// Opens a WebSocket to `addr` at `path`, with small buffers: the load
/// generator holds up to 100,000 of these.
pub async fn connect(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    source: IpAddr,
) -> Result<(Sink, Stream), ClientError> {
    connect_with(addr, path, cookie, source, None).await
}

/// [`connect`], optionally with a small kernel receive buffer, so a client
/// that stops reading backs the server up within seconds, not minutes.
pub async fn connect_with(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    source: IpAddr,
    recv_buffer: Option<u32>,
) -> Result<(Sink, Stream), ClientError> {
    let socket = TcpSocket::new_v4()?;
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size)?;
    }
    socket.bind(SocketAddr::new(source, 0))?;
    let tcp = socket.connect(addr).await?;
    tcp.set_nodelay(true)?;
    let mut request = format!("ws://{addr}{path}").into_client_request()?;
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().map_err(|_| ClientError::Closed)?);
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(4096)
        .max_write_buffer_size(1 << 20);
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config)).await?;
    Ok(ws.split())
}

pub async fn send(sink: &mut Sink, frame: &ClientFrame) -> Result<(), ClientError> {
    Ok(sink.send(Ws::Text(frame.encode().into())).await?)
}

pub async fn say(
    sink: &mut Sink,
    chat: ChatId,
    id: String,
    text: String,
) -> Result<(), ClientError> {
    send(
        sink,
        &ClientFrame::Send {
            chat,
            id: ClientMsgId(id),
            content: Content::text(text),
            reply_to: None,
        },
    )
    .await
}

/// The next Courier frame; control frames are skipped.
pub async fn next(stream: &mut Stream) -> Result<ServerFrame, ClientError> {
    loop {
        match stream.next().await {
            Some(Ok(Ws::Text(text))) => {
                return ServerFrame::decode(&text)
                    .map_err(|_| ClientError::Unexpected(text.to_string()));
            }
            Some(Ok(Ws::Close(_))) | None => return Err(ClientError::Closed),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

/// Says hello and waits for welcome: who the socket belongs to, and their chats.
/// A chat without a cursor sends its whole history.
pub async fn hello(
    sink: &mut Sink,
    stream: &mut Stream,
    cursors: Vec<Cursor>,
) -> Result<(UserInfo, Vec<ChatSummary>), ClientError> {
    hello_recent(sink, stream, cursors, None).await
}

/// [`hello`] asking only for the `recent` newest events of a chat without a
/// cursor (`Some(0)`: none, as a client that had read everything).
pub async fn hello_recent(
    sink: &mut Sink,
    stream: &mut Stream,
    cursors: Vec<Cursor>,
    recent: Option<u32>,
) -> Result<(UserInfo, Vec<ChatSummary>), ClientError> {
    send(
        sink,
        &ClientFrame::Hello {
            version: PROTOCOL_VERSION,
            cursors,
            recent,
        },
    )
    .await?;
    match next(stream).await? {
        ServerFrame::Welcome { me, chats, .. } => Ok((me, chats)),
        other => Err(ClientError::Unexpected(format!("{other:?}"))),
    }
}

/// The send time a bench message carries: its text starts with it.
pub fn stamp_of(message: &Message) -> Option<u64> {
    message.text().split(' ').next()?.parse().ok()
}
