//! The store behind the room log: one narrow interface (append, read after an id, what it
//! held at start, sessions) so SQLite today and a shared stream later are interchangeable, and
//! the memory store that serves `--no-history` and takes over from a store that failed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use papo_protocol::EventId;

use super::event::{Audience, LoggedEvent, SessionChange, SessionId, fits};
use super::gaps::Gaps;

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
    /// The newest stored event id (0 when empty).
    pub newest: EventId,
    /// The highest session id ever handed out (session ids are never reused).
    pub last_session: SessionId,
    /// Ranges of ids never handed out: after a run that did not stop cleanly, ids resume far
    /// above the newest stored one, in case that run handed out ids it could not store.
    pub gaps: Gaps,
}

/// Where room events and sessions are kept. Appends come from one thread (the committer);
/// reads from any.
pub trait LogStore: Send + Sync {
    /// Stores a batch atomically (one transaction): all of it or, on error, none of it.
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[SessionChange],
    ) -> Result<(), StoreError>;
    /// Events with ids above `after`, oldest first: at most `limit`, and no more than about
    /// `max_bytes` of encoded lines (always at least one when there is one).
    fn read_after(
        &self,
        after: EventId,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError>;
    /// The session `token` resumes, if the store knows it.
    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError>;
    /// Forgets at most `max_rows` of the events at or below `upto`, oldest first, and the
    /// sessions that ended by then that no kept event is addressed to. Returns the oldest id
    /// still kept (`None` if none is).
    fn prune(&self, upto: EventId, max_rows: usize) -> Result<Option<EventId>, StoreError>;
    /// The oldest stored id, if any.
    fn oldest(&self) -> Result<Option<EventId>, StoreError>;
    /// The server stops: records whether everything it handed out was stored (`clean`).
    fn close(&self, clean: bool) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, Copy)]
struct SessionState {
    id: SessionId,
    /// The last id of its last connection; `None` while connected.
    ended: Option<EventId>,
}

#[derive(Debug, Default)]
struct Memory {
    events: VecDeque<Arc<LoggedEvent>>,
    bytes: usize,
    sessions: HashMap<String, SessionState>,
    by_id: HashMap<SessionId, String>,
    evicted: bool,
    /// Events evicted since ended sessions were last forgotten.
    evicted_since_cleanup: usize,
    /// Sessions in `sessions` that ended (the others are connected).
    ended_sessions: usize,
}

/// Fewest events evicted between two passes forgetting ended sessions (at least as many as are held).
const CLEANUP_EVERY: usize = 1024;

impl Memory {
    /// Forgets sessions that ended by `upto` and that no held event is addressed to.
    fn forget_sessions(&mut self, upto: EventId) {
        self.evicted_since_cleanup = 0;
        if self.ended_sessions == 0 {
            return;
        }
        let mut addressed = HashSet::new();
        for e in &self.events {
            if let Audience::Pair(a, b) = e.audience {
                addressed.insert(a);
                addressed.insert(b);
            }
        }
        let Self {
            sessions,
            by_id,
            ended_sessions,
            ..
        } = self;
        sessions.retain(|_, s| {
            let gone = s.ended.is_some_and(|at| at <= upto) && !addressed.contains(&s.id);
            if gone {
                by_id.remove(&s.id);
                *ended_sessions -= 1;
            }
            !gone
        });
    }
}

/// Events and sessions in memory only, bounded in bytes: `--no-history`, and what takes over
/// when the store fails.
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Memory>,
    max_bytes: usize,
}

impl MemoryStore {
    /// An empty store holding about `max_bytes` of events at most (the oldest go first).
    pub fn new(max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Memory::default()),
            max_bytes,
        }
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

    /// Whether events were ever dropped for the byte budget (then nothing older than
    /// [`first`](Self::first) can be read).
    pub fn evicted(&self) -> bool {
        self.lock().evicted
    }
}

impl LogStore for MemoryStore {
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[SessionChange],
    ) -> Result<(), StoreError> {
        let mut memory = self.lock();
        for e in events {
            memory.bytes += e.footprint();
            memory.events.push_back(Arc::clone(e));
        }
        while memory.bytes > self.max_bytes && memory.events.len() > 1 {
            if let Some(old) = memory.events.pop_front() {
                memory.bytes -= old.footprint();
                memory.evicted = true;
                memory.evicted_since_cleanup += 1;
            }
        }
        // A pass scans every held event, so it waits for as many evictions: O(1) per event.
        if memory.evicted_since_cleanup >= CLEANUP_EVERY.max(memory.events.len())
            && let Some(first) = memory.events.front().map(|e| e.id)
        {
            memory.forget_sessions(EventId(first.0 - 1));
        }
        for change in sessions {
            match change {
                SessionChange::New(s) => {
                    let state = SessionState {
                        id: s.id,
                        ended: None,
                    };
                    memory.sessions.insert(s.token.clone(), state);
                    memory.by_id.insert(s.id, s.token.clone());
                }
                SessionChange::Resumed(id) | SessionChange::Ended(id, _) => {
                    let ended = match change {
                        SessionChange::Ended(_, at) => Some(*at),
                        _ => None,
                    };
                    let Memory {
                        sessions,
                        by_id,
                        ended_sessions,
                        ..
                    } = &mut *memory;
                    if let Some(state) = by_id.get(id).and_then(|token| sessions.get_mut(token)) {
                        match (state.ended.is_some(), ended.is_some()) {
                            (false, true) => *ended_sessions += 1,
                            (true, false) => *ended_sessions -= 1,
                            _ => {}
                        }
                        state.ended = ended;
                    }
                }
            }
        }
        Ok(())
    }

    fn read_after(
        &self,
        after: EventId,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
        let memory = self.lock();
        let start = memory.events.partition_point(|e| e.id <= after);
        let mut taken = 0;
        let mut out = Vec::new();
        for e in memory.events.iter().skip(start).take(limit) {
            if !fits(taken, e.wire.len(), max_bytes) {
                break;
            }
            taken += e.wire.len();
            out.push(Arc::clone(e));
        }
        Ok(out)
    }

    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError> {
        Ok(self.lock().sessions.get(token).map(|s| s.id))
    }

    fn prune(&self, upto: EventId, max_rows: usize) -> Result<Option<EventId>, StoreError> {
        let mut memory = self.lock();
        let mut removed = 0;
        while removed < max_rows && memory.events.front().is_some_and(|e| e.id <= upto) {
            if let Some(old) = memory.events.pop_front() {
                memory.bytes -= old.footprint();
                removed += 1;
            }
        }
        memory.forget_sessions(upto);
        Ok(memory.events.front().map(|e| e.id))
    }

    fn oldest(&self) -> Result<Option<EventId>, StoreError> {
        Ok(self.first())
    }

    fn close(&self, _clean: bool) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::event::test_message;

    fn event(id: u64) -> Arc<LoggedEvent> {
        test_message(id, &"y".repeat(1000))
    }

    #[test]
    fn memory_keeps_to_its_byte_budget_dropping_the_oldest() {
        let one = event(1).footprint();
        // Room for ten (ids of one and two digits weigh a byte apart).
        let memory = MemoryStore::new(10 * one + 100);
        let events: Vec<_> = (1..=25).map(event).collect();
        memory.append(&events, &[]).expect("kept");
        assert!(memory.evicted());
        assert_eq!(memory.first(), Some(EventId(16)));
        let read = memory
            .read_after(EventId(0), 100, usize::MAX)
            .expect("reads");
        assert_eq!(read.len(), 10);
    }
}
