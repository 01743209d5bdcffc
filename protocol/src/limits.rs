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
