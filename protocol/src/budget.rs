//! Byte budgets for what the server sends. A socket's send buffer is
//! bounded; a frame bigger than it can never be written, so the connection
//! would drop each time it is tried and the reader reconnect into the same
//! frame forever. Lists of messages and chats are cut into frames that each
//! fit [`MAX_SERVER_FRAME_BYTES`], and chat previews are cut short.
//!
//! Sizes are upper bounds worked out without encoding: JSON escapes a byte
//! into at most six (`\u0001`), and the fixed fields fit in a constant.

use crate::model::act::Act;
use crate::model::chat::ChatSummary;
use crate::model::content::Content;
use crate::model::message::Message;

/// Most bytes of one frame the server sends.
pub const MAX_SERVER_FRAME_BYTES: usize = 256 * 1024;
/// Characters of a chat's newest message that the chat list's preview
/// carries in `Welcome` (one line shows far fewer).
pub const PREVIEW_CHARS: usize = 256;

/// Bytes of a frame's envelope and a record's fixed fields, at most.
const FIXED_BYTES: usize = 512;
const ESCAPED: usize = 6;

fn act_text(act: Option<&Act>) -> usize {
    match act {
        Some(Act::Edit { text, .. }) => text.len(),
        _ => 0,
    }
}

/// At most how many bytes `message` takes encoded.
pub fn message_bytes(message: &Message) -> usize {
    let variable = message.text().len()
        + message.sender_name.len()
        + message.id.0.len()
        + message.forwarded_from.as_ref().map_or(0, String::len)
        + act_text(message.act.as_ref());
    FIXED_BYTES + ESCAPED * variable
}

/// At most how many bytes `chat` takes encoded.
pub fn summary_bytes(chat: &ChatSummary) -> usize {
    let variable = chat.title.len()
        + chat.invite.len()
        + chat.draft.len()
        + chat.handle.as_ref().map_or(0, String::len);
    2 * FIXED_BYTES + ESCAPED * variable + chat.last.as_ref().map_or(0, message_bytes)
}

/// Splits `items` into runs of which each fits the frame budget (an item
/// bigger than the budget alone goes alone: no record is that big).
pub fn by_bytes<T>(items: Vec<T>, bytes: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    let mut used = FIXED_BYTES;
    for item in items {
        let size = bytes(&item);
        if !run.is_empty() && used + size > MAX_SERVER_FRAME_BYTES {
            runs.push(std::mem::take(&mut run));
            used = FIXED_BYTES;
        }
        used += size;
        run.push(item);
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Cuts the preview of the chat's newest message to [`PREVIEW_CHARS`].
pub fn shorten_preview(chat: &mut ChatSummary) {
    if let Some(last) = &mut chat.last {
        if let Some(words) = last.content.as_mut().and_then(Content::words_mut) {
            cut(words);
        }
        if let Some(Act::Edit { text, .. }) = &mut last.act {
            cut(text);
        }
    }
}

fn cut(text: &mut String) {
    if let Some((at, _)) = text.char_indices().nth(PREVIEW_CHARS) {
        text.truncate(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::{ChatId, ClientMsgId, Seq, UserId};

    fn message(text: &str) -> Message {
        Message {
            chat: ChatId(1),
            seq: Seq(1),
            id: ClientMsgId("a-long-enough-client-id".into()),
            sender: UserId(1),
            sender_name: "Alice".into(),
            content: Some(Content::text(text)),
            at: 1_700_000_000_000,
            reply_to: Some(Seq(1)),
            act: None,
            forwarded_from: Some("Somebody".into()),
            expires_at: Some(1_700_000_000_000),
        }
    }

    #[test]
    fn the_bound_holds_for_the_worst_text() {
        for text in ["", "hello", &"\u{1}".repeat(4096), &"\"\\".repeat(2048)] {
            let m = message(text);
            let frame = crate::ServerFrame::Events {
                chat: ChatId(1),
                messages: vec![m.clone()],
            };
            assert!(frame.encode().len() <= message_bytes(&m) + FIXED_BYTES);
        }
    }

    #[test]
    fn runs_fit_the_budget_and_keep_the_order() {
        let messages: Vec<Message> = (0..60).map(|_| message(&"\u{1}".repeat(4096))).collect();
        let runs = by_bytes(messages, message_bytes);
        assert!(runs.len() > 1);
        assert_eq!(runs.iter().map(Vec::len).sum::<usize>(), 60);
        for run in runs {
            let frame = crate::ServerFrame::Events {
                chat: ChatId(1),
                messages: run,
            };
            assert!(frame.encode().len() <= MAX_SERVER_FRAME_BYTES);
        }
    }

    #[test]
    fn a_preview_is_cut_on_a_character_boundary() {
        let mut text = "é".repeat(300);
        cut(&mut text);
        assert_eq!(text.chars().count(), PREVIEW_CHARS);
    }
}
