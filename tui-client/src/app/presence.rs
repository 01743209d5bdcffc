//! Joins and leaves folded into one history line: thirty people reconnecting after a server
//! restart are one line ("ana, bob e mais 28 entraram"), not thirty. A single join or leave
//! reads as it always did (`--> ana entrou`, `<-- bob saiu: até amanhã`).

use papo_protocol::{EventId, LeaveKind, Nickname, Timestamp};

use super::entry::{Entry, nick_seg};
use crate::theme::Look;
use crate::wrap::Seg;

/// Joins and leaves further apart than this (by the server's time) are not folded together:
/// the line shows the first one's time, which must stay roughly true for all.
pub const FOLD_WINDOW_SECONDS: i64 = 5 * 60;

/// Names a folded line spells out before "e mais N".
const NAMES_SHOWN: usize = 3;

/// One person in a folded line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Who {
    nick: String,
    own: bool,
}

/// The joins and leaves one history line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// When the first and the last of them happened (server time).
    first_at: Timestamp,
    last_at: Timestamp,
    /// `HH:MM` of the first, as shown.
    time: String,
    joined: Vec<Who>,
    left: Vec<Who>,
    /// How the only leave happened and why, while the line holds a single event.
    leave: Option<(LeaveKind, String)>,
    /// The first event was a leave: leaves are named first (`bob saiu; bob entrou`).
    leaves_first: bool,
    /// The ids of the events folded in before the newest one (the entry holds the newest).
    older_ids: Vec<EventId>,
    /// What the names hold, kept up to date so [`Presence::bytes`] costs nothing however many
    /// are folded in.
    names_bytes: usize,
}

impl Presence {
    /// `nick` joined at `at`.
    pub fn joined(at: Timestamp, time: &str, nick: &Nickname, own: bool) -> Self {
        Self::new(at, time, Some(who(nick, own)), None, None)
    }

    /// `nick` left at `at` (`kind`, `reason`).
    pub fn left(at: Timestamp, time: &str, nick: &Nickname, kind: LeaveKind, reason: &str) -> Self {
        let leave = Some((kind, reason.to_owned()));
        Self::new(at, time, None, Some(who(nick, false)), leave)
    }

    fn new(
        at: Timestamp,
        time: &str,
        joined: Option<Who>,
        left: Option<Who>,
        leave: Option<(LeaveKind, String)>,
    ) -> Self {
        let names_bytes = joined.iter().chain(&left).map(Who::bytes).sum();
        Self {
            names_bytes,
            first_at: at,
            last_at: at,
            leaves_first: joined.is_none(),
            time: time.to_owned(),
            joined: joined.into_iter().collect(),
            left: left.into_iter().collect(),
            leave,
            older_ids: Vec::new(),
        }
    }

    /// How many joins and leaves the line holds.
    pub fn count(&self) -> usize {
        self.joined.len() + self.left.len()
    }

    /// Folds `newer` in if it happened soon enough after; `id` is the id this line had so far
    /// (kept among the older ones). Returns whether it folded.
    pub fn absorb(&mut self, newer: &Presence, id: Option<EventId>) -> bool {
        let gap = newer.first_at.unix_seconds() - self.last_at.unix_seconds();
        // Your own join stays a line of its own: it is where your session starts.
        let own = |p: &Presence| p.joined.iter().chain(&p.left).any(|w| w.own);
        if !(0..=FOLD_WINDOW_SECONDS).contains(&gap) || own(self) || own(newer) {
            return false;
        }
        self.last_at = newer.last_at;
        self.joined.extend(newer.joined.iter().cloned());
        self.left.extend(newer.left.iter().cloned());
        self.names_bytes += newer.names_bytes;
        self.leave = None;
        self.older_ids.extend(id);
        self.older_ids.extend(newer.older_ids.iter().copied());
        true
    }

    /// The ids of the events folded in before the newest.
    pub fn older_ids(&self) -> impl Iterator<Item = EventId> + '_ {
        self.older_ids.iter().copied()
    }

    /// Forgets the ids (the server's sequence started over).
    pub fn forget_ids(&mut self) {
        self.older_ids.clear();
    }

    /// Bytes held beyond the entry's own text.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.names_bytes + self.older_ids.len() * 8
    }

    /// How many event ids the line stands for.
    pub fn id_count(&self) -> usize {
        self.older_ids.len() + 1
    }

    /// The history line: `--> ana entrou`, `<-- bob saiu: tchau`, `--> ana, bob e mais 28
    /// entraram`, `<-> ana entrou; bob e carla saíram`.
    pub fn entry(&self) -> Entry {
        let marker = match (self.joined.is_empty(), self.left.is_empty()) {
            (false, true) => Seg::new("--> ", Look::Joined),
            (true, false) => Seg::new("<-- ", Look::Left),
            _ => Seg::new("<-> ", Look::Notice),
        };
        let mut joined = Vec::new();
        if !self.joined.is_empty() {
            names(&self.joined, &mut joined);
            let verb = if self.joined.len() == 1 {
                " entrou"
            } else {
                " entraram"
            };
            joined.push(Seg::new(verb, Look::Notice));
        }
        let mut left = Vec::new();
        if !self.left.is_empty() {
            names(&self.left, &mut left);
            match (&self.leave, self.left.len()) {
                (Some((kind, reason)), _) => {
                    let what = match kind {
                        LeaveKind::Quit => " saiu",
                        LeaveKind::Lost => " caiu (conexão perdida)",
                        LeaveKind::Dropped => " foi removido pelo servidor",
                    };
                    left.push(Seg::new(what, Look::Notice));
                    if !reason.trim().is_empty() {
                        left.push(Seg::new(&format!(": {reason}"), Look::Notice));
                    }
                }
                (None, 1) => left.push(Seg::new(" saiu", Look::Notice)),
                (None, _) => left.push(Seg::new(" saíram", Look::Notice)),
            }
        }
        let (first, second) = if self.leaves_first {
            (left, joined)
        } else {
            (joined, left)
        };
        let mut body = first;
        if !body.is_empty() && !second.is_empty() {
            body.push(Seg::new("; ", Look::Notice));
        }
        body.extend(second);
        Entry::presence_line(&self.time, marker, body)
    }
}

impl Who {
    /// Its share of memory (the allocator's too).
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.nick.len() + 32
    }
}

fn who(nick: &Nickname, own: bool) -> Who {
    Who {
        nick: nick.as_str().to_owned(),
        own,
    }
}

/// `ana`, `ana e bob`, `ana, bob e carla`, `ana, bob e mais 28`.
fn names(people: &[Who], out: &mut Vec<Seg>) {
    let shown = if people.len() <= NAMES_SHOWN {
        people.len()
    } else {
        NAMES_SHOWN - 1
    };
    for (i, w) in people.iter().take(shown).enumerate() {
        if i > 0 {
            let last = i + 1 == shown && shown == people.len();
            out.push(Seg::new(if last { " e " } else { ", " }, Look::Notice));
        }
        out.push(nick_seg(&w.nick, w.own, false));
    }
    if shown < people.len() {
        let more = people.len() - shown;
        out.push(Seg::new(&format!(" e mais {more}"), Look::Notice));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(n: &str) -> Nickname {
        Nickname::parse(n).expect("valid")
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_795_995_000 + s)
    }

    #[test]
    fn singles_read_as_before_and_folds_name_a_few() {
        let one = Presence::joined(at(0), "12:00", &nick("ana"), false);
        assert_eq!(one.entry().text(), "12:00 --> ana entrou");
        let bye = Presence::left(at(0), "12:00", &nick("bob"), LeaveKind::Quit, "tchau");
        assert_eq!(bye.entry().text(), "12:00 <-- bob saiu: tchau");

        let mut fold = one.clone();
        for (i, n) in ["bob", "carla"].iter().enumerate() {
            let next = Presence::joined(at(i as i64 + 1), "12:00", &nick(n), false);
            assert!(fold.absorb(&next, Some(EventId(i as u64 + 1))));
        }
        assert_eq!(fold.entry().text(), "12:00 --> ana, bob e carla entraram");
        for i in 0..28 {
            let next = Presence::joined(at(10), "12:00", &nick(&format!("p{i}")), false);
            assert!(fold.absorb(&next, None));
        }
        assert_eq!(fold.entry().text(), "12:00 --> ana, bob e mais 29 entraram");
        let bye = Presence::left(at(11), "12:00", &nick("bob"), LeaveKind::Quit, "tchau");
        assert!(fold.absorb(&bye, None));
        assert_eq!(
            fold.entry().text(),
            "12:00 <-> ana, bob e mais 29 entraram; bob saiu",
            "a folded leave loses its reason"
        );
    }

    #[test]
    fn events_far_apart_do_not_fold() {
        let mut first = Presence::joined(at(0), "12:00", &nick("ana"), false);
        let late = Presence::joined(at(FOLD_WINDOW_SECONDS + 1), "12:06", &nick("bob"), false);
        assert!(!first.absorb(&late, None));
        let earlier = Presence::joined(at(-1), "11:59", &nick("bob"), false);
        assert!(!first.absorb(&earlier, None), "time going back: no fold");
        let mine = Presence::joined(at(1), "12:00", &nick("eu"), true);
        assert!(!first.absorb(&mine, None), "your own join stays alone");
    }
}
