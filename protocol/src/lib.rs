//! papo's wire protocol, with no I/O: line framing with limits, typed lines in both directions,
//! nickname rules and the text rules every relayed line obeys.
//!
//! The protocol is described for people in `docs/protocol.md`; this crate is its single
//! implementation, shared by the server and the client. Parsing is a pure function over bytes
//! and strings, so tests and fuzzers call it directly. The optional `codec` feature adds
//! [`LineDecoder`], a tokio-util `Decoder` over the splitter; without it the crate has no I/O
//! dependency at all.

#[cfg(feature = "cli")]
pub mod cli;
mod client_line;
#[cfg(feature = "codec")]
mod codec;
mod error_code;
mod framing;
pub mod limits;
mod nickname;
mod server_line;
mod text;
mod time;
mod users;

pub use client_line::{
    COMMANDS, ClientLine, Command, CommandInfo, CommandKind, MAX_SECRET_CHARS, ParseError, Resume,
    Secret, find_command, is_blank, is_secret,
};
#[cfg(feature = "codec")]
pub use codec::LineDecoder;
pub use error_code::{ErrorCode, UnknownErrorCode};
pub use framing::{Frame, LineSplitter, Split};
pub use limits::{FloodAllowance, Limits};
pub use nickname::{NickKey, Nickname, NicknameError};
pub use server_line::{Access, EncodeError, EventId, LeaveKind, ServerLine, ServerLineError};
pub use text::{TextError, check_text, is_forbidden_char};
pub use time::{Timestamp, TimestampError};
pub use users::users_reply;

/// The protocol version announced in the server's greeting (`HELLO papo 2 <epoch> :…`).
/// Version 2 adds replayed history, catch-up by id and resumable sessions; a version 1 client
/// still works with it (it ignores the new fields and shows the new lines as text).
pub const PROTOCOL_VERSION: u32 = 2;
