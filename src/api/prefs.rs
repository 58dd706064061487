//! One's own settings kept by the server: chat folders.

use courier_protocol::http::prefs::{Folders, SET_FOLDERS};
use courier_protocol::model::folder::Folder;

use super::{ApiFail, call};
use crate::store::Store;

/// Replaces one's folders, and keeps them on this device at once (the
/// socket's `folders` frame follows).
pub async fn set_folders(store: Option<Store>, folders: Vec<Folder>) -> Result<(), ApiFail> {
    let body = Folders { folders };
    call(&SET_FOLDERS, &[], "", &body).await?;
    if let Some(store) = store {
        let _ = store.save_folders(&body.folders).await;
    }
    Ok(())
}
