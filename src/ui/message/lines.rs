//! The message list's lines, made from what the store holds: each shown
//! post and each outbox entry with what it shows (its quote, reactions,
//! how far it got). Pure: tested on the host.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use courier_protocol::{Content, Message, Seq, UserId};

use crate::i18n::{self, t};
use crate::state::Marks;
use crate::store::{ChatPage, Kept, OutState};

/// The message a reply quotes.
#[derive(Clone, PartialEq, Hash)]
pub struct Quote {
    pub seq: i64,
    pub sender: String,
    pub text: String,
}

impl Quote {
    /// A stand-in for a message this device does not hold.
    pub fn not_here(seq: Seq) -> Quote {
        Quote {
            seq: seq.0,
            sender: String::new(),
            text: t("quote-not-here"),
        }
    }
}

/// One reaction on a message: how many gave it and who (not in a
/// channel, whose readers stay private), and whether the viewer did.
#[derive(Clone, PartialEq, Hash)]
pub struct Reaction {
    pub emoji: String,
    pub count: usize,
    pub names: Vec<String>,
    pub mine: bool,
}

/// One line of the message list: a stored message or an outbox entry.
#[derive(Clone, PartialEq)]
pub struct Line {
    /// `s<seq>` or `p<client id>`; stable across refreshes.
    pub key: String,
    pub seq: Option<i64>,
    pub sender: String,
    pub text: String,
    /// What a media message carries besides its caption.
    pub media: Option<Content>,
    pub at: i64,
    pub own: bool,
    pub state: Option<OutState>,
    /// Set for a channel's stored posts, which show a view count.
    pub views_key: Option<(i64, i64)>,
    pub reply: Option<Quote>,
    pub edited: bool,
    pub pinned: bool,
    pub reactions: Vec<Reaction>,
    /// A forwarded copy: who first posted it.
    pub forwarded_from: Option<String>,
    /// How far an own message got: stored on a device of, or read by,
    /// someone else (`Sent` on others' messages).
    pub reach: Reach,
    /// It disappears when its timer runs out.
    pub expires: bool,
    /// A message held while its files upload: where each upload is
    /// remembered (see `OutboxEntry::uploads`).
    pub uploads: Vec<String>,
}

/// How far a stored own message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    Sent,
    Delivered,
    Read,
}

impl Line {
    /// Changes whenever what the line shows changes, so the list redraws it.
    pub fn version(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &self.text,
            self.edited,
            self.pinned,
            &self.reactions,
            &self.reply,
            self.state.map(|s| format!("{s:?}")),
            self.reach,
            // A held message's files as each is up, or its uploads
            // start or stop here.
            self.media.as_ref().map(|c| {
                let files: Vec<&str> = c.files().iter().map(|f| f.as_str()).collect();
                let running: Vec<bool> = (self.uploads.iter())
                    .map(|key| crate::ui::outgoing::live(key).is_some())
                    .collect();
                (files, running)
            }),
        )
            .hash(&mut h);
        h.finish()
    }
}

/// A reactor's name, or for a reaction stored before names were kept,
/// their id.
fn reactor_name(k: &Kept, who: UserId) -> String {
    k.reactors
        .iter()
        .find(|(u, _)| *u == who)
        .map_or_else(|| format!("#{}", who.0), |(_, name)| name.clone())
}

/// What a post shows: its words, or, for a kind of content this version
/// cannot show, a note saying so.
fn shown_text(m: &Message) -> String {
    match &m.content {
        Some(Content::Unsupported) => t("message-unsupported"),
        Some(call @ Content::Call { .. }) => i18n::content_gist(call),
        _ => m.text().to_string(),
    }
}

pub fn quote_of(m: &Kept) -> Quote {
    Quote {
        seq: m.message.seq.0,
        sender: m.message.sender_name.clone(),
        text: m.message.text().to_string(),
    }
}

/// The lines of a chat: its shown posts, then what waits in the outbox.
/// `others` is how far any other member has read and received.
pub fn lines(page: &ChatPage, me: Option<UserId>, my_name: &str, others: Marks) -> Vec<Line> {
    let channel = page
        .chat
        .as_ref()
        .is_some_and(|c| c.kind == courier_protocol::ChatKind::Channel);
    let by_seq: HashMap<i64, &Kept> = (page.messages.iter().chain(&page.quoted))
        .map(|m| (m.message.seq.0, m))
        .collect();
    // A message this device does not hold (older than its history) is
    // still quoted, by a stand-in that jumps to it like any quote.
    let quote = |seq: Option<Seq>| {
        let seq = seq?;
        match by_seq.get(&seq.0) {
            Some(m) => m.shown().then(|| quote_of(m)),
            None if seq > page.floor => None,
            None => Some(Quote::not_here(seq)),
        }
    };
    let stored = page.messages.iter().filter(|m| m.shown()).map(|k| {
        let m = &k.message;
        Line {
            key: format!("s{}", m.seq.0),
            seq: Some(m.seq.0),
            sender: m.sender_name.clone(),
            text: shown_text(m),
            media: m.content.clone().filter(|c| !c.files().is_empty()),
            at: m.at,
            own: Some(m.sender) == me,
            state: None,
            views_key: channel.then_some((m.chat.0, m.seq.0)),
            reply: quote(m.reply_to),
            edited: k.edited,
            pinned: k.pinned,
            reactions: k
                .reactions
                .iter()
                .map(|(emoji, who)| Reaction {
                    emoji: emoji.clone(),
                    count: who.len(),
                    names: if channel {
                        Vec::new()
                    } else {
                        who.iter().map(|u| reactor_name(k, *u)).collect()
                    },
                    mine: me.is_some_and(|me| who.contains(&me)),
                })
                .collect(),
            forwarded_from: m.forwarded_from.clone(),
            // Others' lines show no ticks: kept fixed, so their reads do
            // not redraw them.
            reach: if Some(m.sender) != me {
                Reach::Sent
            } else if m.seq <= others.read {
                Reach::Read
            } else if m.seq <= others.delivered {
                Reach::Delivered
            } else {
                Reach::Sent
            },
            expires: m.expires_at.is_some(),
            uploads: Vec::new(),
        }
    });
    let pending = page
        .outbox
        .iter()
        .filter(|e| e.act.is_none())
        .map(|e| Line {
            key: format!("p{}", e.id.0),
            seq: None,
            sender: my_name.to_string(),
            text: e.text().to_string(),
            media: e.content.clone().filter(|c| !c.files().is_empty()),
            at: e.created,
            own: true,
            state: Some(e.state),
            views_key: None,
            reply: quote(e.reply_to),
            edited: false,
            pinned: false,
            reactions: Vec::new(),
            forwarded_from: None,
            reach: Reach::Sent,
            expires: false,
            uploads: e.uploads.clone(),
        });
    stored.chain(pending).collect()
}

#[cfg(test)]
mod tests {
    use courier_protocol::{Act, ChatId, ClientMsgId};

    use super::*;
    use crate::store::OutboxEntry;
    use crate::store::testing;

    const ME: UserId = UserId(1);
    const BOB: UserId = UserId(2);

    fn kept(seq: i64, by: UserId, text: &str) -> Kept {
        let name = if by == ME { "me" } else { "bob" };
        Kept::new(testing::post(seq, by, name, text))
    }

    #[test]
    fn shown_posts_then_the_outbox_with_quotes_ticks_and_reactions() {
        let mut hello = kept(1, ME, "hello");
        hello.reactions = vec![("👍".into(), vec![BOB, ME])];
        hello.reactors = vec![(BOB, "bob".into()), (ME, "me".into())];
        let mut answer = kept(2, BOB, "hi");
        answer.message.reply_to = Some(Seq(1));
        let later = kept(3, ME, "later");
        let mut act = kept(4, ME, "");
        act.message.act = Some(Act::Pin {
            target: Seq(1),
            on: true,
        });
        let mut gone = kept(5, ME, "oops");
        gone.deleted = true;
        let page = ChatPage {
            messages: vec![hello, answer, later, act, gone],
            outbox: vec![OutboxEntry {
                id: ClientMsgId("q1".into()),
                chat: ChatId(1),
                content: Some(Content::text("queued")),
                created: 6,
                state: OutState::Pending,
                reply_to: Some(Seq(2)),
                act: None,
                forward: None,
                uploads: Vec::new(),
            }],
            held: Seq(5),
            ..ChatPage::default()
        };
        let others = Marks {
            read: Seq(1),
            delivered: Seq(3),
        };
        let shown = lines(&page, Some(ME), "me", others);
        assert_eq!(
            shown.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
            ["s1", "s2", "s3", "pq1"],
            "acts and deleted posts are not lines"
        );
        assert_eq!(
            shown.iter().map(|l| l.reach).collect::<Vec<_>>(),
            [Reach::Read, Reach::Sent, Reach::Delivered, Reach::Sent],
            "ticks on own posts only"
        );
        let quote = |l: &Line| l.reply.clone().map(|q| (q.seq, q.sender, q.text));
        assert_eq!(quote(&shown[1]), Some((1, "me".into(), "hello".into())));
        assert_eq!(quote(&shown[3]), Some((2, "bob".into(), "hi".into())));
        let thumbs = &shown[0].reactions[0];
        assert_eq!(
            (thumbs.count, thumbs.names.clone(), thumbs.mine),
            (2, vec!["bob".to_string(), "me".to_string()], true)
        );
        assert_eq!(
            (shown[3].own, shown[3].state, shown[3].seq),
            (true, Some(OutState::Pending), None)
        );
    }

    #[test]
    fn a_quote_of_a_message_older_than_this_device_holds_stands_in_for_it() {
        let mut answer = kept(51, BOB, "as I said");
        answer.message.reply_to = Some(Seq(7));
        let mut unknown = kept(52, BOB, "and this");
        unknown.message.reply_to = Some(Seq(60));
        let page = ChatPage {
            messages: vec![answer, unknown],
            held: Seq(52),
            floor: Seq(50),
            ..ChatPage::default()
        };
        let shown = lines(&page, Some(ME), "me", Marks::default());
        let stand_in = shown[0].reply.clone().map(|q| (q.seq, q.sender));
        assert_eq!(stand_in, Some((7, String::new())), "below the floor");
        assert!(
            shown[1].reply.is_none(),
            "above the floor and not held: deleted, so not quoted"
        );
    }
}
