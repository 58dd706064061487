//! The SQL that SQLite and PostgreSQL share, written once.
//!
//! Both engines accept `$1`-style parameters, `ON CONFLICT DO NOTHING`,
//! `RETURNING`, row values and `UPDATE … FROM (VALUES …)`, so one text
//! serves both. [`sql_store!`] expands it into a backend's module, where
//! `$store` has three fields: `writer` (the pool writes go through),
//! `reader` (the pool reads use) and `appends` (the group committer's queue).

macro_rules! sql_store {
    ($store:ident, $db:ty) => {
        fn kind_str(kind: UserKind) -> &'static str {
            match kind {
                UserKind::Account => "account",
                UserKind::Guest => "guest",
            }
        }

        fn user_from(row: &<$db as sqlx::Database>::Row) -> Result<UserInfo> {
            let kind: String = row.try_get("kind")?;
            Ok(UserInfo {
                id: UserId(row.try_get("id")?),
                name: row.try_get("name")?,
                username: row.try_get("username")?,
                kind: if kind == "guest" { UserKind::Guest } else { UserKind::Account },
            })
        }

        fn message_from(row: &<$db as sqlx::Database>::Row) -> Result<Message> {
            Ok(Message {
                chat: ChatId(row.try_get("chat_id")?),
                seq: Seq(row.try_get("seq")?),
                id: ClientMsgId(row.try_get("client_id")?),
                sender: UserId(row.try_get("sender_id")?),
                sender_name: row.try_get("sender_name")?,
                text: row.try_get("text")?,
                at: row.try_get("at")?,
            })
        }

        const MESSAGE_COLUMNS: &str =
            "m.chat_id, m.seq, m.client_id, m.sender_id, u.name AS sender_name, m.text, m.at";

        /// A chat as one member (`$1`) sees it, with its newest message.
        const SUMMARY_QUERY: &str = "
            SELECT c.id, c.kind, c.name, c.invite, c.last_seq, c.member_count,
                   (SELECT u.name FROM members o JOIN users u ON u.id = o.user_id
                     WHERE o.chat_id = c.id AND o.user_id <> $1 LIMIT 1) AS other_name,
                   (SELECT u.name FROM users u WHERE u.id = $1) AS own_name,
                   m.chat_id, m.seq, m.client_id, m.sender_id, u.name AS sender_name, m.text, m.at
              FROM members me
              JOIN chats c ON c.id = me.chat_id
              LEFT JOIN messages m ON m.chat_id = c.id AND m.seq = c.last_seq
              LEFT JOIN users u ON u.id = m.sender_id
             WHERE me.user_id = $1";

        fn summary_from(row: &<$db as sqlx::Database>::Row) -> Result<ChatSummary> {
            let kind: String = row.try_get("kind")?;
            let kind = if kind == "direct" { ChatKind::Direct } else { ChatKind::Group };
            let title: Option<String> = match kind {
                ChatKind::Group => row.try_get("name")?,
                // A direct chat with oneself ("saved messages") has no other member.
                ChatKind::Direct => row.try_get::<Option<String>, _>("other_name")?.or(row.try_get("own_name")?),
            };
            let has_last: Option<i64> = row.try_get("seq")?;
            Ok(ChatSummary {
                id: ChatId(row.try_get("id")?),
                kind,
                title: title.unwrap_or_default(),
                invite: row.try_get("invite")?,
                member_count: row.try_get::<i64, _>("member_count")?.try_into().unwrap_or(u32::MAX),
                last_seq: Seq(row.try_get("last_seq")?),
                last: if has_last.is_some() { Some(message_from(row)?) } else { None },
            })
        }

        #[async_trait]
        impl Store for $store {
            async fn create_user(&self, user: NewUser<'_>) -> Result<UserInfo> {
                let row = sqlx::query(
                    "INSERT INTO users (username, name, password_hash, kind, created_at) VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, username, name, kind",
                )
                .bind(user.username)
                .bind(user.name)
                .bind(user.password_hash)
                .bind(kind_str(user.kind))
                .bind(user.now)
                .fetch_one(&self.writer)
                .await
                .map_err(unique_is_taken)?;
                user_from(&row)
            }

            async fn credentials(&self, username: &str) -> Result<Option<(UserInfo, String)>> {
                let row = sqlx::query(
                    "SELECT id, username, name, kind, password_hash FROM users
                      WHERE username = $1 AND password_hash IS NOT NULL",
                )
                .bind(username)
                .fetch_optional(&self.reader)
                .await?;
                row.map(|row| Ok((user_from(&row)?, row.try_get("password_hash")?))).transpose()
            }

            async fn claim_account(&self, user: UserId, username: &str, password_hash: &str) -> Result<UserInfo> {
                let row = sqlx::query(
                    "UPDATE users SET username = $1, password_hash = $2, kind = 'account'
                      WHERE id = $3 AND kind = 'guest' RETURNING id, username, name, kind",
                )
                .bind(username)
                .bind(password_hash)
                .bind(user.0)
                .fetch_optional(&self.writer)
                .await
                .map_err(unique_is_taken)?;
                user_from(&row.ok_or(StoreError::NotGuest)?)
            }

            async fn create_session(&self, token_hash: &[u8], user: UserId, now: i64, expires_at: i64) -> Result<()> {
                let mut tx = self.writer.begin().await?;
                // Sweep this user's expired sessions, so the table does not grow.
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
                    .bind(user.0)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(user.0)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<UserInfo>> {
                let row = sqlx::query(
                    "SELECT u.id, u.username, u.name, u.kind FROM sessions s JOIN users u ON u.id = s.user_id
                      WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.reader)
                .await?;
                row.as_ref().map(user_from).transpose()
            }

            async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.writer).await?;
                Ok(())
            }

            async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId> {
                let mut tx = self.writer.begin().await?;
                let kind = match chat.kind {
                    ChatKind::Direct => "direct",
                    ChatKind::Group => "group",
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO chats (kind, name, invite, direct_key, member_count, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(kind)
                .bind(chat.name)
                .bind(chat.invite)
                .bind(chat.direct_key)
                .bind(chat.members.len() as i64)
                .bind(chat.now)
                .fetch_one(&mut *tx)
                .await?;
                for user in chat.members {
                    sqlx::query("INSERT INTO members (chat_id, user_id, joined_at) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(user.0)
                        .bind(chat.now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(ChatId(id))
            }

            async fn direct_chat(&self, direct_key: &str) -> Result<Option<ChatId>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM chats WHERE direct_key = $1")
                    .bind(direct_key)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(id.map(ChatId))
            }

            async fn chat_by_invite(&self, invite: &str) -> Result<Option<InviteTarget>> {
                // Only groups are joined by invite: a direct chat is for its two people.
                let row = sqlx::query("SELECT id, name, member_count FROM chats WHERE invite = $1 AND kind = 'group'")
                    .bind(invite)
                    .fetch_optional(&self.reader)
                    .await?;
                row.map(|row| {
                    Ok(InviteTarget {
                        chat: ChatId(row.try_get("id")?),
                        name: row.try_get("name")?,
                        member_count: row.try_get::<i64, _>("member_count")?.try_into().unwrap_or(u32::MAX),
                    })
                })
                .transpose()
            }

            async fn add_member(&self, chat: ChatId, user: UserId, now: i64) -> Result<bool> {
                let mut tx = self.writer.begin().await?;
                let added = sqlx::query("INSERT INTO members (chat_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(chat.0)
                    .bind(user.0)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
                if added {
                    sqlx::query("UPDATE chats SET member_count = member_count + 1 WHERE id = $1")
                        .bind(chat.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn is_member(&self, chat: ChatId, user: UserId) -> Result<bool> {
                let found: Option<i64> = sqlx::query_scalar("SELECT user_id FROM members WHERE chat_id = $1 AND user_id = $2")
                    .bind(chat.0)
                    .bind(user.0)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(found.is_some())
            }

            async fn members(&self, chat: ChatId) -> Result<Vec<UserInfo>> {
                let rows = sqlx::query(
                    "SELECT u.id, u.username, u.name, u.kind FROM members m JOIN users u ON u.id = m.user_id
                      WHERE m.chat_id = $1 ORDER BY m.joined_at, u.id",
                )
                .bind(chat.0)
                .fetch_all(&self.reader)
                .await?;
                rows.iter().map(user_from).collect()
            }

            async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>> {
                let row = sqlx::query("SELECT id, username, name, kind FROM users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&self.reader)
                    .await?;
                row.as_ref().map(user_from).transpose()
            }

            async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>> {
                let row = sqlx::query(&format!("{SUMMARY_QUERY} AND c.id = $2"))
                    .bind(viewer.0)
                    .bind(chat.0)
                    .fetch_optional(&self.reader)
                    .await?;
                row.as_ref().map(summary_from).transpose()
            }

            async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>> {
                let rows = sqlx::query(SUMMARY_QUERY).bind(user.0).fetch_all(&self.reader).await?;
                rows.iter().map(summary_from).collect()
            }

            async fn append_message(&self, chat: ChatId, sender: UserId, id: &ClientMsgId, text: &str, at: i64) -> Result<Appended> {
                let (reply, answer) = oneshot::channel();
                let append = Append { chat, sender, id: id.clone(), text: text.to_owned(), at, reply };
                self.appends.send(append).await.map_err(|_| StoreError::CommitFailed("store closed".into()))?;
                answer.await.map_err(|_| StoreError::CommitFailed("store closed".into()))?
            }

            async fn messages_after(&self, chat: ChatId, after: Seq, limit: usize) -> Result<Vec<Message>> {
                let rows = sqlx::query(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
                      WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
                ))
                .bind(chat.0)
                .bind(after.0)
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.reader)
                .await?;
                rows.iter().map(message_from).collect()
            }
        }

        /// Sends queued for the group committer before senders wait for room.
        const APPEND_QUEUE: usize = 4096;
        /// Most sends stored in one transaction.
        const MAX_BATCH: usize = 512;

        /// One send waiting for the next group commit.
        struct Append {
            chat: ChatId,
            sender: UserId,
            id: ClientMsgId,
            text: String,
            at: i64,
            reply: oneshot::Sender<Result<Appended>>,
        }

        /// Group commit: every send that queued while the previous transaction was
        /// syncing goes into the next one, so one fsync acknowledges many messages.
        /// Each answer is sent only after its transaction committed (ack = durable).
        async fn commit_appends(writer: sqlx::Pool<$db>, mut queue: mpsc::Receiver<Append>) {
            while let Some(first) = queue.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(append) => batch.push(append),
                        Err(_) => break,
                    }
                }
                match append_batch(&writer, &batch).await {
                    Ok(results) => {
                        for (append, result) in batch.into_iter().zip(results) {
                            let _ = append.reply.send(result);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, size = batch.len(), "group commit failed");
                        for append in batch {
                            let _ = append.reply.send(Err(StoreError::CommitFailed(e.to_string())));
                        }
                    }
                }
            }
        }

        /// Stores a batch in one transaction with four statements whatever its
        /// size: each statement is a round trip to sqlx's SQLite thread, and those
        /// round trips, not SQLite, were most of a send's cost. The outer error
        /// aborts the whole batch; an inner one (not a member) refuses that send.
        async fn append_batch(writer: &sqlx::Pool<$db>, batch: &[Append]) -> Result<Vec<Result<Appended>>> {
            let mut tx = writer.begin().await?;

            // 1. Who may send where, and under which name.
            let mut q = QueryBuilder::<$db>::new(
                "SELECT m.chat_id, m.user_id, u.name FROM members m JOIN users u ON u.id = m.user_id WHERE (m.chat_id, m.user_id) IN (",
            );
            q.push_values(batch, |mut row, a| {
                row.push_bind(a.chat.0).push_bind(a.sender.0);
            });
            q.push(")");
            let mut names: HashMap<(i64, i64), String> = HashMap::new();
            for row in q.build().fetch_all(&mut *tx).await? {
                names.insert((row.try_get("chat_id")?, row.try_get("user_id")?), row.try_get("name")?);
            }

            // 2. Sends stored before under the same client id (idempotent resends).
            let mut q = QueryBuilder::<$db>::new(format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE (m.chat_id, m.sender_id, m.client_id) IN ("
            ));
            q.push_values(batch, |mut row, a| {
                row.push_bind(a.chat.0).push_bind(a.sender.0).push_bind(a.id.as_str());
            });
            q.push(")");
            let mut known: HashMap<(ChatId, UserId, ClientMsgId), Message> = HashMap::new();
            for row in q.build().fetch_all(&mut *tx).await? {
                let m = message_from(&row)?;
                known.insert((m.chat, m.sender, m.id.clone()), m);
            }

            // Decide each send: refused, a resend, or new (the first of its id in
            // this batch; later ones with that id answer with the same message).
            enum Plan {
                Refused,
                Known(Message),
                New(usize),
                SameAs(usize),
            }
            let mut fresh: Vec<&Append> = Vec::new();
            let mut first_of: HashMap<(ChatId, UserId, &ClientMsgId), usize> = HashMap::new();
            let mut per_chat: HashMap<i64, i64> = HashMap::new();
            let plans: Vec<Plan> = batch
                .iter()
                .map(|a| {
                    if !names.contains_key(&(a.chat.0, a.sender.0)) {
                        Plan::Refused
                    } else if let Some(m) = known.get(&(a.chat, a.sender, a.id.clone())) {
                        Plan::Known(m.clone())
                    } else if let Some(&i) = first_of.get(&(a.chat, a.sender, &a.id)) {
                        Plan::SameAs(i)
                    } else {
                        first_of.insert((a.chat, a.sender, &a.id), fresh.len());
                        *per_chat.entry(a.chat.0).or_default() += 1;
                        fresh.push(a);
                        Plan::New(fresh.len() - 1)
                    }
                })
                .collect();

            let mut stored: Vec<Message> = Vec::with_capacity(fresh.len());
            if !fresh.is_empty() {
                // 3. Reserve each chat's next sequences, gap-free, in one statement.
                let mut q = QueryBuilder::<$db>::new("UPDATE chats SET last_seq = last_seq + v.column2 FROM (");
                q.push_values(&per_chat, |mut row, (chat, n)| {
                    row.push_bind(*chat).push_bind(*n);
                });
                q.push(") AS v WHERE chats.id = v.column1 RETURNING chats.id, chats.last_seq");
                let mut next: HashMap<i64, i64> = HashMap::new();
                for row in q.build().fetch_all(&mut *tx).await? {
                    let (chat, last): (i64, i64) = (row.try_get("id")?, row.try_get("last_seq")?);
                    next.insert(chat, last - per_chat.get(&chat).copied().unwrap_or(0) + 1);
                }
                for a in &fresh {
                    let seq = next.entry(a.chat.0).or_default();
                    let sender_name = names.get(&(a.chat.0, a.sender.0)).cloned().unwrap_or_default();
                    stored.push(Message { chat: a.chat, seq: Seq(*seq), id: a.id.clone(), sender: a.sender, sender_name, text: a.text.clone(), at: a.at });
                    *seq += 1;
                }
                // 4. Store them all.
                let mut q = QueryBuilder::<$db>::new("INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at) ");
                q.push_values(&stored, |mut row, m| {
                    row.push_bind(m.chat.0).push_bind(m.seq.0).push_bind(m.sender.0).push_bind(m.id.as_str()).push_bind(m.text.as_str()).push_bind(m.at);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;

            Ok(plans
                .into_iter()
                .map(|plan| match plan {
                    Plan::Refused => Err(StoreError::NotMember),
                    Plan::Known(message) => Ok(Appended { message, fresh: false }),
                    Plan::New(i) => Ok(Appended { message: stored[i].clone(), fresh: true }),
                    Plan::SameAs(i) => Ok(Appended { message: stored[i].clone(), fresh: false }),
                })
                .collect())
        }

        /// A UNIQUE violation on insert or update of a user means the username is taken.
        fn unique_is_taken(e: sqlx::Error) -> StoreError {
            match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::UsernameTaken,
                _ => StoreError::Db(e),
            }
        }
    };
}

pub(crate) use sql_store;
