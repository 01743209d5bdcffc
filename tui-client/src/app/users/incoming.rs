//! A `USERS` reply that comes in parts (`USERS <count> <offset> :…`, sent back to back by the
//! server when the list does not fit in one line), put together before it replaces the panel.

use papo_protocol::Nickname;

/// Most names a reply may bring, and most events recorded while one is put together: a
/// server that announces or sends more cannot make papo hold more (a room this big keeps its
/// first names; the rest are counted as if kept, so the reply still completes).
pub const MAX_LISTED: usize = 100_000;

/// A join, departure or rename that arrived while a reply was being put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// Someone joined.
    Add(Nickname),
    /// Someone left.
    Remove(Nickname),
    /// Someone changed nickname.
    Rename(Nickname, Nickname),
}

/// The parts received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Incoming {
    count: usize,
    /// Names received so far, counted even when past [`MAX_LISTED`] and not kept.
    received: usize,
    nicks: Vec<Nickname>,
    changes: Vec<Change>,
    /// The caller's flag for this reply (show it in the history).
    pub(super) show: bool,
}

impl Incoming {
    /// A reply of `count` names starts.
    pub(super) fn new(count: usize, show: bool) -> Self {
        Self {
            count,
            received: 0,
            nicks: Vec::new(),
            changes: Vec::new(),
            show,
        }
    }

    /// Takes a part; `false` if it does not continue this reply (another count, a gap, or
    /// more names than the count).
    pub(super) fn take(&mut self, count: usize, offset: usize, nicks: Vec<Nickname>) -> bool {
        let fits = count == self.count
            && offset == self.received
            && offset
                .checked_add(nicks.len())
                .is_some_and(|end| end <= count);
        if !fits {
            return false;
        }
        self.received += nicks.len();
        let room = MAX_LISTED.saturating_sub(self.nicks.len());
        self.nicks.extend(nicks.into_iter().take(room));
        true
    }

    /// Whether every name arrived.
    pub(super) fn complete(&self) -> bool {
        self.received == self.count
    }

    /// Records an event that arrived meanwhile; `false` once too many did.
    pub(super) fn record(&mut self, change: Change) -> bool {
        if self.changes.len() >= MAX_LISTED {
            return false;
        }
        self.changes.push(change);
        true
    }

    /// The names, and the events to apply after them.
    pub(super) fn finish(self) -> (Vec<Nickname>, Vec<Change>) {
        (self.nicks, self.changes)
    }
}
