//! The state every connection shares: the room, the room log and each connection's mailbox.
//! Room events go to the log (stored, then released to everyone's cursor); replies go to one
//! mailbox. Everything happens under one short lock that is never held across I/O, so events
//! enter the log in the order of their ids.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use papo_protocol::{
    Access, ClientLine, Command, ErrorCode, EventId, LeaveKind, Resume, ServerLine, Timestamp,
    users_reply,
};

use crate::config::Config;
use crate::flood::FloodLimiter;
use crate::log::RoomLog;
use crate::log::event::{Audience, Record, SessionChange, SessionId};
use crate::mailbox::{Mailbox, PushError};
use crate::replies;
use crate::room::{Delivery, MemberId, Recipients, Room};

mod joining;
mod password;

/// Most events replayed to one resuming member; older ones are reported as skipped.
pub const MAX_REPLAY: u64 = 10_000;

/// Why a new connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The server holds `max_clients` connections already.
    #[error("server full")]
    Full,
    /// `max_unjoined` connections are still choosing a nickname.
    #[error("too many connections without a nickname")]
    TooManyUnjoined,
    /// The server is shutting down.
    #[error("shutting down")]
    ShuttingDown,
}

/// What a connection does after the hub handled one of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Keep reading.
    Continue,
    /// Stop reading: the mailbox is closed and flushes what is owed (after `/SAIR`), or the
    /// hub had already let this connection go.
    Close,
}

/// A resume request whose token was looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeFrom {
    /// The log the client's ids come from.
    pub epoch: String,
    /// The last id it saw.
    pub after: EventId,
    /// The session its token resumes, with the token; `None` when it gave none or an unknown one.
    pub session: Option<(SessionId, String)>,
}

#[derive(Debug)]
struct Connection {
    mailbox: Arc<Mailbox>,
    session: Option<SessionId>,
    /// Nicknames refused so far (before joining).
    refused_nicks: u32,
    /// It gave the room's password (or the room has none).
    admitted: bool,
    /// Wrong passwords so far.
    wrong_passwords: u32,
}

#[derive(Debug)]
struct State {
    room: Room,
    connections: HashMap<MemberId, Connection>,
    /// The connection of each session in the room.
    by_session: HashMap<SessionId, MemberId>,
    last_connection: u64,
    last_session: SessionId,
    shutting_down: bool,
    /// Wrong passwords answered, room-wide: guessing is slow however many connections guess.
    wrong_passwords: FloodLimiter,
}

/// The room and its connections.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<State>,
    config: Config,
    log: Arc<RoomLog>,
}

impl Hub {
    /// An empty hub over `log`, with the given limits.
    pub fn new(config: Config, log: Arc<RoomLog>) -> Self {
        let stored = log.stored();
        let state = State {
            room: Room::starting_after(stored.newest),
            connections: HashMap::new(),
            by_session: HashMap::new(),
            last_connection: 0,
            last_session: stored.last_session,
            shutting_down: false,
            wrong_passwords: FloodLimiter::new(config.password_guesses),
        };
        Self {
            state: Mutex::new(state),
            config,
            log,
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The room log.
    pub fn log(&self) -> &Arc<RoomLog> {
        &self.log
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent before anything can panic in it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new connection and queues the greeting; refused when the server is full or
    /// shutting down.
    pub fn connect(&self) -> Result<(MemberId, Arc<Mailbox>), Refused> {
        let mut state = self.lock();
        if state.shutting_down {
            return Err(Refused::ShuttingDown);
        }
        if state.connections.len() >= self.config.max_clients {
            return Err(Refused::Full);
        }
        // Connections that never join cannot take the members' places: they have their own cap.
        if state.connections.len() - state.room.len() >= self.config.max_unjoined {
            return Err(Refused::TooManyUnjoined);
        }
        state.last_connection += 1;
        let id = MemberId(state.last_connection);
        let mailbox = Arc::new(Mailbox::new(self.config.max_queue_bytes));
        state.connections.insert(
            id,
            Connection {
                mailbox: Arc::clone(&mailbox),
                session: None,
                refused_nicks: 0,
                admitted: self.config.password.is_none(),
                wrong_passwords: 0,
            },
        );
        let access = match self.config.password {
            Some(_) => Access::Password,
            None => Access::Open,
        };
        let hello = replies::hello(self.log.epoch(), access, self.config.limits());
        self.reply(&mut state, id, &hello);
        Ok((id, mailbox))
    }

    /// Handles a parsed line from `from`.
    pub fn handle(&self, from: MemberId, line: ClientLine) -> Next {
        self.handle_line(from, line, None)
    }

    /// Handles `/RETOMAR` from `from`, its token already looked up.
    pub fn resume(&self, from: MemberId, request: Resume, session: Option<SessionId>) -> Next {
        let resume = ResumeFrom {
            epoch: request.epoch.clone(),
            after: request.after,
            session: session.zip(request.token.clone()),
        };
        self.handle_line(
            from,
            ClientLine::Command(Command::Resume(request)),
            Some(resume),
        )
    }

    fn handle_line(&self, from: MemberId, line: ClientLine, resume: Option<ResumeFrom>) -> Next {
        let mut state = self.lock();
        // A connection the hub already let go of may still have a line in flight: it must
        // never count as a nickname and bring a ghost back into the room.
        if state.shutting_down || !state.connections.contains_key(&from) {
            return Next::Close;
        }
        if let Some(next) = self.password_gate(&mut state, from, &line) {
            return next;
        }
        if let ClientLine::Command(Command::Resume(request)) = &line
            && let Some((session, _)) = resume.as_ref().and_then(|r| r.session.as_ref())
        {
            self.take_over(&mut state, from, *session, &request.nick);
        }
        // Read the clock under the lock, so timestamps follow the order of event ids.
        let now = Timestamp::now();
        let was_member = state.room.contains(from);
        let outcome = state.room.handle(from, line, now);
        let departed = was_member && !state.room.contains(from);
        if departed {
            // Its departure is the last event assigned: it does not receive it. Its stream
            // ends before the event is released (a memory-only log releases it at once).
            end_mailbox_stream(&state, from, state.room.last_id());
        }
        if !was_member && state.room.contains(from) {
            self.joined(&mut state, from, outcome.deliveries, resume);
        } else {
            let refused = !was_member && refuses_a_nickname(&outcome.deliveries);
            self.deliver(&mut state, outcome.deliveries);
            if refused && self.count_refusal(&mut state, from) {
                let bye = ServerLine::Bye {
                    text: replies::TOO_MANY_NICK_ATTEMPTS.to_owned(),
                };
                self.close(&mut state, from, Some(bye));
                return Next::Close;
            }
        }
        if departed {
            let part = state.room.last_id();
            self.end_stream(&mut state, from, part);
        }
        if outcome.close {
            self.close(&mut state, from, None);
            Next::Close
        } else {
            Next::Continue
        }
    }

    /// Closes a connection that never joined, with `reason` (its registration time ran out).
    /// Returns `false` (and does nothing) if it has joined after all.
    pub fn close_unjoined(&self, id: MemberId, reason: &str) -> bool {
        let mut state = self.lock();
        if state.room.contains(id) {
            return false;
        }
        tracing::info!(
            member = id.0,
            reason,
            "closing a connection that never joined"
        );
        let bye = ServerLine::Bye {
            text: reason.to_owned(),
        };
        self.close(&mut state, id, Some(bye));
        true
    }

    /// Sends `line` to `to` only.
    pub fn send(&self, to: MemberId, line: &ServerLine) {
        let mut state = self.lock();
        self.reply(&mut state, to, line);
    }

    /// Tells every member `text` (as a `NOTICE`).
    pub fn notice_all(&self, text: &str) {
        let mut state = self.lock();
        let ids: Vec<MemberId> = state.room.member_ids().collect();
        let notice = ServerLine::Notice {
            text: text.to_owned(),
        };
        for id in ids {
            self.reply(&mut state, id, &notice);
        }
    }

    /// The connection ended (or is ending): announce the departure if it had joined (once) and
    /// forget it. What it is owed is still flushed.
    pub fn disconnect(&self, id: MemberId, kind: LeaveKind, reason: &str) {
        let mut state = self.lock();
        self.leave(&mut state, id, kind, reason);
        self.close(&mut state, id, None);
    }

    /// Closes a connection that does not speak papo (TLS, HTTP) before it joined: it gets
    /// `answer` (raw bytes in its own protocol), if any, and nothing else after what it was
    /// already sent.
    pub fn refuse(&self, id: MemberId, answer: Option<String>) {
        let mut state = self.lock();
        let after = state.room.last_id();
        if let Some(connection) = state.connections.remove(&id) {
            match answer {
                Some(answer) => connection
                    .mailbox
                    .close_with(after, Some(Bytes::from(answer))),
                None => connection.mailbox.abort(),
            }
        }
    }

    /// Removes `id` for misbehaving: it gets a `BYE` with `reason`, the room a `PART … dropped`.
    pub fn drop_member(&self, id: MemberId, reason: &str) {
        let mut state = self.lock();
        tracing::warn!(member = id.0, reason, "dropping connection");
        self.leave(&mut state, id, LeaveKind::Dropped, reason);
        let bye = ServerLine::Bye {
            text: reason.to_owned(),
        };
        self.close(&mut state, id, Some(bye));
    }

    /// Starts shutdown: refuses new connections, empties the room and queues a final `BYE` for
    /// every connection, after every event already accepted; writers then flush and close.
    pub fn shutdown(&self) {
        let mut state = self.lock();
        state.shutting_down = true;
        state.room.clear();
        let last = state.room.last_id();
        let bye = encode(&replies::shutting_down());
        for connection in state.connections.values() {
            connection.mailbox.end_stream(EventId(last.0 + 1));
            connection.mailbox.close_with(last, bye.clone());
        }
    }

    /// Stops every connection at once, flushed or not (the shutdown grace has passed).
    pub fn abort_all(&self) {
        for connection in self.lock().connections.values() {
            connection.mailbox.abort();
        }
    }

    /// How many connections are open.
    pub fn connections(&self) -> usize {
        self.lock().connections.len()
    }

    fn leave(&self, state: &mut State, id: MemberId, kind: LeaveKind, reason: &str) {
        let now = Timestamp::now();
        let deliveries = state.room.leave(id, kind, reason.to_owned(), now);
        if !deliveries.is_empty() {
            let part = state.room.last_id();
            end_mailbox_stream(state, id, part);
            self.deliver(state, deliveries);
            self.end_stream(state, id, part);
        }
    }

    /// `id` left the room with event `part`: its stream ends before it (already done, before
    /// the event was delivered), and its session is no longer connected.
    fn end_stream(&self, state: &mut State, id: MemberId, part: EventId) {
        let Some(connection) = state.connections.get(&id) else {
            return;
        };
        connection.mailbox.end_stream(part);
        if let Some(session) = connection.session
            && state.by_session.get(&session) == Some(&id)
        {
            state.by_session.remove(&session);
            self.log
                .append(Record::Session(SessionChange::Ended(session, part)));
        }
    }

    /// Forgets connection `id` and closes its mailbox after an optional last line.
    fn close(&self, state: &mut State, id: MemberId, last: Option<ServerLine>) {
        let after = state.room.last_id();
        if let Some(connection) = state.connections.remove(&id) {
            connection
                .mailbox
                .close_with(after, last.as_ref().and_then(encode));
        }
    }

    /// Sends room events to the log, replies to their mailbox.
    fn deliver(&self, state: &mut State, deliveries: Vec<Delivery>) {
        for Delivery { to, line } in deliveries {
            log_membership(&line);
            if line.event_id().is_none() {
                match to {
                    Recipients::One(id) => self.reply(state, id, &line),
                    Recipients::All | Recipients::Pair(..) => {
                        tracing::error!(?line, "a reply addressed to many; not sent");
                    }
                }
                continue;
            }
            let session = |id: MemberId| {
                state
                    .connections
                    .get(&id)
                    .and_then(|c| c.session)
                    .unwrap_or(SessionId(0))
            };
            let audience = match to {
                Recipients::All => Audience::All,
                Recipients::One(id) => Audience::Pair(session(id), session(id)),
                Recipients::Pair(a, b) => Audience::Pair(session(a), session(b)),
            };
            self.log.append(Record::Event(line, audience));
        }
    }

    fn reply(&self, state: &mut State, to: MemberId, line: &ServerLine) {
        let after = state.room.last_id();
        self.reply_after(state, to, after, line);
    }

    /// Queues a reply to follow the events up to `after`. A member whose replies pile up is
    /// dropped (it asks faster than it reads).
    fn reply_after(&self, state: &mut State, to: MemberId, after: EventId, line: &ServerLine) {
        let Some(bytes) = self.encode_reply(line) else {
            return;
        };
        let Some(connection) = state.connections.get(&to) else {
            return;
        };
        if connection.mailbox.reply(after, bytes) == Err(PushError::Full) {
            tracing::warn!(member = to.0, "reply queue full; dropping");
            connection.mailbox.abort();
            self.leave(state, to, LeaveKind::Dropped, replies::SLOW_READER);
            // Forgotten at once, so nothing it still sends is taken for a new login.
            state.connections.remove(&to);
        }
    }

    /// A reply as bytes. A whole `USERS` list becomes as many lines as the line limit needs
    /// ([`users_reply`]), queued as one reply: its parts go out back to back, with no room
    /// event between them, and the reply budget takes the list as it takes any one reply.
    fn encode_reply(&self, line: &ServerLine) -> Option<Bytes> {
        match line {
            ServerLine::Users {
                count,
                offset: 0,
                nicks,
            } if nicks.len() == *count => {
                let mut lines = Vec::new();
                for part in users_reply(nicks.clone(), self.config.max_line_bytes) {
                    lines.extend_from_slice(&encode(&part)?);
                }
                Some(Bytes::from(lines))
            }
            other => encode(other),
        }
    }
}

/// Whether a reply refuses a nickname (invalid or taken).
fn refuses_a_nickname(deliveries: &[Delivery]) -> bool {
    deliveries.iter().any(|d| {
        matches!(
            d.line,
            ServerLine::Error {
                code: ErrorCode::NickInvalid | ErrorCode::NickInUse,
                ..
            }
        )
    })
}

fn encode(line: &ServerLine) -> Option<Bytes> {
    match line.encode() {
        Ok(text) => Some(Bytes::from(text)),
        Err(err) => {
            // Text reaching here was validated on the way in; this is a server bug, not input.
            tracing::error!(%err, ?line, "line not encodable; not sent");
            None
        }
    }
}

/// Logs joins, departures and renames (the lines every member receives about membership).
fn log_membership(line: &ServerLine) {
    match line {
        ServerLine::Joined { nick, .. } => tracing::info!(%nick, "joined"),
        ServerLine::Left {
            nick, kind, reason, ..
        } => tracing::info!(%nick, kind = kind.as_str(), reason, "left"),
        ServerLine::Renamed { old, new, .. } => tracing::info!(%old, %new, "renamed"),
        _ => {}
    }
}

/// Ends `id`'s stream before event `part`, its departure: called before the departure is
/// delivered, so its writer can never read it.
fn end_mailbox_stream(state: &State, id: MemberId, part: EventId) {
    if let Some(connection) = state.connections.get(&id) {
        connection.mailbox.end_stream(part);
    }
}
