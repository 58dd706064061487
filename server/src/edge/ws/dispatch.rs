//! Dispatch: each frame a client sends, once parsed and paced, handed to
//! the capability it belongs to; its answer (an ack, a page, an error)
//! goes back on the connection's reply queue.

use courier_protocol::{ChatId, ClientFrame, ErrorCode, ServerFrame, budget};

use super::connection::Connection;

impl Connection {
    /// Handles one client frame; false once the connection should end.
    pub(super) async fn handle(&self, text: &str) -> bool {
        let frame = match ClientFrame::parse(text) {
            Ok(frame) => frame,
            Err(code) => {
                // Name the message a rejected Send was about, so the client
                // can mark that one failed.
                let (id, chat) = send_ids(text);
                return self.error(code, id, chat).await;
            }
        };
        let allowed = match &frame {
            ClientFrame::Send { chat, id, .. }
            | ClientFrame::Act { chat, id, .. }
            | ClientFrame::Forward { chat, id, .. } => self.may_write(id, *chat).await,
            ClientFrame::History { .. } | ClientFrame::Views { .. } => {
                self.pace_page().await;
                Ok(())
            }
            // Paced page by page.
            ClientFrame::Sync { .. } => Ok(()),
            ClientFrame::Read { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Typing { .. }
            | ClientFrame::Call { .. }
            | ClientFrame::Signal { .. }
            | ClientFrame::GroupCall { .. }
            | ClientFrame::Ping
            | ClientFrame::Hello { .. } => {
                self.pace_cheap().await;
                Ok(())
            }
        };
        if let Err(keep_going) = allowed {
            return keep_going;
        }
        match frame {
            ClientFrame::Send {
                chat,
                id,
                content,
                reply_to,
            } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.send(&me, chat, &id, &content, reply_to).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Act { chat, id, act } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.act(&me, chat, &id, &act).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Sync { chat, after } => self.send_events(chat, after).await,
            ClientFrame::History { chat, before } => {
                match self
                    .features
                    .messaging
                    .events_before(&self.me, chat, before)
                    .await
                {
                    Ok(messages) => {
                        // The newest that fit one frame: the client asks
                        // again from the oldest of them.
                        let messages = budget::by_bytes(messages, budget::message_bytes)
                            .pop()
                            .unwrap_or_default();
                        let page = ServerFrame::History {
                            chat,
                            before,
                            messages,
                        };
                        self.reply(&page).await
                    }
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Read { chat, seq } => {
                match self.features.messaging.mark_read(&self.me, chat, seq).await {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Received { chat, seq } => {
                match self
                    .features
                    .messaging
                    .mark_delivered(&self.me, chat, seq)
                    .await
                {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Views { chat, seqs } => {
                match self.features.messaging.views(&self.me, chat, &seqs).await {
                    Ok(counts) => self.reply(&ServerFrame::Views { chat, counts }).await,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Forward {
                chat,
                id,
                from,
                seq,
            } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.forward(&me, chat, &id, from, seq).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Typing { chat } => {
                if !self.typing_allowed() {
                    return true;
                }
                match self.features.messaging.typing(&self.me, chat).await {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Call { chat, call, step } => {
                let done = self.features.calls.step(&self.me, chat, &call, step).await;
                self.call_answer(call, done, true).await
            }
            ClientFrame::Signal { call, leg, signal } => {
                let done = self
                    .features
                    .calls
                    .signal(&self.me, &call, &leg, signal)
                    .await;
                self.call_answer(call, done, false).await
            }
            ClientFrame::GroupCall { chat, step } => {
                match self.features.group_calls.step(&self.me, chat, step).await {
                    Ok(Some(answer)) => self.reply(&answer).await,
                    Ok(None) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Ping => self.reply(&ServerFrame::Pong).await,
            ClientFrame::Hello { .. } => self.error(ErrorCode::HelloRequired, None, None).await,
        }
    }
}

/// The `id` and `chat` of a Send that failed validation, if they can be read.
fn send_ids(text: &str) -> (Option<courier_protocol::ClientMsgId>, Option<ChatId>) {
    #[derive(serde::Deserialize)]
    struct Ids {
        id: Option<courier_protocol::ClientMsgId>,
        chat: Option<ChatId>,
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        c: Ids,
    }
    match serde_json::from_str::<Envelope>(text) {
        Ok(Envelope { c }) => (c.id.filter(|id| id.validate().is_ok()), c.chat),
        Err(_) => (None, None),
    }
}
