//! Default limits of the protocol. The server makes each configurable; these are the documented
//! defaults (`docs/protocol.md`, "Limits").

/// Longest line a peer may send, in bytes, not counting the terminating LF (or CRLF).
pub const DEFAULT_MAX_LINE_BYTES: usize = 4096;

/// How many times the line limit a peer may send without any line break before the server
/// gives up on the connection (a binary or TLS handshake sent to the plain port, a runaway
/// writer). Memory stays bounded either way: the bytes are discarded as they arrive.
pub const RUNAWAY_FACTOR: usize = 16;

/// Longest nickname, in characters (Unicode scalar values) after NFC normalisation.
pub const MAX_NICK_CHARS: usize = 32;

/// Lines a member may send to the room at once before flood control holds them back (a paste).
pub const DEFAULT_FLOOD_BURST: u32 = 25;

/// Lines per second a member may send to the room after the burst.
pub const DEFAULT_FLOOD_PER_SECOND: u32 = 5;

/// What a server allows each member, as its `HELLO` announces it (`<max_line_bytes>
/// <flood_burst> <flood_per_second>`), so a client can stay inside it instead of being refused
/// or held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Longest line the server reads, in bytes, not counting the LF.
    pub max_line_bytes: usize,
    /// The flood allowance for lines that reach the room; `None` when flood control is off
    /// (written as `0 0`).
    pub flood: Option<FloodAllowance>,
}

/// How many lines a member may send to the room: `burst` at once, then `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloodAllowance {
    /// Lines that may go out at once after a quiet moment.
    pub burst: u32,
    /// Lines per second after the burst.
    pub per_second: u32,
}

impl Default for Limits {
    /// The documented defaults: what a server that does not announce its limits uses.
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            flood: Some(FloodAllowance {
                burst: DEFAULT_FLOOD_BURST,
                per_second: DEFAULT_FLOOD_PER_SECOND,
            }),
        }
    }
}
