//! The state every connection shares: the room and each connection's outbox. Delivers what the
//! room decides — each line encoded once, its bytes shared by every recipient — under one short
//! lock that is never held across I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use papo_protocol::{ClientLine, LeaveKind, ServerLine, Timestamp};

use crate::config::Config;
use crate::outbox::{Outbox, PushError};
use crate::replies;
use crate::room::{Delivery, MemberId, Recipients, Room};

/// Why a new connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The server holds `max_clients` connections already.
    #[error("server full")]
    Full,
    /// The server is shutting down.
    #[error("shutting down")]
    ShuttingDown,
}

/// What a connection does after the hub handled one of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Keep reading.
    Continue,
    /// Stop reading: the outbox is closed and flushes what is queued (after `/SAIR`), or the
    /// hub had already let this connection go.
    Close,
}

#[derive(Debug, Default)]
struct State {
    room: Room,
    outboxes: HashMap<MemberId, Arc<Outbox>>,
    last_connection: u64,
    shutting_down: bool,
}

/// The room and its connections.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<State>,
    config: Config,
}

impl Hub {
    /// An empty hub with the given limits.
    pub fn new(config: Config) -> Self {
        Self {
            state: Mutex::new(State::default()),
            config,
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent before anything can panic in it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new connection and queues the greeting; refused when the server is full or
    /// shutting down.
    pub fn connect(&self) -> Result<(MemberId, Arc<Outbox>), Refused> {
        let mut state = self.lock();
        if state.shutting_down {
            return Err(Refused::ShuttingDown);
        }
        if state.outboxes.len() >= self.config.max_clients {
            return Err(Refused::Full);
        }
        state.last_connection += 1;
        let id = MemberId(state.last_connection);
        let outbox = Arc::new(Outbox::new(self.config.max_queue_bytes));
        state.outboxes.insert(id, Arc::clone(&outbox));
        deliver(&mut state, one(id, replies::hello()), Timestamp::now());
        Ok((id, outbox))
    }

    /// Handles a parsed line from `from`.
    pub fn handle(&self, from: MemberId, line: ClientLine) -> Next {
        let mut state = self.lock();
        // A connection the hub already let go of (dropped as a slow reader, or the server is
        // shutting down) may still have a line in flight: it must never count as a nickname
        // and bring a ghost back into the room.
        if state.shutting_down || !state.outboxes.contains_key(&from) {
            return Next::Close;
        }
        // Read the clock under the lock, so timestamps follow the order of event ids.
        let now = Timestamp::now();
        let outcome = state.room.handle(from, line, now);
        deliver(&mut state, outcome.deliveries, now);
        if outcome.close {
            close(&mut state, from, None);
            Next::Close
        } else {
            Next::Continue
        }
    }

    /// Sends `line` to `to` only.
    pub fn reply(&self, to: MemberId, line: ServerLine) {
        let mut state = self.lock();
        deliver(&mut state, one(to, line), Timestamp::now());
    }

    /// The connection ended (or is ending): announce the departure if it had joined (once) and
    /// forget it. Queued lines are still flushed.
    pub fn disconnect(&self, id: MemberId, kind: LeaveKind, reason: &str) {
        let mut state = self.lock();
        let now = Timestamp::now();
        let deliveries = state.room.leave(id, kind, reason.to_owned(), now);
        deliver(&mut state, deliveries, now);
        close(&mut state, id, None);
    }

    /// Removes `id` for misbehaving: it gets a `BYE` with `reason`, the room a `PART … dropped`.
    pub fn drop_member(&self, id: MemberId, reason: &str) {
        let mut state = self.lock();
        let now = Timestamp::now();
        tracing::warn!(member = id.0, reason, "dropping connection");
        let deliveries = state
            .room
            .leave(id, LeaveKind::Dropped, reason.to_owned(), now);
        deliver(&mut state, deliveries, now);
        let bye = ServerLine::Bye {
            text: reason.to_owned(),
        };
        close(&mut state, id, Some(bye));
    }

    /// Starts shutdown: refuses new connections, empties the room and queues a final `BYE` for
    /// every connection, whose writers then flush and close.
    pub fn shutdown(&self) {
        let mut state = self.lock();
        state.shutting_down = true;
        state.room.clear();
        let bye = encode(&replies::shutting_down());
        for outbox in state.outboxes.values() {
            outbox.close_with(bye.clone());
        }
    }

    /// Stops every connection at once, flushed or not (the shutdown grace has passed).
    pub fn abort_all(&self) {
        for outbox in self.lock().outboxes.values() {
            outbox.abort();
        }
    }

    /// How many connections are open.
    pub fn connections(&self) -> usize {
        self.lock().outboxes.len()
    }
}

fn one(to: MemberId, line: ServerLine) -> Vec<Delivery> {
    vec![Delivery {
        to: Recipients::One(to),
        line,
    }]
}

/// Forgets connection `id` and closes its outbox after an optional last line.
fn close(state: &mut State, id: MemberId, last: Option<ServerLine>) {
    if let Some(outbox) = state.outboxes.remove(&id) {
        outbox.close_with(last.as_ref().and_then(encode));
    }
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

/// Encodes each line once and queues its bytes for every recipient. A recipient whose queue is
/// full is dropped from the room; its departure is delivered in turn.
fn deliver(state: &mut State, deliveries: Vec<Delivery>, now: Timestamp) {
    let mut work = VecDeque::from(deliveries);
    let mut overflowed = Vec::new();
    while let Some(Delivery { to, line }) = work.pop_front() {
        log_membership(&line);
        let Some(bytes) = encode(&line) else { continue };
        let mut push = |id: MemberId| {
            if let Some(outbox) = state.outboxes.get(&id)
                && outbox.push(bytes.clone()) == Err(PushError::Full)
            {
                overflowed.push(id);
            }
        };
        match to {
            Recipients::All => state.room.member_ids().for_each(&mut push),
            Recipients::One(id) => push(id),
            Recipients::Pair(a, b) => {
                push(a);
                push(b);
            }
        }
        for id in overflowed.drain(..) {
            tracing::warn!(member = id.0, "outbound queue full; dropping slow reader");
            // Forgotten at once, so nothing it still sends is taken for a new login.
            if let Some(outbox) = state.outboxes.remove(&id) {
                outbox.abort();
            }
            let reason = replies::SLOW_READER.to_owned();
            work.extend(state.room.leave(id, LeaveKind::Dropped, reason, now));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> ClientLine {
        ClientLine::Text(s.to_owned())
    }

    /// Takes everything queued for `outbox` as text.
    async fn drain(outbox: &Outbox) -> String {
        let mut buf = Vec::new();
        if outbox.queued_bytes() > 0 {
            outbox.next_batch(&mut buf).await;
        }
        String::from_utf8(buf).expect("lines are UTF-8")
    }

    #[tokio::test]
    async fn a_dropped_slow_reader_cannot_come_back_as_a_new_nickname() {
        let hub = Hub::new(Config {
            max_queue_bytes: 2048,
            ..Config::default()
        });
        let (ana, ana_out) = hub.connect().expect("room");
        let (bob, _bob_out) = hub.connect().expect("room");
        hub.handle(ana, text("ana"));
        hub.handle(bob, text("bob"));
        let mut seen = drain(&ana_out).await;
        // bob never reads: ana talks until the hub drops him.
        for _ in 0..100 {
            if hub.connections() == 1 {
                break;
            }
            hub.handle(ana, text(&"x".repeat(100)));
            seen += &drain(&ana_out).await;
        }
        assert_eq!(hub.connections(), 1, "bob was never dropped");
        // A line bob had in flight arrives after the drop: it is not a login.
        assert_eq!(hub.handle(bob, text("sim")), Next::Close);
        hub.disconnect(bob, LeaveKind::Lost, "conexão encerrada");
        seen += &drain(&ana_out).await;
        assert!(!seen.contains(" sim"), "ghost joined: {seen}");
        assert_eq!(seen.matches(" bob dropped :").count(), 1, "{seen}");
        assert_eq!(seen.matches("PART ").count(), 1, "{seen}");
    }

    #[tokio::test]
    async fn after_shutdown_no_line_joins_the_room() {
        let hub = Hub::new(Config::default());
        let (ana, ana_out) = hub.connect().expect("room");
        let (late, _) = hub.connect().expect("room");
        hub.handle(ana, text("ana"));
        drain(&ana_out).await;
        hub.shutdown();
        assert_eq!(hub.handle(late, text("late")), Next::Close);
        assert_eq!(hub.connect().err(), Some(Refused::ShuttingDown));
        let seen = drain(&ana_out).await;
        assert_eq!(seen, "BYE :servidor encerrando\n");
    }
}
