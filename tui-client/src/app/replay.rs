//! The replay after joining: room events from the server's log (`… hist`) and gaps
//! (`SKIPPED`) are collected between `WELCOME` and `LIVE`, then shown at once, in order and
//! dimmed, between a marker line (`— 12 mensagens enquanto você estava fora —`) and a separator
//! (`— ao vivo —`). Events already in the history are dropped; the users panel is left alone
//! (the `USERS` reply after `WELCOME` sets it).

use std::collections::{HashSet, VecDeque};

use papo_protocol::{EventId, ServerLine};

use super::entry::Entry;
use super::{App, events};

/// Most events collected from one replay: the server sends at most 10 000, plus a few that
/// happen while it does.
pub const MAX_REPLAY_EVENTS: usize = 10_100;

/// Something collected during the replay.
#[derive(Debug, Clone)]
enum Item {
    /// A room event.
    Event(ServerLine),
    /// Event ids the server could not replay.
    Skipped(u64),
}

/// The replay in progress.
#[derive(Debug, Clone)]
pub struct Replay {
    items: VecDeque<Item>,
    cap: usize,
    /// Events dropped, oldest first, because more arrived than [`Replay::new`]'s cap.
    overflow: u64,
    /// It answers `/RETOMAR` (what happened while you were away), not a first join.
    resumed: bool,
}

impl Replay {
    /// An empty replay keeping at most `history_cap` (and [`MAX_REPLAY_EVENTS`]) items: more
    /// than the history keeps would only push older entries out to be dropped in turn.
    pub fn new(history_cap: usize, resumed: bool) -> Self {
        Self {
            items: VecDeque::new(),
            cap: history_cap.clamp(1, MAX_REPLAY_EVENTS),
            overflow: 0,
            resumed,
        }
    }

    /// Items collected so far (events and gaps).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was collected yet.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn push(&mut self, item: Item) {
        self.items.push_back(item);
        while self.items.len() > self.cap {
            if let Some(Item::Event(_)) = self.items.pop_front() {
                self.overflow += 1;
            }
        }
    }
}

/// A replayed room event: collected while the replay lasts, shown at once after it.
pub(super) fn replayed(app: &mut App, event: ServerLine) {
    match &mut app.replay {
        Some(replay) => replay.push(Item::Event(event)),
        None => show_event(app, &event),
    }
}

/// `SKIPPED n`: where the gap is, a dim notice that n events could not be shown.
pub(super) fn skipped(app: &mut App, count: u64) {
    match &mut app.replay {
        Some(replay) => replay.push(Item::Skipped(count)),
        None => show_skipped(app, count),
    }
}

/// `LIVE last`: the replay is over, and the link is good again (the backoff starts over). The
/// replay is shown, without what the history already holds. If the server's ids went
/// backwards (the history has seen ids above `last`), its log started over: the ids seen are
/// forgotten after that, so new events are not mistaken for old ones.
pub(super) fn live(app: &mut App, last: EventId) {
    app.backoff.reset();
    let restarted = app.history.max_seen().is_some_and(|max| max > last);
    show(app);
    if restarted {
        app.history.new_epoch();
    }
}

fn show(app: &mut App) {
    let Some(replay) = app.replay.take() else {
        return;
    };
    let mut ids = HashSet::new();
    let mut fresh: Vec<Item> = Vec::with_capacity(replay.items.len() + 1);
    if replay.overflow > 0 {
        fresh.push(Item::Skipped(replay.overflow));
    }
    for item in replay.items {
        let keep = match &item {
            Item::Event(e) => e
                .event_id()
                .is_some_and(|id| !app.history.has_seen(id) && ids.insert(id)),
            Item::Skipped(_) => true,
        };
        if keep {
            fresh.push(item);
        }
    }
    let shown = fresh.iter().filter(|i| matches!(i, Item::Event(_))).count();
    let marker = match (replay.resumed, shown) {
        (true, 0) if fresh.is_empty() => Some("— nada novo enquanto você estava fora —".to_owned()),
        (_, 0) => None,
        (true, 1) => Some("— 1 mensagem enquanto você estava fora —".to_owned()),
        (true, n) => Some(format!("— {n} mensagens enquanto você estava fora —")),
        (false, 1) => Some("— última mensagem —".to_owned()),
        (false, n) => Some(format!("— últimas {n} mensagens —")),
    };
    if let Some(marker) = marker {
        app.history.push(Entry::divider(&marker), false);
    }
    for item in &fresh {
        match item {
            Item::Event(e) => show_event(app, e),
            Item::Skipped(n) => show_skipped(app, *n),
        }
    }
    if !fresh.is_empty() {
        app.history.push(Entry::divider("— ao vivo —"), false);
    }
}

fn show_event(app: &mut App, event: &ServerLine) {
    if events::hidden(app, event) {
        if let Some(id) = event.event_id() {
            app.history.mark_seen(id);
        }
        return;
    }
    if let Some((entry, mention)) = events::entry_for(app, event) {
        app.history.push(entry.replayed(), mention);
    }
}

fn show_skipped(app: &mut App, count: u64) {
    let text = if count == 1 {
        "1 evento antigo não pôde ser mostrado".to_owned()
    } else {
        format!("{count} eventos antigos não puderam ser mostrados")
    };
    app.notice(&text, true);
}
