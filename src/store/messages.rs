//! `messages` and `loose`: a chat's events by seq, acts applied to what
//! they target (or kept loose until it comes).

use courier_protocol::{Act, ChatId, ChatSummary, Content, Message, Seq, UserId};
use indexed_db_futures::KeyRange;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use serde::{Deserialize, Serialize};

use super::blocks;
use super::cursors::cursor_of;
use super::{CHATS, CURSORS, CursorRec, LOOSE, MESSAGES, OUTBOX, Result, Store};

/// A message as the app keeps it: the server's record and what later acts
/// did to it. Records written before acts existed read as plain messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    #[serde(flatten)]
    pub message: Message,
    #[serde(default)]
    pub edited: bool,
    #[serde(default)]
    pub deleted: bool,
    /// Each reaction with who gave it, in the order reactions first came.
    #[serde(default)]
    pub reactions: Vec<(String, Vec<UserId>)>,
    /// The names of those who reacted, as their reactions gave them.
    #[serde(default)]
    pub reactors: Vec<(UserId, String)>,
    #[serde(default)]
    pub pinned: bool,
    /// Deleted for me: kept (later acts still find it) but never shown.
    #[serde(default)]
    pub hidden: bool,
}

impl Kept {
    /// A message as it arrives, before any act on it.
    pub fn new(message: Message) -> Kept {
        Kept {
            message,
            edited: false,
            deleted: false,
            reactions: Vec::new(),
            reactors: Vec::new(),
            pinned: false,
            hidden: false,
        }
    }

    /// Applies an act, posted in `by`, to this message.
    pub(super) fn apply(&mut self, by: &Message, act: &Act) {
        let (by, name) = (by.sender, &by.sender_name);
        match act {
            Act::Edit { text, .. } => {
                if let Some(words) = self.message.content.as_mut().and_then(Content::words_mut) {
                    *words = text.clone();
                }
                self.edited = true;
            }
            Act::Delete { .. } => {
                self.deleted = true;
                self.message.content = None;
            }
            Act::React { emoji, on, .. } => {
                if *on && !self.reactors.iter().any(|(u, _)| *u == by) {
                    self.reactors.push((by, name.clone()));
                }
                let at = self.reactions.iter().position(|(e, _)| e == emoji);
                match (at, on) {
                    (Some(i), true) if !self.reactions[i].1.contains(&by) => {
                        self.reactions[i].1.push(by);
                    }
                    (None, true) => self.reactions.push((emoji.clone(), vec![by])),
                    (Some(i), false) => {
                        self.reactions[i].1.retain(|u| *u != by);
                        if self.reactions[i].1.is_empty() {
                            self.reactions.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            Act::Pin { on, .. } => self.pinned = *on,
        }
    }

    /// A post someone would see in the list (not an act, not deleted).
    pub fn shown(&self) -> bool {
        self.message.act.is_none() && !self.deleted && !self.hidden
    }
}

/// What applying a batch of events did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Applied {
    /// Whether anything new was stored.
    pub changed: bool,
    /// Set when the batch jumped past `held + 1`: ask for events after it.
    pub gap_after: Option<Seq>,
}

/// The newest post of `chat` before `before` that a reader would see, as
/// it reads now (edits applied), looking back a page at a time.
pub(super) async fn newest_shown(
    tx: &Transaction<'_>,
    chat: ChatId,
    before: Seq,
) -> Result<Option<Message>> {
    const PAGE: i64 = 50;
    let msgs = tx.object_store(MESSAGES)?;
    let mut upto = Seq(before.0 - 1);
    while upto > Seq::ZERO {
        let after = Seq((upto.0 - PAGE).max(0));
        let page = blocks::read(&msgs, chat, after, Some(upto)).await?;
        if let Some(kept) = page.into_iter().rev().find(Kept::shown) {
            return Ok(Some(kept.message));
        }
        upto = after;
    }
    Ok(None)
}

/// The keys of `chat`'s loose acts on the messages after `after` up to
/// and including `upto`.
pub(super) fn loose_between(chat: ChatId, after: Seq, upto: Seq) -> KeyRange<(i64, i64, i64)> {
    KeyRange::Bound(
        (chat.0, after.0 + 1, 0),
        false,
        (chat.0, upto.0 + 1, 0),
        true,
    )
}

/// Stores one event; an act is applied to its target, or kept loose until
/// the target comes if it is older than what is held.
pub(super) async fn keep_event(tx: &Transaction<'_>, m: &Message) -> Result<()> {
    let msgs = tx.object_store(MESSAGES)?;
    // An edit's text lives on in its target (or in the loose store until
    // the target comes): a later delete then leaves no copy of it here.
    let mut record = m.clone();
    if let Some(Act::Edit { text, .. }) = &mut record.act {
        text.clear();
    }
    blocks::write(&msgs, m.chat, vec![Kept::new(record)]).await?;
    if let Some(act) = &m.act {
        match blocks::read_one(&msgs, m.chat, act.target()).await? {
            Some(mut target) => {
                target.apply(m, act);
                blocks::write(&msgs, m.chat, vec![target]).await?;
            }
            None => {
                // Once its target is deleted, an act is moot (and an edit's
                // would keep the text the delete took away): the delete
                // alone waits. Older acts may come after it, by history.
                let (loose, target) = (tx.object_store(LOOSE)?, act.target());
                if matches!(act, Act::Delete { .. }) {
                    let acts_on = loose_between(m.chat, Seq(target.0 - 1), target);
                    loose.delete(acts_on).serde()?.await?;
                } else if deletes(&loose_acts(&loose, m.chat, target).await?) {
                    return Ok(());
                }
                loose
                    .put(m)
                    .with_key((m.chat.0, act.target().0, m.seq.0))
                    .serde()?
                    .await?;
            }
        }
    }
    Ok(())
}

/// Stores event `m` of a run of one chat's: a post joins `posts`, written
/// a block at a time (before the next act, which may be on one of them, and
/// by the caller at the run's end); an act is kept at once.
async fn keep_in_run(
    tx: &Transaction<'_>,
    msgs: &ObjectStore<'_>,
    posts: &mut Vec<Kept>,
    m: &Message,
) -> Result<()> {
    match m.act {
        None => posts.push(Kept::new(m.clone())),
        Some(_) => {
            blocks::write(msgs, m.chat, std::mem::take(posts)).await?;
            keep_event(tx, m).await?;
        }
    }
    Ok(())
}

/// The acts waiting loose on `chat`'s message `target`, in order.
pub(super) async fn loose_acts(
    loose: &ObjectStore<'_>,
    chat: ChatId,
    target: Seq,
) -> Result<Vec<Message>> {
    Ok(loose
        .get_all()
        .with_query(loose_between(chat, Seq(target.0 - 1), target))
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?)
}

pub(super) fn deletes(acts: &[Message]) -> bool {
    acts.iter()
        .any(|m| matches!(m.act, Some(Act::Delete { .. })))
}

impl Store {
    /// Applies one batch of a chat's events in one transaction: drops what is
    /// already held (duplicates by seq), stores what continues the sequence,
    /// stops at a gap, and retires the outbox entries of our own messages.
    pub async fn apply_events(&self, chat: ChatId, messages: &[Message]) -> Result<Applied> {
        let tx = self.tx(&[CHATS, MESSAGES, OUTBOX, CURSORS, LOOSE], true)?;
        let cursors = tx.object_store(CURSORS)?;
        let mut cursor: CursorRec = cursors.get(chat.0).serde()?.await?.unwrap_or_default();
        let outbox = tx.object_store(OUTBOX)?;
        let msgs = tx.object_store(MESSAGES)?;
        let mut applied = Applied {
            changed: false,
            gap_after: None,
        };
        let mut newest = None;
        // Posts whose text an act here changed or took away.
        let mut touched: Vec<Seq> = Vec::new();
        // Most of a burst (a resume, a sync) is posts.
        let mut posts = Vec::new();
        for m in messages.iter().filter(|m| m.chat == chat) {
            if m.seq <= cursor.held {
                continue;
            }
            // Holding nothing yet, any run is a start: what is older comes
            // by `History` when the reader scrolls to it.
            if cursor.held == Seq::ZERO {
                cursor.floor = Seq(m.seq.0 - 1);
            } else if m.seq != cursor.held.next() {
                applied.gap_after = Some(cursor.held);
                break;
            }
            keep_in_run(&tx, &msgs, &mut posts, m).await?;
            cursor.note_pin(m);
            if m.sender == self.me {
                drop(outbox.delete(m.id.0.clone()).serde()?);
                // What we sent ourselves is read.
                cursor.read = cursor.read.max(m.seq);
            }
            cursor.held = m.seq;
            match &m.act {
                None => newest = Some(m.clone()),
                Some(act @ (Act::Edit { .. } | Act::Delete { .. })) => touched.push(act.target()),
                Some(_) => {}
            }
            applied.changed = true;
        }
        blocks::write(&msgs, chat, posts).await?;
        if applied.changed {
            cursors.put(&cursor).with_key(chat.0).serde()?.await?;
            let chats = tx.object_store(CHATS)?;
            let summary: Option<ChatSummary> = chats.get(chat.0).serde()?.await?;
            if let Some(mut summary) = summary {
                summary.last_seq = summary.last_seq.max(cursor.held);
                // The list previews the newest post, not an act on one; an
                // edit or delete of the previewed post previews it anew
                // (its new text, or the newest post still there).
                let previewed = summary.last.as_ref().map(|m| m.seq);
                if let Some(last) = newest {
                    summary.last = Some(last);
                } else if let Some(seq) = previewed.filter(|seq| touched.contains(seq)) {
                    summary.last = newest_shown(&tx, chat, seq.next()).await?;
                }
                chats.put(&summary).with_key(chat.0).serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Stores a page of older history that ends where what is held begins
    /// (one that does not, say from another tab's request, is dropped),
    /// and applies the acts on it that came before it did. Whether the
    /// page was taken.
    pub async fn apply_history(&self, chat: ChatId, before: Seq, page: &[Message]) -> Result<bool> {
        let cursor = {
            let tx = self.tx(&[CURSORS], false)?;
            cursor_of(&tx, chat).await?
        };
        if cursor.held == Seq::ZERO {
            return Ok(self.apply_events(chat, page).await?.changed);
        }
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Ok(false);
        };
        let joined = before == cursor.floor.next()
            && last.seq == cursor.floor
            && page.iter().all(|m| m.chat == chat)
            && page.windows(2).all(|w| w[1].seq == w[0].seq.next());
        if !joined {
            return Ok(false);
        }
        let tx = self.tx(&[MESSAGES, CURSORS, LOOSE], true)?;
        // Another tab may have taken the same page meanwhile.
        let mut cursor = cursor_of(&tx, chat).await?;
        if cursor.floor != last.seq {
            return Ok(false);
        }
        let msgs = tx.object_store(MESSAGES)?;
        let mut posts = Vec::new();
        for m in page {
            keep_in_run(&tx, &msgs, &mut posts, m).await?;
            cursor.note_pin(m);
        }
        blocks::write(&msgs, chat, posts).await?;
        let loose = tx.object_store(LOOSE)?;
        let range = loose_between(chat, Seq(first.seq.0 - 1), last.seq);
        let waiting: Vec<Message> = loose
            .get_all()
            .with_query(range.clone())
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        // Keyed by target, then seq: each message's acts in their order.
        for act in waiting {
            let Some(a) = &act.act else { continue };
            if let Some(mut target) = blocks::read_one(&msgs, chat, a.target()).await? {
                target.apply(&act, a);
                blocks::write(&msgs, chat, vec![target]).await?;
            }
        }
        loose.delete(range).serde()?.await?;
        cursor.floor = Seq(first.seq.0 - 1);
        tx.object_store(CURSORS)?
            .put(cursor)
            .with_key(chat.0)
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Hides a message on this device only ("delete for me").
    pub async fn hide(&self, chat: ChatId, seq: Seq) -> Result<()> {
        let tx = self.tx(&[MESSAGES], true)?;
        let msgs = tx.object_store(MESSAGES)?;
        if let Some(mut kept) = blocks::read_one(&msgs, chat, seq).await? {
            kept.hidden = true;
            blocks::write(&msgs, chat, vec![kept]).await?;
        }
        Ok(tx.commit().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(seq: i64, by: i64, text: &str) -> Message {
        testing::post(seq, UserId(by), &format!("user {by}"), text)
    }

    fn kept(message: Message) -> Kept {
        Kept::new(message)
    }

    /// Applies `act`, as an event of `by`, to `target`.
    fn apply(target: &mut Kept, by: i64, act: Act) {
        let event = Message {
            act: Some(act.clone()),
            content: None,
            ..post(target.message.seq.0 + 1, by, "")
        };
        target.apply(&event, &act);
    }

    fn react(emoji: &str, on: bool) -> Act {
        Act::React {
            target: Seq(1),
            emoji: emoji.into(),
            on,
        }
    }

    #[test]
    fn an_edit_replaces_the_words_and_a_delete_takes_them() {
        let mut m = kept(post(1, 1, "a typo"));
        apply(
            &mut m,
            1,
            Act::Edit {
                target: Seq(1),
                text: "fixed".into(),
            },
        );
        assert_eq!(
            (m.message.text(), m.edited, m.shown()),
            ("fixed", true, true)
        );
        apply(&mut m, 1, Act::Delete { target: Seq(1) });
        assert_eq!(
            (m.message.content.clone(), m.deleted, m.shown()),
            (None, true, false)
        );
    }

    #[test]
    fn reactions_count_each_person_once_in_the_order_they_came() {
        let mut m = kept(post(1, 1, "news"));
        apply(&mut m, 2, react("👍", true));
        apply(&mut m, 3, react("❤️", true));
        apply(&mut m, 3, react("👍", true));
        apply(&mut m, 2, react("👍", true));
        assert_eq!(
            m.reactions,
            [
                ("👍".to_string(), vec![UserId(2), UserId(3)]),
                ("❤️".to_string(), vec![UserId(3)])
            ],
            "a second 👍 from the same person counts once"
        );
        apply(&mut m, 3, react("❤️", false));
        apply(&mut m, 2, react("👍", false));
        assert_eq!(m.reactions, [("👍".to_string(), vec![UserId(3)])]);
        assert_eq!(
            m.reactors.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
            [UserId(2), UserId(3)],
            "names stay known for the reactions list"
        );
    }

    #[test]
    fn a_pin_and_an_unpin_and_what_is_shown() {
        let mut m = kept(post(1, 1, "rules"));
        apply(
            &mut m,
            2,
            Act::Pin {
                target: Seq(1),
                on: true,
            },
        );
        assert!(m.pinned);
        apply(
            &mut m,
            2,
            Act::Pin {
                target: Seq(1),
                on: false,
            },
        );
        assert!(!m.pinned);
        assert!(m.shown());
        m.hidden = true;
        assert!(!m.shown(), "deleted for me");
        let act = kept(Message {
            act: Some(Act::Delete { target: Seq(1) }),
            ..post(2, 1, "")
        });
        assert!(!act.shown(), "an act is not a post");
    }
}

/// Messages for the app's host tests.
#[cfg(test)]
pub(crate) mod testing {
    use courier_protocol::{ChatId, ClientMsgId, Content, Message, Seq, UserId};

    /// A post `seq` of chat 1 by `by`, stamped `seq`.
    pub fn post(seq: i64, by: UserId, name: &str, text: &str) -> Message {
        Message {
            chat: ChatId(1),
            seq: Seq(seq),
            id: ClientMsgId(format!("m{seq}")),
            sender: by,
            sender_name: name.into(),
            content: Some(Content::text(text)),
            at: seq,
            reply_to: None,
            act: None,
            forwarded_from: None,
            expires_at: None,
        }
    }
}
