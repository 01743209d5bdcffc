//! What the room log holds: room events with the sessions that may read them, and sessions.

use std::sync::OnceLock;

use bytes::Bytes;
use papo_protocol::{EventId, ServerLine};

/// A member's identity across reconnects: given at a fresh join, proven on resume by its token.
/// Private messages belong to sessions, never to nicknames (a freed nickname can be taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

/// Who may read an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every member.
    All,
    /// A private message: its sender's and its recipient's sessions (the same twice when
    /// someone writes to themselves).
    Pair(SessionId, SessionId),
}

impl Audience {
    /// Whether `session` may read the event.
    pub fn includes(self, session: SessionId) -> bool {
        match self {
            Self::All => true,
            Self::Pair(a, b) => a == session || b == session,
        }
    }
}

/// One room event as the log keeps it: typed, with its audience, and encoded once for every
/// live reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// Its id (also inside `line`).
    pub id: EventId,
    /// The event (a room-event variant of [`ServerLine`]).
    pub line: ServerLine,
    /// Who may read it.
    pub audience: Audience,
    /// `line` encoded, as live readers receive it.
    pub wire: Bytes,
    /// `line` encoded as a replay sends it, made on first use.
    replayed: OnceLock<Bytes>,
}

impl LoggedEvent {
    /// Wraps a room event; `None` for a line that is not one.
    pub fn new(line: ServerLine, audience: Audience) -> Option<Self> {
        let id = line.event_id()?;
        let wire = match line.encode() {
            Ok(text) => Bytes::from(text),
            Err(err) => {
                // Text reaching the log was validated on the way in; this is a server bug.
                tracing::error!(%err, ?line, "event not encodable; it is stored but not sent");
                Bytes::new()
            }
        };
        Some(Self {
            id,
            line,
            audience,
            wire,
            replayed: OnceLock::new(),
        })
    }

    /// The event as a replay sends it: marked `hist`. Encoded once, for every reader.
    pub fn replayed_wire(&self) -> &Bytes {
        self.replayed.get_or_init(|| {
            match ServerLine::Replayed(Box::new(self.line.clone())).encode() {
                Ok(text) => Bytes::from(text),
                Err(_) => Bytes::new(),
            }
        })
    }

    /// Whether it only says who is in the room (a join, a departure, a rename): readers may
    /// get it a moment late, together with the next ones.
    pub fn is_presence(&self) -> bool {
        matches!(
            self.line,
            ServerLine::Joined { .. } | ServerLine::Left { .. } | ServerLine::Renamed { .. }
        )
    }

    /// Bytes this event holds in memory, roughly (for the window's budget).
    pub fn footprint(&self) -> usize {
        // The typed copy holds about as much text as the wire form, and the replayed form
        // (made on first use) as much again.
        3 * self.wire.len() + 96
    }
}

/// Whether one more event of `next` bytes fits a read of `max` bytes that took `taken` so far:
/// a read always takes its first event, then stops before passing its budget.
pub fn fits(taken: usize, next: usize, max: usize) -> bool {
    taken == 0 || taken + next <= max
}

/// A new session, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Its id (never reused).
    pub id: SessionId,
    /// The secret that resumes it.
    pub token: String,
}

/// What happens to a session. A session is kept while it is connected or a kept private
/// message is addressed to it; once it ended before everything the log keeps, it is pruned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// Created at a fresh join.
    New(NewSession),
    /// Connected again (`/RETOMAR` with its token).
    Resumed(SessionId),
    /// Its connection left the room; the last event id then.
    Ended(SessionId, EventId),
}

/// What the hub hands the log, in id order.
#[derive(Debug, Clone)]
pub enum Record {
    /// A room event.
    Event(ServerLine, Audience),
    /// A session change.
    Session(SessionChange),
}

/// A chat message from `ana` with id `id`, for the log's unit tests.
#[cfg(test)]
pub(crate) fn test_message(id: u64, text: &str) -> std::sync::Arc<LoggedEvent> {
    let line = ServerLine::Message {
        id: EventId(id),
        time: papo_protocol::Timestamp::from_unix_seconds(1_800_000_000),
        nick: papo_protocol::Nickname::parse("ana").expect("a valid nickname"),
        text: text.to_owned(),
    };
    std::sync::Arc::new(LoggedEvent::new(line, Audience::All).expect("a room event"))
}
