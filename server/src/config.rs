//! Every limit and setting of the server, in one type.

use std::time::Duration;

use papo_protocol::limits::DEFAULT_MAX_LINE_BYTES;

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
    /// Most bytes waiting to be sent to one member before it is disconnected as a slow reader.
    pub max_queue_bytes: usize,
    /// How long shutdown waits for queued lines to be flushed before closing connections.
    pub shutdown_grace: Duration,
    /// Idle time before TCP keepalive probes a silent peer (then every 10 s, 6 probes), so a
    /// member whose machine vanished leaves and frees its nickname; `None` turns probing off.
    pub keepalive: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_clients: 1000,
            max_queue_bytes: 256 * 1024,
            shutdown_grace: Duration::from_secs(5),
            keepalive: Some(Duration::from_secs(60)),
        }
    }
}

impl Config {
    /// Checks that the limits work together. `papo-server` refuses to start otherwise.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let needed = 2 * (self.max_line_bytes + LINE_OVERHEAD);
        if self.max_queue_bytes < needed {
            return Err(ConfigError::QueueTooSmall {
                queue: self.max_queue_bytes,
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
    }
}
