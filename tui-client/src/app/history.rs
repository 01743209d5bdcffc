//! The history pane's model: a list of entries bounded in count and in bytes, keyed by event id,
//! and where the reader is. The view is an *anchor* — the entry at the bottom of the pane and how
//! many of its rows are below it — or live (following the newest rows). Entries wrap lazily and
//! cache their height per width, so a resize, a scroll or a new line costs the rows it touches,
//! never a re-wrap of the whole history (osa1/tiny's message area, with lazy heights).

use std::collections::{HashSet, VecDeque};

use papo_protocol::EventId;

use super::entry::Entry;

/// Default most bytes the history holds ([`Entry::bytes`]): with the entry cap, whichever is
/// reached first drops the oldest entries.
pub const DEFAULT_CAP_BYTES: usize = 32 * 1024 * 1024;

/// The history of the room as this client saw it.
#[derive(Debug, Clone)]
pub struct History {
    entries: VecDeque<Entry>,
    /// The serial number of `entries[0]`: each entry pushed gets the next, so a serial names an
    /// entry however many older ones the caps drop.
    first_serial: u64,
    cap: usize,
    cap_bytes: usize,
    /// Sum of [`Entry::bytes`].
    bytes: usize,
    /// The pane's width in columns.
    width: usize,
    /// Rows the pane shows.
    pane_height: usize,
    /// Where the view is; `None` follows the newest rows.
    anchor: Option<Anchor>,
    /// Entries arrived while scrolled up.
    unseen: bool,
    /// A mention arrived while scrolled up.
    mention: bool,
    /// Ids of the events still kept.
    seen: HashSet<EventId>,
    /// The highest id the cap dropped that was older than the newest event then: anything at
    /// or below it counts as seen.
    floor: Option<EventId>,
    /// The id of the event added last.
    newest: Option<EventId>,
    /// The read marker: the serial of the first entry that arrived while the reader was away.
    marker: Option<u64>,
}

/// The view's bottom row: row `below` counted up from the last row of entry `serial` (0 = that
/// entry's last row is the pane's bottom row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    serial: u64,
    below: usize,
}

impl History {
    /// An empty history keeping at most `cap` entries and [`DEFAULT_CAP_BYTES`].
    pub fn new(cap: usize) -> Self {
        Self::with_caps(cap, DEFAULT_CAP_BYTES)
    }

    /// An empty history keeping at most `cap` entries and `cap_bytes` bytes (always at least
    /// the newest entry).
    pub fn with_caps(cap: usize, cap_bytes: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            first_serial: 0,
            cap: cap.max(1),
            cap_bytes,
            bytes: 0,
            width: 80,
            pane_height: 1,
            anchor: None,
            unseen: false,
            mention: false,
            seen: HashSet::new(),
            floor: None,
            newest: None,
            marker: None,
        }
    }

    /// Most entries kept.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Bytes held now ([`Entry::bytes`] summed).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.entries
    }

    /// The serial number of the oldest entry kept (the next ones count up from it).
    pub fn first_serial(&self) -> u64 {
        self.first_serial
    }

    /// The entry with serial `serial`, if still kept.
    pub fn get(&self, serial: u64) -> Option<&Entry> {
        self.index(serial).and_then(|i| self.entries.get(i))
    }

    /// The pane's width.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Rows the pane shows.
    pub fn pane_height(&self) -> usize {
        self.pane_height
    }

    /// Whether the view follows the newest rows.
    pub fn is_live(&self) -> bool {
        self.anchor.is_none()
    }

    /// The view's bottom row as `(serial, rows of that entry below the pane)`, or `None` when
    /// live. Drawing starts there.
    pub fn bottom(&self) -> Option<(u64, usize)> {
        // Clamped: a fold or the read marker going may have shrunk the anchored entry.
        self.anchor_index()
            .map(|(i, below)| (self.first_serial + i as u64, below))
    }

    /// Rows between the bottom of the pane and the newest row (0 = live). Costs a walk over the
    /// entries below the view: for tests and rare uses, not for every frame.
    pub fn scroll(&self) -> usize {
        let Some(a) = self.anchor else { return 0 };
        let Some(i) = self.index(a.serial) else {
            return 0;
        };
        let below: usize = (i + 1..self.entries.len()).map(|j| self.rows_of(j)).sum();
        below + a.below
    }

    /// The furthest [`History::scroll`] can go. Wraps every entry: for tests.
    pub fn max_scroll(&self) -> usize {
        let total: usize = (0..self.entries.len()).map(|i| self.rows_of(i)).sum();
        total.saturating_sub(self.pane_height)
    }

    /// Whether entries arrived since the reader scrolled up.
    pub fn unseen(&self) -> bool {
        self.unseen
    }

    /// Whether a mention arrived since the reader scrolled up.
    pub fn mention_pending(&self) -> bool {
        self.mention
    }

    /// The serial of the entry the read marker stands above, if any.
    pub fn marker(&self) -> Option<u64> {
        self.marker
    }

    /// Puts the read marker above the next entry that arrives (the reader went away), replacing
    /// the one shown: [`History::mark_unread`] then sets it.
    pub fn clear_marker(&mut self) {
        self.marker = None;
    }

    /// The reader is away: the newest entry (just pushed) is the first unread, unless an
    /// earlier one already is.
    pub fn mark_unread(&mut self) {
        if self.marker.is_none() && !self.entries.is_empty() {
            self.marker = Some(self.first_serial + self.entries.len() as u64 - 1);
        }
    }

    /// Whether the event `id` is already in the history, or older than what the cap kept.
    pub fn has_seen(&self, id: EventId) -> bool {
        self.seen.contains(&id) || self.floor.is_some_and(|f| id <= f)
    }

    /// The id of the newest event: where a resume picks up. The newest, not the greatest:
    /// ids only increase, and one absurd id from a server must not make papo resume after it
    /// (and miss everything real).
    pub fn max_seen(&self) -> Option<EventId> {
        self.newest
    }

    /// Records `id` as seen without showing anything (an event the smart filter hides).
    /// Returns `false` if it was seen before.
    pub fn mark_seen(&mut self, id: EventId) -> bool {
        if self.has_seen(id) {
            return false;
        }
        self.seen.insert(id);
        self.newest = Some(id);
        true
    }

    /// Forgets which ids were seen (not the entries): the server's sequence started over. The
    /// kept entries lose their ids too: they belong to the old sequence, and when the cap later
    /// drops them their ids must not become the floor of the new one.
    pub fn new_epoch(&mut self) {
        for e in &mut self.entries {
            e.forget_ids();
        }
        self.seen.clear();
        self.floor = None;
        self.newest = None;
    }

    /// Adds `entry` at the bottom; a join or leave right after another folds into it. An event
    /// already seen is dropped (returns `false`). While scrolled up, the view stays where it
    /// is and the new-messages marker (and the mention marker if `mention`) is set.
    pub fn push(&mut self, entry: Entry, mention: bool) -> bool {
        if let Some(id) = entry.id
            && !self.mark_seen(id)
        {
            return false;
        }
        if self.anchor.is_some() {
            self.unseen = true;
            self.mention |= mention;
        }
        let entry = match self.entries.back_mut() {
            Some(last) => {
                let before = last.bytes();
                match last.absorb(entry) {
                    Ok(()) => {
                        self.bytes = self.bytes - before + last.bytes();
                        self.evict();
                        return true;
                    }
                    Err(entry) => entry,
                }
            }
            None => entry,
        };
        self.bytes += entry.bytes();
        self.entries.push_back(entry);
        self.evict();
        true
    }

    /// Drops the oldest entries while over either cap (the newest always stays).
    fn evict(&mut self) {
        let mut dropped = false;
        while self.entries.len() > self.cap
            || (self.bytes > self.cap_bytes && self.entries.len() > 1)
        {
            let Some(old) = self.entries.pop_front() else {
                break;
            };
            dropped = true;
            self.first_serial += 1;
            self.bytes -= old.bytes();
            for id in old.ids() {
                self.seen.remove(&id);
                // Ids increase, so what the cap drops is older than the newest event. One
                // that is not (a server's absurd `u64::MAX`) must not become the floor, or
                // every later id would look old and the room would fall silent.
                if self.newest.is_some_and(|newest| id < newest) {
                    self.floor = self.floor.max(Some(id));
                }
            }
        }
        if !dropped {
            return;
        }
        if self.marker.is_some_and(|m| m < self.first_serial) {
            self.marker = None;
        }
        if let Some(a) = &mut self.anchor
            && a.serial < self.first_serial
        {
            // The view's entry is gone: stay at the oldest row still kept.
            a.serial = self.first_serial;
            a.below = self.entries.front().map_or(0, |e| e.height(self.width)) + 1;
        }
        self.clamp();
    }

    /// Lays the history out for a pane of `width` × `height`. Nothing is re-wrapped here:
    /// heights are computed when a row is needed. The entry at the bottom of the view stays
    /// there.
    pub fn set_geometry(&mut self, width: usize, height: usize) {
        self.width = width.max(1);
        self.pane_height = height.max(1);
        self.clamp();
    }

    /// Rows a page scroll moves: the pane minus one, so one row of context stays.
    pub fn page(&self) -> usize {
        self.pane_height.saturating_sub(1).max(1)
    }

    /// Scrolls up (towards older entries) by `rows`.
    pub fn scroll_up(&mut self, rows: usize) {
        let Some(last) = self.entries.len().checked_sub(1) else {
            return;
        };
        let (mut i, mut below) = self.anchor_index().unwrap_or((last, 0));
        below += rows;
        loop {
            let h = self.rows_of(i);
            if below < h {
                break;
            }
            if i == 0 {
                below = h.saturating_sub(1);
                break;
            }
            below -= h;
            i -= 1;
        }
        self.anchor = Some(Anchor {
            serial: self.first_serial + i as u64,
            below,
        });
        self.clamp();
    }

    /// Scrolls down by `rows`; reaching the bottom goes live.
    pub fn scroll_down(&mut self, rows: usize) {
        let Some((mut i, mut below)) = self.anchor_index() else {
            return;
        };
        let mut rows = rows;
        while rows > below {
            rows -= below + 1;
            i += 1;
            if i >= self.entries.len() {
                self.to_live();
                return;
            }
            below = self.rows_of(i).saturating_sub(1);
        }
        below -= rows;
        if i + 1 == self.entries.len() && below == 0 {
            self.to_live();
            return;
        }
        self.anchor = Some(Anchor {
            serial: self.first_serial + i as u64,
            below,
        });
    }

    /// Scrolls so the entry `serial` shows, its first row a few rows above the bottom of the
    /// pane (or as low as the history allows). Used by search.
    pub fn show(&mut self, serial: u64) {
        let Some(i) = self.index(serial) else { return };
        let h = self.rows_of(i);
        // An entry taller than the pane shows from its top row.
        self.anchor = Some(Anchor {
            serial,
            below: h.saturating_sub(self.pane_height),
        });
        // One that fits has its top row a third of the pane up from the bottom.
        let up = (self.pane_height / 3).min(self.pane_height.saturating_sub(h));
        self.scroll_down(up);
        if self.anchor.is_some() {
            self.clamp();
        }
    }

    /// Back to the newest rows, clearing the markers.
    pub fn to_live(&mut self) {
        self.anchor = None;
        self.unseen = false;
        self.mention = false;
    }

    /// Rows entry `i` takes: its wrapped height, plus the read marker's row above it.
    pub fn rows_of(&self, i: usize) -> usize {
        let Some(e) = self.entries.get(i) else {
            return 0;
        };
        let marked = self.marker == Some(self.first_serial + i as u64);
        e.height(self.width) + usize::from(marked)
    }

    fn index(&self, serial: u64) -> Option<usize> {
        let i = usize::try_from(serial.checked_sub(self.first_serial)?).ok()?;
        (i < self.entries.len()).then_some(i)
    }

    /// The anchor as `(index, below)`, `below` within the entry's rows.
    fn anchor_index(&self) -> Option<(usize, usize)> {
        let a = self.anchor?;
        let i = self.index(a.serial)?;
        Some((i, a.below.min(self.rows_of(i).saturating_sub(1))))
    }

    /// Keeps the view full and valid: the anchor inside its entry, and no scrolling past the
    /// oldest row (the rows from the top of the history to the view's bottom fill the pane).
    /// Walks at most a pane's worth of rows.
    fn clamp(&mut self) {
        let Some((i, below)) = self.anchor_index() else {
            self.anchor = None;
            return;
        };
        self.anchor = Some(Anchor {
            serial: self.first_serial + i as u64,
            below,
        });
        let mut rows = self.rows_of(i) - below;
        let mut j = i;
        while rows < self.pane_height && j > 0 {
            j -= 1;
            rows += self.rows_of(j);
        }
        if rows < self.pane_height {
            // Too close to the top: move down by what is missing (going live if the whole
            // history fits in the pane).
            let (unseen, mention) = (self.unseen, self.mention);
            self.scroll_down(self.pane_height - rows);
            if self.anchor.is_some() {
                (self.unseen, self.mention) = (unseen, mention);
            }
        }
    }
}
