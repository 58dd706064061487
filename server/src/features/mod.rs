//! Each capability in a room of its own: its service, and (as it needs)
//! its routes and frames. Features depend on each other one way only:
//! accounts ← chats ← messaging ← media, and chats ← {moderation, prefs,
//! calls}.

pub mod accounts;
pub mod calls;
pub mod chats;
pub mod media;
pub mod messaging;
pub mod moderation;
pub mod prefs;
pub mod presence;

use std::sync::Arc;

use courier_sfu::Sfu;

use crate::kernel::Kernel;

/// Every feature, wired to one kernel.
pub struct Features {
    pub kernel: Arc<Kernel>,
    pub accounts: accounts::Accounts,
    pub calls: calls::Calls,
    pub group_calls: calls::GroupCalls,
    pub chats: chats::Chats,
    pub moderation: moderation::Moderation,
    pub messaging: messaging::Messaging,
    pub media: media::Media,
    pub presence: presence::Presence,
    pub prefs: prefs::Prefs,
}

impl Features {
    /// Every feature; `upload_quota` is the most bytes one user's files
    /// may take; `turn` the relay calls may use, if any; `sfu` carries
    /// groups' calls.
    pub fn new(
        kernel: Arc<Kernel>,
        upload_quota: u64,
        turn: Option<calls::Turn>,
        sfu: Arc<Sfu>,
    ) -> Features {
        let accounts = accounts::Accounts::new(Arc::clone(&kernel));
        let chats = chats::Chats::new(Arc::clone(&kernel), accounts.clone());
        Features {
            moderation: moderation::Moderation::new(Arc::clone(&kernel), chats.clone()),
            messaging: messaging::Messaging::new(Arc::clone(&kernel), chats.clone()),
            media: media::Media::new(Arc::clone(&kernel), upload_quota),
            presence: presence::Presence::new(Arc::clone(&kernel)),
            prefs: prefs::Prefs::new(Arc::clone(&kernel)),
            calls: calls::Calls::new(Arc::clone(&kernel), turn),
            group_calls: calls::GroupCalls::new(Arc::clone(&kernel), chats.clone(), sfu),
            accounts,
            chats,
            kernel,
        }
    }
}
