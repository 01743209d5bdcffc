//! History entries: what one room event, server reply or client notice looks like, built once
//! when it arrives. All text goes through [`Seg::new`], which cleans it.

use std::cell::Cell;

use papo_protocol::{EventId, LeaveKind, Nickname, Timestamp};

use super::presence::Presence;
use crate::theme::{Look, nick_colour_index};
use crate::wrap::{Row, Seg, text_width, wrap};

/// One entry of the history pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The room event's id, if it is one (notices and replies have none). For folded joins and
    /// leaves, the newest of them.
    pub id: Option<EventId>,
    segs: Vec<Seg>,
    body_start: usize,
    indent: usize,
    /// Replayed from the server's log after (re)joining: drawn dim.
    replayed: bool,
    /// Joins and leaves folded into this entry, when it is one.
    presence: Option<Box<Presence>>,
    /// `(width, rows)`: the rows this entry wraps to at `width`, computed when first needed
    /// (width 0 = not yet). A `Cell`, so drawing (which only reads the model) can fill it.
    height: Cell<(usize, usize)>,
}

/// How to show times: the machine's local zone, or UTC (tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The local time zone.
    Local,
    /// UTC.
    Utc,
}

/// `HH:MM` of `ts` in `zone`.
pub fn hhmm(ts: Timestamp, zone: Zone) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(ts.unix_seconds(), 0) else {
        return "--:--".to_owned();
    };
    match zone {
        Zone::Utc => utc.format("%H:%M").to_string(),
        Zone::Local => utc
            .with_timezone(&chrono::Local)
            .format("%H:%M")
            .to_string(),
    }
}

/// Most bytes of server text (a message, an action, a reason, a `HELP` or `ERR` line…) one entry
/// keeps. The server accepts far shorter lines; this bounds what a hostile server can make papo
/// store and re-wrap. Longer text is cut and ends with `…`.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// Cuts `text` to at most [`MAX_TEXT_BYTES`] bytes, at a character boundary, ending with `…` when
/// something was cut.
pub fn cap_text(text: &mut String) {
    if text.len() <= MAX_TEXT_BYTES {
        return;
    }
    let mut end = MAX_TEXT_BYTES - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
}

/// Whether `text` mentions `nick`: the nickname, case-insensitively, not inside a longer word
/// or nickname. Letters, digits, `_` and `-` continue a word; so does a `.` followed (or, before
/// the nickname, preceded) by one, since nicknames may hold dots: `ana.`, `ana...` and `@ana,`
/// are mentions of `ana`; `banana`, `ana_b`, `ana.maria` and `maria.ana` are not.
pub fn mentions(text: &str, nick: &str) -> bool {
    let text = text.to_lowercase();
    let nick = nick.to_lowercase();
    if nick.is_empty() {
        return false;
    }
    let continues = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(&nick).any(|(at, _)| {
        let mut before = text[..at].chars().rev().skip_while(|&c| c == '.');
        let mut after = text[at + nick.len()..].chars().skip_while(|&c| c == '.');
        !before.next().is_some_and(continues) && !after.next().is_some_and(continues)
    })
}

/// How a nickname is drawn: its colour, bold if it is you, reversed if the line mentions you.
pub fn nick_seg(nick: &str, own: bool, mention: bool) -> Seg {
    Seg::new(
        nick,
        Look::Nick {
            colour: nick_colour_index(nick),
            own,
            mention,
        },
    )
}

impl Entry {
    /// An entry of `prefix` (time, markers, sender) then `body` (what wraps under the text column).
    pub fn new(id: Option<EventId>, prefix: Vec<Seg>, body: Vec<Seg>) -> Self {
        let indent = prefix.iter().map(|s| text_width(s.text())).sum();
        let body_start = prefix.len();
        let mut segs = prefix;
        segs.extend(body);
        Self {
            id,
            segs,
            body_start,
            indent,
            replayed: false,
            presence: None,
            height: Cell::new((0, 0)),
        }
    }

    /// Rows this entry takes at `width`; wrapped once per width, then cached.
    pub fn height(&self, width: usize) -> usize {
        let (cached_width, rows) = self.height.get();
        if cached_width == width {
            return rows;
        }
        let rows = self.rows(width).len();
        self.height.set((width, rows));
        rows
    }

    /// Bytes this entry costs in memory, near enough for the history's byte cap: its text, its
    /// structs, the allocator's share per allocation and its id in the history's seen-set.
    pub fn bytes(&self) -> usize {
        /// What an allocation costs beyond what it holds (header and rounding, glibc).
        const PER_ALLOCATION: usize = 32;
        /// An id in the history's seen-set, with the set's spare room.
        const PER_ID: usize = 24;
        let text: usize = self.segs.iter().map(|s| s.text().len()).sum();
        let presence = self.presence.as_ref().map_or(0, |p| p.bytes());
        std::mem::size_of::<Self>()
            + self.segs.len() * (std::mem::size_of::<Seg>() + PER_ALLOCATION)
            + PER_ALLOCATION
            + text
            + presence
            + self.presence.as_ref().map_or(1, |p| p.id_count()) * PER_ID
    }

    /// The joins and leaves this entry shows, when it is one.
    pub fn presence(&self) -> Option<&Presence> {
        self.presence.as_deref()
    }

    /// Every event id this entry stands for (several when joins and leaves were folded).
    pub fn ids(&self) -> impl Iterator<Item = EventId> + '_ {
        let folded = self.presence.iter().flat_map(|p| p.older_ids());
        folded.chain(self.id)
    }

    /// Forgets the event ids (the server's sequence started over).
    pub fn forget_ids(&mut self) {
        self.id = None;
        if let Some(p) = &mut self.presence {
            p.forget_ids();
        }
    }

    /// Folds `newer` (a join or a leave right after this one) into this entry, if both are
    /// joins or leaves that may fold; gives it back otherwise.
    pub fn absorb(&mut self, newer: Entry) -> Result<(), Entry> {
        let (Some(mine), Some(theirs)) = (&mut self.presence, &newer.presence) else {
            return Err(newer);
        };
        if self.replayed != newer.replayed || !mine.absorb(theirs, self.id) {
            return Err(newer);
        }
        self.id = newer.id.or(self.id);
        let rebuilt = mine.entry();
        self.segs = rebuilt.segs;
        self.body_start = rebuilt.body_start;
        self.indent = rebuilt.indent;
        self.height.set((0, 0));
        Ok(())
    }

    /// The same entry marked as replayed from the server's log (drawn dim).
    pub fn replayed(mut self) -> Self {
        self.replayed = true;
        self
    }

    /// Whether the entry was replayed from the server's log.
    pub fn is_replayed(&self) -> bool {
        self.replayed
    }

    /// The segments, prefix first.
    pub fn segs(&self) -> &[Seg] {
        &self.segs
    }

    /// The entry wrapped to `width` columns.
    pub fn rows(&self, width: usize) -> Vec<Row> {
        wrap(&self.segs, self.body_start, self.indent, width)
    }

    /// The entry as plain text, for tests and debugging.
    pub fn text(&self) -> String {
        self.segs.iter().map(Seg::text).collect()
    }

    /// A chat message: `12:30 ana: texto`.
    pub fn message(
        id: EventId,
        time: &str,
        nick: &Nickname,
        text: &str,
        own: bool,
        mention: bool,
    ) -> Self {
        Self::new(
            Some(id),
            vec![
                time_seg(time),
                nick_seg(nick.as_str(), own, mention),
                plain(": "),
            ],
            vec![plain(text)],
        )
    }

    /// An action: `12:30 * ana acena`.
    pub fn action(
        id: EventId,
        time: &str,
        nick: &Nickname,
        text: &str,
        own: bool,
        mention: bool,
    ) -> Self {
        Self::new(
            Some(id),
            vec![
                time_seg(time),
                plain("* "),
                nick_seg(nick.as_str(), own, mention),
                plain(" "),
            ],
            vec![plain(text)],
        )
    }

    /// A private message: `12:30 [privado] ana → bob: texto`.
    pub fn private(
        id: EventId,
        time: &str,
        from: &Nickname,
        to: &Nickname,
        text: &str,
        me: Option<&Nickname>,
    ) -> Self {
        let is_me = |n: &Nickname| me.is_some_and(|m| m.same_user(n));
        let to_me = is_me(to) && !is_me(from);
        Self::new(
            Some(id),
            vec![
                time_seg(time),
                Seg::new("[privado] ", Look::Private),
                nick_seg(from.as_str(), is_me(from), to_me),
                plain(" → "),
                nick_seg(to.as_str(), is_me(to), false),
                plain(": "),
            ],
            vec![plain(text)],
        )
    }

    /// Someone joined at `at`: `12:30 --> bob entrou`. Joins and leaves that follow fold into
    /// it ([`Entry::absorb`]).
    pub fn joined(id: EventId, at: Timestamp, time: &str, nick: &Nickname, own: bool) -> Self {
        Self::from_presence(Some(id), Presence::joined(at, time, nick, own))
    }

    /// Someone left at `at`: `12:30 <-- bob saiu: até amanhã`.
    pub fn left(
        id: EventId,
        at: Timestamp,
        time: &str,
        nick: &Nickname,
        kind: LeaveKind,
        reason: &str,
    ) -> Self {
        Self::from_presence(Some(id), Presence::left(at, time, nick, kind, reason))
    }

    fn from_presence(id: Option<EventId>, presence: Presence) -> Self {
        let mut e = presence.entry();
        e.id = id;
        e.presence = Some(Box::new(presence));
        e
    }

    /// The entry a presence line draws as: `time` and `marker` (`--> `), then `body`.
    pub(super) fn presence_line(time: &str, marker: Seg, body: Vec<Seg>) -> Self {
        Self::new(None, vec![time_seg(time), marker], body)
    }

    /// A rename: `12:30 -- bob agora é roberto`, or `12:30 -- você agora é roberto` when it
    /// is yours.
    pub fn renamed(id: EventId, time: &str, old: &Nickname, new: &Nickname, own: bool) -> Self {
        let who = if own {
            Seg::new("você", Look::Notice)
        } else {
            nick_seg(old.as_str(), own, false)
        };
        Self::new(
            Some(id),
            vec![time_seg(time), Seg::new("-- ", Look::Notice)],
            vec![
                who,
                Seg::new(" agora é ", Look::Notice),
                nick_seg(new.as_str(), own, false),
            ],
        )
    }

    /// A notice from the client or the server: `12:30 -- texto`. `dim` draws the text dimmed.
    pub fn notice(time: &str, text: &str, dim: bool) -> Self {
        let look = if dim { Look::Notice } else { Look::Plain };
        Self::new(
            None,
            vec![time_seg(time), Seg::new("-- ", Look::Notice)],
            vec![Seg::new(text, look)],
        )
    }

    /// A line that divides the history (`      — ao vivo —`): no time, the text under the text
    /// column.
    pub fn divider(text: &str) -> Self {
        Self::new(
            None,
            vec![plain(&" ".repeat(TIME_COLUMNS))],
            vec![Seg::new(text, Look::Notice)],
        )
    }

    /// An error: `12:30 !! texto`.
    pub fn error(time: &str, text: &str) -> Self {
        Self::new(
            None,
            vec![time_seg(time), Seg::new("!! ", Look::Error)],
            vec![Seg::new(text, Look::Error)],
        )
    }
}

/// Columns of the time prefix (`HH:MM `).
const TIME_COLUMNS: usize = 6;

fn time_seg(time: &str) -> Seg {
    Seg::new(&format!("{time} "), Look::Time)
}

fn plain(text: &str) -> Seg {
    Seg::new(text, Look::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_case_insensitive_and_word_bounded() {
        for yes in ["oi ana", "Ana, tudo?", "@ANA!", "ana.", "(ana)", "ana"] {
            assert!(mentions(yes, "ana"), "{yes}");
        }
        for no in ["banana", "anabela", "ana_b", "ana-maria", "oi", ""] {
            assert!(!mentions(no, "ana"), "{no}");
        }
        assert!(mentions("olá JOSÉ", "josé"));
    }

    #[test]
    fn a_dot_ends_a_sentence_but_joins_a_nickname() {
        for yes in ["oi ana.", "oi ana...", "ana. tudo bem?", "...ana", "(ana.)"] {
            assert!(mentions(yes, "ana"), "{yes}");
        }
        for no in ["oi ana.maria", "maria.ana chegou", "a.ana.b", "ana..maria"] {
            assert!(!mentions(no, "ana"), "{no}");
        }
        assert!(mentions("oi ana.maria!", "ana.maria"));
    }

    #[test]
    fn long_text_is_capped_at_a_character_boundary() {
        let mut short = "oi".to_owned();
        cap_text(&mut short);
        assert_eq!(short, "oi");
        let mut long = "é".repeat(MAX_TEXT_BYTES);
        cap_text(&mut long);
        assert!(long.len() <= MAX_TEXT_BYTES, "{}", long.len());
        assert!(long.ends_with("é…"));
    }

    #[test]
    fn times_show_hours_and_minutes() {
        assert_eq!(
            hhmm(Timestamp::from_unix_seconds(1_795_995_010), Zone::Utc),
            "23:30"
        );
    }

    #[test]
    fn hostile_text_is_cleaned_when_the_entry_is_built() {
        let nick = Nickname::parse("ana").expect("valid");
        let e = Entry::message(
            EventId(1),
            "12:00",
            &nick,
            "\x1b[2J\u{202E}oi",
            false,
            false,
        );
        assert_eq!(e.text(), "12:00 ana: \u{FFFD}[2J\u{FFFD}oi");
    }
}
