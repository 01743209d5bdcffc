//! The newest committed events, in memory, shared by every connection: the shape of tokio's
//! broadcast ring (readers are positions), but a reader that falls off the back reads the gap
//! from the store instead of skipping it.

use std::collections::VecDeque;
use std::sync::Arc;

use papo_protocol::EventId;

use super::event::{LoggedEvent, fits};

/// A bounded run of consecutive committed events.
#[derive(Debug)]
pub struct Window {
    events: VecDeque<Arc<LoggedEvent>>,
    bytes: usize,
    max_bytes: usize,
}

/// The window no longer holds the event after the reader's position: read the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evicted;

impl Window {
    /// An empty window holding about `max_bytes` of events (at least one event).
    pub fn new(max_bytes: usize) -> Self {
        Self {
            events: VecDeque::new(),
            bytes: 0,
            max_bytes,
        }
    }

    /// Adds the next committed event, evicting the oldest past the budget.
    pub fn push(&mut self, event: Arc<LoggedEvent>) {
        if self.events.back().is_some_and(|last| last.id >= event.id) {
            // Ids only increase (they may jump: ids never handed out after an unclean stop);
            // anything else means the log restarted: start afresh.
            self.events.clear();
            self.bytes = 0;
        }
        self.bytes += event.footprint();
        self.events.push_back(event);
        while self.bytes > self.max_bytes && self.events.len() > 1 {
            if let Some(old) = self.events.pop_front() {
                self.bytes -= old.footprint();
            }
        }
    }

    /// The oldest id held.
    pub fn first(&self) -> Option<EventId> {
        self.events.front().map(|e| e.id)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Hands `take` the events after `after` up to `upto`, in order, stopping once about
    /// `budget` bytes of live encoding were handed (always at least one event when any is
    /// due); no event is cloned. Returns the id of the last event handed, if any.
    pub fn visit(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
        mut take: impl FnMut(&Arc<LoggedEvent>),
    ) -> Result<Option<EventId>, Evicted> {
        if after >= upto {
            return Ok(None);
        }
        let Some(first) = self.events.front().map(|e| e.id) else {
            return Err(Evicted);
        };
        if after.0 + 1 < first.0 {
            return Err(Evicted);
        }
        let start = self.start_after(after, first);
        let mut taken = 0;
        let mut last = None;
        for event in self.events.range(start..) {
            if event.id > upto || !fits(taken, event.wire.len(), budget) {
                break;
            }
            taken += event.wire.len();
            take(event);
            last = Some(event.id);
        }
        Ok(last)
    }

    /// The index of the first event after `after` (`first` is the front's id).
    fn start_after(&self, after: EventId, first: EventId) -> usize {
        // Ids are consecutive, except where ids were never handed out (after an unclean
        // stop): try the index they would give before searching.
        let guess = usize::try_from((after.0 + 1).saturating_sub(first.0)).unwrap_or(usize::MAX);
        let before_ok = guess == 0 || self.events.get(guess - 1).is_some_and(|e| e.id <= after);
        let at_ok = self.events.get(guess).is_none_or(|e| e.id > after);
        if guess <= self.events.len() && before_ok && at_ok {
            guess
        } else {
            self.events.partition_point(|e| e.id <= after)
        }
    }

    /// Appends to `out` the events after `after` up to `upto`, stopping once about `budget`
    /// bytes are taken (always at least one event when any is due).
    pub fn read(
        &self,
        after: EventId,
        upto: EventId,
        budget: usize,
        out: &mut Vec<Arc<LoggedEvent>>,
    ) -> Result<(), Evicted> {
        self.visit(after, upto, budget, |event| out.push(Arc::clone(event)))
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::event::test_message;

    fn event(id: u64) -> Arc<LoggedEvent> {
        test_message(id, &"x".repeat(100))
    }

    fn ids(events: &[Arc<LoggedEvent>]) -> Vec<u64> {
        events.iter().map(|e| e.id.0).collect()
    }

    #[test]
    fn reads_from_a_position_and_reports_what_it_evicted() {
        let one = event(1).footprint();
        let mut window = Window::new(3 * one);
        for id in 1..=5 {
            window.push(event(id));
        }
        assert!(window.bytes() <= 3 * one);
        let mut out = Vec::new();
        assert_eq!(
            window.read(EventId(1), EventId(5), 1 << 20, &mut out),
            Err(Evicted)
        );
        window
            .read(EventId(2), EventId(4), 1 << 20, &mut out)
            .expect("in the window");
        assert_eq!(ids(&out), [3, 4]);
        out.clear();
        window
            .read(EventId(2), EventId(5), 1, &mut out)
            .expect("in the window");
        assert_eq!(ids(&out), [3], "the budget stops after the first event");
    }

    #[test]
    fn reads_past_ids_that_were_never_handed_out() {
        let mut window = Window::new(1 << 20);
        for id in [1, 2, 3, 10, 11] {
            window.push(event(id));
        }
        let read_after = |after| {
            let mut out = Vec::new();
            window
                .read(EventId(after), EventId(11), 1 << 20, &mut out)
                .expect("in the window");
            ids(&out)
        };
        assert_eq!(read_after(0), [1, 2, 3, 10, 11]);
        assert_eq!(read_after(2), [3, 10, 11]);
        assert_eq!(read_after(3), [10, 11]);
        assert_eq!(read_after(5), [10, 11], "an id inside the jump");
        assert_eq!(read_after(10), [11]);
        assert_eq!(read_after(11), Vec::<u64>::new());
    }
}
