//! A 1:1 call's control and negotiation. Every step is checked against
//! the call's row (who may take it, and when), applied by a conditional
//! update so that of two racing steps one wins, then told to every device
//! of both people; the end of a call is told the same way and posted in
//! the chat as a `Content::Call` event from the caller.

use std::sync::Arc;

use courier_protocol::http::IceServers;
use courier_protocol::limits::{LEG_TIMEOUT_MS, RING_MS, TURN_TTL_S};
use courier_protocol::{
    CallEnd, CallId, CallStep, ChatId, ClientMsgId, Content, ErrorCode, LegId, ServerFrame, Signal,
    UserId, UserInfo,
};

use super::Turn;
use crate::kernel::Kernel;
use crate::kernel::db::{CallRow, LegCheck, NewCall, Post, Rang, RingOut};
use crate::kernel::error::Result;
use crate::kernel::jobs::{Job, NewJob, Outcome};

/// Jobs of each queue handled per run.
const TIMER_BATCH: usize = 100;

#[derive(Clone)]
pub struct Calls {
    k: Arc<Kernel>,
    turn: Option<Arc<Turn>>,
}

impl Calls {
    pub fn new(k: Arc<Kernel>, turn: Option<Turn>) -> Calls {
        Calls {
            k,
            turn: turn.map(Arc::new),
        }
    }

    /// Takes one step of a call in `chat`. Sent again (a lost ack), a step
    /// already taken is answered the same and changes nothing.
    pub async fn step(
        &self,
        me: &UserInfo,
        chat: ChatId,
        call: &CallId,
        step: CallStep,
    ) -> Result<()> {
        call.validate()?;
        step.validate()?;
        if let CallStep::Invite { video, leg } = &step {
            return self.invite(me, chat, call, *video, leg).await;
        }
        let row = self.party_to(me.id, call).await?;
        if row.chat != chat {
            return Err(ErrorCode::NoCall);
        }
        let caller = me.id == row.caller;
        let answered = row.answered_at.is_some();
        if let Some((end, _)) = row.ended {
            // Ending what has ended is done; anything else is too late.
            let again = matches!(
                (&step, end),
                (CallStep::Hangup, _)
                    | (CallStep::Decline, CallEnd::Declined)
                    | (CallStep::Cancel, CallEnd::Cancelled)
            );
            return if again {
                Ok(())
            } else {
                Err(ErrorCode::NoCall)
            };
        }
        match step {
            CallStep::Invite { .. } => unreachable!("handled above"),
            CallStep::Ringing if !caller && !answered => {
                self.tell(&row, me.id, CallStep::Ringing).await;
                Ok(())
            }
            CallStep::Accept { leg } if !caller => {
                let now = self.k.now_ms();
                let check = job(
                    &LegCheck {
                        call: call.clone(),
                        round: 0,
                    },
                    now + LEG_TIMEOUT_MS,
                )?;
                match self.k.store.answer(call, &leg, &check, now).await? {
                    Some(row) => {
                        self.tell(&row, me.id, CallStep::Accept { leg }).await;
                        Ok(())
                    }
                    // The same leg answering again: done already.
                    None if row.callee_leg.as_ref() == Some(&leg) => Ok(()),
                    None => Err(ErrorCode::NoCall),
                }
            }
            CallStep::Alive if answered => {
                if self.k.store.leg_alive(call, me.id, self.k.now_ms()).await? {
                    Ok(())
                } else {
                    Err(ErrorCode::NoCall)
                }
            }
            CallStep::Decline if !caller && !answered => self.end(call, CallEnd::Declined).await,
            CallStep::Cancel if caller && !answered => self.end(call, CallEnd::Cancelled).await,
            CallStep::Hangup => {
                let end = match (answered, caller) {
                    (true, _) => CallEnd::Hangup,
                    (false, true) => CallEnd::Cancelled,
                    (false, false) => CallEnd::Declined,
                };
                self.end(call, end).await
            }
            _ => Err(ErrorCode::NoCall),
        }
    }

    /// Rings the other person of a 1:1 on every device they have open.
    async fn invite(
        &self,
        me: &UserInfo,
        chat: ChatId,
        call: &CallId,
        video: bool,
        leg: &LegId,
    ) -> Result<()> {
        let now = self.k.now_ms();
        let ring_out = job(&RingOut { call: call.clone() }, now + RING_MS)?;
        let new = NewCall {
            id: call,
            chat,
            caller: me.id,
            video,
            leg,
        };
        match self.k.store.ring(new, &ring_out, now).await? {
            Rang::Ringing(row) => match row.ended {
                Some(_) => {
                    self.tell_end(&row).await;
                    Ok(())
                }
                None => {
                    let step = CallStep::Invite {
                        video: row.video,
                        leg: row.caller_leg.clone(),
                    };
                    self.tell(&row, me.id, step).await;
                    Ok(())
                }
            },
            Rang::Crossed(theirs) => {
                // Their call rings on my devices again: my app answers it.
                let step = CallStep::Invite {
                    video: theirs.video,
                    leg: theirs.caller_leg.clone(),
                };
                let frame = call_frame(&theirs, theirs.caller, step);
                self.k.delivery.to_user(me.id, frame).await;
                Err(ErrorCode::CallCrossed)
            }
            Rang::Busy(row) => {
                self.told_over(&row).await;
                Ok(())
            }
        }
    }

    /// Passes media negotiation from `me`'s leg of an answered call to the
    /// other person's devices (only the other leg takes it).
    pub async fn signal(
        &self,
        me: &UserInfo,
        call: &CallId,
        leg: &LegId,
        signal: Signal,
    ) -> Result<()> {
        call.validate()?;
        leg.validate()?;
        signal.validate()?;
        let row = self.party_to(me.id, call).await?;
        let mine = if me.id == row.caller {
            Some(&row.caller_leg)
        } else {
            row.callee_leg.as_ref()
        };
        if row.ended.is_some() || row.answered_at.is_none() || mine != Some(leg) {
            return Err(ErrorCode::NoCall);
        }
        let frame = ServerFrame::Signal {
            call: call.clone(),
            from: leg.clone(),
            signal,
        };
        self.k.delivery.to_user(row.peer_of(me.id), frame).await;
        Ok(())
    }

    /// The STUN and TURN servers `me`'s legs may use.
    pub fn ice_servers(&self, me: &UserInfo) -> IceServers {
        let expires_s = u64::try_from(self.k.now_ms() / 1000).unwrap_or(0) + TURN_TTL_S;
        IceServers {
            servers: self
                .turn
                .iter()
                .map(|turn| turn.server_for(me.id, expires_s))
                .collect(),
            relay_only: self.turn.as_ref().is_some_and(|turn| turn.relay_only),
        }
    }

    /// Ends calls nobody answered in time, as missed, and answered calls
    /// a leg has left without hanging up: the jobs of two queues, taken
    /// by one node each.
    pub async fn run_timers(&self) {
        self.k
            .jobs
            .run_due(TIMER_BATCH, |due: RingOut| self.ring_out(due))
            .await;
        self.k
            .jobs
            .run_due(TIMER_BATCH, |check: LegCheck| self.check_legs(check))
            .await;
    }

    /// Hangs up a call whose legs have not both been heard from within
    /// `LEG_TIMEOUT_MS`; otherwise looks again when that could be so.
    async fn check_legs(&self, check: LegCheck) -> Outcome {
        let row = match self.k.store.call(&check.call).await {
            Ok(Some(row)) if row.ended.is_none() => row,
            Ok(_) => return Outcome::Done,
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let now = self.k.now_ms();
        let seen = row.legs_seen.unwrap_or(0);
        if seen + LEG_TIMEOUT_MS <= now {
            return match self.end(&check.call, CallEnd::Hangup).await {
                Ok(()) => Outcome::Done,
                Err(code) => Outcome::Retry(format!("ending a half-open call: {code:?}")),
            };
        }
        let next = LegCheck {
            call: check.call,
            round: check.round + 1,
        };
        match NewJob::of(&next, seen + LEG_TIMEOUT_MS) {
            Ok(next) => match self.k.store.enqueue(&next).await {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Retry(e.to_string()),
            },
            Err(e) => Outcome::GiveUp(e.to_string()),
        }
    }

    async fn ring_out(&self, due: RingOut) -> Outcome {
        match self.end(&due.call, CallEnd::Missed).await {
            Ok(()) => Outcome::Done,
            Err(code) => Outcome::Retry(format!("ending an unanswered call: {code:?}")),
        }
    }

    /// The call, if `user` is one of its two people (a stranger learns
    /// nothing of it).
    async fn party_to(&self, user: UserId, call: &CallId) -> Result<CallRow> {
        self.k
            .store
            .call(call)
            .await?
            .filter(|row| user == row.caller || user == row.callee)
            .ok_or(ErrorCode::NoCall)
    }

    /// Ends a call, unless it has ended (or `end` no longer fits it: an
    /// answer beat a ring-out), and tells both people.
    async fn end(&self, call: &CallId, end: CallEnd) -> Result<()> {
        if let Some(row) = self.k.store.end_call(call, end, self.k.now_ms()).await? {
            self.told_over(&row).await;
        }
        Ok(())
    }

    /// An ended call told to both people's devices and posted in its chat.
    async fn told_over(&self, row: &CallRow) {
        self.tell_end(row).await;
        let Some((end, at)) = row.ended else {
            return;
        };
        let event = Content::Call {
            video: row.video,
            end,
            duration_ms: row.duration_ms(),
        };
        // The call's id is the event's client id: posted twice, kept once.
        let id = ClientMsgId(row.id.0.clone());
        match self
            .k
            .store
            .append_message(row.chat, row.caller, &id, Post::of(event), at)
            .await
        {
            Ok(appended) => self.k.delivery.fan_out(row.chat, &appended).await,
            Err(e) => tracing::warn!(error = %e, call = row.id.0, "posting a call's event"),
        }
    }

    async fn tell_end(&self, row: &CallRow) {
        let Some((end, _)) = row.ended else {
            return;
        };
        let frame = ServerFrame::CallEnded {
            chat: row.chat,
            call: row.id.clone(),
            end,
            duration_ms: row.duration_ms(),
        };
        self.to_both(row, frame).await;
    }

    /// A step `by` took, for every device of both people.
    async fn tell(&self, row: &CallRow, by: UserId, step: CallStep) {
        self.to_both(row, call_frame(row, by, step)).await;
    }

    async fn to_both(&self, row: &CallRow, frame: ServerFrame) {
        self.k.delivery.to_user(row.callee, frame.clone()).await;
        self.k.delivery.to_user(row.caller, frame).await;
    }
}

/// A job as the store keeps it.
fn job<J: Job>(job: &J, due_at: i64) -> Result<NewJob> {
    NewJob::of(job, due_at).map_err(|e| {
        tracing::error!(error = %e, queue = J::QUEUE, "a call's job");
        ErrorCode::Internal
    })
}

fn call_frame(row: &CallRow, by: UserId, step: CallStep) -> ServerFrame {
    ServerFrame::Call {
        chat: row.chat,
        call: row.id.clone(),
        by,
        step,
    }
}
