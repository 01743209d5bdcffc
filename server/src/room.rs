//! The room: who is in it, and what every line a member sends means for everyone. No sockets and
//! no clock: it takes `now` and returns [`Delivery`] values saying which line goes to whom. The
//! lines are typed events ([`ServerLine`]), not text, so each listener encodes them once for all.

use std::collections::HashMap;

use papo_protocol::{
    ClientLine, Command, EventId, LeaveKind, NickKey, Nickname, Resume, ServerLine, Timestamp,
};

use crate::replies;

/// A connection's identity inside the server, joined or not. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberId(pub u64);

/// Who receives a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// Every member of the room.
    All,
    /// One connection (which need not have joined).
    One(MemberId),
    /// Two members (a private message and its echo).
    Pair(MemberId, MemberId),
}

/// One line and who receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The recipients.
    pub to: Recipients,
    /// The line.
    pub line: ServerLine,
}

/// What handling a client line produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Lines to deliver, in order.
    pub deliveries: Vec<Delivery>,
    /// The sender's connection should close once its queued lines are flushed.
    pub close: bool,
}

impl Outcome {
    fn reply(to: MemberId, line: ServerLine) -> Self {
        Self {
            deliveries: vec![Delivery {
                to: Recipients::One(to),
                line,
            }],
            close: false,
        }
    }
}

/// Hands out event ids: the one place ids come from (a counter resumed from the log's newest
/// id; shared storage later).
#[derive(Debug, Default)]
pub struct Sequencer {
    last: u64,
}

impl Sequencer {
    /// A sequencer whose first id follows `last`.
    pub fn starting_after(last: EventId) -> Self {
        Self { last: last.0 }
    }

    /// The last id handed out.
    pub fn last(&self) -> EventId {
        EventId(self.last)
    }

    /// The next id.
    pub fn next_id(&mut self) -> EventId {
        self.last += 1;
        EventId(self.last)
    }
}

/// The one room of the server.
#[derive(Debug, Default)]
pub struct Room {
    members: HashMap<MemberId, Nickname>,
    by_key: HashMap<NickKey, MemberId>,
    sequencer: Sequencer,
}

impl Room {
    /// An empty room.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty room whose first event id follows `last` (the log's newest).
    pub fn starting_after(last: EventId) -> Self {
        Self {
            sequencer: Sequencer::starting_after(last),
            ..Self::default()
        }
    }

    /// The last event id handed out.
    pub fn last_id(&self) -> EventId {
        self.sequencer.last()
    }

    /// How many members joined.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether nobody is in the room.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether `id` has joined.
    pub fn contains(&self, id: MemberId) -> bool {
        self.members.contains_key(&id)
    }

    /// The nickname of a member.
    pub fn nick(&self, id: MemberId) -> Option<&Nickname> {
        self.members.get(&id)
    }

    /// Every member's id, in no particular order.
    pub fn member_ids(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.members.keys().copied()
    }

    /// Handles one parsed line from connection `from` (joined or not) at time `now`.
    pub fn handle(&mut self, from: MemberId, line: ClientLine, now: Timestamp) -> Outcome {
        let Some(nick) = self.members.get(&from).cloned() else {
            return self.handle_unjoined(from, line, now);
        };
        let broadcast = |line| Outcome {
            deliveries: vec![Delivery {
                to: Recipients::All,
                line,
            }],
            close: false,
        };
        match line {
            ClientLine::Text(text) => broadcast(ServerLine::Message {
                id: self.sequencer.next_id(),
                time: now,
                nick,
                text,
            }),
            ClientLine::Command(Command::Me { text }) => broadcast(ServerLine::Action {
                id: self.sequencer.next_id(),
                time: now,
                nick,
                text,
            }),
            ClientLine::Command(Command::Private { to, text }) => {
                self.private(from, nick, &to, text, now)
            }
            ClientLine::Command(Command::Nick { nick: wanted }) => {
                self.rename(from, nick, &wanted, now)
            }
            ClientLine::Command(Command::Users) => Outcome::reply(from, self.users()),
            ClientLine::Command(Command::Help) => help(from),
            ClientLine::Command(Command::Ping { text }) => {
                Outcome::reply(from, ServerLine::Pong { text })
            }
            ClientLine::Command(Command::Join | Command::Resume(_) | Command::Password { .. }) => {
                Outcome::reply(from, replies::already_joined(&nick))
            }
            ClientLine::Command(Command::Quit { reason }) => {
                let mut deliveries = self.leave(from, LeaveKind::Quit, reason, now);
                deliveries.push(Delivery {
                    to: Recipients::One(from),
                    line: replies::goodbye(Some(&nick)),
                });
                Outcome {
                    deliveries,
                    close: true,
                }
            }
        }
    }

    fn handle_unjoined(&mut self, from: MemberId, line: ClientLine, now: Timestamp) -> Outcome {
        match line {
            ClientLine::Text(wanted)
            | ClientLine::Command(Command::Nick { nick: wanted })
            | ClientLine::Command(Command::Resume(Resume { nick: wanted, .. })) => {
                self.join(from, &wanted, now)
            }
            ClientLine::Command(Command::Users) => Outcome::reply(from, self.users()),
            ClientLine::Command(Command::Help) => help(from),
            ClientLine::Command(Command::Ping { text }) => {
                Outcome::reply(from, ServerLine::Pong { text })
            }
            ClientLine::Command(Command::Quit { .. }) => Outcome {
                deliveries: vec![Delivery {
                    to: Recipients::One(from),
                    line: replies::goodbye(None),
                }],
                close: true,
            },
            // The hub checks passwords before the room sees a line; the room has none.
            ClientLine::Command(Command::Password { .. }) => {
                Outcome::reply(from, replies::no_password_needed())
            }
            ClientLine::Command(Command::Join | Command::Me { .. } | Command::Private { .. }) => {
                Outcome::reply(from, replies::not_joined())
            }
        }
    }

    /// Whether `wanted` would be accepted if `holder` left (it is valid, and free or held by
    /// `holder`).
    pub fn could_take(&self, wanted: &str, holder: MemberId) -> bool {
        self.claim(wanted, Some(holder)).is_ok()
    }

    /// Validates a nickname against the rules and against the members (ignoring `except`).
    fn claim(&self, wanted: &str, except: Option<MemberId>) -> Result<Nickname, ServerLine> {
        let nick = Nickname::parse(wanted).map_err(|e| replies::nick_invalid(&e))?;
        match self.by_key.get(&nick.key()) {
            Some(&owner) if Some(owner) != except => Err(replies::nick_in_use(&nick)),
            _ => Ok(nick),
        }
    }

    fn join(&mut self, from: MemberId, wanted: &str, now: Timestamp) -> Outcome {
        let nick = match self.claim(wanted, None) {
            Ok(nick) => nick,
            Err(refusal) => return Outcome::reply(from, refusal),
        };
        self.by_key.insert(nick.key(), from);
        self.members.insert(from, nick.clone());
        Outcome {
            deliveries: vec![
                Delivery {
                    to: Recipients::One(from),
                    line: replies::welcome(&nick, self.members.len()),
                },
                Delivery {
                    to: Recipients::All,
                    line: ServerLine::Joined {
                        id: self.sequencer.next_id(),
                        time: now,
                        nick,
                    },
                },
            ],
            close: false,
        }
    }

    fn rename(&mut self, from: MemberId, old: Nickname, wanted: &str, now: Timestamp) -> Outcome {
        let new = match self.claim(wanted, Some(from)) {
            Ok(new) if new == old => {
                return Outcome::reply(from, replies::already_named(&old));
            }
            Ok(new) => new,
            Err(refusal) => return Outcome::reply(from, refusal),
        };
        self.by_key.remove(&old.key());
        self.by_key.insert(new.key(), from);
        self.members.insert(from, new.clone());
        Outcome {
            deliveries: vec![Delivery {
                to: Recipients::All,
                line: ServerLine::Renamed {
                    id: self.sequencer.next_id(),
                    time: now,
                    old,
                    new,
                },
            }],
            close: false,
        }
    }

    fn private(
        &mut self,
        from: MemberId,
        nick: Nickname,
        to: &str,
        text: String,
        now: Timestamp,
    ) -> Outcome {
        let target = Nickname::parse(to)
            .ok()
            .and_then(|n| self.by_key.get(&n.key()).copied());
        let Some(target) = target else {
            return Outcome::reply(from, replies::no_such_nick(to));
        };
        let Some(to_nick) = self.members.get(&target).cloned() else {
            return Outcome::default();
        };
        let recipients = if target == from {
            Recipients::One(from)
        } else {
            Recipients::Pair(from, target)
        };
        Outcome {
            deliveries: vec![Delivery {
                to: recipients,
                line: ServerLine::Private {
                    id: self.sequencer.next_id(),
                    time: now,
                    from: nick,
                    to: to_nick,
                    text,
                },
            }],
            close: false,
        }
    }

    /// The `USERS` reply: every nickname, sorted case-insensitively, as one complete list. The
    /// hub encodes it within the line limit ([`papo_protocol::users_reply`]), in parts when it
    /// does not fit in one line.
    pub fn users(&self) -> ServerLine {
        let mut nicks: Vec<Nickname> = self.members.values().cloned().collect();
        // By lower-cased spelling, as documented and as clients show it (the identity key
        // folds look-alikes, "0" to "o", which is no order for people).
        nicks.sort_by_cached_key(|n| (n.as_str().to_lowercase(), n.as_str().to_owned()));
        ServerLine::Users {
            count: nicks.len(),
            offset: 0,
            nicks,
        }
    }

    /// Removes `who` from the room and tells everyone left. Does nothing (and returns nothing)
    /// if `who` is not a member, so a departure is announced exactly once whatever reports it.
    pub fn leave(
        &mut self,
        who: MemberId,
        kind: LeaveKind,
        reason: String,
        now: Timestamp,
    ) -> Vec<Delivery> {
        let Some(nick) = self.members.remove(&who) else {
            return Vec::new();
        };
        self.by_key.remove(&nick.key());
        vec![Delivery {
            to: Recipients::All,
            line: ServerLine::Left {
                id: self.sequencer.next_id(),
                time: now,
                nick,
                kind,
                reason,
            },
        }]
    }

    /// Empties the room without announcing anything (the server is shutting down and says so
    /// to each member itself).
    pub fn clear(&mut self) {
        self.members.clear();
        self.by_key.clear();
    }
}

fn help(to: MemberId) -> Outcome {
    Outcome {
        deliveries: replies::help()
            .into_iter()
            .map(|line| Delivery {
                to: Recipients::One(to),
                line,
            })
            .collect(),
        close: false,
    }
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;
