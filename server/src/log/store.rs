//! The store behind the room log: one narrow interface (append, read after an id, the newest
//! id, sessions) so SQLite today and a shared stream later are interchangeable, and the memory
//! store that serves `--no-history` and a store that failed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use papo_protocol::EventId;

use super::event::{LoggedEvent, NewSession, SessionId};

/// A store operation that failed. Keeps the store's own message for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file cannot be used at all (corrupt, not papo's, unreadable).
    #[error("{path}: {why}")]
    Unusable {
        /// The file.
        path: String,
        /// What is wrong, for people.
        why: String,
    },
    /// SQLite refused an operation.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// What a store holds when the server starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Names this log; made when the store is created.
    pub epoch: String,
    /// The newest stored event id (0 when empty): the sequencer resumes after it.
    pub newest: EventId,
    /// The highest session id handed out.
    pub last_session: SessionId,
}

/// Where room events and sessions are kept. Appends come from one thread (the committer);
/// reads from any.
pub trait LogStore: Send + Sync {
    /// Stores a batch atomically (one transaction): all of it or, on error, none of it.
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[NewSession],
    ) -> Result<(), StoreError>;
    /// Up to `limit` events with ids above `after`, oldest first.
    fn read_after(&self, after: EventId, limit: usize)
    -> Result<Vec<Arc<LoggedEvent>>, StoreError>;
    /// The session `token` resumes, if the store knows it.
    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError>;
    /// Forgets events at or below `upto`, and the sessions begun by then that no kept event
    /// is addressed to.
    fn prune(&self, upto: EventId) -> Result<(), StoreError>;
    /// The oldest stored id, if any.
    fn oldest(&self) -> Result<Option<EventId>, StoreError>;
}

#[derive(Debug, Default)]
struct Memory {
    events: VecDeque<Arc<LoggedEvent>>,
    sessions: HashMap<String, (SessionId, EventId)>,
}

/// Events and sessions in memory only: `--no-history`, and the fallback of a failed store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Memory>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Memory> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The oldest id held.
    pub fn first(&self) -> Option<EventId> {
        self.lock().events.front().map(|e| e.id)
    }
}

impl LogStore for MemoryStore {
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[NewSession],
    ) -> Result<(), StoreError> {
        let mut memory = self.lock();
        memory.events.extend(events.iter().cloned());
        for s in sessions {
            memory.sessions.insert(s.token.clone(), (s.id, s.since));
        }
        Ok(())
    }

    fn read_after(
        &self,
        after: EventId,
        limit: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
        let memory = self.lock();
        // Ids are dense, so the position is arithmetic; a gap (never expected) falls back to a scan.
        let start = match memory.events.front() {
            Some(first) if after >= first.id => {
                let guess = usize::try_from(after.0 + 1 - first.id.0).unwrap_or(usize::MAX);
                match memory.events.get(guess.saturating_sub(1)) {
                    Some(e) if e.id == after => guess,
                    _ => memory.events.partition_point(|e| e.id <= after),
                }
            }
            _ => 0,
        };
        Ok(memory
            .events
            .iter()
            .skip(start)
            .take(limit)
            .cloned()
            .collect())
    }

    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError> {
        Ok(self.lock().sessions.get(token).map(|(id, _)| *id))
    }

    fn prune(&self, upto: EventId) -> Result<(), StoreError> {
        let mut memory = self.lock();
        while memory.events.front().is_some_and(|e| e.id <= upto) {
            memory.events.pop_front();
        }
        // A session keeps its token while a kept private message is addressed to it.
        let mut addressed = std::collections::HashSet::new();
        for e in &memory.events {
            if let super::event::Audience::Pair(a, b) = e.audience {
                addressed.insert(a);
                addressed.insert(b);
            }
        }
        memory
            .sessions
            .retain(|_, (id, since)| *since > upto || addressed.contains(id));
        Ok(())
    }

    fn oldest(&self) -> Result<Option<EventId>, StoreError> {
        Ok(self.first())
    }
}
