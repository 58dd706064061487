//! Calls: ringing, answering and ending a 1:1 call (its control, checked
//! against the call's stored row), passing media negotiation between its
//! two legs, the event each call leaves in its chat, and TURN credentials;
//! and groups' calls through the SFU.

mod group;
mod service;
mod turn;

pub use group::GroupCalls;
pub use service::Calls;
pub use turn::Turn;
