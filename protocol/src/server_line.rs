//! Lines the server sends. Every line is `TAG field… [:trailing text]`: a fixed number of
//! space-free fields per tag, then, for tags that carry text, one `:`-prefixed trailing part that
//! runs to the end of the line and may hold anything but a line break.

use std::fmt;
use std::str::FromStr;

use crate::error_code::ErrorCode;
use crate::limits::{FloodAllowance, Limits};
use crate::nickname::Nickname;
use crate::text::is_forbidden_char;
use crate::time::Timestamp;

/// The identity of a room event, assigned by the server's sequencer; strictly increasing in the
/// order events were accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub u64);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How a member left the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaveKind {
    /// Left with `/SAIR`; the text is the member's own reason (maybe empty).
    Quit,
    /// The connection closed or failed without `/SAIR`.
    Lost,
    /// The server removed the member (it stopped reading, or sent garbage); the text says why.
    Dropped,
}

impl LeaveKind {
    /// The kind as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Lost => "lost",
            Self::Dropped => "dropped",
        }
    }
}

/// Who may join, as the greeting says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone: send the nickname.
    Open,
    /// Only with the room's password: send `/SENHA` first.
    Password,
}

impl Access {
    /// The field as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Password => "password",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        [Self::Open, Self::Password]
            .into_iter()
            .find(|access| access.as_str() == word)
    }
}

/// One line from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerLine {
    /// `HELLO papo <version> <epoch> <access> <max_line_bytes> <flood_burst>
    /// <flood_per_second> :<text>`: the greeting; the client should send its nickname (after
    /// `/SENHA` when `access` is `password`).
    Hello {
        /// The protocol version ([`crate::PROTOCOL_VERSION`]).
        version: u32,
        /// Names the server's room log: event ids are comparable only within one epoch
        /// (`None` from a version 1 server).
        epoch: Option<String>,
        /// Whether joining needs the room's password (`None` from a server that does not say,
        /// which is open, or an unknown word; always `None` without an epoch).
        access: Option<Access>,
        /// What the server allows each member (`None` from a server that does not say, which
        /// uses the documented defaults, [`Limits::default`]; always `None` without an access
        /// word, after which the fields have ended).
        limits: Option<Limits>,
        /// A greeting for people.
        text: String,
    },
    /// `WELCOME <nick> <token> :<text>`: the nickname was accepted; the client is in the room.
    Welcome {
        /// The nickname as the server recorded it (NFC).
        nick: Nickname,
        /// The session's secret resume token (`None` from a version 1 server).
        token: Option<String>,
        /// A welcome for people.
        text: String,
    },
    /// `MSG <id> <time> <nick> :<text>`: a chat message to the room.
    Message {
        /// Event id.
        id: EventId,
        /// When the server accepted it.
        time: Timestamp,
        /// Who sent it.
        nick: Nickname,
        /// The text exactly as sent.
        text: String,
    },
    /// `ACTION <id> <time> <nick> :<text>`: `/ME`, shown as `* nick text`.
    Action {
        /// Event id.
        id: EventId,
        /// When the server accepted it.
        time: Timestamp,
        /// Who acts.
        nick: Nickname,
        /// The action.
        text: String,
    },
    /// `PRIV <id> <time> <from> <to> :<text>`: a private message, sent to both ends only.
    Private {
        /// Event id.
        id: EventId,
        /// When the server accepted it.
        time: Timestamp,
        /// The sender.
        from: Nickname,
        /// The recipient.
        to: Nickname,
        /// The text exactly as sent.
        text: String,
    },
    /// `JOIN <id> <time> <nick>`: someone joined (the joiner receives it too).
    Joined {
        /// Event id.
        id: EventId,
        /// When it happened.
        time: Timestamp,
        /// Who joined.
        nick: Nickname,
    },
    /// `PART <id> <time> <nick> <quit|lost|dropped> :<reason>`: someone left.
    Left {
        /// Event id.
        id: EventId,
        /// When it happened.
        time: Timestamp,
        /// Who left.
        nick: Nickname,
        /// How.
        kind: LeaveKind,
        /// Their `/SAIR` reason, or the server's explanation; may be empty.
        reason: String,
    },
    /// `NICK <id> <time> <old> <new>`: someone changed nickname.
    Renamed {
        /// Event id.
        id: EventId,
        /// When it happened.
        time: Timestamp,
        /// The previous nickname.
        old: Nickname,
        /// The new one.
        new: Nickname,
    },
    /// `USERS <count> [<offset>] :<nick> <nick> …`: who is in the room, sorted
    /// case-insensitively. A list too long for one line comes in parts sent back to back, each
    /// with the `offset` field (how many names the parts before it held); a complete list in
    /// one line has no `offset` (see [`crate::users_reply`]).
    Users {
        /// How many people are in the room (the whole list, in every part).
        count: usize,
        /// How many names came in the parts before this one (0 for the first).
        offset: usize,
        /// The names in this line.
        nicks: Vec<Nickname>,
    },
    /// `HELP :<text>`: one line of the command list.
    Help {
        /// The line.
        text: String,
    },
    /// `ERR <CODE> :<text>`: something the client sent was refused; only the client sees it.
    Error {
        /// What went wrong, for programs.
        code: ErrorCode,
        /// What went wrong, for people.
        text: String,
    },
    /// `BYE :<text>`: the server is closing this connection, and says why.
    Bye {
        /// Why.
        text: String,
    },
    /// `PONG :<text>`: the answer to `/PING`, with its text.
    Pong {
        /// The text of the `/PING`.
        text: String,
    },
    /// `NOTICE :<text>`: something the server tells everyone (history stopped being kept).
    Notice {
        /// What.
        text: String,
    },
    /// `SKIPPED <count> :<text>`: `count` events (counted by id) could not be replayed: they
    /// passed the replay limit or are no longer stored. Sent where the gap is.
    Skipped {
        /// How many event ids were passed over.
        count: u64,
        /// The same, for people.
        text: String,
    },
    /// `LIVE <id> :<text>`: the replay after joining is over; events after `last` are live.
    Live {
        /// The last replayed id (or the last id before the member's `JOIN`).
        last: EventId,
        /// For people.
        text: String,
    },
    /// A room event replayed from the log, marked `hist` after its fixed fields
    /// (`MSG 7 <time> ana hist :oi`). Holds a room event; other lines are never marked.
    Replayed(Box<ServerLine>),
}

/// A line that cannot be written because a part of it would break the framing or the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode a line holding U+{:04X}", u32::from(*.0))]
pub struct EncodeError(pub char);

/// A server line that does not follow the grammar. Keeps the line, so a client can show it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed server line ({why}): {line:?}")]
pub struct ServerLineError {
    /// The line as received.
    pub line: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Checks that `word` can be one field of a line.
fn check_word(word: &str) -> Result<(), EncodeError> {
    if word.is_empty() {
        return Err(EncodeError(' '));
    }
    if word.starts_with(':') {
        return Err(EncodeError(':'));
    }
    // Fields are separated by spaces only (a tab is an ordinary character of a field).
    if word.contains(' ') {
        return Err(EncodeError(' '));
    }
    Ok(())
}

/// Appends the LF after checking that `body` holds no line break or other control character.
pub(crate) fn checked_line(mut body: String) -> Result<String, EncodeError> {
    if let Some(c) = body.chars().find(|&c| is_forbidden_char(c) || c == '\n') {
        return Err(EncodeError(c));
    }
    body.push('\n');
    Ok(body)
}

/// `TAG id time word…` with room for the trailing `text`: the head of every room event,
/// written without the formatter (this runs for every line said in the room).
fn event_head(tag: &str, id: EventId, time: Timestamp, words: &[&str], text: &str) -> String {
    let words_len: usize = words.iter().map(|w| w.len() + 1).sum();
    // tag, id (at most 20 digits), time (20), words, " :" text "\n" (and " hist").
    let capacity = tag.len() + 1 + 20 + 1 + 20 + words_len + 3 + text.len() + 5;
    let mut head = String::with_capacity(capacity);
    head.push_str(tag);
    head.push(' ');
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = id.0;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    head.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    head.push(' ');
    time.push_to(&mut head);
    for word in words {
        head.push(' ');
        head.push_str(word);
    }
    head
}

impl ServerLine {
    /// The line as sent on the wire, LF included. Fails if any text holds a character the
    /// protocol never relays (a line break above all): such text is refused, not truncated.
    pub fn encode(&self) -> Result<String, EncodeError> {
        self.check_fields()?;
        let (mut body, trailing) = match self {
            Self::Replayed(event) if event.event_id().is_some() => {
                let (mut head, trailing) = event.parts();
                head.push_str(" hist");
                (head, trailing)
            }
            other => other.parts(),
        };
        if let Some(text) = trailing {
            body.push_str(" :");
            body.push_str(text);
        }
        checked_line(body)
    }

    /// The free-form single-word fields (an epoch, a token) must stay one word: a space would
    /// split one field into two, a leading `:` would start the trailing text, and an empty one
    /// would vanish. (Nicknames cannot hold either, by their rules.)
    fn check_fields(&self) -> Result<(), EncodeError> {
        let words = match self {
            Self::Hello { epoch, .. } => [epoch.as_deref(), None],
            Self::Welcome { token, .. } => [token.as_deref(), None],
            _ => [None, None],
        };
        words.into_iter().flatten().try_for_each(check_word)
    }

    /// The fixed fields, and the trailing text for tags that carry one.
    fn parts(&self) -> (String, Option<&str>) {
        use ServerLine::*;
        match self {
            Hello {
                version,
                epoch,
                access,
                limits,
                text,
            } => match (epoch, access, limits) {
                (Some(epoch), Some(access), Some(limits)) => {
                    let (burst, per_second) =
                        limits.flood.map_or((0, 0), |f| (f.burst, f.per_second));
                    let max = limits.max_line_bytes;
                    (
                        format!(
                            "HELLO papo {version} {epoch} {} {max} {burst} {per_second}",
                            access.as_str()
                        ),
                        Some(text),
                    )
                }
                (Some(epoch), Some(access), None) => (
                    format!("HELLO papo {version} {epoch} {}", access.as_str()),
                    Some(text),
                ),
                (Some(epoch), None, _) => (format!("HELLO papo {version} {epoch}"), Some(text)),
                (None, _, _) => (format!("HELLO papo {version}"), Some(text)),
            },
            Welcome { nick, token, text } => match token {
                Some(token) => (format!("WELCOME {nick} {token}"), Some(text)),
                None => (format!("WELCOME {nick}"), Some(text)),
            },
            Message {
                id,
                time,
                nick,
                text,
            } => (
                event_head("MSG", *id, *time, &[nick.as_str()], text),
                Some(text),
            ),
            Action {
                id,
                time,
                nick,
                text,
            } => (
                event_head("ACTION", *id, *time, &[nick.as_str()], text),
                Some(text),
            ),
            Private {
                id,
                time,
                from,
                to,
                text,
            } => (
                event_head("PRIV", *id, *time, &[from.as_str(), to.as_str()], text),
                Some(text),
            ),
            Joined { id, time, nick } => {
                (event_head("JOIN", *id, *time, &[nick.as_str()], ""), None)
            }
            Left {
                id,
                time,
                nick,
                kind,
                reason,
            } => (
                event_head("PART", *id, *time, &[nick.as_str(), kind.as_str()], reason),
                Some(reason),
            ),
            Renamed { id, time, old, new } => (
                event_head("NICK", *id, *time, &[old.as_str(), new.as_str()], ""),
                None,
            ),
            Users {
                count,
                offset,
                nicks,
            } => {
                let names: Vec<&str> = nicks.iter().map(Nickname::as_str).collect();
                // A whole list in one line keeps the version 2 form, which every client reads.
                let head = if *offset == 0 && nicks.len() == *count {
                    format!("USERS {count}")
                } else {
                    format!("USERS {count} {offset}")
                };
                (format!("{head} :{}", names.join(" ")), None)
            }
            Help { text } => ("HELP".to_owned(), Some(text)),
            Error { code, text } => (format!("ERR {code}"), Some(text)),
            Bye { text } => ("BYE".to_owned(), Some(text)),
            Notice { text } => ("NOTICE".to_owned(), Some(text)),
            Pong { text } => ("PONG".to_owned(), Some(text)),
            Skipped { count, text } => (format!("SKIPPED {count}"), Some(text)),
            Live { last, text } => (format!("LIVE {last}"), Some(text)),
            // Only room events carry the mark; anything else is sent as it is.
            Replayed(line) => line.parts(),
        }
    }

    /// The id of a room event (replayed or live); `None` for every other line.
    pub fn event_id(&self) -> Option<EventId> {
        match self {
            Self::Message { id, .. }
            | Self::Action { id, .. }
            | Self::Private { id, .. }
            | Self::Joined { id, .. }
            | Self::Left { id, .. }
            | Self::Renamed { id, .. } => Some(*id),
            Self::Replayed(line) => line.event_id(),
            _ => None,
        }
    }

    /// Parses one line (without its terminator).
    pub fn parse(line: &str) -> Result<Self, ServerLineError> {
        let fail = |why| ServerLineError {
            line: line.to_owned(),
            why,
        };
        let mut c = Cursor {
            rest: line,
            first_extra: None,
        };
        let tag = c.word().ok_or_else(|| fail("no tag"))?;
        let parsed = match tag {
            "HELLO" => {
                if c.word() != Some("papo") {
                    return Err(fail("HELLO without papo"));
                }
                let version = c.number().ok_or_else(|| fail("bad version"))?;
                let epoch = c.word().map(str::to_owned);
                // Without an epoch the fields have ended, so there is no access word either;
                // the limits follow a known access word (a line that encodes back the same).
                let access = c.word().and_then(Access::parse);
                let limits = access.and_then(|_| c.limits());
                Self::Hello {
                    version,
                    epoch,
                    access,
                    limits,
                    text: c.trailing(),
                }
            }
            "WELCOME" => Self::Welcome {
                nick: c.nick().ok_or_else(|| fail("bad nickname"))?,
                token: c.word().map(str::to_owned),
                text: c.trailing(),
            },
            "MSG" | "ACTION" | "PRIV" | "JOIN" | "PART" | "NICK" => {
                let id = EventId(c.number().ok_or_else(|| fail("bad id"))?);
                let time = c.time().ok_or_else(|| fail("bad time"))?;
                let nick = c.nick().ok_or_else(|| fail("bad nickname"))?;
                let event = match tag {
                    "MSG" => Self::Message {
                        id,
                        time,
                        nick,
                        text: c.trailing(),
                    },
                    "ACTION" => Self::Action {
                        id,
                        time,
                        nick,
                        text: c.trailing(),
                    },
                    "PRIV" => Self::Private {
                        id,
                        time,
                        from: nick,
                        to: c.nick().ok_or_else(|| fail("bad recipient"))?,
                        text: c.trailing(),
                    },
                    "JOIN" => Self::Joined { id, time, nick },
                    "PART" => Self::Left {
                        id,
                        time,
                        nick,
                        kind: c.leave_kind().ok_or_else(|| fail("bad leave kind"))?,
                        reason: c.trailing(),
                    },
                    _ => Self::Renamed {
                        id,
                        time,
                        old: nick,
                        new: c.nick().ok_or_else(|| fail("bad new nickname"))?,
                    },
                };
                // The `hist` mark, when present, is the first field after the known ones.
                c.skip_extra_fields();
                if c.first_extra == Some("hist") {
                    Self::Replayed(Box::new(event))
                } else {
                    event
                }
            }
            "USERS" => {
                let count: usize = c.number().ok_or_else(|| fail("bad count"))?;
                // The offset, when present, is the first field after the count.
                let offset = match c.word() {
                    None => None,
                    Some(w) if w.bytes().all(|b| b.is_ascii_digit()) => {
                        Some(w.parse::<usize>().map_err(|_| fail("bad offset"))?)
                    }
                    Some(_) => return Err(fail("bad offset")),
                };
                let nicks = c
                    .trailing()
                    .split_whitespace()
                    .map(Nickname::parse)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| fail("bad nickname in list"))?;
                let fits = match offset {
                    // Without an offset the line is the whole list.
                    None => nicks.len() == count,
                    Some(offset) => offset
                        .checked_add(nicks.len())
                        .is_some_and(|end| end <= count),
                };
                if !fits {
                    return Err(fail("count does not match the list"));
                }
                Self::Users {
                    count,
                    offset: offset.unwrap_or(0),
                    nicks,
                }
            }
            "HELP" => Self::Help { text: c.trailing() },
            "ERR" => Self::Error {
                code: c
                    .word()
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| fail("unknown error code"))?,
                text: c.trailing(),
            },
            "BYE" => Self::Bye { text: c.trailing() },
            "NOTICE" => Self::Notice { text: c.trailing() },
            "PONG" => Self::Pong { text: c.trailing() },
            "SKIPPED" => Self::Skipped {
                count: c.number().ok_or_else(|| fail("bad count"))?,
                text: c.trailing(),
            },
            "LIVE" => Self::Live {
                last: EventId(c.number().ok_or_else(|| fail("bad id"))?),
                text: c.trailing(),
            },
            _ => return Err(fail("unknown tag")),
        };
        // Fields after the known ones are ignored: version 1 may grow new fields there.
        Ok(parsed)
    }
}

impl FromStr for ServerLine {
    type Err = ServerLineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Walks the fields of a line.
struct Cursor<'a> {
    rest: &'a str,
    /// The first field after the ones the tag defines (version 2's `hist` mark goes there).
    first_extra: Option<&'a str>,
}

impl<'a> Cursor<'a> {
    /// Skips the fields this version does not know, remembering the first.
    fn skip_extra_fields(&mut self) {
        if let Some(word) = self.word() {
            self.first_extra.get_or_insert(word);
            while self.word().is_some() {}
        }
    }

    /// The next space-separated field; `None` at the end or at the trailing part. A run of
    /// spaces separates like one (as in IRC): an empty field would otherwise end the fields
    /// early and leave the trailing text unread.
    fn word(&mut self) -> Option<&'a str> {
        self.rest = self.rest.trim_start_matches(' ');
        if self.rest.is_empty() || self.rest.starts_with(':') {
            return None;
        }
        let (word, rest) = self.rest.split_once(' ').unwrap_or((self.rest, ""));
        self.rest = rest;
        Some(word)
    }

    fn number<T: FromStr>(&mut self) -> Option<T> {
        self.word()
            .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|w| w.parse().ok())
    }

    fn time(&mut self) -> Option<Timestamp> {
        self.word().and_then(|w| w.parse().ok())
    }

    fn nick(&mut self) -> Option<Nickname> {
        self.word()
            .and_then(|w| Nickname::parse(w).ok().filter(|n| n.as_str() == w))
    }

    /// `HELLO`'s `<max_line_bytes> <flood_burst> <flood_per_second>`: all three numbers, or
    /// `None` (an older server, or fields this version cannot read). A zero burst or rate means
    /// flood control is off.
    fn limits(&mut self) -> Option<Limits> {
        let max_line_bytes = self.number()?;
        let burst: u32 = self.number()?;
        let per_second: u32 = self.number()?;
        let flood = (burst > 0 && per_second > 0).then_some(FloodAllowance { burst, per_second });
        Some(Limits {
            max_line_bytes,
            flood,
        })
    }

    fn leave_kind(&mut self) -> Option<LeaveKind> {
        match self.word()? {
            "quit" => Some(LeaveKind::Quit),
            "lost" => Some(LeaveKind::Lost),
            "dropped" => Some(LeaveKind::Dropped),
            _ => None,
        }
    }

    /// The `:`-prefixed text to the end of the line, after skipping any fields this version does
    /// not know; empty when absent.
    fn trailing(&mut self) -> String {
        self.skip_extra_fields();
        match self.rest.strip_prefix(':') {
            Some(text) => {
                self.rest = "";
                text.to_owned()
            }
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(s: &str) -> Nickname {
        Nickname::parse(s).expect("valid nickname")
    }

    const T: Timestamp = Timestamp::from_unix_seconds(1_795_995_010);

    fn samples() -> Vec<(ServerLine, &'static str)> {
        vec![
            (
                ServerLine::Hello {
                    version: 1,
                    epoch: None,
                    access: None,
                    limits: None,
                    text: "bem-vindo: envie seu apelido".into(),
                },
                "HELLO papo 1 :bem-vindo: envie seu apelido",
            ),
            (
                ServerLine::Hello {
                    version: 2,
                    epoch: Some("9f3a0c".into()),
                    access: None,
                    limits: None,
                    text: "bem-vindo".into(),
                },
                "HELLO papo 2 9f3a0c :bem-vindo",
            ),
            (
                ServerLine::Hello {
                    version: 2,
                    epoch: Some("9f3a0c".into()),
                    access: Some(Access::Password),
                    limits: None,
                    text: "envie /SENHA".into(),
                },
                "HELLO papo 2 9f3a0c password :envie /SENHA",
            ),
            (
                ServerLine::Hello {
                    version: 2,
                    epoch: Some("9f3a0c".into()),
                    access: Some(Access::Open),
                    limits: None,
                    text: "bem-vindo".into(),
                },
                "HELLO papo 2 9f3a0c open :bem-vindo",
            ),
            (
                ServerLine::Hello {
                    version: 2,
                    epoch: Some("9f3a0c".into()),
                    access: Some(Access::Open),
                    limits: Some(Limits {
                        max_line_bytes: 4096,
                        flood: Some(FloodAllowance {
                            burst: 25,
                            per_second: 5,
                        }),
                    }),
                    text: "bem-vindo".into(),
                },
                "HELLO papo 2 9f3a0c open 4096 25 5 :bem-vindo",
            ),
            (
                ServerLine::Hello {
                    version: 2,
                    epoch: Some("9f3a0c".into()),
                    access: Some(Access::Password),
                    limits: Some(Limits {
                        max_line_bytes: 512,
                        flood: None,
                    }),
                    text: "envie /SENHA".into(),
                },
                "HELLO papo 2 9f3a0c password 512 0 0 :envie /SENHA",
            ),
            (
                ServerLine::Welcome {
                    nick: nick("ana"),
                    token: Some("c0ffee".into()),
                    text: "você entrou".into(),
                },
                "WELCOME ana c0ffee :você entrou",
            ),
            (
                ServerLine::Replayed(Box::new(ServerLine::Message {
                    id: EventId(7),
                    time: T,
                    nick: nick("ana"),
                    text: "oi".into(),
                })),
                "MSG 7 2026-11-29T23:30:10Z ana hist :oi",
            ),
            (
                ServerLine::Replayed(Box::new(ServerLine::Joined {
                    id: EventId(1),
                    time: T,
                    nick: nick("bob"),
                })),
                "JOIN 1 2026-11-29T23:30:10Z bob hist",
            ),
            (
                ServerLine::Replayed(Box::new(ServerLine::Renamed {
                    id: EventId(2),
                    time: T,
                    old: nick("bob"),
                    new: nick("rob"),
                })),
                "NICK 2 2026-11-29T23:30:10Z bob rob hist",
            ),
            (
                ServerLine::Notice {
                    text: "histórico desligado".into(),
                },
                "NOTICE :histórico desligado",
            ),
            (ServerLine::Pong { text: "42".into() }, "PONG :42"),
            (
                ServerLine::Skipped {
                    count: 12,
                    text: "12 eventos não reenviados".into(),
                },
                "SKIPPED 12 :12 eventos não reenviados",
            ),
            (
                ServerLine::Live {
                    last: EventId(40),
                    text: "ao vivo".into(),
                },
                "LIVE 40 :ao vivo",
            ),
            (
                ServerLine::Welcome {
                    nick: nick("ana"),
                    token: None,
                    text: "você entrou".into(),
                },
                "WELCOME ana :você entrou",
            ),
            (
                ServerLine::Message {
                    id: EventId(7),
                    time: T,
                    nick: nick("ana"),
                    text: " :oi: tudo bem? ".into(),
                },
                "MSG 7 2026-11-29T23:30:10Z ana : :oi: tudo bem? ",
            ),
            (
                ServerLine::Action {
                    id: EventId(8),
                    time: T,
                    nick: nick("ana"),
                    text: "acena".into(),
                },
                "ACTION 8 2026-11-29T23:30:10Z ana :acena",
            ),
            (
                ServerLine::Private {
                    id: EventId(9),
                    time: T,
                    from: nick("ana"),
                    to: nick("bob"),
                    text: "psiu".into(),
                },
                "PRIV 9 2026-11-29T23:30:10Z ana bob :psiu",
            ),
            (
                ServerLine::Joined {
                    id: EventId(1),
                    time: T,
                    nick: nick("bob"),
                },
                "JOIN 1 2026-11-29T23:30:10Z bob",
            ),
            (
                ServerLine::Left {
                    id: EventId(10),
                    time: T,
                    nick: nick("bob"),
                    kind: LeaveKind::Quit,
                    reason: String::new(),
                },
                "PART 10 2026-11-29T23:30:10Z bob quit :",
            ),
            (
                ServerLine::Left {
                    id: EventId(11),
                    time: T,
                    nick: nick("cid"),
                    kind: LeaveKind::Dropped,
                    reason: "fila cheia".into(),
                },
                "PART 11 2026-11-29T23:30:10Z cid dropped :fila cheia",
            ),
            (
                ServerLine::Renamed {
                    id: EventId(12),
                    time: T,
                    old: nick("ana"),
                    new: nick("Ana_"),
                },
                "NICK 12 2026-11-29T23:30:10Z ana Ana_",
            ),
            (
                ServerLine::Users {
                    count: 2,
                    offset: 0,
                    nicks: vec![nick("ana"), nick("Bob")],
                },
                "USERS 2 :ana Bob",
            ),
            (
                ServerLine::Users {
                    count: 0,
                    offset: 0,
                    nicks: vec![],
                },
                "USERS 0 :",
            ),
            (
                ServerLine::Users {
                    count: 5,
                    offset: 0,
                    nicks: vec![nick("ana"), nick("Bob")],
                },
                "USERS 5 0 :ana Bob",
            ),
            (
                ServerLine::Users {
                    count: 5,
                    offset: 2,
                    nicks: vec![nick("carla"), nick("davi"), nick("eva")],
                },
                "USERS 5 2 :carla davi eva",
            ),
            (
                ServerLine::Help {
                    text: "/AJUDA — esta lista".into(),
                },
                "HELP :/AJUDA — esta lista",
            ),
            (
                ServerLine::Error {
                    code: ErrorCode::NickInUse,
                    text: "já em uso".into(),
                },
                "ERR NICK_IN_USE :já em uso",
            ),
            (
                ServerLine::Bye {
                    text: "até logo".into(),
                },
                "BYE :até logo",
            ),
        ]
    }

    #[test]
    fn every_line_encodes_as_documented_and_parses_back() {
        for (line, wire) in samples() {
            assert_eq!(line.encode(), Ok(format!("{wire}\n")));
            assert_eq!(ServerLine::parse(wire), Ok(line), "{wire}");
        }
    }

    #[test]
    fn encode_refuses_line_breaks_and_controls_in_text() {
        let line = ServerLine::Bye {
            text: "a\nMSG 1 x".into(),
        };
        assert_eq!(line.encode(), Err(EncodeError('\n')));
        let line = ServerLine::Help {
            text: "\x1b[2J".into(),
        };
        assert_eq!(line.encode(), Err(EncodeError('\x1b')));
    }

    #[test]
    fn a_one_word_field_that_is_not_one_word_is_refused() {
        // Noticed while fuzzing: such a field used to encode into a line that parsed back
        // differently (an epoch "a b" came back as "a").
        let hello = |epoch: &str| ServerLine::Hello {
            version: 2,
            epoch: Some(epoch.into()),
            access: None,
            limits: None,
            text: "oi".into(),
        };
        assert_eq!(hello("a b").encode(), Err(EncodeError(' ')));
        assert_eq!(hello(":x").encode(), Err(EncodeError(':')));
        assert_eq!(hello("").encode(), Err(EncodeError(' ')));
        let welcome = ServerLine::Welcome {
            nick: nick("ana"),
            token: Some("t k".into()),
            text: String::new(),
        };
        assert_eq!(welcome.encode(), Err(EncodeError(' ')));
        assert!(hello("e1").encode().is_ok());
    }

    #[test]
    fn runs_of_spaces_separate_fields_like_one() {
        // Found by the server_line fuzz target: two spaces made an empty field, which ended the
        // fields early: `HELLO papo 2  open` kept an access word with no epoch (which encoding
        // could not write back), and `PONG x  y :text` lost its text.
        let hello = ServerLine::parse("HELLO papo 2  e1   password :oi").expect("parses");
        assert_eq!(
            hello,
            ServerLine::Hello {
                version: 2,
                epoch: Some("e1".into()),
                access: Some(Access::Password),
                limits: None,
                text: "oi".into(),
            }
        );
        let wire = hello.encode().expect("encodes");
        assert_eq!(ServerLine::parse(wire.trim_end()), Ok(hello));
        assert_eq!(
            ServerLine::parse("PONG x  y :texto : com dois-pontos"),
            Ok(ServerLine::Pong {
                text: "texto : com dois-pontos".into()
            })
        );
    }

    #[test]
    fn malformed_lines_are_errors_that_keep_the_line() {
        for bad in [
            "",
            "NOPE x",
            "HELLO irc 1 :x",
            "MSG x 2026-11-29T23:30:10Z ana :oi",
            "MSG 1 yesterday ana :oi",
            "MSG 1 2026-11-29T23:30:10Z /ana :oi",
            "MSG -1 2026-11-29T23:30:10Z ana :oi",
            "JOIN 1 2026-11-29T23:30:10Z",
            "PART 1 2026-11-29T23:30:10Z ana gone :x",
            "USERS 3 :ana bob",
            "USERS 1 :a:b",
            "USERS 3 2 :ana bob",
            "USERS 3 x :ana",
            "USERS 3 18446744073709551615 :ana",
            "ERR WHATEVER :x",
        ] {
            let err = ServerLine::parse(bad).expect_err(bad);
            assert_eq!(err.line, bad);
        }
    }

    #[test]
    fn fields_a_later_version_adds_are_ignored() {
        assert_eq!(
            ServerLine::parse("MSG 7 2026-11-29T23:30:10Z ana x=1 hist :oi"),
            ServerLine::parse("MSG 7 2026-11-29T23:30:10Z ana :oi")
        );
        assert_eq!(
            ServerLine::parse("MSG 7 2026-11-29T23:30:10Z ana hist x=1 :oi"),
            ServerLine::parse("MSG 7 2026-11-29T23:30:10Z ana hist :oi")
        );
        assert_eq!(
            ServerLine::parse("JOIN 1 2026-11-29T23:30:10Z bob x"),
            ServerLine::parse("JOIN 1 2026-11-29T23:30:10Z bob")
        );
    }

    #[test]
    fn hello_limits_need_all_three_numbers_after_an_access_word() {
        let limits = |raw: &str| match ServerLine::parse(raw) {
            Ok(ServerLine::Hello { limits, .. }) => limits,
            other => panic!("{raw:?} gave {other:?}"),
        };
        // An older server: the client falls back to the documented defaults.
        assert_eq!(limits("HELLO papo 2 e1 open :oi"), None);
        assert_eq!(limits("HELLO papo 2 e1 :oi"), None);
        assert_eq!(limits("HELLO papo 2 e1 open 4096 25 :oi"), None);
        assert_eq!(limits("HELLO papo 2 e1 open 4096 x 5 :oi"), None);
        // No access word the client knows: the fields after it cannot be placed.
        assert_eq!(limits("HELLO papo 2 e1 guests 4096 25 5 :oi"), None);
        // Either number zero turns flood control off.
        let off = Some(Limits {
            max_line_bytes: 300,
            flood: None,
        });
        assert_eq!(limits("HELLO papo 2 e1 open 300 0 5 :oi"), off);
        assert_eq!(limits("HELLO papo 2 e1 open 300 25 0 :oi"), off);
        // A later version's fields after these are ignored.
        assert_eq!(
            limits("HELLO papo 2 e1 open 300 25 5 x=1 :oi"),
            Some(Limits {
                max_line_bytes: 300,
                flood: Some(FloodAllowance {
                    burst: 25,
                    per_second: 5
                }),
            })
        );
        assert_eq!(Limits::default().max_line_bytes, 4096);
    }

    #[test]
    fn only_room_events_carry_the_replay_mark() {
        let bye = ServerLine::Bye { text: "x".into() };
        let replayed = ServerLine::Replayed(Box::new(bye.clone()));
        assert_eq!(replayed.encode(), bye.encode());
        assert_eq!(replayed.event_id(), None);
        let line = ServerLine::parse("PART 3 2026-11-29T23:30:10Z bob quit hist :fui");
        assert_eq!(line.map(|l| l.event_id()), Ok(Some(EventId(3))));
    }

    #[test]
    fn a_nickname_field_must_already_be_normalised() {
        assert!(ServerLine::parse("JOIN 1 2026-11-29T23:30:10Z Jose\u{301}").is_err());
    }
}
