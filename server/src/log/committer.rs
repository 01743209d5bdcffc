//! The committer: one thread that takes everything queued, stores it in one transaction
//! (group commit), then releases it to every connection; and prunes what the log no longer
//! keeps.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Instant;

use papo_protocol::EventId;

use super::event::{LoggedEvent, Record, SessionChange};
use super::store::LogStore;
use super::{MAX_BATCH, Message, PRUNE_STEP, Shared};

/// The committer's state.
pub(super) struct Committer {
    pub(super) shared: Arc<Shared>,
    pub(super) keep: u64,
}

impl Committer {
    /// Commits and releases until the queue ends or says stop.
    pub(super) fn run(mut self, records: mpsc::Receiver<Message>) {
        let mut events = Vec::new();
        let mut sessions = Vec::new();
        let mut stop = false;
        while !stop {
            let Ok(first) = records.recv() else { break };
            let mut next = Some(first);
            let mut cost = 0;
            while let Some(message) = next.take() {
                match message {
                    Message::Stop => stop = true,
                    Message::Record(Record::Event(line, audience), weight) => {
                        cost += weight;
                        if let Some(e) = LoggedEvent::new(line, audience) {
                            events.push(Arc::new(e));
                        }
                    }
                    Message::Record(Record::Session(change), weight) => {
                        cost += weight;
                        sessions.push(change);
                    }
                }
                if events.len() + sessions.len() < MAX_BATCH && !stop {
                    next = records.try_recv().ok();
                }
            }
            self.commit(&events, &sessions);
            self.release(&mut events, cost);
            sessions.clear();
            self.prune();
        }
    }

    /// Commits and releases one record at once (memory only: nothing to wait for).
    pub(super) fn commit_now(&mut self, record: Record) {
        let mut events = Vec::new();
        let mut sessions = Vec::new();
        match record {
            Record::Event(line, audience) => {
                if let Some(e) = LoggedEvent::new(line, audience) {
                    events.push(Arc::new(e));
                }
            }
            Record::Session(change) => sessions.push(change),
        }
        self.commit(&events, &sessions);
        self.release(&mut events, 0);
        self.prune();
    }

    fn commit(&self, events: &[Arc<LoggedEvent>], sessions: &[SessionChange]) {
        if events.is_empty() && sessions.is_empty() {
            return;
        }
        let shared = &self.shared;
        if let Some(store) = &shared.store
            && !shared.degraded.load(Ordering::Relaxed)
        {
            let started = Instant::now();
            let stored = store.append(events, sessions);
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
        let _ = shared.memory.append(events, sessions);
        if shared.memory.evicted()
            && let Some(first) = shared.memory.first()
        {
            // Memory dropped its oldest for its byte budget: nothing before it can be read.
            shared.oldest.fetch_max(first.0, Ordering::Relaxed);
        }
    }

    /// Makes committed events visible to every connection.
    fn release(&self, events: &mut Vec<Arc<LoggedEvent>>, cost: usize) {
        let shared = &self.shared;
        if let Some(last) = events.last().map(|e| e.id) {
            {
                let mut window = shared.window.write().unwrap_or_else(|p| p.into_inner());
                for e in events.iter() {
                    window.push(Arc::clone(e));
                }
            }
            shared.released.raise(last);
            if events.iter().any(|e| !e.is_presence()) {
                shared.announced.raise(last);
            }
        }
        if cost > 0 {
            shared.pending_bytes.fetch_sub(cost, Ordering::Relaxed);
            shared.room_for_more.notify_waiters();
        }
        events.clear();
    }

    /// Forgets events beyond `keep`, a step at a time, once an eighth more has accumulated.
    fn prune(&mut self) {
        let shared = &self.shared;
        let newest = shared.released.get();
        let oldest = EventId(shared.oldest.load(Ordering::Relaxed));
        if shared
            .gaps
            .issued_between(oldest.0.saturating_sub(1), newest.0)
            < self.keep + self.keep / 8
        {
            return;
        }
        let upto = EventId(shared.gaps.back_by(newest.0, self.keep));
        let in_memory = shared.memory.prune(upto, PRUNE_STEP);
        let pruned = match &shared.store {
            Some(store) if !shared.degraded.load(Ordering::Relaxed) => {
                store.prune(upto, PRUNE_STEP)
            }
            // Memory only, or the file can no longer be written: what is older than `upto`
            // is past what the history keeps, wherever it still lies.
            Some(_) => in_memory.map(|_| Some(EventId(upto.0 + 1))),
            None => in_memory,
        };
        match pruned {
            Ok(first) => {
                let first = first.map_or(newest.0 + 1, |id| id.0);
                shared.oldest.fetch_max(first, Ordering::Relaxed);
            }
            Err(err) => tracing::warn!(%err, "pruning old history failed; will retry"),
        }
    }
}
