//! A group's call: who is in it (held by one node, whose SFU carries its
//! media; in a cluster, the other nodes ask that node through NATS),
//! joining through the SFU, what each one shows, and its end when the
//! last one leaves, posted in the chat. Every step checks the caller's
//! membership through `policy`, and every change is told to the group's
//! sockets on every node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use courier_protocol::limits::MAX_GROUP_CALL_PEOPLE;
use courier_protocol::{
    CallEnd, CallId, ChatId, ClientMsgId, Content, ErrorCode, GroupCall, GroupStep, LegId,
    Participant, ServerFrame, Showing, UserId, UserInfo, policy,
};
use courier_sfu::{Sfu, SfuEvent};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::features::chats::Chats;
use crate::kernel::Kernel;
use crate::kernel::db::Post;
use crate::kernel::delivery::placement::{Gone, PlacementError};
use crate::kernel::error::Result;
use crate::kernel::jobs::{Job, Outcome};

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
        let me = me.clone();
        match self.at_holder(Asked::Current { me, chat }).await? {
            Answer::Call(call) => Ok(call),
            _ => Err(ErrorCode::Internal),
        }
    }

    /// Takes `me`'s step in `chat`'s call: a join gives the SFU's answer.
    pub async fn step(
        &self,
        me: &UserInfo,
        chat: ChatId,
        step: GroupStep,
    ) -> Result<Option<ServerFrame>> {
        step.validate()?;
        let me = me.clone();
        match self.at_holder(Asked::Step { me, chat, step }).await? {
            Answer::Frame(frame) => Ok(frame.map(|f| *f)),
            _ => Err(ErrorCode::Internal),
        }
    }

    /// Takes every tab of `user` out of `chat`'s call (they left the
    /// group or were removed from it).
    pub async fn drop_user(&self, chat: ChatId, user: UserId) {
        if let Err(code) = self.at_holder(Asked::DropUser { chat, user }).await {
            tracing::warn!(?code, chat = chat.0, "taking one out of a group's call");
        }
    }

    /// Answers the questions other nodes ask about the calls this node
    /// holds, until `shutdown`. Nothing to do on a single node.
    pub async fn serve(self, shutdown: CancellationToken) {
        let Some(placement) = self.k.delivery.placement() else {
            return;
        };
        let calls = self.clone();
        let served = placement
            .serve(ASKED, shutdown, move |question| {
                let calls = calls.clone();
                async move {
                    let answer = match serde_json::from_slice::<Asked>(&question) {
                        Ok(asked) => calls.here(asked).await,
                        Err(_) => Err(ErrorCode::BadFrame),
                    };
                    serde_json::to_vec(&answer).unwrap_or_default()
                }
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "serving group calls to other nodes");
        }
    }

    /// Does `asked` where `chat`'s call is held: on this node, or on the
    /// node whose SFU carries it. A join with no call going on starts it
    /// here; a join whose node is gone starts it again here (its people's
    /// media went with that node: they join again).
    async fn at_holder(&self, asked: Asked) -> Result<Answer> {
        let Some(placement) = self.k.delivery.placement() else {
            return self.here(asked).await;
        };
        let key = held_as(asked.chat());
        let starts = match &asked {
            Asked::Step {
                me,
                chat,
                step: GroupStep::Join { .. },
            } => {
                // Only one who may join places a call on a node.
                self.may_join(me, *chat).await?;
                true
            }
            _ => false,
        };
        let mut holder = if starts {
            placement.claim(&key).await.map(Some)
        } else {
            placement.holder(&key).await
        }
        .map_err(placement_fault)?;
        // A holder gone, then (rarely) the one that took over gone too.
        for _ in 0..2 {
            let Some(held) = holder.filter(|h| h.node != placement.node()) else {
                return self.here(asked).await;
            };
            let question = serde_json::to_vec(&asked).map_err(|_| ErrorCode::Internal)?;
            match placement.ask(held, ASKED, question).await {
                Ok(answer) => {
                    return serde_json::from_slice::<Result<Answer>>(&answer)
                        .unwrap_or(Err(ErrorCode::Internal));
                }
                Err(Gone) if starts => {
                    holder = Some(
                        placement
                            .take_over(&key, held)
                            .await
                            .map_err(placement_fault)?,
                    );
                }
                // Its call went with it.
                Err(Gone) => holder = None,
            }
        }
        Err(ErrorCode::Internal)
    }

    /// Does `asked` on this node, which holds the call (or nobody does).
    async fn here(&self, asked: Asked) -> Result<Answer> {
        match asked {
            Asked::Current { me, chat } => {
                self.chats.check_member(me.id, chat).await?;
                Ok(Answer::Call(
                    self.lock().get(&chat).map(|going| going.call.clone()),
                ))
            }
            Asked::Step { me, chat, step } => self
                .step_here(&me, chat, step)
                .await
                .map(|frame| Answer::Frame(frame.map(Box::new))),
            Asked::DropUser { chat, user } => {
                self.drop_user_here(chat, user).await;
                Ok(Answer::Done)
            }
            Asked::Going { chat } => Ok(Answer::Going(
                self.lock().get(&chat).map(|going| going.call.id.clone()),
            )),
        }
    }

    async fn step_here(
        &self,
        me: &UserInfo,
        chat: ChatId,
        step: GroupStep,
    ) -> Result<Option<ServerFrame>> {
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
        self.may_join(me, chat).await?;
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
                self.forget_if_empty(chat).await;
                return Err(ErrorCode::BadFrame);
            }
        };
        let (changed, first) = {
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
            let first = going.call.people.is_empty();
            match going.call.people.iter_mut().find(|p| p.peer == peer) {
                Some(p) => p.showing = Showing::default(),
                None => going.call.people.push(person),
            }
            let look = first.then(|| CallLook {
                chat,
                call: going.call.id.clone(),
                starter: going.starter,
                started_at: going.call.started_at,
                seen_at: going.call.started_at,
                round: 0,
            });
            (going.call.clone(), look)
        };
        if let Some(look) = first {
            self.look_later(&look).await;
        }
        self.tell(chat, Some(changed)).await;
        Ok(ServerFrame::GroupAnswer {
            chat,
            leg,
            sdp: answer,
        })
    }

    async fn may_join(&self, me: &UserInfo, chat: ChatId) -> Result<()> {
        let standing = self.chats.check_member(me.id, chat).await?;
        if policy::may_join_group_call(&standing) {
            Ok(())
        } else {
            Err(ErrorCode::NotAllowed)
        }
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

    async fn drop_user_here(&self, chat: ChatId, user: UserId) {
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
                self.release(chat).await;
                self.tell(chat, None).await;
                let now = self.k.now_ms();
                let lasted = now - ended.call.started_at;
                self.post_event(chat, &ended.call.id, ended.starter, lasted, now)
                    .await;
            }
            None => self.tell(chat, going).await,
        }
    }

    /// Drops a call nobody got into (its first offer was bad): it leaves
    /// no event.
    async fn forget_if_empty(&self, chat: ChatId) {
        let forgotten = {
            let mut calls = self.lock();
            let empty = calls.get(&chat).is_some_and(|g| g.call.people.is_empty());
            empty.then(|| calls.remove(&chat)).flatten()
        };
        if forgotten.is_some() {
            self.release(chat).await;
        }
    }

    /// In a cluster, lets another node start `chat`'s next call.
    async fn release(&self, chat: ChatId) {
        if let Some(placement) = self.k.delivery.placement()
            && let Err(e) = placement.release(&held_as(chat)).await
        {
            tracing::warn!(error = %e, chat = chat.0, "letting go of an ended call");
        }
    }

    /// Looks at the calls that were going `LOOK_EVERY_MS` ago: one still
    /// going is looked at again later; one lost with its node (a restart,
    /// a crash) is posted in its chat as if hung up when last seen.
    pub async fn run_timers(&self) {
        self.k
            .jobs
            .run_due(LOOKS_A_RUN, |look: CallLook| self.look(look))
            .await;
    }

    async fn look(&self, look: CallLook) -> Outcome {
        let going = match self.at_holder(Asked::Going { chat: look.chat }).await {
            Ok(Answer::Going(id)) => id.as_ref() == Some(&look.call),
            Ok(_) => false,
            Err(code) => return Outcome::Retry(format!("looking at a group call: {code:?}")),
        };
        if going {
            let now = self.k.now_ms();
            self.look_later(&CallLook {
                seen_at: now,
                round: look.round + 1,
                ..look
            })
            .await;
        } else {
            // Ended as usual, its event is there already: this one is
            // kept out (same client id).
            let lasted = look.seen_at - look.started_at;
            self.post_event(look.chat, &look.call, look.starter, lasted, look.seen_at)
                .await;
        }
        Outcome::Done
    }

    async fn look_later(&self, look: &CallLook) {
        let due = self.k.now_ms() + LOOK_EVERY_MS;
        if let Err(e) = self.k.jobs.enqueue(look, due).await {
            tracing::warn!(error = %e, chat = look.chat.0, "scheduling a look at a group call");
        }
    }

    /// A call's event in the chat, from whoever started it. The call's id
    /// is the event's client id: posted twice, kept once.
    async fn post_event(&self, chat: ChatId, call: &CallId, starter: UserId, lasted: i64, at: i64) {
        let event = Content::Call {
            video: true,
            end: CallEnd::Hangup,
            duration_ms: u32::try_from(lasted.max(0)).unwrap_or(u32::MAX),
        };
        let id = ClientMsgId(call.0.clone());
        match self
            .k
            .store
            .append_message(chat, starter, &id, Post::of(event), at)
            .await
        {
            Ok(appended) if appended.fresh => self.k.delivery.fan_out(chat, &appended).await,
            Ok(_) => {}
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

/// How often a going call is looked at: a call lost with its node still
/// leaves its event, its length known to within this.
const LOOK_EVERY_MS: i64 = 30_000;
/// Looks taken per run of the timers.
const LOOKS_A_RUN: usize = 100;

/// A look at a group's call, due `LOOK_EVERY_MS` after the last.
#[derive(Debug, Serialize, Deserialize)]
struct CallLook {
    chat: ChatId,
    call: CallId,
    starter: UserId,
    started_at: i64,
    /// When it was last seen going.
    seen_at: i64,
    round: u32,
}

impl Job for CallLook {
    const QUEUE: &'static str = "group_call_look";
    fn key(&self) -> String {
        format!("{}:{}", self.call.0, self.round)
    }
}

/// The topic of questions about group calls between nodes.
const ASKED: &str = "group-call";

/// What a node asks the node holding a group's call.
#[derive(Debug, Serialize, Deserialize)]
enum Asked {
    Current {
        me: UserInfo,
        chat: ChatId,
    },
    Step {
        me: UserInfo,
        chat: ChatId,
        step: GroupStep,
    },
    DropUser {
        chat: ChatId,
        user: UserId,
    },
    /// Which call is going on (for the looks at calls).
    Going {
        chat: ChatId,
    },
}

impl Asked {
    fn chat(&self) -> ChatId {
        match self {
            Asked::Current { chat, .. }
            | Asked::Step { chat, .. }
            | Asked::DropUser { chat, .. }
            | Asked::Going { chat } => *chat,
        }
    }
}

/// What the holder answers, by question.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Call(Option<GroupCall>),
    Frame(Option<Box<ServerFrame>>),
    Going(Option<CallId>),
    Done,
}

/// The key under which a group's call is held in the cluster.
fn held_as(chat: ChatId) -> String {
    format!("group-call.{}", chat.0)
}

fn placement_fault(e: PlacementError) -> ErrorCode {
    tracing::warn!(error = %e, "the cluster's placement");
    ErrorCode::Internal
}

/// The SFU's name for a user's leg: a user names only their own legs.
fn peer_name(user: UserId, leg: &LegId) -> String {
    format!("{}-{}", user.0, leg.0)
}
