//! A group's call: who is in it (held by this node, whose SFU carries
//! its media), joining through the SFU, what each one shows, and its end
//! when the last one leaves, posted in the chat. Every step checks the
//! caller's membership through `policy`, and every change is told to the
//! group's sockets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use courier_protocol::limits::MAX_GROUP_CALL_PEOPLE;
use courier_protocol::{
    CallEnd, CallId, ChatId, ClientMsgId, Content, ErrorCode, GroupCall, GroupStep, LegId,
    Participant, ServerFrame, Showing, UserId, UserInfo, policy,
};
use courier_sfu::{Sfu, SfuEvent};

use crate::features::chats::Chats;
use crate::kernel::Kernel;
use crate::kernel::db::Post;
use crate::kernel::error::Result;

#[derive(Clone)]
pub struct GroupCalls {
    k: Arc<Kernel>,
    chats: Chats,
    sfu: Arc<Sfu>,
    calls: Arc<Mutex<HashMap<ChatId, Going>>>,
}

/// A call going on, and who started it (its event is theirs).
struct Going {
    call: GroupCall,
    starter: UserId,
}

impl GroupCalls {
    pub fn new(k: Arc<Kernel>, chats: Chats, sfu: Arc<Sfu>) -> GroupCalls {
        GroupCalls {
            k,
            chats,
            sfu,
            calls: Arc::default(),
        }
    }

    /// The call going on in `chat`, for a member.
    pub async fn current(&self, me: &UserInfo, chat: ChatId) -> Result<Option<GroupCall>> {
        self.chats.check_member(me.id, chat).await?;
        Ok(self.lock().get(&chat).map(|going| going.call.clone()))
    }

    /// Takes `me`'s step in `chat`'s call: a join gives the SFU's answer.
    pub async fn step(
        &self,
        me: &UserInfo,
        chat: ChatId,
        step: GroupStep,
    ) -> Result<Option<ServerFrame>> {
        step.validate()?;
        match step {
            GroupStep::Join { leg, sdp } => self.join(me, chat, leg, &sdp).await.map(Some),
            GroupStep::Show { leg, state } => {
                self.chats.check_member(me.id, chat).await?;
                let changed = {
                    let mut calls = self.lock();
                    let person = calls
                        .get_mut(&chat)
                        .and_then(|going| {
                            going
                                .call
                                .people
                                .iter_mut()
                                .find(|p| p.user == me.id && p.leg == leg)
                        })
                        .ok_or(ErrorCode::NoCall)?;
                    person.showing = state;
                    calls.get(&chat).map(|going| going.call.clone())
                };
                self.tell(chat, changed).await;
                Ok(None)
            }
            GroupStep::Leave { leg } => {
                self.leave(chat, &peer_name(me.id, &leg)).await;
                Ok(None)
            }
        }
    }

    async fn join(
        &self,
        me: &UserInfo,
        chat: ChatId,
        leg: LegId,
        sdp: &str,
    ) -> Result<ServerFrame> {
        let standing = self.chats.check_member(me.id, chat).await?;
        if !policy::may_join_group_call(&standing) {
            return Err(ErrorCode::NotAllowed);
        }
        let peer = peer_name(me.id, &leg);
        let now = self.k.now_ms();
        let room = {
            let mut calls = self.lock();
            let going = calls.entry(chat).or_insert_with(|| Going {
                call: GroupCall {
                    id: CallId(format!("g{}-{now}", chat.0)),
                    started_at: now,
                    people: Vec::new(),
                },
                starter: me.id,
            });
            let people = &going.call.people;
            if people.len() >= MAX_GROUP_CALL_PEOPLE && !people.iter().any(|p| p.peer == peer) {
                return Err(ErrorCode::CallFull);
            }
            going.call.id.0.clone()
        };
        let answer = match self.sfu.join(&room, &peer, sdp).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::debug!(error = %e, chat = chat.0, "a group call's offer");
                self.drop_if_empty(chat).await;
                return Err(ErrorCode::BadFrame);
            }
        };
        let changed = {
            let mut calls = self.lock();
            // The call may have ended while the SFU answered: start it again.
            let going = calls.entry(chat).or_insert_with(|| Going {
                call: GroupCall {
                    id: CallId(room.clone()),
                    started_at: now,
                    people: Vec::new(),
                },
                starter: me.id,
            });
            let person = Participant {
                user: me.id,
                name: me.name.clone(),
                leg: leg.clone(),
                peer: peer.clone(),
                showing: Showing::default(),
            };
            match going.call.people.iter_mut().find(|p| p.peer == peer) {
                Some(p) => p.showing = Showing::default(),
                None => going.call.people.push(person),
            }
            going.call.clone()
        };
        self.tell(chat, Some(changed)).await;
        Ok(ServerFrame::GroupAnswer {
            chat,
            leg,
            sdp: answer,
        })
    }

    /// What the SFU noticed: a tab whose media stopped leaves.
    pub async fn heard(&self, event: SfuEvent) {
        match event {
            SfuEvent::Gone { room, peer } => {
                let chat = self
                    .lock()
                    .iter()
                    .find(|(_, going)| going.call.id.0 == room)
                    .map(|(chat, _)| *chat);
                if let Some(chat) = chat {
                    self.leave(chat, &peer).await;
                }
            }
        }
    }

    /// Takes every tab of `user` out of `chat`'s call (they left the
    /// group or were removed from it).
    pub async fn drop_user(&self, chat: ChatId, user: UserId) {
        let peers: Vec<String> = self.lock().get(&chat).map_or_else(Vec::new, |going| {
            going
                .call
                .people
                .iter()
                .filter(|p| p.user == user)
                .map(|p| p.peer.clone())
                .collect()
        });
        for peer in peers {
            self.leave(chat, &peer).await;
        }
    }

    async fn leave(&self, chat: ChatId, peer: &str) {
        let (room, left) = {
            let mut calls = self.lock();
            let Some(going) = calls.get_mut(&chat) else {
                return;
            };
            let before = going.call.people.len();
            going.call.people.retain(|p| p.peer != peer);
            (going.call.id.0.clone(), before != going.call.people.len())
        };
        self.sfu.leave(&room, peer);
        if left {
            self.drop_if_empty(chat).await;
        }
    }

    /// Ends the call if nobody is left in it, else tells who is.
    async fn drop_if_empty(&self, chat: ChatId) {
        let (ended, going) = {
            let mut calls = self.lock();
            match calls.get(&chat) {
                Some(going) if going.call.people.is_empty() => (calls.remove(&chat), None),
                Some(going) => (None, Some(going.call.clone())),
                None => return,
            }
        };
        match ended {
            Some(ended) => {
                self.tell(chat, None).await;
                self.post_end(chat, ended).await;
            }
            None => self.tell(chat, going).await,
        }
    }

    /// A call's event in the chat, from whoever started it.
    async fn post_end(&self, chat: ChatId, ended: Going) {
        let now = self.k.now_ms();
        let event = Content::Call {
            video: true,
            end: CallEnd::Hangup,
            duration_ms: u32::try_from(now - ended.call.started_at).unwrap_or(u32::MAX),
        };
        let id = ClientMsgId(ended.call.id.0.clone());
        match self
            .k
            .store
            .append_message(chat, ended.starter, &id, Post::of(event), now)
            .await
        {
            Ok(appended) => self.k.delivery.fan_out(chat, &appended).await,
            Err(e) => tracing::warn!(error = %e, chat = chat.0, "posting a group call's event"),
        }
    }

    async fn tell(&self, chat: ChatId, call: Option<GroupCall>) {
        self.k
            .delivery
            .to_chat(chat, ServerFrame::GroupCall { chat, call })
            .await;
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ChatId, Going>> {
        // A panic while holding it leaves the map as it was: go on with it.
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The SFU's name for a user's leg: a user names only their own legs.
fn peer_name(user: UserId, leg: &LegId) -> String {
    format!("{}-{}", user.0, leg.0)
}
