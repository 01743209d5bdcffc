//! Every limit and setting of the server, in one type.

use std::time::Duration;

use papo_protocol::limits::DEFAULT_MAX_LINE_BYTES;

/// The port papo-server listens on by default (unprivileged, unassigned).
pub const DEFAULT_PORT: u16 = 7667;

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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_clients: 1000,
            max_queue_bytes: 256 * 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}
