//! A connection's writer: it drains the reply and live queues to the
//! socket in batches, pings, and gives up on a client that stops reading.

use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, Utf8Bytes};
use futures_util::{Sink, SinkExt};
use tokio::sync::mpsc;
use tokio::time::{interval, timeout};

use crate::kernel::delivery::hub::Encoded;

/// The server pings this often; browsers answer with a pong.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Most frames written before one flush.
const WRITE_BATCH: usize = 64;
/// Longest a single write may wait for the client to read.
pub(super) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn write_loop(
    mut sink: impl Sink<WsMessage, Error = axum::Error> + Unpin,
    mut replies: mpsc::Receiver<Encoded>,
    mut live: mpsc::Receiver<Encoded>,
) {
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    loop {
        let message = tokio::select! {
            // The reply queue closes when the reader is done, after what it
            // queued has been drained: then the connection is over. Live
            // frames still queued are not lost: the client resumes them.
            biased;
            frame = replies.recv() => match frame {
                Some(frame) => text(frame),
                None => break,
            },
            Some(frame) = live.recv() => text(frame),
            _ = ping.tick() => WsMessage::Ping(Default::default()),
        };
        // A client that stops reading must not pin this task (and its
        // connection permit) forever.
        let written = timeout(
            WRITE_TIMEOUT,
            write_batch(&mut sink, message, &mut replies, &mut live),
        )
        .await;
        if !matches!(written, Ok(Ok(()))) {
            return;
        }
    }
    let _ = timeout(WRITE_TIMEOUT, sink.send(WsMessage::Close(None))).await;
}

/// Writes `first` and whatever else is already queued, then flushes once:
/// under load one system call carries many frames, and when idle a frame
/// still leaves at once.
async fn write_batch(
    sink: &mut (impl Sink<WsMessage, Error = axum::Error> + Unpin),
    first: WsMessage,
    replies: &mut mpsc::Receiver<Encoded>,
    live: &mut mpsc::Receiver<Encoded>,
) -> Result<(), axum::Error> {
    sink.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(frame) = replies.try_recv().or_else(|_| live.try_recv()) else {
            break;
        };
        sink.feed(text(frame)).await?;
    }
    sink.flush().await
}

/// A frame as a text message. `Encoded` is made from a frame's JSON, so
/// the check that it is UTF-8 (a pass over its bytes, no copy) holds.
fn text(frame: Encoded) -> WsMessage {
    match Utf8Bytes::try_from(frame.into_bytes()) {
        Ok(text) => WsMessage::Text(text),
        Err(e) => {
            tracing::error!(error = %e, "a frame that is not text");
            WsMessage::Text(Utf8Bytes::default())
        }
    }
}
