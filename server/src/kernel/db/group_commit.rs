//! The group commit: sends queued while one transaction syncs go into
//! the next, so one fsync acknowledges many messages.

use std::collections::HashMap;

use courier_protocol::policy;
use courier_protocol::{ChatId, ClientMsgId, Content, Message, Seq, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};
use tokio::sync::{mpsc, oneshot};

use super::jobs::{self, Expiry};
use super::media;
use super::messages::content_column;
use super::sql::{Changed, MESSAGE_COLUMNS, SqlStore, alias, veiled};
use super::statement::{Placeholder, Statement};
use super::{Appended, Result, StoreError};
use crate::kernel::jobs::NewJob;

/// Sends queued for the group committer before senders wait for room.
pub(super) const APPEND_QUEUE: usize = 4096;
/// Most sends stored in one transaction.
const MAX_BATCH: usize = 512;
/// Times a batch the database aborted (deadlock) is run again.
const COMMIT_RETRIES: usize = 3;

/// One send waiting for the next group commit.
pub(super) struct Append {
    pub(super) chat: ChatId,
    pub(super) sender: UserId,
    pub(super) id: ClientMsgId,
    pub(super) content: Content,
    pub(super) reply_to: Option<Seq>,
    pub(super) forwarded_from: Option<String>,
    pub(super) at: i64,
    pub(super) reply: oneshot::Sender<Result<Appended>>,
}

impl<DB> SqlStore<DB>
where
    DB: Database + Placeholder,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> bool: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Encode<'r, DB> + Type<DB>,
    DB::QueryResult: Changed,
    usize: ColumnIndex<DB::Row>,
{
    /// Group commit: every send that queued while the previous transaction was
    /// syncing goes into the next one, so one fsync acknowledges many messages.
    /// Each answer is sent only after its transaction committed (ack = durable).
    pub(super) async fn commit_appends(writer: Pool<DB>, mut queue: mpsc::Receiver<Append>) {
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(append) => batch.push(append),
                    Err(_) => break,
                }
            }
            // Two nodes' batches may lock the same chats in different
            // orders; PostgreSQL then aborts one (deadlock), and nothing
            // of it was stored, so it is safe to run it again.
            let mut outcome = Self::append_batch(&writer, &batch).await;
            for _ in 0..COMMIT_RETRIES {
                match &outcome {
                    Err(e)
                        if e.database()
                            .and_then(|db| db.code())
                            .is_some_and(|c| c == "40P01" || c == "40001") =>
                    {
                        tracing::warn!(error = %e, "group commit aborted by the database; retrying");
                        outcome = Self::append_batch(&writer, &batch).await;
                    }
                    _ => break,
                }
            }
            // Another node stored one of these client ids meanwhile (a
            // scheduled message both posted): one clash must not fail
            // the others, so each goes alone, and the clashing one is
            // then a resend.
            if batch.len() > 1
                && matches!(&outcome, Err(e) if e.database().is_some_and(|db| db.is_unique_violation()))
            {
                for append in batch {
                    let result =
                        match Self::append_batch(&writer, std::slice::from_ref(&append)).await {
                            Ok(mut results) => results
                                .pop()
                                .unwrap_or(Err(StoreError::commit_failed("empty batch"))),
                            Err(e) => Err(StoreError::commit_failed(e)),
                        };
                    let _ = append.reply.send(result);
                }
                continue;
            }
            match outcome {
                Ok(results) => {
                    for (append, result) in batch.into_iter().zip(results) {
                        let _ = append.reply.send(result);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, size = batch.len(), "group commit failed");
                    for append in batch {
                        let _ = append.reply.send(Err(StoreError::commit_failed(&e)));
                    }
                }
            }
        }
    }

    /// Stores a batch in one transaction with four statements whatever its
    /// size (five if some disappear): each statement is a round trip to sqlx's SQLite thread, and those
    /// round trips, not SQLite, were most of a send's cost. The outer error
    /// aborts the whole batch; an inner one (not a member) refuses that send.
    pub(super) async fn append_batch(
        writer: &Pool<DB>,
        batch: &[Append],
    ) -> Result<Vec<Result<Appended>>> {
        let mut tx = writer.begin().await?;

        // 1. Who may send where, under which name, and (in slow mode)
        // when they last did.
        let mut q = Statement::<DB>::new(
            "SELECT m.chat_id, m.user_id, m.role, m.rights, c.kind, c.broadcast, c.signatures, c.salt, c.slow_mode_s, c.ttl_s,
                    CASE WHEN c.broadcast = 1 AND c.signatures = 0 THEN c.name ELSE u.name END AS sender_name,
                    CASE WHEN c.slow_mode_s > 0
                         THEN (SELECT MAX(x.at) FROM messages x WHERE x.chat_id = m.chat_id AND x.sender_id = m.user_id AND x.act IS NULL) END AS last_at,
                    CASE WHEN c.kind = 'direct'
                         THEN (SELECT COUNT(*) FROM members o JOIN blocks b
                                 ON (b.user_id = o.user_id AND b.blocked_id = m.user_id) OR (b.user_id = m.user_id AND b.blocked_id = o.user_id)
                                WHERE o.chat_id = m.chat_id AND o.user_id <> m.user_id)
                         ELSE 0 END AS blocks
               FROM members m JOIN users u ON u.id = m.user_id JOIN chats c ON c.id = m.chat_id
              WHERE (m.chat_id, m.user_id) IN (",
        );
        q.values(batch, |a| vec![a.chat.0.into(), a.sender.0.into()]);
        q.push(")");
        struct Sender {
            name: String,
            may_post: bool,
            /// Slow mode's least gap between posts, in ms (`policy::slow_mode_ms`).
            gap_ms: i64,
            /// Disappearing messages' lifetime in ms; 0 is off.
            ttl_ms: i64,
            last_at: Option<i64>,
            /// In a 1:1: one of the two blocked the other.
            blocked: bool,
            /// In a channel without signatures: the id its posts show.
            alias: Option<UserId>,
        }
        let mut senders: HashMap<(i64, i64), Sender> = HashMap::new();
        for row in q.query().fetch_all(&mut *tx).await? {
            let (role, granted) = Self::standing(&row)?;
            let slow_s = u32::try_from(row.try_get::<i64, _>("slow_mode_s")?).unwrap_or(u32::MAX);
            let sender = Sender {
                name: row.try_get("sender_name")?,
                may_post: policy::rights(Self::chat_kind(&row)?, role, granted).post,
                gap_ms: policy::slow_mode_ms(role, slow_s),
                ttl_ms: row.try_get::<i64, _>("ttl_s")? * 1000,
                last_at: row.try_get("last_at")?,
                blocked: row.try_get::<i64, _>("blocks")? > 0,
                alias: if veiled(
                    row.try_get::<i64, _>("broadcast")? == 1,
                    row.try_get::<i64, _>("signatures")? == 1,
                    None,
                ) {
                    Some(alias(
                        &row.try_get::<String, _>("salt")?,
                        UserId(row.try_get("user_id")?),
                    ))
                } else {
                    None
                },
            };
            senders.insert((row.try_get("chat_id")?, row.try_get("user_id")?), sender);
        }

        // 2. Sends stored before under the same client id (idempotent resends).
        let mut q = Statement::<DB>::new(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE (m.chat_id, m.sender_id, m.client_id) IN ("
        ));
        q.values(batch, |a| {
            vec![a.chat.0.into(), a.sender.0.into(), a.id.as_str().into()]
        });
        q.push(")");
        let mut known: HashMap<(ChatId, UserId, ClientMsgId), Message> = HashMap::new();
        for row in q.query().fetch_all(&mut *tx).await? {
            let sender = UserId(row.try_get("sender_id")?);
            let m = Self::message_from(&row)?;
            known.insert((m.chat, sender, m.id.clone()), m);
        }

        // Decide each send: refused, a resend, or new (the first of its id in
        // this batch; later ones with that id answer with the same message).
        enum Plan {
            Refused(fn() -> StoreError),
            Known(Box<Message>),
            New(usize),
            SameAs(usize),
        }
        let mut fresh: Vec<&Append> = Vec::new();
        let mut first_of: HashMap<(ChatId, UserId, &ClientMsgId), usize> = HashMap::new();
        let mut per_chat: HashMap<i64, i64> = HashMap::new();
        let plans: Vec<Plan> = batch
            .iter()
            .map(|a| {
                let Some(sender) = senders.get_mut(&(a.chat.0, a.sender.0)) else {
                    return Plan::Refused(|| StoreError::NotMember);
                };
                if let Some(m) = known.get(&(a.chat, a.sender, a.id.clone())) {
                    Plan::Known(Box::new(m.clone()))
                } else if let Some(&i) = first_of.get(&(a.chat, a.sender, &a.id)) {
                    Plan::SameAs(i)
                } else if !sender.may_post {
                    Plan::Refused(|| StoreError::NotAllowed)
                } else if sender.blocked {
                    Plan::Refused(|| StoreError::Blocked)
                } else if !policy::slow_mode_allows(sender.gap_ms, sender.last_at, a.at) {
                    Plan::Refused(|| StoreError::SlowMode)
                } else {
                    // A second send in this batch waits like one after a commit.
                    sender.last_at = Some(a.at);
                    first_of.insert((a.chat, a.sender, &a.id), fresh.len());
                    *per_chat.entry(a.chat.0).or_default() += 1;
                    fresh.push(a);
                    Plan::New(fresh.len() - 1)
                }
            })
            .collect();

        let mut stored: Vec<Message> = Vec::with_capacity(fresh.len());
        // The ids the stored messages show (an alias in a channel).
        let mut shown_as: Vec<UserId> = Vec::with_capacity(fresh.len());
        if !fresh.is_empty() {
            // 3. Reserve each chat's next sequences, gap-free, in one statement.
            let mut q =
                Statement::<DB>::new("UPDATE chats SET last_seq = last_seq + v.column2 FROM (");
            q.values(&per_chat, |(chat, n)| vec![(*chat).into(), (*n).into()]);
            q.push(") AS v WHERE chats.id = v.column1 RETURNING chats.id, chats.last_seq");
            let mut next: HashMap<i64, i64> = HashMap::new();
            for row in q.query().fetch_all(&mut *tx).await? {
                let (chat, last): (i64, i64) = (row.try_get("id")?, row.try_get("last_seq")?);
                next.insert(chat, last - per_chat.get(&chat).copied().unwrap_or(0) + 1);
            }
            for a in &fresh {
                let seq = next.entry(a.chat.0).or_default();
                let sender = senders.get(&(a.chat.0, a.sender.0));
                let sender_name = sender.map(|s| s.name.clone()).unwrap_or_default();
                let expires_at = sender.filter(|s| s.ttl_ms > 0).map(|s| a.at + s.ttl_ms);
                shown_as.push(sender.and_then(|s| s.alias).unwrap_or(a.sender));
                stored.push(Message {
                    chat: a.chat,
                    seq: Seq(*seq),
                    id: a.id.clone(),
                    sender: a.sender,
                    sender_name,
                    content: Some(a.content.clone()),
                    at: a.at,
                    reply_to: a.reply_to,
                    act: None,
                    forwarded_from: a.forwarded_from.clone(),
                    expires_at,
                });
                *seq += 1;
            }
            // 4. Store them all.
            let mut q = Statement::<DB>::new(
                "INSERT INTO messages (chat_id, seq, sender_id, client_id, text, content, at, reply_to, forwarded_from, folded, expires_at, veiled) ",
            );
            let columns = stored
                .iter()
                .map(|m| m.content.as_ref().map_or(Ok(None), content_column))
                .collect::<Result<Vec<_>>>()?;
            q.values(
                stored.iter().zip(&shown_as).zip(columns),
                |((m, shown), column)| {
                    vec![
                        m.chat.0.into(),
                        m.seq.0.into(),
                        m.sender.0.into(),
                        m.id.as_str().into(),
                        m.text().into(),
                        column.into(),
                        m.at.into(),
                        m.reply_to.map(|r| r.0).into(),
                        m.forwarded_from.clone().into(),
                        m.text().to_lowercase().into(),
                        m.expires_at.into(),
                        i64::from(*shown != m.sender).into(),
                    ]
                },
            );
            q.query().execute(&mut *tx).await?;
            media::carry::<DB>(&mut tx, &stored).await?;

            // 5. Their disappearing timers, if the chat has one.
            let timers = stored
                .iter()
                .filter_map(|m| {
                    let expiry = Expiry {
                        chat: m.chat,
                        seq: m.seq,
                    };
                    Some(NewJob::of(&expiry, m.expires_at?))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::corrupt(e))?;
            if !timers.is_empty() {
                jobs::insert::<DB>(&timers)
                    .query()
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;

        Ok(plans
            .into_iter()
            .map(|plan| match plan {
                Plan::Refused(why) => Err(why()),
                Plan::Known(message) => Ok(Appended {
                    message: *message,
                    fresh: false,
                }),
                Plan::New(i) => Ok(Appended {
                    message: Message {
                        sender: shown_as[i],
                        ..stored[i].clone()
                    },
                    fresh: true,
                }),
                Plan::SameAs(i) => Ok(Appended {
                    message: Message {
                        sender: shown_as[i],
                        ..stored[i].clone()
                    },
                    fresh: false,
                }),
            })
            .collect())
    }
}
