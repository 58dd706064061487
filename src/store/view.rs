//! What the open chat shows: a window of its messages, where a date lands,
//! and local search.

use crate::case;
use courier_protocol::{Act, ChatId, ChatSummary, Seq};
use indexed_db_futures::prelude::*;

use super::blocks;
use super::chats::all_chats;
use super::cursors::cursor_of;
use super::messages::{deletes, loose_acts};
use super::{CHATS, CURSORS, CursorRec, Kept, LOOSE, MESSAGES, OUTBOX, OutboxEntry, Result, Store};

/// Where "jump to a date" lands, as far as this device can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    At(Seq),
    /// Nothing held is that recent.
    Nothing,
    /// The oldest message held; the server may have an older one that fits.
    Older(Seq),
}

/// Which events of a chat the view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The newest `WINDOW` events, following new ones as they come.
    Newest,
    /// The events after `after`, up to and including `upto`.
    Span { after: Seq, upto: Seq },
}

/// How many events (seqs) the chat view holds at once: what keeps a chat
/// of any length to a few hundred DOM elements.
pub const WINDOW: i64 = 80;

/// What one chat's view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatPage {
    pub chat: Option<ChatSummary>,
    pub messages: Vec<Kept>,
    pub outbox: Vec<OutboxEntry>,
    /// Everything after `floor` up to this seq is stored.
    pub held: Seq,
    pub floor: Seq,
    /// The window these messages were read for.
    pub window: Option<Window>,
    /// Messages the window's replies quote from outside it.
    pub quoted: Vec<Kept>,
    /// The newest message still pinned, wherever it is; with the message
    /// itself if this device holds it.
    pub pinned: Option<(Seq, Option<Kept>)>,
}

impl ChatPage {
    /// Whether the window asks for events older than the floor, which only
    /// the server has.
    pub fn wants_older(&self) -> bool {
        let after = match self.window {
            Some(Window::Span { after, .. }) => after,
            _ => Seq((self.held.0 - WINDOW).max(0)),
        };
        after < self.floor
    }
}

/// Messages a local search reads from IndexedDB at a time.
pub(super) const SEARCH_PAGE: i64 = 2000;

impl Store {
    /// One chat: the events in `window` and its outbox entries.
    pub async fn chat_page(&self, chat: ChatId, window: Window) -> Result<ChatPage> {
        let tx = self.tx(&[CHATS, MESSAGES, OUTBOX, CURSORS, LOOSE], false)?;
        let summary: Option<ChatSummary> = tx.object_store(CHATS)?.get(chat.0).serde()?.await?;
        let cursor = cursor_of(&tx, chat).await?;
        let (after, upto) = match window {
            Window::Newest => (Seq((cursor.held.0 - WINDOW).max(0)), cursor.held),
            Window::Span { after, upto } => (after, upto),
        };
        let msgs = &tx.object_store(MESSAGES)?;
        let messages = blocks::read(msgs, chat, after, Some(upto)).await?;
        let outbox: Vec<OutboxEntry> = tx
            .object_store(OUTBOX)?
            .get_all()
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        let outbox: Vec<OutboxEntry> = outbox.into_iter().filter(|e| e.chat == chat).collect();
        let get = |seq: Seq| blocks::read_one(msgs, chat, seq);
        let mut quoted = Vec::new();
        let outside = |seq: &Seq| *seq <= after || *seq > upto;
        let mut asked: Vec<Seq> = (messages.iter().filter_map(|m: &Kept| m.message.reply_to))
            .chain(outbox.iter().filter_map(|e| e.reply_to))
            .filter(outside)
            .collect();
        asked.sort_unstable();
        asked.dedup();
        for seq in asked {
            quoted.extend(get(seq).await?);
        }
        let mut pinned = None;
        // Pins noted before `pins` was kept still show from the window.
        let mut pins = cursor.pins.clone();
        pins.extend(messages.iter().filter(|m| m.pinned).map(|m| m.message.seq));
        pins.sort_unstable();
        pins.dedup();
        let loose = &tx.object_store(LOOSE)?;
        for seq in pins.into_iter().rev() {
            let still = match get(seq).await? {
                Some(kept) => (kept.pinned && kept.shown()).then_some(Some(kept)),
                // Older than what is held: its acts wait loose, the last
                // pin or unpin telling, unless a delete came.
                None => {
                    let acts = loose_acts(loose, chat, seq).await?;
                    let last_pin = acts.iter().rev().find_map(|m| match m.act {
                        Some(Act::Pin { on, .. }) => Some(on),
                        _ => None,
                    });
                    (last_pin == Some(true) && !deletes(&acts)).then_some(None)
                }
            };
            if let Some(kept) = still {
                pinned = Some((seq, kept));
                break;
            }
        }
        Ok(ChatPage {
            chat: summary,
            messages,
            outbox,
            held: cursor.held,
            floor: cursor.floor,
            window: Some(window),
            quoted,
            pinned,
        })
    }

    /// The first seq of `chat` stored at or after `ms`, for "jump to date"
    /// (the server stamps events in seq order): a binary search by key.
    /// [`Landing::Older`] when that is the oldest held and the server has
    /// older ones, which may also be after `ms`.
    pub async fn seq_at(&self, chat: ChatId, ms: i64) -> Result<Landing> {
        let tx = self.tx(&[MESSAGES, CURSORS], false)?;
        let cursor = cursor_of(&tx, chat).await?;
        let msgs = tx.object_store(MESSAGES)?;
        let (mut low, mut high) = (cursor.floor.0 + 1, cursor.held.0 + 1);
        while low < high {
            let mid = low + (high - low) / 2;
            let kept = blocks::read_one(&msgs, chat, Seq(mid)).await?;
            if kept.is_some_and(|k| k.message.at >= ms) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        Ok(if low > cursor.held.0 {
            Landing::Nothing
        } else if low == cursor.floor.0 + 1 && cursor.floor > Seq::ZERO {
            Landing::Older(Seq(low))
        } else {
            Landing::At(Seq(low))
        })
    }

    /// Shown messages containing `query` (case-folded) held in `chat`, or in
    /// every chat, newest first, at most `limit`: works offline.
    pub async fn search(
        &self,
        chat: Option<ChatId>,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Kept>> {
        let query = case::lower(query);
        let tx = self.tx(&[CHATS, MESSAGES, CURSORS], false)?;
        let chats: Vec<ChatId> = match chat {
            Some(chat) => vec![chat],
            None => all_chats(&tx).await?.into_iter().map(|c| c.id).collect(),
        };
        let (cursors, msgs) = (tx.object_store(CURSORS)?, tx.object_store(MESSAGES)?);
        let mut found = Vec::new();
        for chat in chats {
            let cursor: CursorRec = cursors.get(chat.0).serde()?.await?.unwrap_or_default();
            let mut upto = cursor.held.0;
            let mut in_chat = 0;
            while upto > cursor.floor.0 && in_chat < limit {
                let after = (upto - SEARCH_PAGE).max(cursor.floor.0);
                let page = blocks::read(&msgs, chat, Seq(after), Some(Seq(upto))).await?;
                for kept in page.into_iter().rev() {
                    if in_chat < limit
                        && kept.shown()
                        && case::lower(kept.message.text()).contains(&query)
                    {
                        found.push(kept);
                        in_chat += 1;
                    }
                }
                upto = after;
            }
        }
        found.sort_by_key(|k| std::cmp::Reverse(k.message.at));
        found.truncate(limit);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(held: i64, floor: i64, window: Option<Window>) -> ChatPage {
        ChatPage {
            held: Seq(held),
            floor: Seq(floor),
            window,
            ..ChatPage::default()
        }
    }

    #[test]
    fn only_a_window_below_the_floor_asks_the_server_for_older() {
        assert!(!page(500, 0, None).wants_older(), "all held");
        assert!(
            !page(500, 420, Some(Window::Newest)).wants_older(),
            "the newest window fits above the floor"
        );
        assert!(page(500, 421, Some(Window::Newest)).wants_older());
        assert!(
            page(50, 10, None).wants_older(),
            "a short chat held from seq 10"
        );
        let span = |after| {
            Some(Window::Span {
                after: Seq(after),
                upto: Seq(after + WINDOW),
            })
        };
        assert!(!page(500, 100, span(100)).wants_older());
        assert!(page(500, 100, span(99)).wants_older());
    }
}
