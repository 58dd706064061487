//! Who may do what in a chat: the owner, admins with a set of rights, and
//! members. The server decides; the app only hides what would be refused.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the chat; has every right and cannot be removed.
    Owner,
    /// Has the rights the owner gave them.
    Admin,
    #[default]
    Member,
}

/// An admin's rights. The owner has all of them; a member of a group may
/// post and share the chat's main invite link, a channel's subscriber
/// neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Rights {
    /// Post (in a channel only admins with it post).
    pub post: bool,
    /// Delete other people's messages.
    pub delete: bool,
    /// Remove and ban members.
    pub ban: bool,
    pub pin: bool,
    /// Make, list and revoke invite links; answer join requests.
    pub invite: bool,
    /// Change the name, @handle, slow mode and signatures.
    pub edit_info: bool,
}

impl Rights {
    pub const ALL: Rights = Rights {
        post: true,
        delete: true,
        ban: true,
        pin: true,
        invite: true,
        edit_info: true,
    };
    pub const NONE: Rights = Rights {
        post: false,
        delete: false,
        ban: false,
        pin: false,
        invite: false,
        edit_info: false,
    };

    /// Rights packed into the bits the database keeps.
    pub fn to_bits(self) -> i64 {
        [
            self.post,
            self.delete,
            self.ban,
            self.pin,
            self.invite,
            self.edit_info,
        ]
        .iter()
        .enumerate()
        .fold(0, |bits, (i, &on)| if on { bits | 1 << i } else { bits })
    }

    pub fn from_bits(bits: i64) -> Rights {
        let on = |i: u32| bits & (1 << i) != 0;
        Rights {
            post: on(0),
            delete: on(1),
            ban: on(2),
            pin: on(3),
            invite: on(4),
            edit_info: on(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        for bits in 0..64 {
            assert_eq!(Rights::from_bits(bits).to_bits(), bits);
        }
        assert_eq!(Rights::ALL.to_bits(), 63);
    }
}
