//! The history pane's model: a bounded list of entries keyed by event id, their wrapped heights
//! cached for the pane's width, and the scroll position as rows above the newest (0 = live,
//! following new messages), shaped like osa1/tiny's message area.

use std::collections::{HashSet, VecDeque};

use papo_protocol::EventId;

use super::entry::Entry;

/// The history of the room as this client saw it.
#[derive(Debug, Clone)]
pub struct History {
    entries: VecDeque<Entry>,
    cap: usize,
    /// Width the cached heights are for.
    width: usize,
    /// Rows the pane shows.
    pane_height: usize,
    /// Sum of the cached heights.
    total_rows: usize,
    /// Rows between the bottom of the pane and the newest row.
    scroll: usize,
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
}

impl History {
    /// An empty history keeping at most `cap` entries.
    pub fn new(cap: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            cap: cap.max(1),
            width: 80,
            pane_height: 1,
            total_rows: 0,
            scroll: 0,
            unseen: false,
            mention: false,
            seen: HashSet::new(),
            floor: None,
            newest: None,
        }
    }

    /// Most entries kept.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.entries
    }

    /// The width the cached heights are for.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Rows scrolled up from the newest (0 = live).
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Whether entries arrived since the reader scrolled up.
    pub fn unseen(&self) -> bool {
        self.unseen
    }

    /// Whether a mention arrived since the reader scrolled up.
    pub fn mention_pending(&self) -> bool {
        self.mention
    }

    /// Total rows at the current width.
    pub fn total_rows(&self) -> usize {
        self.total_rows
    }

    /// The furthest the history can scroll up.
    pub fn max_scroll(&self) -> usize {
        self.total_rows.saturating_sub(self.pane_height)
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

    /// Forgets which ids were seen (not the entries): the server's sequence started over. The
    /// kept entries lose their ids too: they belong to the old sequence, and when the cap later
    /// drops them their ids must not become the floor of the new one.
    pub fn new_epoch(&mut self) {
        for e in &mut self.entries {
            e.id = None;
        }
        self.seen.clear();
        self.floor = None;
        self.newest = None;
    }

    /// Adds `entry` at the bottom. An event already seen is dropped (returns
    /// `false`). While scrolled up, the view stays where it is and the new-messages marker (and
    /// the mention marker if `mention`) is set.
    pub fn push(&mut self, mut entry: Entry, mention: bool) -> bool {
        if let Some(id) = entry.id {
            if self.has_seen(id) {
                return false;
            }
            self.seen.insert(id);
            self.newest = Some(id);
        }
        entry.height = entry.rows(self.width).len();
        self.total_rows += entry.height;
        if self.scroll > 0 {
            self.scroll += entry.height;
            self.unseen = true;
            self.mention |= mention;
        }
        self.entries.push_back(entry);
        while self.entries.len() > self.cap {
            if let Some(old) = self.entries.pop_front() {
                self.total_rows -= old.height;
                if let Some(id) = old.id {
                    self.seen.remove(&id);
                    // Ids increase, so what the cap drops is older than the newest event. One
                    // that is not (a server's absurd `u64::MAX`) must not become the floor, or
                    // every later id would look old and the room would fall silent.
                    if self.newest.is_some_and(|newest| id < newest) {
                        self.floor = self.floor.max(Some(id));
                    }
                }
            }
        }
        self.scroll = self.scroll.min(self.max_scroll());
        true
    }

    /// Lays the history out for a pane of `width` × `height`. Heights are recomputed only when
    /// the width changes; the entry at the bottom of the view stays there.
    pub fn set_geometry(&mut self, width: usize, height: usize) {
        let width = width.max(1);
        if width != self.width {
            let anchor = self.bottom_anchor();
            self.width = width;
            self.total_rows = 0;
            for e in &mut self.entries {
                e.height = e.rows(width).len();
                self.total_rows += e.height;
            }
            if let Some((index, offset)) = anchor {
                let below: usize = self.entries.iter().skip(index + 1).map(|e| e.height).sum();
                let height_now = self.entries.get(index).map_or(1, |e| e.height);
                self.scroll = below + offset.min(height_now.saturating_sub(1));
            }
        }
        self.pane_height = height.max(1);
        self.scroll = self.scroll.min(self.max_scroll());
    }

    /// The entry at the bottom of the view and how many of its rows are below the view, when
    /// scrolled up.
    fn bottom_anchor(&self) -> Option<(usize, usize)> {
        if self.scroll == 0 {
            return None;
        }
        let mut below = self.scroll;
        for (i, e) in self.entries.iter().enumerate().rev() {
            if below < e.height {
                return Some((i, below));
            }
            below -= e.height;
        }
        None
    }

    /// Rows a page scroll moves: the pane minus one, so one row of context stays.
    pub fn page(&self) -> usize {
        self.pane_height.saturating_sub(1).max(1)
    }

    /// Scrolls up (towards older entries) by `rows`.
    pub fn scroll_up(&mut self, rows: usize) {
        self.scroll = (self.scroll + rows).min(self.max_scroll());
    }

    /// Scrolls down by `rows`; reaching the bottom goes live.
    pub fn scroll_down(&mut self, rows: usize) {
        self.scroll = self.scroll.saturating_sub(rows);
        if self.scroll == 0 {
            self.to_live();
        }
    }

    /// Back to the newest rows, clearing the markers.
    pub fn to_live(&mut self) {
        self.scroll = 0;
        self.unseen = false;
        self.mention = false;
    }
}
