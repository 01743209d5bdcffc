//! Every limit and setting of the server, in one type.

use std::time::Duration;

use papo_protocol::limits::DEFAULT_MAX_LINE_BYTES;
use papo_protocol::{FloodAllowance, Limits};

use crate::flood::FloodConfig;
use crate::log::{LogConfig, Storage};
use crate::password::RoomPassword;

/// The port papo-server listens on by default (unprivileged, unassigned).
pub const DEFAULT_PORT: u16 = 7667;

/// Settings that cannot work together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The queue could not hold two of the longest lines, so ordinary bursts would drop members.
    #[error(
        "--max-queue-bytes ({queue}) must be at least twice --max-line-bytes plus {LINE_OVERHEAD} ({needed})"
    )]
    QueueTooSmall {
        /// The queue budget given.
        queue: usize,
        /// The least that works with the line limit given.
        needed: usize,
    },
    /// The backlog could not hold two of the longest lines, so a paste of long lines would
    /// count as a flood.
    #[error(
        "--max-backlog-bytes ({backlog}) must be at least twice --max-line-bytes plus one ({needed})"
    )]
    BacklogTooSmall {
        /// The backlog budget given.
        backlog: usize,
        /// The least that works with the line limit given.
        needed: usize,
    },
}

/// Room for the fields a server line adds around a member's text (tag, id, time, nicknames).
pub const LINE_OVERHEAD: usize = 256;

/// The server's settings. Each limit is documented in `docs/protocol.md`, "Limits".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Longest line a client may send, in bytes, terminator excluded.
    pub max_line_bytes: usize,
    /// Most connections held at once (joined or still choosing a nickname).
    pub max_clients: usize,
    /// Most bytes of replies (not room events) waiting for one connection before it is
    /// disconnected for asking faster than it reads.
    pub max_queue_bytes: usize,
    /// How long shutdown waits for queued lines to be flushed before closing connections.
    pub shutdown_grace: Duration,
    /// Idle time before TCP keepalive probes a silent peer (then every 10 s, 6 probes), so a
    /// member whose machine vanished leaves and frees its nickname; `None` turns probing off.
    pub keepalive: Option<Duration>,
    /// The room log: where, how much, and the in-memory window every connection reads.
    pub history: LogConfig,
    /// Events replayed to a member who joins afresh (0 = none).
    pub history_on_join: u64,
    /// How fast a member's lines may reach the room; `None` turns flood control off.
    pub flood: Option<FloodConfig>,
    /// Bytes of lines a member may send ahead of its flood allowance; past it, it is
    /// disconnected as a flooder.
    pub max_backlog_bytes: usize,
    /// How long a connection may stay without joining before it is closed.
    pub register_timeout: Duration,
    /// Refused nicknames one connection may have; one more closes it.
    pub max_nick_attempts: u32,
    /// Connections still choosing a nickname at once; more are refused, so idle sockets
    /// cannot take the members' places.
    pub max_unjoined: usize,
    /// The room's password (`--password-file`): without it nobody joins, lists the members or
    /// reads the history. `None` for an open room.
    pub password: Option<RoomPassword>,
    /// How fast wrong passwords are answered, room-wide: a few at once (typos), then one per
    /// second however many connections guess.
    pub password_guesses: FloodConfig,
}

/// Bytes of lines a member may send ahead of its allowance, by default (a paste of some
/// hundreds of lines waits its turn; `yes` does not).
pub const DEFAULT_MAX_BACKLOG_BYTES: usize = 64 * 1024;

/// Events kept in the history by default.
pub const DEFAULT_HISTORY_KEEP: u64 = 100_000;
/// Bytes of recent events held in memory for every connection to read, by default.
pub const DEFAULT_WINDOW_BYTES: usize = 4 * 1024 * 1024;
/// Events replayed on joining, by default.
pub const DEFAULT_HISTORY_ON_JOIN: u64 = 50;

impl Default for Config {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_clients: 1000,
            max_queue_bytes: 256 * 1024,
            shutdown_grace: Duration::from_secs(5),
            keepalive: Some(Duration::from_secs(60)),
            // The library's default keeps history in memory; the binary defaults to a file.
            history: LogConfig {
                storage: Storage::Memory,
                keep: DEFAULT_HISTORY_KEEP,
                window_bytes: DEFAULT_WINDOW_BYTES,
            },
            history_on_join: DEFAULT_HISTORY_ON_JOIN,
            flood: Some(FloodConfig::default()),
            max_backlog_bytes: DEFAULT_MAX_BACKLOG_BYTES,
            register_timeout: Duration::from_secs(60),
            max_nick_attempts: 10,
            max_unjoined: 64,
            password: None,
            password_guesses: FloodConfig {
                burst: 5,
                per_second: 1,
            },
        }
    }
}

impl Config {
    /// What `HELLO` announces to each connection: the line limit and the flood allowance, as
    /// the limiter applies them (it counts a zero burst or rate as one).
    pub fn limits(&self) -> Limits {
        Limits {
            max_line_bytes: self.max_line_bytes,
            flood: self.flood.map(|f| FloodAllowance {
                burst: f.burst.max(1),
                per_second: f.per_second.max(1),
            }),
        }
    }

    /// Checks that the limits work together. `papo-server` refuses to start otherwise.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let needed = 2 * (self.max_line_bytes + LINE_OVERHEAD);
        if self.max_queue_bytes < needed {
            return Err(ConfigError::QueueTooSmall {
                queue: self.max_queue_bytes,
                needed,
            });
        }
        let needed = 2 * (self.max_line_bytes + 1);
        if self.max_backlog_bytes < needed {
            return Err(ConfigError::BacklogTooSmall {
                backlog: self.max_backlog_bytes,
                needed,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_a_queue_smaller_than_two_lines_is_not() {
        assert_eq!(Config::default().validate(), Ok(()));
        let config = Config {
            max_line_bytes: 65_536,
            max_queue_bytes: 8192,
            ..Config::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::QueueTooSmall { .. })
        ));
        let config = Config {
            max_line_bytes: 65_536,
            max_queue_bytes: 1 << 20,
            ..Config::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::BacklogTooSmall {
                needed: 131_074,
                ..
            })
        ));
    }
}
