//! `meta`: the signed-in user and their chat folders.

use courier_protocol::UserInfo;
use courier_protocol::model::folder::Folder;
use indexed_db_futures::prelude::*;

use super::{FOLDERS_KEY, META, Result, Store};

impl Store {
    pub async fn save_me(&self, me: &UserInfo) -> Result<()> {
        let tx = self.tx(&[META], true)?;
        tx.object_store(META)?
            .put(me)
            .with_key("me".to_string())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    pub async fn save_folders(&self, folders: &[Folder]) -> Result<()> {
        let tx = self.tx(&[META], true)?;
        tx.object_store(META)?
            .put(folders)
            .with_key(FOLDERS_KEY.to_string())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    /// The user's folders as last told by the server (none before that).
    pub async fn folders(&self) -> Result<Vec<Folder>> {
        let tx = self.tx(&[META], false)?;
        let folders: Option<Vec<Folder>> = tx
            .object_store(META)?
            .get(FOLDERS_KEY.to_string())
            .serde()?
            .await?;
        Ok(folders.unwrap_or_default())
    }
}
