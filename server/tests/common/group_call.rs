//! Joining a group's call with str0m participants standing in for
//! browsers, and waiting for what the server tells about it.

use std::time::{Duration, Instant};

use courier_protocol::{ChatId, ClientFrame, ErrorCode, GroupCall, GroupStep, LegId, ServerFrame};
use courier_sfu::Source;
use courier_sfu::participant::{Camera, Participant};

use super::Socket;

pub fn leg(id: &str) -> LegId {
    LegId(id.into())
}

pub fn join(chat: ChatId, tab: &str, sdp: String) -> ClientFrame {
    ClientFrame::GroupCall {
        chat,
        step: GroupStep::Join { leg: leg(tab), sdp },
    }
}

impl Socket {
    /// Waits for the SFU's answer to `tab`'s join, or its refusal.
    pub async fn group_answer(&mut self, chat: ChatId, tab: &str) -> Result<String, ErrorCode> {
        loop {
            match self.next().await {
                ServerFrame::GroupAnswer { chat: c, leg, sdp } if c == chat && leg.0 == tab => {
                    return Ok(sdp);
                }
                ServerFrame::Error {
                    code,
                    chat: Some(c),
                    ..
                } if c == chat => return Err(code),
                _ => {}
            }
        }
    }

    /// Waits until `chat`'s call, as told, is one `wanted`.
    pub async fn group_call_where(
        &mut self,
        chat: ChatId,
        wanted: impl Fn(&Option<GroupCall>) -> bool,
    ) -> Option<GroupCall> {
        loop {
            if let ServerFrame::GroupCall { chat: c, call } = self.next().await
                && c == chat
                && wanted(&call)
            {
                return call;
            }
        }
    }
}

/// Joins `person`'s `tab` to `chat`'s call with a str0m participant.
pub async fn join_with(socket: &mut Socket, chat: ChatId, tab: &str) -> Participant {
    let (mut participant, offer) = Participant::new(Camera::Off, true).unwrap();
    socket.send(&join(chat, tab, offer)).await;
    let answer = socket.group_answer(chat, tab).await.unwrap();
    participant.answered(&answer).unwrap();
    participant
}

pub async fn hear_each_other(a: &mut Participant, a_peer: &str, b: &mut Participant, b_peer: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while a.got(b_peer, Source::Microphone) < 10 || b.got(a_peer, Source::Microphone) < 10 {
        assert!(Instant::now() < deadline, "no voices through the SFU");
        a.turn().unwrap();
        b.turn().unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

pub fn people(call: &Option<GroupCall>) -> usize {
    call.as_ref().map_or(0, |c| c.people.len())
}
