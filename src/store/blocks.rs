//! How the `messages` store keeps a chat's messages: in blocks of
//! [`BLOCK`] consecutive seqs, one record per block keyed
//! `[chat, seq / BLOCK]` holding its messages in seq order. IndexedDB's
//! cost is per record (in Chromium about 40 µs a put, the same for a small
//! record as for a block of 64), so a sync of 10,000 messages writes 157
//! records, not 10,000.

use std::collections::BTreeMap;

use courier_protocol::{ChatId, Seq};
use futures::future::try_join_all;
use indexed_db_futures::KeyRange;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;

use super::{Kept, Result};

/// Seqs per block: a chat's window (50) spans at most two.
pub(super) const BLOCK: i64 = 64;

/// The key of the block holding `chat`'s message `seq`.
pub(super) fn block_of(chat: ChatId, seq: Seq) -> (i64, i64) {
    (chat.0, seq.0.div_euclid(BLOCK))
}

/// Every block of `chat`.
pub(super) fn all_of(chat: ChatId) -> KeyRange<(i64, i64)> {
    KeyRange::Bound((chat.0, 0), false, (chat.0 + 1, 0), true)
}

/// `chat`'s messages after `after`, up to and including `upto` (with none,
/// all the later ones), in seq order.
pub(super) async fn read(
    msgs: &ObjectStore<'_>,
    chat: ChatId,
    after: Seq,
    upto: Option<Seq>,
) -> Result<Vec<Kept>> {
    let first = block_of(chat, after.next());
    let range = match upto {
        // IndexedDB refuses an empty range.
        Some(upto) if upto <= after => return Ok(Vec::new()),
        Some(upto) => KeyRange::Bound(first, false, block_of(chat, upto), false),
        None => KeyRange::Bound(first, false, (chat.0 + 1, 0), true),
    };
    let blocks: Vec<Vec<Kept>> = msgs
        .get_all()
        .with_query(range)
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?;
    let wanted = |k: &Kept| k.message.seq > after && upto.is_none_or(|upto| k.message.seq <= upto);
    Ok(blocks.into_iter().flatten().filter(wanted).collect())
}

/// `chat`'s message `seq`, if kept.
pub(super) async fn read_one(
    msgs: &ObjectStore<'_>,
    chat: ChatId,
    seq: Seq,
) -> Result<Option<Kept>> {
    let block: Option<Vec<Kept>> = msgs
        .get(KeyRange::Only(block_of(chat, seq)))
        .serde()?
        .await?;
    Ok(block.and_then(|b| b.into_iter().find(|k| k.message.seq == seq)))
}

/// Writes `records` of `chat`, each in place of what was kept at its seq.
/// The blocks they fall in are read at once, and their writes not awaited
/// one by one: requests in one transaction run in order, and its commit
/// fails if one did.
pub(super) async fn write(msgs: &ObjectStore<'_>, chat: ChatId, records: Vec<Kept>) -> Result<()> {
    let mut blocks: BTreeMap<(i64, i64), Vec<Kept>> = BTreeMap::new();
    for kept in records {
        blocks
            .entry(block_of(chat, kept.message.seq))
            .or_default()
            .push(kept);
    }
    let reads = blocks.keys().map(|key| {
        let key = *key;
        async move {
            let block: Option<Vec<Kept>> = msgs.get(KeyRange::Only(key)).serde()?.await?;
            Ok::<_, super::StoreError>(block.unwrap_or_default())
        }
    });
    let kept = try_join_all(reads).await?;
    for ((key, new), old) in blocks.into_iter().zip(kept) {
        drop(msgs.put(&merge(old, new)).with_key(key).serde()?);
    }
    Ok(())
}

/// A block's records `old` with `new` in, each in place of any of the same
/// seq, in seq order.
fn merge(old: Vec<Kept>, mut new: Vec<Kept>) -> Vec<Kept> {
    let replaced = |o: &Kept| new.iter().any(|n| n.message.seq == o.message.seq);
    let old: Vec<Kept> = old.into_iter().filter(|o| !replaced(o)).collect();
    new.extend(old);
    new.sort_by_key(|k| k.message.seq);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::post;
    use courier_protocol::UserId;

    fn kept(seq: i64, text: &str) -> Kept {
        Kept::new(post(seq, UserId(1), "ana", text))
    }

    #[test]
    fn a_block_holds_its_seqs_in_order_and_the_newest_copy_of_each() {
        let old = vec![kept(64, "a"), kept(65, "b"), kept(67, "d")];
        let merged = merge(
            old,
            vec![kept(68, "e"), kept(66, "c"), kept(65, "b, edited")],
        );
        let got: Vec<(i64, &str)> = merged
            .iter()
            .map(|k| (k.message.seq.0, k.message.text()))
            .collect();
        assert_eq!(
            got,
            [
                (64, "a"),
                (65, "b, edited"),
                (66, "c"),
                (67, "d"),
                (68, "e")
            ]
        );
    }

    #[test]
    fn seqs_fall_in_blocks_of_64_by_chat() {
        let chat = ChatId(7);
        assert_eq!(block_of(chat, Seq(1)), (7, 0));
        assert_eq!(block_of(chat, Seq(63)), (7, 0));
        assert_eq!(block_of(chat, Seq(64)), (7, 1));
        assert_eq!(block_of(chat, Seq(100_000)), (7, 1562));
    }
}
