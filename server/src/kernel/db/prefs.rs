//! One member's own view of their chats: folders, places in the list,
//! drafts.

use async_trait::async_trait;
use courier_protocol::model::folder::Folder;
use courier_protocol::{ChatId, Place, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type};

use super::sql::{Changed, SqlStore};
use super::statement::Placeholder;
use super::{Result, StoreError};

#[async_trait]
pub trait PrefStore: Send + Sync + 'static {
    /// The user's chat folders, in order.
    async fn folders(&self, user: UserId) -> Result<Vec<Folder>>;
    /// Replaces all of the user's folders.
    async fn set_folders(&self, user: UserId, folders: &[Folder]) -> Result<()>;
    /// Where a member keeps a chat in their list; `NotMember` if not in it.
    async fn set_place(&self, chat: ChatId, user: UserId, place: Place) -> Result<()>;
    /// Saves a member's draft of a chat; `NotMember` if they are not in it.
    async fn save_draft(&self, chat: ChatId, user: UserId, text: &str) -> Result<()>;
}

#[async_trait]
impl<DB> PrefStore for SqlStore<DB>
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
    async fn folders(&self, user: UserId) -> Result<Vec<Folder>> {
        let json: Option<String> = sqlx::query_scalar("SELECT folders FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.reader)
            .await?;
        json.map_or(Ok(Vec::new()), |json| {
            serde_json::from_str(&json).map_err(|e| StoreError::corrupt(e))
        })
    }

    async fn set_folders(&self, user: UserId, folders: &[Folder]) -> Result<()> {
        let json = serde_json::to_string(folders).map_err(|e| StoreError::corrupt(e))?;
        sqlx::query("UPDATE users SET folders = $2 WHERE id = $1")
            .bind(user.0)
            .bind(json)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn set_place(&self, chat: ChatId, user: UserId, place: Place) -> Result<()> {
        let set = sqlx::query("UPDATE members SET pinned = $3, muted = $4, archived = $5 WHERE chat_id = $1 AND user_id = $2")
            .bind(chat.0)
            .bind(user.0)
            .bind(i64::from(place.pinned))
            .bind(i64::from(place.muted))
            .bind(i64::from(place.archived))
            .execute(&self.writer)
            .await?;
        if set.rows_affected() == 0 {
            return Err(StoreError::NotMember);
        }
        Ok(())
    }

    async fn save_draft(&self, chat: ChatId, user: UserId, text: &str) -> Result<()> {
        let saved =
            sqlx::query("UPDATE members SET draft = $3 WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .bind(text)
                .execute(&self.writer)
                .await?;
        if saved.rows_affected() == 0 {
            return Err(StoreError::NotMember);
        }
        Ok(())
    }
}
