//! Joining: a new member's session (fresh, or resumed with its token, taking the place of a
//! lingering old connection), where its events begin (the replay), and the lines that frame
//! the replay; and the count of refused nicknames.

use papo_protocol::{EventId, LeaveKind, ServerLine};

use super::{Hub, MAX_REPLAY, ResumeFrom, State};
use crate::log::event::{NewSession, Record, SessionChange, SessionId};
use crate::log::random_hex;
use crate::mailbox::Stream;
use crate::replies;
use crate::room::{Delivery, MemberId};

impl Hub {
    /// A session resumed on a new connection while its old one is still in the room (its peer
    /// vanished without the server noticing yet): the old one leaves, so the nickname is free.
    /// Only when the new connection would then get `wanted`: a resume that is refused anyway
    /// costs the old connection nothing.
    pub(super) fn take_over(
        &self,
        state: &mut State,
        new: MemberId,
        session: SessionId,
        wanted: &str,
    ) {
        let Some(&old) = state.by_session.get(&session) else {
            return;
        };
        if old == new || state.room.contains(new) || !state.room.could_take(wanted, old) {
            return;
        }
        tracing::info!(
            old = old.0,
            new = new.0,
            "session resumed on a new connection"
        );
        self.leave(state, old, LeaveKind::Lost, replies::SESSION_RESUMED);
        let bye = ServerLine::Bye {
            text: replies::SESSION_RESUMED.to_owned(),
        };
        self.close(state, old, Some(bye));
    }

    /// Counts a refused nickname; returns whether that was one more than allowed.
    pub(super) fn count_refusal(&self, state: &mut State, id: MemberId) -> bool {
        let Some(connection) = state.connections.get_mut(&id) else {
            return false;
        };
        connection.refused_nicks += 1;
        connection.refused_nicks > self.config.max_nick_attempts
    }

    /// Sets up a member that just joined: its session, its place in the log (the replay),
    /// then the `WELCOME`, the replay's bounds, and the `JOIN` that starts its live events.
    pub(super) fn joined(
        &self,
        state: &mut State,
        from: MemberId,
        deliveries: Vec<Delivery>,
        resume: Option<ResumeFrom>,
    ) {
        let join_id = EventId(state.room.last_id().0);
        let (session, token) = match resume.as_ref().and_then(|r| r.session.clone()) {
            Some((session, token)) => {
                self.log
                    .append(Record::Session(SessionChange::Resumed(session)));
                (session, token)
            }
            None => {
                state.last_session = SessionId(state.last_session.0 + 1);
                let token = random_hex(16);
                self.log
                    .append(Record::Session(SessionChange::New(NewSession {
                        id: state.last_session,
                        token: token.clone(),
                    })));
                (state.last_session, token)
            }
        };
        state.by_session.insert(session, from);
        let (start, skipped) = self.replay_start(join_id, resume.as_ref());
        if let Some(connection) = state.connections.get_mut(&from) {
            connection.session = Some(session);
            connection.mailbox.start_stream(Stream {
                session,
                next: start,
                replay_until: EventId(join_id.0 - 1),
                until: None,
            });
        }
        let before_replay = EventId(start.0 - 1);
        for Delivery { to, line } in deliveries {
            match line {
                ServerLine::Welcome { nick, text, .. } => {
                    let welcome = ServerLine::Welcome {
                        nick,
                        token: Some(token.clone()),
                        text,
                    };
                    self.reply_after(state, from, before_replay, &welcome);
                    if skipped > 0 {
                        self.reply_after(state, from, before_replay, &replies::skipped(skipped));
                    }
                    let replayed = self
                        .log
                        .events_between(EventId(start.0 - 1), EventId(join_id.0 - 1))
                        > 0;
                    let live = replies::live(EventId(join_id.0 - 1), replayed);
                    self.reply_after(state, from, EventId(join_id.0 - 1), &live);
                    if self.log.is_degraded() {
                        let notice = ServerLine::Notice {
                            text: replies::HISTORY_NOT_KEPT.to_owned(),
                        };
                        self.reply_after(state, from, EventId(join_id.0 - 1), &notice);
                    }
                }
                line => self.deliver(state, vec![Delivery { to, line }]),
            }
        }
    }

    /// Where a new member's events begin, and how many events a resume could not replay
    /// (past [`MAX_REPLAY`]).
    fn replay_start(&self, join_id: EventId, resume: Option<&ResumeFrom>) -> (EventId, u64) {
        let before_join = EventId(join_id.0 - 1);
        let oldest = self.log.oldest();
        let Some(resume) = resume.filter(|r| r.epoch == self.log.epoch() && r.after < join_id)
        else {
            let from = self.log.back_by(before_join, self.config.history_on_join);
            return (EventId(from.0 + 1).max(oldest).min(join_id), 0);
        };
        let missed = self.log.events_between(resume.after, before_join);
        if missed <= MAX_REPLAY {
            // Ids below the oldest kept are reported by the writer when it meets them.
            return (EventId(resume.after.0 + 1), 0);
        }
        let from = self.log.back_by(before_join, MAX_REPLAY);
        (EventId(from.0 + 1), missed - MAX_REPLAY)
    }
}
