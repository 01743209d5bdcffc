//! The room log: every room event is committed to the store before anyone receives it.
//!
//! The hub appends records in id order (under its lock, so order is the sequencer's); one
//! committer thread takes everything queued, commits it in one transaction (group commit), then
//! *releases* it: the events enter the in-memory [`Window`] and the released id advances, which
//! wakes every connection's writer. A writer is just a position in the log: it sends what lies
//! after its position, from the window or, when it fell behind the window, from the store.

pub mod beacon;
mod committer;
pub mod event;
pub mod gaps;
pub mod sqlite;
pub mod store;
pub mod window;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use papo_protocol::{EventId, ServerLine};
use tokio::sync::{Notify, Semaphore, watch};

use event::{LoggedEvent, Record, SessionId};
use gaps::Gaps;
use sqlite::SqliteStore;
use store::{LogStore, MemoryStore, StoreError, Stored};
use window::Window;

/// Most records committed in one transaction.
const MAX_BATCH: usize = 4096;
/// Bytes of events appended but not yet committed before readers wait (backpressure on the
/// senders while the store is behind).
const MAX_PENDING_BYTES: usize = 16 * 1024 * 1024;
/// Events read from the store per catch-up read (also bounded by the reader's write budget).
pub const CATCH_UP_PAGE: usize = 1024;
/// Catch-up reads from the store running at once; more wait their turn.
const CONCURRENT_STORE_READS: usize = 4;
/// Bytes of history kept in memory with `--no-history`, or after the store failed.
pub const MEMORY_HISTORY_BYTES: usize = 64 * 1024 * 1024;
/// Rows deleted per pruning step, so one step never holds up commits for long.
const PRUNE_STEP: usize = 8192;
/// Events read into the window at start, so clients resuming after a restart are served
/// from memory.
const WARM_UP_EVENTS: usize = 10_000;
/// How long a released presence event (join, departure, rename) waits before idle readers are
/// woken for it: a burst of joins reaches each member in a few writes, not one per join.
pub const PRESENCE_DELAY: Duration = Duration::from_millis(25);
/// The presence delay per connected reader, once that is more than [`PRESENCE_DELAY`] (past
/// 2 500 readers), so that announcing a burst of joins to a big room costs at most 100 000
/// writes a second: 10 000 members hear of joins every 100 ms. (Without it, a burst of 10 000
/// joins took 76 s: every 25 ms, every member was written to.)
pub const PRESENCE_DELAY_PER_READER: Duration = Duration::from_micros(10);

/// The presence delay for a room of `readers` connections.
pub fn presence_delay(readers: usize) -> Duration {
    let per_reader =
        PRESENCE_DELAY_PER_READER.saturating_mul(u32::try_from(readers).unwrap_or(u32::MAX));
    PRESENCE_DELAY.max(per_reader)
}

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

/// Events read for a connection.
#[derive(Debug, Default)]
pub struct Read {
    /// Ids before the first one asked for that are no longer kept: the reader was moved
    /// past them, to this id (it should say how many it missed).
    pub pruned_to: Option<EventId>,
    /// The events, oldest first (possibly none: no event was handed out in the span).
    pub events: Vec<Arc<LoggedEvent>>,
}

/// A catch-up read from the store failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the history could not be read")]
pub struct ReadFailed;

struct Shared {
    window: RwLock<Window>,
    released: Beacon,
    /// The newest released id idle readers are woken for: at once for any event but
    /// presence, which [`RoomLog::announce_presence`] announces a moment later.
    announced: Beacon,
    /// The durable store; `None` with `--no-history`.
    store: Option<Arc<dyn LogStore>>,
    /// Memory-only history: all of it with `--no-history`; what came after a store failure.
    memory: MemoryStore,
    degraded: AtomicBool,
    degraded_signal: watch::Sender<bool>,
    pending_bytes: AtomicUsize,
    room_for_more: Notify,
    store_reads: Semaphore,
    stats: Stats,
    store_name: String,
    /// The oldest id a reader can still get (advanced by pruning).
    oldest: AtomicU64,
    /// Ids never handed out.
    gaps: Gaps,
}

enum Message {
    Record(Record, usize),
    Stop,
}

use beacon::Beacon;
use committer::Committer;

/// Who commits what the hub appends.
enum Commit {
    /// A durable store: the committer thread, fed through a channel (group commit).
    Thread {
        queue: Mutex<mpsc::Sender<Message>>,
        handle: Mutex<Option<JoinHandle<()>>>,
    },
    /// Memory only: committed and released at once by the appending task (a thread hop per
    /// batch would cost two context switches and buy nothing).
    Inline(Mutex<Committer>),
}

/// The room log. Cheap to share behind an `Arc`.
pub struct RoomLog {
    epoch: String,
    stored: Stored,
    commit: Commit,
    shared: Arc<Shared>,
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

/// What an event weighs while it waits for its commit (an estimate made before encoding).
fn pending_cost(record: &Record) -> usize {
    match record {
        Record::Event(line, _) => {
            128 + match line {
                ServerLine::Message { text, .. }
                | ServerLine::Action { text, .. }
                | ServerLine::Private { text, .. } => text.len(),
                ServerLine::Left { reason, .. } => reason.len(),
                _ => 0,
            }
        }
        Record::Session(_) => 0,
    }
}

impl RoomLog {
    /// Opens the store and starts the committer. A file that cannot be used is an error
    /// naming it; nothing is written over.
    pub fn open(config: &LogConfig) -> Result<Self, StoreError> {
        let new_epoch = random_hex(8);
        match &config.storage {
            Storage::File(path) => {
                let (store, stored) = SqliteStore::open(path, &new_epoch)?;
                let name = path.display().to_string();
                Self::with_store(Some(Arc::new(store)), stored, name, config)
            }
            Storage::Memory => {
                let stored = Stored {
                    epoch: new_epoch,
                    newest: EventId(0),
                    last_session: SessionId(0),
                    gaps: Gaps::new(),
                };
                Self::with_store(None, stored, "memória".to_owned(), config)
            }
        }
    }

    /// A log over `store` (memory only when `None`) that holds `stored`; `name` says which,
    /// in logs.
    pub fn with_store(
        store: Option<Arc<dyn LogStore>>,
        stored: Stored,
        name: String,
        config: &LogConfig,
    ) -> Result<Self, StoreError> {
        let mut window = Window::new(config.window_bytes);
        let mut oldest = EventId(stored.newest.0 + 1);
        if let Some(store) = &store {
            if let Some(first) = store.oldest()? {
                oldest = first;
            }
            let newest_stored = stored.gaps.back_by(stored.newest.0, 0);
            let from = stored.gaps.back_by(newest_stored, WARM_UP_EVENTS as u64);
            for event in store.read_after(EventId(from), WARM_UP_EVENTS, usize::MAX)? {
                window.push(event);
            }
        }
        let (degraded_signal, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            window: RwLock::new(window),
            released: Beacon::new(stored.newest),
            announced: Beacon::new(stored.newest),
            store,
            memory: MemoryStore::new(MEMORY_HISTORY_BYTES),
            degraded: AtomicBool::new(false),
            degraded_signal,
            pending_bytes: AtomicUsize::new(0),
            room_for_more: Notify::new(),
            store_reads: Semaphore::new(CONCURRENT_STORE_READS),
            stats: Stats::default(),
            oldest: AtomicU64::new(oldest.0),
            store_name: name,
            gaps: stored.gaps.clone(),
        });
        let committer = Committer {
            shared: Arc::clone(&shared),
            keep: config.keep.max(1),
        };
        let commit = if shared.store.is_some() {
            let (queue, records) = mpsc::channel();
            Commit::Thread {
                queue: Mutex::new(queue),
                handle: Mutex::new(Some(spawn_committer(committer, records, &shared)?)),
            }
        } else {
            Commit::Inline(Mutex::new(committer))
        };
        Ok(Self {
            epoch: stored.epoch.clone(),
            stored,
            commit,
            shared,
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
        match &self.commit {
            Commit::Inline(committer) => committer
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .commit_now(record),
            Commit::Thread { queue, .. } => {
                let cost = pending_cost(&record);
                self.shared.pending_bytes.fetch_add(cost, Ordering::Relaxed);
                let queue = queue.lock().unwrap_or_else(|p| p.into_inner());
                if queue.send(Message::Record(record, cost)).is_err() {
                    tracing::error!("the log thread is gone; record dropped");
                }
            }
        }
    }

    /// Waits while too much awaits its commit (the store is behind).
    pub async fn wait_for_room(&self) {
        // Checked before registering: the common case (and a memory-only log) costs one load.
        if self.shared.pending_bytes.load(Ordering::Relaxed) < MAX_PENDING_BYTES {
            return;
        }
        loop {
            let notified = self.shared.room_for_more.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the check, so a release in between is not missed.
            notified.as_mut().enable();
            if self.shared.pending_bytes.load(Ordering::Relaxed) < MAX_PENDING_BYTES {
                return;
            }
            notified.await;
        }
    }

    /// The newest released (committed) id; `released().passed(seen)` waits for a newer one.
    pub fn released(&self) -> &Beacon {
        &self.shared.released
    }

    /// The newest id idle readers must be woken for: it follows [`released`](Self::released)
    /// at once for messages, and for presence events within [`presence_delay`] while
    /// [`announce_presence`](Self::announce_presence) runs.
    pub fn announced(&self) -> &Beacon {
        &self.shared.announced
    }

    /// Announces every released event at most [`presence_delay`] after its release (`readers`
    /// says how many connections read the log); runs until dropped (the server runs one beside
    /// its connections).
    pub async fn announce_presence(&self, readers: impl Fn() -> usize) {
        let shared = &self.shared;
        loop {
            // Compared, not only awaited: releases before this first ran count too.
            let announced = shared.announced.get();
            if shared.released.get() > announced {
                tokio::time::sleep(presence_delay(readers())).await;
                shared.announced.raise(shared.released.get());
            } else {
                shared.released.passed(announced).await;
            }
        }
    }

    /// Changes to `true` once the store has failed (chat goes on from memory).
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

    /// How many events have ids in `(after, upto]` (ids skipped after an unclean stop are
    /// not events).
    pub fn events_between(&self, after: EventId, upto: EventId) -> u64 {
        self.shared.gaps.issued_between(after.0, upto.0)
    }

    /// The id after which `n` events remain up to `upto` (0 if there are fewer).
    pub fn back_by(&self, upto: EventId, n: u64) -> EventId {
        EventId(self.shared.gaps.back_by(upto.0, n))
    }

    /// The fast path of [`read`](Self::read): hands `take` the events after `after` up to
    /// `upto` straight from the window (about `budget` bytes, at least one if any is due),
    /// without cloning them, and returns the id of the last one handed (`None`: none was due).
    /// `Err` when the window no longer holds them (or the reader is behind what the log keeps):
    /// call [`read`](Self::read).
    pub fn read_recent(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
        take: impl FnMut(&Arc<LoggedEvent>),
    ) -> Result<Option<EventId>, window::Evicted> {
        if after.0 + 1 < self.oldest().0 {
            return Err(window::Evicted);
        }
        let window = self.shared.window.read().unwrap_or_else(|p| p.into_inner());
        let from = self.skip_unissued(after, &window);
        window.visit(from, upto, budget, take)
    }

    /// `after`, or the id before the window's first when no event was handed out between
    /// the two (ids skipped after an unclean stop hide nothing).
    fn skip_unissued(&self, after: EventId, window: &Window) -> EventId {
        match window.first() {
            Some(first)
                if after.0 + 1 < first.0
                    && self.shared.gaps.issued_between(after.0, first.0 - 1) == 0 =>
            {
                EventId(first.0 - 1)
            }
            _ => after,
        }
    }

    /// Events after `after` up to `upto` (at least one if any is due, about `budget` bytes),
    /// from the window or else from the store. A reader behind what the log still keeps is
    /// moved past the pruned ids (`pruned_to`).
    pub async fn read(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
    ) -> Result<Read, ReadFailed> {
        let mut read = Read::default();
        let kept_from = EventId(self.oldest().0.saturating_sub(1));
        let after = if after < kept_from {
            read.pruned_to = Some(kept_from);
            kept_from
        } else {
            after
        };
        let in_window = {
            let window = self.shared.window.read().unwrap_or_else(|p| p.into_inner());
            let from = self.skip_unissued(after, &window);
            window.read(from, upto, budget, &mut read.events)
        };
        if in_window.is_ok() {
            return Ok(read);
        }
        // One permit per store read: a crowd catching up at once waits its turn.
        let Ok(_permit) = self.shared.store_reads.acquire().await else {
            return Err(ReadFailed);
        };
        let shared = Arc::clone(&self.shared);
        let stored = tokio::task::spawn_blocking(move || shared.read_stored(after, upto, budget));
        match stored.await {
            Ok(Ok(events)) => {
                read.events = events;
                Ok(read)
            }
            Ok(Err(err)) => {
                tracing::warn!(%err, "catch-up read failed");
                Err(ReadFailed)
            }
            Err(err) => {
                tracing::error!(%err, "catch-up read panicked");
                Err(ReadFailed)
            }
        }
    }

    /// The first id the window holds, if any.
    pub fn window_first(&self) -> Option<EventId> {
        self.shared
            .window
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .first()
    }

    /// The session `token` resumes, if any store knows it.
    pub async fn find_session(&self, token: String) -> Option<SessionId> {
        // Counted with the catch-up reads: a crowd resuming at once waits its turn.
        let Ok(_permit) = self.shared.store_reads.acquire().await else {
            return None;
        };
        let shared = Arc::clone(&self.shared);
        let found = tokio::task::spawn_blocking(move || {
            if let Ok(Some(id)) = shared.memory.find_session(&token) {
                return Some(id);
            }
            match shared.store.as_ref().map(|s| s.find_session(&token)) {
                Some(Ok(found)) => found,
                Some(Err(err)) => {
                    tracing::warn!(%err, "session lookup failed");
                    None
                }
                None => None,
            }
        });
        found.await.ok().flatten()
    }

    /// Commits what is queued, stops the committer and marks a clean stop (at shutdown).
    pub fn close(&self) {
        if let Commit::Thread { queue, handle } = &self.commit {
            {
                let queue = queue.lock().unwrap_or_else(|p| p.into_inner());
                let _ = queue.send(Message::Stop);
            }
            let handle = handle.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(handle) = handle
                && handle.join().is_err()
            {
                tracing::error!("the log thread panicked");
            }
        }
        if let Some(store) = &self.shared.store {
            // After a failure, ids were handed out that the file lacks: not a clean stop.
            let clean = !self.is_degraded();
            if let Err(err) = store.close(clean) {
                tracing::warn!(%err, "could not mark the history as cleanly closed");
            }
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

/// Starts the committer thread over `records`.
fn spawn_committer(
    committer: Committer,
    records: mpsc::Receiver<Message>,
    shared: &Shared,
) -> Result<JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name("papo-log".into())
        .spawn(move || {
            let ran =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| committer.run(records)));
            if ran.is_err() {
                // Without its committer the room would freeze, silently: better to stop,
                // so whatever supervises the server restarts it (nothing stored is lost).
                tracing::error!("the room log thread panicked; papo-server stops");
                std::process::exit(70);
            }
        })
        .map_err(|e| StoreError::Unusable {
            path: shared.store_name.clone(),
            why: format!("cannot start the log thread: {e}"),
        })
}

impl Shared {
    /// A catch-up read: the store for what memory does not hold, then memory.
    fn read_stored(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
        let memory_first = self.memory.first();
        let from_memory = || self.memory.read_after(after, CATCH_UP_PAGE, budget);
        let mut events = match (&self.store, memory_first) {
            (_, Some(first)) if after.0 + 1 >= first.0 => from_memory()?,
            (None, _) => from_memory()?,
            (Some(store), _) => {
                let mut events = store.read_after(after, CATCH_UP_PAGE, budget)?;
                if let Some(first) = memory_first {
                    events.retain(|e| e.id < first);
                    if events.is_empty() {
                        events = from_memory()?;
                    }
                }
                events
            }
        };
        events.retain(|e| e.id <= upto);
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use papo_protocol::{Nickname, Timestamp};

    use super::*;
    use crate::log::event::Audience;

    fn memory_log() -> RoomLog {
        RoomLog::open(&LogConfig {
            storage: Storage::Memory,
            keep: 100,
            window_bytes: 1 << 20,
        })
        .expect("a memory log opens")
    }

    fn joined(id: u64) -> Record {
        let nick = Nickname::parse(&format!("ana{id}")).expect("a valid nickname");
        let time = Timestamp::from_unix_seconds(1_800_000_000);
        Record::Event(
            ServerLine::Joined {
                id: EventId(id),
                time,
                nick,
            },
            Audience::All,
        )
    }

    fn message(id: u64) -> Record {
        let nick = Nickname::parse("ana").expect("a valid nickname");
        let time = Timestamp::from_unix_seconds(1_800_000_000);
        let text = "oi".to_owned();
        Record::Event(
            ServerLine::Message {
                id: EventId(id),
                time,
                nick,
                text,
            },
            Audience::All,
        )
    }

    #[test]
    fn the_presence_delay_grows_with_the_room_past_2500_readers() {
        assert_eq!(presence_delay(0), PRESENCE_DELAY);
        assert_eq!(presence_delay(2500), PRESENCE_DELAY);
        assert!(presence_delay(2600) > PRESENCE_DELAY);
        assert_eq!(presence_delay(10_000), Duration::from_millis(100));
        assert_eq!(
            presence_delay(usize::MAX),
            PRESENCE_DELAY_PER_READER * u32::MAX
        );
    }

    #[tokio::test(start_paused = true)]
    async fn presence_is_announced_a_moment_late_and_messages_at_once() {
        let log = Arc::new(memory_log());
        let announcer = tokio::spawn({
            let log = Arc::clone(&log);
            async move { log.announce_presence(|| 3).await }
        });
        let announced = log.announced();
        log.append(joined(1));
        log.append(joined(2));
        assert_eq!(log.released().get(), EventId(2));
        assert_eq!(
            announced.get(),
            EventId(0),
            "joins wait to be announced together"
        );

        tokio::time::sleep(PRESENCE_DELAY / 2).await;
        assert_eq!(announced.get(), EventId(0));
        tokio::time::sleep(PRESENCE_DELAY).await;
        assert_eq!(announced.get(), EventId(2), "announced within the delay");

        log.append(joined(3));
        log.append(message(4));
        assert_eq!(
            announced.get(),
            EventId(4),
            "a message announces what came before it"
        );
        announcer.abort();
    }
}
