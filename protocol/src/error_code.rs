//! The machine-readable codes of `ERR` lines.

use std::fmt;
use std::str::FromStr;

/// Why the server refused something. On the wire: `ERR <CODE> :<human text>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The nickname breaks the nickname rules.
    NickInvalid,
    /// Someone in the room already has this nickname (compared case-insensitively).
    NickInUse,
    /// The line was longer than the server's limit; it was discarded.
    LineTooLong,
    /// The line was not valid UTF-8; it was discarded.
    InvalidUtf8,
    /// The line held a control character or a bidi override; it was not relayed.
    ForbiddenCharacter,
    /// The command does not exist.
    UnknownCommand,
    /// The command lacks an argument it needs.
    MissingArgument,
    /// An argument of the command is not of the form it takes.
    InvalidArgument,
    /// A private message named nobody in the room.
    NoSuchNick,
    /// The command needs a nickname first (sent before joining).
    NotJoined,
    /// The command only makes sense before joining (`/ENTRAR` after joining).
    AlreadyJoined,
    /// The server has no room for another client; the connection closes.
    ServerFull,
    /// The room has a password and it was not given yet (`/SENHA` comes before the nickname).
    PasswordRequired,
    /// `/SENHA` with the wrong password.
    PasswordIncorrect,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 14] = [
        Self::NickInvalid,
        Self::NickInUse,
        Self::LineTooLong,
        Self::InvalidUtf8,
        Self::ForbiddenCharacter,
        Self::UnknownCommand,
        Self::MissingArgument,
        Self::InvalidArgument,
        Self::NoSuchNick,
        Self::NotJoined,
        Self::AlreadyJoined,
        Self::ServerFull,
        Self::PasswordRequired,
        Self::PasswordIncorrect,
    ];

    /// The code as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NickInvalid => "NICK_INVALID",
            Self::NickInUse => "NICK_IN_USE",
            Self::LineTooLong => "LINE_TOO_LONG",
            Self::InvalidUtf8 => "INVALID_UTF8",
            Self::ForbiddenCharacter => "FORBIDDEN_CHARACTER",
            Self::UnknownCommand => "UNKNOWN_COMMAND",
            Self::MissingArgument => "MISSING_ARGUMENT",
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::NoSuchNick => "NO_SUCH_NICK",
            Self::NotJoined => "NOT_JOINED",
            Self::AlreadyJoined => "ALREADY_JOINED",
            Self::ServerFull => "SERVER_FULL",
            Self::PasswordRequired => "PASSWORD_REQUIRED",
            Self::PasswordIncorrect => "PASSWORD_INCORRECT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error code the parser does not know. Clients should show such errors by their text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code {0:?}")]
pub struct UnknownErrorCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|code| code.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
        }
        assert!("NOPE".parse::<ErrorCode>().is_err());
    }
}
