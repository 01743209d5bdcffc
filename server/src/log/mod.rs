//! The room log: every room event is committed to the store before anyone receives it.
//!
//! The hub appends records in id order (under its lock, so order is the sequencer's); one
//! committer thread takes everything queued, commits it in one transaction (group commit), then
//! *releases* it: the events enter the in-memory [`Window`] and the released id advances, which
//! wakes every connection's writer. A writer is just a position in the log: it sends what lies
//! after its position, from the window or, when it fell behind the window, from the store.

pub mod event;
pub mod sqlite;
pub mod store;
pub mod window;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Instant;

use papo_protocol::EventId;
use tokio::sync::{Notify, watch};

use event::{LoggedEvent, NewSession, Record, SessionId};
use sqlite::SqliteStore;
use store::{LogStore, MemoryStore, StoreError, Stored};
use window::Window;

/// Most records committed in one transaction.
const MAX_BATCH: usize = 4096;
/// Events appended but not yet committed before readers wait (backpressure on the senders).
const MAX_PENDING: usize = 32 * 1024;
/// Events read from the store per catch-up read.
pub const CATCH_UP_PAGE: usize = 1024;

/// Where the log keeps its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// An SQLite file.
    File(std::path::PathBuf),
    /// Memory only (`--no-history`): the history lives as long as the process.
    Memory,
}

/// How much the log keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// Where.
    pub storage: Storage,
    /// Events kept; older ones are pruned in the background.
    pub keep: u64,
    /// Bytes of recent events kept in memory for every connection to read.
    pub window_bytes: usize,
}

/// Counters for the closing log line and the load tool.
#[derive(Debug, Default)]
pub struct Stats {
    /// Transactions committed.
    pub commits: AtomicU64,
    /// Events committed.
    pub events: AtomicU64,
    /// Time spent in the store, in nanoseconds.
    pub store_nanos: AtomicU64,
}

struct Shared {
    window: RwLock<Window>,
    released: watch::Sender<EventId>,
    store: Arc<dyn LogStore>,
    /// Takes over when the store fails: events go on, in memory only.
    fallback: MemoryStore,
    degraded: AtomicBool,
    degraded_signal: watch::Sender<bool>,
    pending: AtomicUsize,
    room_for_more: Notify,
    stats: Stats,
    store_name: String,
    /// The oldest id a reader can still get (advanced by pruning).
    oldest: AtomicU64,
}

enum Message {
    Record(Record),
    Stop,
}

/// The room log. Cheap to share behind an `Arc`.
pub struct RoomLog {
    epoch: String,
    stored: Stored,
    queue: Mutex<mpsc::Sender<Message>>,
    shared: Arc<Shared>,
    committer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for RoomLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomLog")
            .field("epoch", &self.epoch)
            .field("store", &self.shared.store_name)
            .finish_non_exhaustive()
    }
}

/// Random bytes as lower-case hex (epochs and resume tokens).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // No system randomness (never seen on Linux): fall back to the clock and the pid,
        // unique if not secret; tokens then only guard against mistakes.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            ^ u128::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl RoomLog {
    /// Opens the store and starts the committer. A file that cannot be used is an error
    /// naming it; nothing is written over.
    pub fn open(config: &LogConfig) -> Result<Self, StoreError> {
        let new_epoch = random_hex(8);
        match &config.storage {
            Storage::File(path) => {
                let (store, stored) = SqliteStore::open(path, &new_epoch)?;
                Self::with_store(Arc::new(store), stored, path.display().to_string(), config)
            }
            Storage::Memory => {
                let stored = Stored {
                    epoch: new_epoch,
                    newest: EventId(0),
                    last_session: SessionId(0),
                };
                let store = Arc::new(MemoryStore::new());
                Self::with_store(store, stored, "memória".to_owned(), config)
            }
        }
    }

    /// A log over any store that holds `stored`; `name` says which, in logs.
    pub fn with_store(
        store: Arc<dyn LogStore>,
        stored: Stored,
        name: String,
        config: &LogConfig,
    ) -> Result<Self, StoreError> {
        let oldest = store.oldest()?;
        let (released, _) = watch::channel(stored.newest);
        let (degraded_signal, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            window: RwLock::new(Window::new(config.window_bytes)),
            released,
            store,
            fallback: MemoryStore::new(),
            degraded: AtomicBool::new(false),
            degraded_signal,
            pending: AtomicUsize::new(0),
            room_for_more: Notify::new(),
            stats: Stats::default(),
            oldest: AtomicU64::new(oldest.map_or(stored.newest.0 + 1, |id| id.0)),
            store_name: name,
        });
        let (queue, records) = mpsc::channel();
        let committer = Committer {
            shared: Arc::clone(&shared),
            keep: config.keep.max(1),
        };
        let handle = std::thread::Builder::new()
            .name("papo-log".into())
            .spawn(move || committer.run(records))
            .map_err(|e| StoreError::Unusable {
                path: shared.store_name.clone(),
                why: format!("cannot start the log thread: {e}"),
            })?;
        Ok(Self {
            epoch: stored.epoch.clone(),
            stored,
            queue: Mutex::new(queue),
            shared,
            committer: Mutex::new(Some(handle)),
        })
    }

    /// Names this log (`HELLO`'s epoch).
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// What the store held at start.
    pub fn stored(&self) -> &Stored {
        &self.stored
    }

    /// Queues a record for the next commit. Never waits: callers that can wait call
    /// [`wait_for_room`](Self::wait_for_room) first.
    pub fn append(&self, record: Record) {
        if matches!(record, Record::Event(..)) {
            self.shared.pending.fetch_add(1, Ordering::Relaxed);
        }
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if queue.send(Message::Record(record)).is_err() {
            tracing::error!("the log thread is gone; event dropped");
        }
    }

    /// Waits while too many events await their commit (the store is behind).
    pub async fn wait_for_room(&self) {
        loop {
            let notified = self.shared.room_for_more.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the check, so a release in between is not missed.
            notified.as_mut().enable();
            if self.shared.pending.load(Ordering::Relaxed) < MAX_PENDING {
                return;
            }
            notified.await;
        }
    }

    /// The newest released (committed) id, and a receiver that changes with it.
    pub fn released(&self) -> watch::Receiver<EventId> {
        self.shared.released.subscribe()
    }

    /// Resolves once the store has failed (chat goes on from memory).
    pub fn degraded(&self) -> watch::Receiver<bool> {
        self.shared.degraded_signal.subscribe()
    }

    /// Whether the store has failed.
    pub fn is_degraded(&self) -> bool {
        self.shared.degraded.load(Ordering::Relaxed)
    }

    /// The oldest id still kept (the newest plus one when the log is empty).
    pub fn oldest(&self) -> EventId {
        EventId(self.shared.oldest.load(Ordering::Relaxed))
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Bytes the window holds.
    pub fn window_bytes(&self) -> usize {
        self.shared
            .window
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .bytes()
    }

    /// Events after `after` up to `upto` (at least one if any is due, about `budget` bytes),
    /// from the window or else from the store. Ids in the result may skip ahead where events
    /// are no longer stored; the caller reports such a gap.
    pub async fn read(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
    ) -> Vec<Arc<LoggedEvent>> {
        // What pruning forgot is gone, even if the window still holds it.
        let after = after.max(EventId(self.oldest().0.saturating_sub(1)));
        let mut out = Vec::new();
        let in_window = {
            let window = self.shared.window.read().unwrap_or_else(|p| p.into_inner());
            window.read(after, upto, budget, &mut out)
        };
        if in_window.is_ok() {
            return out;
        }
        let shared = Arc::clone(&self.shared);
        let read = tokio::task::spawn_blocking(move || shared.read_stored(after, upto));
        match read.await {
            Ok(events) => events,
            Err(err) => {
                tracing::error!(%err, "catch-up read panicked");
                Vec::new()
            }
        }
    }

    /// The session `token` resumes, if any store knows it.
    pub async fn find_session(&self, token: String) -> Option<SessionId> {
        let shared = Arc::clone(&self.shared);
        let found = tokio::task::spawn_blocking(move || {
            if let Ok(Some(id)) = shared.fallback.find_session(&token) {
                return Some(id);
            }
            match shared.store.find_session(&token) {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(%err, "session lookup failed");
                    None
                }
            }
        });
        found.await.ok().flatten()
    }

    /// Commits what is queued and stops the committer (at shutdown).
    pub fn close(&self) {
        {
            let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            let _ = queue.send(Message::Stop);
        }
        let handle = self
            .committer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = handle
            && handle.join().is_err()
        {
            tracing::error!("the log thread panicked");
        }
        let stats = &self.shared.stats;
        let commits = stats.commits.load(Ordering::Relaxed);
        let events = stats.events.load(Ordering::Relaxed);
        if let Some(per_commit) = events.checked_div(commits) {
            let nanos = stats.store_nanos.load(Ordering::Relaxed);
            tracing::info!(
                events,
                commits,
                events_per_commit = per_commit,
                store_us_per_event = format!("{:.2}", nanos as f64 / 1000.0 / events.max(1) as f64),
                "room log closed"
            );
        }
    }
}

impl Shared {
    /// A catch-up read: the store for what the fallback does not hold, then the fallback.
    fn read_stored(&self, after: EventId, upto: EventId) -> Vec<Arc<LoggedEvent>> {
        let fallback_first = self.fallback.first();
        let from_fallback = |after| {
            self.fallback
                .read_after(after, CATCH_UP_PAGE)
                .unwrap_or_default()
        };
        let mut events = match fallback_first {
            Some(first) if after.0 + 1 >= first.0 => from_fallback(after),
            _ => match self.store.read_after(after, CATCH_UP_PAGE) {
                Ok(mut events) => {
                    if let Some(first) = fallback_first {
                        events.retain(|e| e.id < first);
                        if events.is_empty() {
                            events = from_fallback(after);
                        }
                    }
                    events
                }
                Err(err) => {
                    tracing::warn!(%err, "catch-up read failed; the reader skips what it cannot read");
                    fallback_first
                        .map(|_| from_fallback(after))
                        .unwrap_or_default()
                }
            },
        };
        events.retain(|e| e.id <= upto);
        events
    }
}

struct Committer {
    shared: Arc<Shared>,
    keep: u64,
}

impl Committer {
    fn run(mut self, records: mpsc::Receiver<Message>) {
        let mut events = Vec::new();
        let mut sessions = Vec::new();
        let mut stop = false;
        while !stop {
            let Ok(first) = records.recv() else { break };
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Stop => stop = true,
                    Message::Record(Record::Event(line, audience)) => {
                        if let Some(e) = LoggedEvent::new(line, audience) {
                            events.push(Arc::new(e));
                        }
                    }
                    Message::Record(Record::Session(s)) => sessions.push(s),
                }
                if events.len() + sessions.len() < MAX_BATCH && !stop {
                    next = records.try_recv().ok();
                }
            }
            self.commit(&events, &sessions);
            self.release(&mut events);
            sessions.clear();
            self.prune();
        }
    }

    fn commit(&self, events: &[Arc<LoggedEvent>], sessions: &[NewSession]) {
        if events.is_empty() && sessions.is_empty() {
            return;
        }
        let shared = &self.shared;
        if !shared.degraded.load(Ordering::Relaxed) {
            let started = Instant::now();
            let stored = shared.store.append(events, sessions);
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            shared.stats.store_nanos.fetch_add(nanos, Ordering::Relaxed);
            match stored {
                Ok(()) => {
                    shared.stats.commits.fetch_add(1, Ordering::Relaxed);
                    shared
                        .stats
                        .events
                        .fetch_add(events.len() as u64, Ordering::Relaxed);
                    return;
                }
                Err(err) => {
                    tracing::error!(
                        store = shared.store_name,
                        %err,
                        "the history store failed: chat goes on, but history is NOT being kept \
                         from now on. Free disk space or fix the file's permissions, then restart \
                         papo-server (history kept so far stays in the file)"
                    );
                    shared.degraded.store(true, Ordering::Relaxed);
                    shared.degraded_signal.send_replace(true);
                }
            }
        }
        let _ = shared.fallback.append(events, sessions);
    }

    /// Makes committed events visible to every connection.
    fn release(&self, events: &mut Vec<Arc<LoggedEvent>>) {
        let Some(last) = events.last().map(|e| e.id) else {
            return;
        };
        let shared = &self.shared;
        {
            let mut window = shared.window.write().unwrap_or_else(|p| p.into_inner());
            for e in events.iter() {
                window.push(Arc::clone(e));
            }
        }
        shared.released.send_replace(last);
        shared.pending.fetch_sub(events.len(), Ordering::Relaxed);
        shared.room_for_more.notify_waiters();
        events.clear();
    }

    /// Forgets events beyond `keep`, in steps of an eighth of it so pruning stays rare.
    fn prune(&mut self) {
        let shared = &self.shared;
        let newest = *shared.released.borrow();
        let oldest = shared.oldest.load(Ordering::Relaxed);
        if newest.0 < oldest + self.keep + self.keep / 8 {
            return;
        }
        let upto = EventId(newest.0 - self.keep);
        let pruned = shared.fallback.prune(upto).and_then(|()| {
            if shared.degraded.load(Ordering::Relaxed) {
                Ok(())
            } else {
                shared.store.prune(upto)
            }
        });
        match pruned {
            Ok(()) => shared.oldest.store(upto.0 + 1, Ordering::Relaxed),
            Err(err) => tracing::warn!(%err, "pruning old history failed; will retry"),
        }
    }
}
