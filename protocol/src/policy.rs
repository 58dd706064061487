//! Who may do what in a chat, and who sees what: written once, asked by the
//! server inside the transaction that acts and by the app to decide what
//! to offer (so it never offers what would be refused).

use crate::model::act::Act;
use crate::model::chat::{ChatKind, ChatSettings, ChatSummary};
use crate::model::role::{Rights, Role};

/// Groups of more members than this keep their readers private, like channels.
pub const SEEN_BY_MAX_MEMBERS: u32 = 100;

/// Someone's place in one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub kind: ChatKind,
    pub role: Role,
    /// What they may do ([`rights`]).
    pub rights: Rights,
}

impl Standing {
    /// The standing of someone with `role` (and, for an admin, the rights
    /// `granted` them) in a chat of `kind`.
    pub fn new(kind: ChatKind, role: Role, granted: Rights) -> Standing {
        Standing {
            kind,
            role,
            rights: rights(kind, role, granted),
        }
    }
}

impl Standing {
    /// The viewer's standing in a chat of their list.
    pub fn of(chat: &ChatSummary) -> Standing {
        Standing {
            kind: chat.kind,
            role: chat.role,
            rights: chat.rights,
        }
    }
}

/// What someone with `role` (and, for an admin, `granted`) may do in a
/// chat of `kind`: the owner everything, an admin what was granted, a
/// member of a group or 1:1 only post, a channel's subscriber nothing.
pub fn rights(kind: ChatKind, role: Role, granted: Rights) -> Rights {
    match (role, kind) {
        (Role::Owner, _) => Rights::ALL,
        (Role::Admin, _) => granted,
        (Role::Member, ChatKind::Channel) => Rights::NONE,
        (Role::Member, _) => Rights {
            post: true,
            ..Rights::NONE
        },
    }
}

/// Whether `act` may be done on a message; `own` when its author is the
/// one acting. Only the author edits; the author or the `delete` right
/// deletes for everyone; anyone reacts; the `pin` right, or either person
/// of a 1:1, pins.
pub fn may_act(who: &Standing, act: &Act, own: bool) -> bool {
    match act {
        Act::Edit { .. } => own,
        Act::Delete { .. } => own || who.rights.delete,
        Act::React { .. } => true,
        Act::Pin { .. } => may_pin(who),
    }
}

/// Whether someone may start a call in a chat: either person of a 1:1.
/// (Group calls come with the SFU.)
pub fn may_call(who: &Standing) -> bool {
    who.kind == ChatKind::Direct
}

/// Whether a member may start or join their chat's group call: in a
/// group, any member.
pub fn may_join_group_call(who: &Standing) -> bool {
    who.kind == ChatKind::Group
}

pub fn may_pin(who: &Standing) -> bool {
    who.rights.pin || who.kind == ChatKind::Direct
}

/// Slow mode: the least time between two posts of someone with `role`, in
/// ms, in a chat whose slow mode is `slow_mode_s` (0: off). Only members
/// are slowed; admins and the owner are not.
pub fn slow_mode_ms(role: Role, slow_mode_s: u32) -> i64 {
    if role == Role::Member {
        i64::from(slow_mode_s) * 1000
    } else {
        0
    }
}

/// Whether someone slowed by `gap_ms` ([`slow_mode_ms`]) whose last post
/// was at `last_at` may post at `now` (both ms).
pub fn slow_mode_allows(gap_ms: i64, last_at: Option<i64>, now: i64) -> bool {
    last_at.is_none_or(|at| now - at >= gap_ms)
}

/// Whether typing shows to others: only where one may post, never in a
/// channel (its readers stay unseen).
pub fn may_type(who: &Standing) -> bool {
    who.kind != ChatKind::Channel && who.rights.post
}

/// Whether `actor` may remove or ban someone whose role is `target` (none
/// for someone no longer a member): the `ban` right, and only the owner
/// takes out an admin.
pub fn may_remove(actor: &Standing, target: Option<Role>) -> bool {
    actor.rights.ban && (target != Some(Role::Admin) || actor.role == Role::Owner)
}

/// Whether `who` may change a chat's settings this way: in a 1:1 either
/// person sets the disappearing timer and nothing else; elsewhere the
/// `edit_info` right changes any.
pub fn may_change(who: &Standing, settings: &ChatSettings) -> bool {
    match who.kind {
        ChatKind::Direct => {
            *settings
                == ChatSettings {
                    ttl_s: settings.ttl_s,
                    ..ChatSettings::default()
                }
        }
        ChatKind::Group | ChatKind::Channel => who.rights.edit_info,
    }
}

/// Whether `who` may leave: not a 1:1 (there is nothing to leave), and not
/// the owner, who stays.
pub fn may_leave(who: &Standing) -> bool {
    who.kind != ChatKind::Direct && who.role != Role::Owner
}

/// Whether the chat's main invite link is shown to `who`: every member of
/// a group or 1:1, but in a channel only admins with the `invite` right.
pub fn sees_invite(who: &Standing) -> bool {
    who.kind != ChatKind::Channel || who.rights.invite
}

/// Whether `who` may list the chat's members: everyone but a channel's
/// subscribers (its list is for its admins, as in Telegram).
pub fn sees_members(who: &Standing) -> bool {
    who.kind != ChatKind::Channel || who.role != Role::Member
}

/// Whether members see each other's reads and deliveries: not in a
/// channel, nor in a group of more than [`SEEN_BY_MAX_MEMBERS`].
pub fn shares_reads(kind: ChatKind, members: u32) -> bool {
    kind != ChatKind::Channel && members <= SEEN_BY_MAX_MEMBERS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::Seq;

    fn standing(kind: ChatKind, role: Role, granted: Rights) -> Standing {
        Standing::new(kind, role, granted)
    }

    #[test]
    fn slow_mode_slows_members_only() {
        assert_eq!(slow_mode_ms(Role::Member, 30), 30_000);
        assert_eq!(slow_mode_ms(Role::Admin, 30), 0);
        assert_eq!(slow_mode_ms(Role::Owner, 30), 0);
        assert!(slow_mode_allows(30_000, None, 1_000));
        assert!(!slow_mode_allows(30_000, Some(1_000), 30_999));
        assert!(slow_mode_allows(30_000, Some(1_000), 31_000));
        assert!(slow_mode_allows(0, Some(1_000), 1_000));
    }

    #[test]
    fn members_of_a_channel_cannot_post() {
        assert!(!rights(ChatKind::Channel, Role::Member, Rights::ALL).post);
        assert!(rights(ChatKind::Group, Role::Member, Rights::NONE).post);
        assert!(rights(ChatKind::Channel, Role::Owner, Rights::NONE).post);
        assert!(!rights(ChatKind::Group, Role::Admin, Rights::NONE).post);
    }

    #[test]
    fn only_the_author_edits_and_the_delete_right_deletes_others() {
        let member = standing(ChatKind::Group, Role::Member, Rights::NONE);
        let edit = Act::Edit {
            target: Seq(1),
            text: "x".into(),
        };
        let delete = Act::Delete { target: Seq(1) };
        assert!(may_act(&member, &edit, true));
        assert!(!may_act(&member, &edit, false));
        assert!(!may_act(&member, &delete, false));
        let owner = standing(ChatKind::Group, Role::Owner, Rights::NONE);
        assert!(!may_act(&owner, &edit, false));
        assert!(may_act(&owner, &delete, false));
    }

    #[test]
    fn either_person_of_a_direct_chat_pins_and_sets_only_the_timer() {
        let direct = standing(ChatKind::Direct, Role::Member, Rights::NONE);
        assert!(may_pin(&direct));
        assert!(!may_pin(&standing(
            ChatKind::Group,
            Role::Member,
            Rights::NONE
        )));
        let timer = ChatSettings {
            ttl_s: Some(60),
            ..ChatSettings::default()
        };
        assert!(may_change(&direct, &timer));
        let rename = ChatSettings {
            name: Some("x".into()),
            ..timer
        };
        assert!(!may_change(&direct, &rename));
    }

    #[test]
    fn only_the_owner_removes_an_admin() {
        let admin = Rights {
            ban: true,
            ..Rights::NONE
        };
        let by_admin = standing(ChatKind::Group, Role::Admin, admin);
        assert!(may_remove(&by_admin, Some(Role::Member)));
        assert!(!may_remove(&by_admin, Some(Role::Admin)));
        let owner = standing(ChatKind::Group, Role::Owner, Rights::NONE);
        assert!(may_remove(&owner, Some(Role::Admin)));
        let member = standing(ChatKind::Group, Role::Member, Rights::NONE);
        assert!(!may_remove(&member, Some(Role::Member)));
    }

    #[test]
    fn readers_of_channels_and_big_groups_stay_private() {
        assert!(shares_reads(ChatKind::Group, SEEN_BY_MAX_MEMBERS));
        assert!(!shares_reads(ChatKind::Group, SEEN_BY_MAX_MEMBERS + 1));
        assert!(!shares_reads(ChatKind::Channel, 2));
        assert!(!may_type(&standing(
            ChatKind::Channel,
            Role::Owner,
            Rights::NONE
        )));
    }
}
