//! The state of the link to a server: offline, waiting to reconnect, connecting, logging in,
//! in the room. `server`, `session`, `reconnect` and `commands` move it from state to state.

use std::time::Duration;

use papo_protocol::Nickname;

use super::{ConnId, Server};

/// The state of the link to a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// No connection; the reason the last one ended, if any.
    Offline {
        /// Why the last connection ended.
        reason: Option<String>,
    },
    /// The link to the room was lost: waiting to reconnect by itself (see [`super::reconnect`]).
    Waiting {
        /// Where to.
        server: Server,
        /// The nickname to ask for (the one you had).
        nick: Nickname,
        /// Why the link ended (shown once reconnecting is cancelled).
        reason: String,
        /// Time left before the attempt; counted down by [`super::Event::Tick`]s.
        remaining: Duration,
    },
    /// Opening the TCP connection.
    Connecting {
        /// The attempt.
        conn: ConnId,
        /// Where to.
        server: Server,
        /// The nickname to ask for.
        nick: Nickname,
        /// An automatic reconnect: failing schedules the next attempt instead of opening the
        /// connect dialog.
        retry: bool,
    },
    /// Connected, nickname asked for or about to be; not in the room yet.
    LoggingIn {
        /// The connection.
        conn: ConnId,
        /// Where.
        server: Server,
        /// The nickname asked for.
        nick: Nickname,
        /// Whether it was sent.
        nick_sent: bool,
        /// The server refused a nickname: Esc in the dialog gives up.
        refused: bool,
        /// An automatic reconnect (see [`Link::Connecting`]).
        retry: bool,
    },
    /// In the room.
    Online {
        /// The connection.
        conn: ConnId,
        /// Where.
        server: Server,
        /// Your nickname, as the server spells it.
        nick: Nickname,
    },
}

impl Link {
    /// The current connection, if any.
    pub fn conn(&self) -> Option<ConnId> {
        match self {
            Self::Offline { .. } | Self::Waiting { .. } => None,
            Self::Connecting { conn, .. }
            | Self::LoggingIn { conn, .. }
            | Self::Online { conn, .. } => Some(*conn),
        }
    }

    /// Whether a TCP connection is open (lines can be sent).
    pub fn is_open(&self) -> bool {
        matches!(self, Self::LoggingIn { .. } | Self::Online { .. })
    }
}
