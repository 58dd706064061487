//! The database's shape over time: object-store migrations by schema
//! version, and the records older app versions wrote, brought to today's
//! format once.

use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use std::collections::BTreeMap;

use courier_protocol::{ChatId, Seq};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::blocks::block_of;
use super::{CHATS, CURSORS, LOOSE, MESSAGES, META, OUTBOX, Result};

/// The database's schema versions, each named for what it added. Opening
/// an older database applies every step past its version, in order. Only
/// ever append: a version, once shipped, never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schema {
    /// The object stores of the first release.
    Stores = 1,
    /// `loose`: acts that came before the message they act on.
    Loose = 2,
}

impl Schema {
    const ALL: [Schema; 2] = [Schema::Stores, Schema::Loose];
    pub(super) const LATEST: Schema = Schema::Loose;

    pub(super) fn version(self) -> u32 {
        self as u32
    }

    /// The steps that take a database of version `old` to the latest.
    pub(super) fn after(old: u32) -> impl Iterator<Item = Schema> {
        Schema::ALL.into_iter().filter(move |s| s.version() > old)
    }

    pub(super) fn apply(self, db: &Database) -> indexed_db_futures::Result<()> {
        match self {
            Schema::Stores => {
                for name in [CHATS, MESSAGES, OUTBOX, CURSORS, META] {
                    db.create_object_store(name).build()?;
                }
            }
            Schema::Loose => {
                db.create_object_store(LOOSE).build()?;
            }
        }
        Ok(())
    }
}

/// The shape of the records kept, apart from the schema above, under
/// `"format"` in `meta`. A database without it is of format 1.
/// - 2: protocol version 2, where a message's `text` became its `content`;
/// - 3: `messages` in blocks of consecutive seqs (see `blocks`), not one
///   record a message.
pub(super) const RECORDS_FORMAT: u32 = 3;

pub(super) const FORMAT_KEY: &str = "format";

/// Brings records an older app wrote to [`RECORDS_FORMAT`], all in one
/// transaction: a tab closed halfway leaves them as they were, and the next
/// open tries again. Nothing is dropped: the outbox goes out after it.
pub(super) async fn upgrade_records(db: &Database) -> Result<()> {
    let tx = db
        .transaction([CHATS, MESSAGES, OUTBOX, LOOSE, META])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let format: Option<u32> = meta.get(FORMAT_KEY.to_string()).serde()?.await?;
    let format = format.unwrap_or(1);
    if format >= RECORDS_FORMAT {
        return Ok(());
    }
    if format < 2 {
        for name in [MESSAGES, LOOSE, OUTBOX] {
            rewrite(&tx.object_store(name)?, text_to_content).await?;
        }
        rewrite(&tx.object_store(CHATS)?, |chat| {
            text_to_content(&Reflect::get(chat, &"last".into()).unwrap_or(JsValue::UNDEFINED))
        })
        .await?;
    }
    if format < 3 {
        into_blocks(&tx.object_store(MESSAGES)?).await?;
    }
    meta.put(RECORDS_FORMAT)
        .with_key(FORMAT_KEY.to_string())
        .serde()?
        .await?;
    Ok(tx.commit().await?)
}

/// Puts back every record of `store` that `change` changed (in place).
pub(super) async fn rewrite(store: &ObjectStore<'_>, change: fn(&JsValue) -> bool) -> Result<()> {
    for (key, record) in keyed_records(store).await? {
        if change(&record) {
            store.put(record).with_key(key).primitive()?.await?;
        }
    }
    Ok(())
}

/// Every record of `store` with its key, in key order.
async fn keyed_records(store: &ObjectStore<'_>) -> Result<Vec<(JsValue, JsValue)>> {
    let keys: Vec<JsValue> = store
        .get_all_keys()
        .primitive()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?;
    let records: Vec<JsValue> = store
        .get_all()
        .primitive()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?;
    Ok(keys.into_iter().zip(records).collect())
}

/// Format 3: the messages kept one record each (by `[chat, seq]`), put in
/// blocks as they are, field for field.
async fn into_blocks(msgs: &ObjectStore<'_>) -> Result<()> {
    // Keys come in order: each block's messages in seq order.
    let mut blocks: BTreeMap<(i64, i64), Array> = BTreeMap::new();
    // Anything not keyed by chat and seq (none was) stays as it was.
    let mut others = Vec::new();
    for (key, record) in keyed_records(msgs).await? {
        let part = |i| Reflect::get_u32(&key, i).ok().and_then(|n| n.as_f64());
        let (Some(chat), Some(seq)) = (part(0), part(1)) else {
            others.push((key, record));
            continue;
        };
        // Ids and seqs are whole numbers IndexedDB keeps exactly.
        let key = block_of(ChatId(chat as i64), Seq(seq as i64));
        blocks.entry(key).or_default().push(&record);
    }
    msgs.clear()?.await?;
    for (key, record) in others {
        msgs.put(record).with_key(key).primitive()?.await?;
    }
    for ((chat, index), block) in blocks {
        let key = Array::of2(&(chat as f64).into(), &(index as f64).into());
        msgs.put(JsValue::from(block))
            .with_key(JsValue::from(key))
            .primitive()?
            .await?;
    }
    Ok(())
}

/// A message or outbox entry of protocol version 1 (`text`) in version 2's
/// shape (`content`; none for an act or a deleted post). Whether it changed.
/// Done on the JS object, field by field: the record's other fields stay
/// exactly as they were.
pub(super) fn text_to_content(record: &JsValue) -> bool {
    let field = |name: &str| Reflect::get(record, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let text = field("text");
    if !record.is_object() || text.is_undefined() {
        return false;
    }
    let _ = Reflect::delete_property(record.unchecked_ref::<Object>(), &"text".into());
    let act = field("act");
    let is_act = !act.is_undefined() && !act.is_null();
    let deleted = field("deleted").as_bool() == Some(true);
    if let Some(text) = text.as_string()
        && !text.is_empty()
        && !is_act
        && !deleted
    {
        let content = Object::new();
        let _ = Reflect::set(&content, &"kind".into(), &"text".into());
        let _ = Reflect::set(&content, &"text".into(), &text.into());
        let _ = Reflect::set(record, &"content".into(), &content);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::Schema;

    #[test]
    fn versions_run_one_to_the_latest_without_gaps() {
        let all: Vec<u32> = Schema::after(0).map(Schema::version).collect();
        assert_eq!(all, (1..=Schema::LATEST.version()).collect::<Vec<_>>());
        assert_eq!(Schema::after(1).collect::<Vec<_>>(), [Schema::Loose]);
        assert_eq!(Schema::after(Schema::LATEST.version()).count(), 0);
    }
}
