//! The user's own chat folders.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};

use crate::model::folder::Folder;

/// `GET`/`PUT /api/me/folders`: all of the user's folders, in order; a
/// `PUT` replaces them (at most `FOLDERS_MAX`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folders {
    pub folders: Vec<Folder>,
}

pub const FOLDERS: Endpoint<(), Folders> = Endpoint::new(Method::Get, "/api/me/folders");
pub const SET_FOLDERS: Endpoint<Folders, ()> = Endpoint::new(Method::Put, "/api/me/folders");
