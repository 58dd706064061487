//! Chat folders of the user's own making: named filters over their chats,
//! kept on the server so every device of theirs shows the same ones.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{FOLDER_CHATS_MAX, FOLDER_NAME_MAX, FOLDERS_MAX, check_name};
use crate::model::chat::ChatKind;
use crate::model::ids::ChatId;

/// A folder shows the chats of the kinds it takes plus the chats it names,
/// never those it leaves out; archived chats only if named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub name: String,
    #[serde(default)]
    pub personal: bool,
    #[serde(default)]
    pub groups: bool,
    #[serde(default)]
    pub channels: bool,
    /// Chats shown whatever their kind or state.
    #[serde(default)]
    pub chats: Vec<ChatId>,
    /// Chats never shown.
    #[serde(default)]
    pub excluded: Vec<ChatId>,
    /// Leave out muted chats that are not named.
    #[serde(default)]
    pub skip_muted: bool,
    /// Leave out read chats that are not named.
    #[serde(default)]
    pub skip_read: bool,
}

/// What a folder needs to know of a chat to decide.
pub struct Candidate {
    pub id: ChatId,
    pub kind: ChatKind,
    pub muted: bool,
    pub archived: bool,
    pub unread: bool,
}

impl Folder {
    pub fn holds(&self, chat: &Candidate) -> bool {
        if self.excluded.contains(&chat.id) {
            return false;
        }
        if self.chats.contains(&chat.id) {
            return true;
        }
        let kind = match chat.kind {
            ChatKind::Direct => self.personal,
            ChatKind::Group => self.groups,
            ChatKind::Channel => self.channels,
        };
        let skipped =
            chat.archived || (self.skip_muted && chat.muted) || (self.skip_read && !chat.unread);
        kind && !skipped
    }

    pub fn validate(&self) -> Result<(), ErrorCode> {
        check_name(&self.name, FOLDER_NAME_MAX)?;
        if self.chats.len() + self.excluded.len() > FOLDER_CHATS_MAX {
            return Err(ErrorCode::TooMany);
        }
        Ok(())
    }
}

/// Every folder of a user, in the order they show.
pub fn validate_all(folders: &[Folder]) -> Result<(), ErrorCode> {
    if folders.len() > FOLDERS_MAX {
        return Err(ErrorCode::TooMany);
    }
    folders.iter().try_for_each(Folder::validate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(id: i64, kind: ChatKind) -> Candidate {
        Candidate {
            id: ChatId(id),
            kind,
            muted: false,
            archived: false,
            unread: true,
        }
    }

    #[test]
    fn kinds_named_chats_and_exclusions_decide() {
        let work = Folder {
            name: "Work".into(),
            groups: true,
            chats: vec![ChatId(1)],
            excluded: vec![ChatId(3)],
            skip_read: true,
            ..Folder::default()
        };
        let named = Candidate {
            unread: false,
            archived: true,
            ..chat(1, ChatKind::Direct)
        };
        assert!(
            work.holds(&named),
            "a named chat shows even read and archived"
        );
        assert!(work.holds(&chat(2, ChatKind::Group)));
        assert!(!work.holds(&chat(3, ChatKind::Group)), "left out");
        assert!(!work.holds(&chat(4, ChatKind::Channel)), "kind not taken");
        let read = Candidate {
            unread: false,
            ..chat(5, ChatKind::Group)
        };
        assert!(!work.holds(&read), "read chats skipped");
        let archived = Candidate {
            archived: true,
            ..chat(6, ChatKind::Group)
        };
        assert!(!work.holds(&archived), "archived only when named");
    }

    #[test]
    fn names_and_sizes_are_bounded() {
        let ok = Folder {
            name: "Family".into(),
            ..Folder::default()
        };
        assert_eq!(validate_all(std::slice::from_ref(&ok)), Ok(()));
        let unnamed = Folder::default();
        assert_eq!(unnamed.validate(), Err(ErrorCode::BadName));
        let long = Folder {
            name: "x".repeat(FOLDER_NAME_MAX + 1),
            ..Folder::default()
        };
        assert_eq!(long.validate(), Err(ErrorCode::BadName));
        let crowded = Folder {
            chats: (0..FOLDER_CHATS_MAX as i64 + 1).map(ChatId).collect(),
            ..ok.clone()
        };
        assert_eq!(crowded.validate(), Err(ErrorCode::TooMany));
        assert_eq!(
            validate_all(&vec![ok; FOLDERS_MAX + 1]),
            Err(ErrorCode::TooMany)
        );
    }
}
