//! Lines a client sends: chat text or a command.

use crate::server_line::EventId;
use crate::text::{TextError, check_text};

/// One line from a client, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientLine {
    /// Chat text for the room, exactly as typed (`//x` arrives here as `/x`). Before the
    /// client has joined, this is the nickname it asks for.
    Text(String),
    /// A command (`/NAME args`), names matched case-insensitively.
    Command(Command),
}

/// A command, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/ENTRAR` (`/JOIN`): the client's connect dialog; the server only answers that the
    /// connection is already open.
    Join,
    /// `/USUARIOS` (`/USERS`, `/WHO`): who is in the room.
    Users,
    /// `/SAIR [motivo]` (`/QUIT`): leave the room, with an optional reason (possibly empty).
    Quit {
        /// What the others are told; may be empty.
        reason: String,
    },
    /// `/MSG nick texto` (`/PRIVADO`): a private message.
    Private {
        /// The recipient's nickname, as typed.
        to: String,
        /// The message.
        text: String,
    },
    /// `/NICK novo`: change nickname.
    Nick {
        /// The nickname wanted, as typed.
        nick: String,
    },
    /// `/ME ação`: an action line (`* ana acena`).
    Me {
        /// The action.
        text: String,
    },
    /// `/AJUDA` (`/HELP`): the list of commands.
    Help,
    /// `/RETOMAR apelido época último-id [token]` (`/RESUME`): joins like a nickname does, and
    /// asks for every event after `after` of the log `epoch` instead of the usual last few.
    /// With the `token` of an earlier session it resumes that session (its private messages
    /// are replayed too).
    Resume(Resume),
    /// `/PING [texto]`: the server answers `PONG :texto` (a client's way to tell a live server
    /// from a quiet room).
    Ping {
        /// Echoed back; may be empty.
        text: String,
    },
    /// `/SENHA senha` (`/PASS`): the room's password, sent before the nickname when the
    /// server's `HELLO` says `password`.
    Password {
        /// The password, as typed (inner spaces kept).
        password: Secret,
    },
}

/// A password: sent and compared, never shown. Its `Debug` is redacted, so a logged line or
/// config cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for sending or comparing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The arguments of `/RETOMAR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The nickname wanted, as typed.
    pub nick: String,
    /// The log the client's ids come from (the server's `HELLO` names its own).
    pub epoch: String,
    /// The last event id the client saw.
    pub after: EventId,
    /// The secret the server gave in `WELCOME`, proving this is the same session.
    pub token: Option<String>,
}

/// Which command a [`CommandInfo`] describes (matched exhaustively when parsing, so a command
/// added to the table cannot go without its parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// `/ENTRAR`.
    Join,
    /// `/USUARIOS`.
    Users,
    /// `/MSG`.
    Private,
    /// `/NICK`.
    Nick,
    /// `/ME`.
    Me,
    /// `/AJUDA`.
    Help,
    /// `/SAIR`.
    Quit,
    /// `/RETOMAR`.
    Resume,
    /// `/PING`.
    Ping,
    /// `/SENHA`.
    Password,
}

/// A command's names, its usage and what it does: the one table behind parsing, the server's
/// `/AJUDA` answer and the client's completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    /// Which command this is.
    pub kind: CommandKind,
    /// The canonical (Portuguese) name, upper case, without the slash.
    pub name: &'static str,
    /// Other names that mean the same.
    pub aliases: &'static [&'static str],
    /// How to call it.
    pub usage: &'static str,
    /// One line on what it does, in Portuguese.
    pub summary: &'static str,
}

impl CommandInfo {
    /// Every name of the command: the canonical one first.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

/// Every command the protocol knows, in the order `/AJUDA` lists them.
pub const COMMANDS: [CommandInfo; 10] = [
    CommandInfo {
        kind: CommandKind::Join,
        name: "ENTRAR",
        aliases: &["JOIN"],
        usage: "/ENTRAR",
        summary: "conecta a um servidor (no cliente papo; no nc, envie o apelido)",
    },
    CommandInfo {
        kind: CommandKind::Users,
        name: "USUARIOS",
        aliases: &["USERS", "WHO"],
        usage: "/USUARIOS",
        summary: "lista quem está na sala",
    },
    CommandInfo {
        kind: CommandKind::Private,
        name: "MSG",
        aliases: &["PRIVADO"],
        usage: "/MSG apelido texto",
        summary: "mensagem privada, só para essa pessoa",
    },
    CommandInfo {
        kind: CommandKind::Nick,
        name: "NICK",
        aliases: &[],
        usage: "/NICK novo",
        summary: "troca o seu apelido",
    },
    CommandInfo {
        kind: CommandKind::Me,
        name: "ME",
        aliases: &[],
        usage: "/ME ação",
        summary: "descreve uma ação (* ana acena)",
    },
    CommandInfo {
        kind: CommandKind::Help,
        name: "AJUDA",
        aliases: &["HELP"],
        usage: "/AJUDA",
        summary: "esta lista de comandos",
    },
    CommandInfo {
        kind: CommandKind::Quit,
        name: "SAIR",
        aliases: &["QUIT"],
        usage: "/SAIR [motivo]",
        summary: "sai da sala (e fecha o cliente)",
    },
    CommandInfo {
        kind: CommandKind::Resume,
        name: "RETOMAR",
        aliases: &["RESUME"],
        usage: "/RETOMAR apelido época último-id [token]",
        summary: "entra e recebe tudo depois do último id visto (o cliente papo usa ao reconectar)",
    },
    CommandInfo {
        kind: CommandKind::Ping,
        name: "PING",
        aliases: &[],
        usage: "/PING [texto]",
        summary: "o servidor responde PONG (para saber se ele ainda está aí)",
    },
    CommandInfo {
        kind: CommandKind::Password,
        name: "SENHA",
        aliases: &["PASS"],
        usage: "/SENHA senha",
        summary: "a senha da sala, antes do apelido (quando o servidor pede uma)",
    },
];

/// A client line that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The line holds a character that is never relayed.
    #[error(transparent)]
    Forbidden(#[from] TextError),
    /// `/NAME` names no command.
    #[error("comando desconhecido: /{0}")]
    UnknownCommand(String),
    /// The command needs an argument.
    #[error("faltou argumento; uso: {usage}")]
    MissingArgument {
        /// How to call the command.
        usage: &'static str,
    },
    /// An argument is not of the form the command takes.
    #[error("argumento inválido; uso: {usage}")]
    InvalidArgument {
        /// How to call the command.
        usage: &'static str,
    },
}

/// Looks a command up by any of its names, case-insensitively.
pub fn find_command(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS
        .iter()
        .find(|info| info.names().any(|n| n.eq_ignore_ascii_case(name)))
}

/// Splits `s` at its first whitespace: (first word, rest with leading spaces removed). The
/// word starts at the first character: `" x"` gives an empty word.
fn split_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

/// Whether `line` is blank: nothing but spaces and invisible characters (U+3164 HANGUL FILLER,
/// zero-width spaces, other default-ignorable code points). Blank lines are ignored, from
/// either side.
pub fn is_blank(line: &str) -> bool {
    !has_visible(line)
}

/// Whether `line` shows anything (see [`is_blank`]).
fn has_visible(line: &str) -> bool {
    if line.bytes().any(|b| b.is_ascii_graphic()) {
        return true;
    }
    unicode_security::skeleton(line).any(|c| !c.is_whitespace())
}

/// The longest epoch or resume token (both are short hex strings the server makes).
pub const MAX_SECRET_CHARS: usize = 64;

/// Whether `s` can be an epoch or a resume token: 1–64 ASCII letters and digits, so it fits
/// in one field of a line.
pub fn is_secret(s: &str) -> bool {
    (1..=MAX_SECRET_CHARS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn parse_resume(args: &str, usage: &'static str) -> Result<Resume, ParseError> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let (nick, epoch, after, token) = match words.as_slice() {
        [nick, epoch, after] => (nick, epoch, after, None),
        [nick, epoch, after, token] => (nick, epoch, after, Some(*token)),
        [] | [_] | [_, _] => return Err(ParseError::MissingArgument { usage }),
        _ => return Err(ParseError::InvalidArgument { usage }),
    };
    let invalid = ParseError::InvalidArgument { usage };
    let after = after
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| after.parse().ok())
        .flatten()
        .ok_or(invalid.clone())?;
    if !is_secret(epoch) || token.is_some_and(|t| !is_secret(t)) {
        return Err(invalid);
    }
    Ok(Resume {
        nick: (*nick).to_owned(),
        epoch: (*epoch).to_owned(),
        after: EventId(after),
        token: token.map(str::to_owned),
    })
}

/// Checks that `word` stays one argument: command arguments are split at any white space.
fn check_word(word: &str) -> Result<(), crate::EncodeError> {
    match word.chars().find(|c| c.is_whitespace()) {
        Some(c) => Err(crate::EncodeError(c)),
        None if word.is_empty() => Err(crate::EncodeError(' ')),
        None => Ok(()),
    }
}

impl ClientLine {
    /// Parses one line (without its terminator). Blank lines are `Ok(None)`: they are ignored.
    pub fn parse(line: &str) -> Result<Option<Self>, ParseError> {
        check_text(line)?;
        if !has_visible(line) {
            return Ok(None);
        }
        let Some(after_slash) = line.strip_prefix('/') else {
            return Ok(Some(Self::Text(line.to_owned())));
        };
        if after_slash.starts_with('/') {
            return Ok(Some(Self::Text(after_slash.to_owned())));
        }
        // The name starts right after the slash: "/ SAIR" is not a command.
        let (name, args) = split_word(after_slash);
        let info = find_command(name).ok_or_else(|| ParseError::UnknownCommand(name.to_owned()))?;
        let missing = || ParseError::MissingArgument { usage: info.usage };
        let args = args.trim_end();
        let command = match info.kind {
            CommandKind::Join => Command::Join,
            CommandKind::Users => Command::Users,
            CommandKind::Help => Command::Help,
            CommandKind::Quit => Command::Quit {
                reason: args.to_owned(),
            },
            CommandKind::Nick if !args.is_empty() => Command::Nick {
                nick: args.to_owned(),
            },
            CommandKind::Me if !args.is_empty() => Command::Me {
                text: args.to_owned(),
            },
            CommandKind::Private => match split_word(args) {
                (to, text) if !to.is_empty() && !text.is_empty() => Command::Private {
                    to: to.to_owned(),
                    text: text.to_owned(),
                },
                _ => return Err(missing()),
            },
            CommandKind::Resume => Command::Resume(parse_resume(args, info.usage)?),
            CommandKind::Ping => Command::Ping {
                text: args.to_owned(),
            },
            CommandKind::Password if !args.is_empty() => Command::Password {
                password: Secret::new(args),
            },
            CommandKind::Nick | CommandKind::Me | CommandKind::Password => return Err(missing()),
        };
        Ok(Some(Self::Command(command)))
    }

    /// The line as sent on the wire, LF included. Text that starts with `/` is escaped as `//`.
    /// Fails on a forbidden character, and on a one-word argument (a recipient, a `/RETOMAR`
    /// field) that is not one word, which the server would read as something else.
    pub fn encode(&self) -> Result<String, crate::EncodeError> {
        match self {
            Self::Command(Command::Private { to, .. }) => check_word(to)?,
            Self::Command(Command::Resume(r)) => {
                check_word(&r.nick)?;
                check_word(&r.epoch)?;
                r.token.as_deref().map_or(Ok(()), check_word)?;
            }
            _ => {}
        }
        let body = match self {
            Self::Text(text) if text.starts_with('/') => format!("/{text}"),
            Self::Text(text) => text.clone(),
            Self::Command(Command::Join) => "/ENTRAR".to_owned(),
            Self::Command(Command::Users) => "/USUARIOS".to_owned(),
            Self::Command(Command::Help) => "/AJUDA".to_owned(),
            Self::Command(Command::Quit { reason }) if reason.is_empty() => "/SAIR".to_owned(),
            Self::Command(Command::Quit { reason }) => format!("/SAIR {reason}"),
            Self::Command(Command::Private { to, text }) => format!("/MSG {to} {text}"),
            Self::Command(Command::Nick { nick }) => format!("/NICK {nick}"),
            Self::Command(Command::Me { text }) => format!("/ME {text}"),
            Self::Command(Command::Ping { text }) if text.is_empty() => "/PING".to_owned(),
            Self::Command(Command::Ping { text }) => format!("/PING {text}"),
            Self::Command(Command::Password { password }) => {
                format!("/SENHA {}", password.expose())
            }
            Self::Command(Command::Resume(r)) => {
                let token = r
                    .token
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default();
                format!("/RETOMAR {} {} {}{token}", r.nick, r.epoch, r.after)
            }
        };
        crate::server_line::checked_line(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<ClientLine>, ParseError> {
        ClientLine::parse(line)
    }

    fn cmd(c: Command) -> Result<Option<ClientLine>, ParseError> {
        Ok(Some(ClientLine::Command(c)))
    }

    fn text(t: &str) -> Result<Option<ClientLine>, ParseError> {
        Ok(Some(ClientLine::Text(t.to_owned())))
    }

    #[test]
    fn plain_text_is_kept_exactly() {
        assert_eq!(parse("  oi  pessoal "), text("  oi  pessoal "));
        assert_eq!(parse("//etc/passwd"), text("/etc/passwd"));
        assert_eq!(parse("a / b"), text("a / b"));
    }

    #[test]
    fn blank_lines_are_ignored() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse(" \t "), Ok(None));
    }

    #[test]
    fn a_line_with_nothing_visible_is_blank() {
        for invisible in [
            "\u{3164}",
            " \u{3164}\u{3164} ",
            "\u{200B}",
            "\u{2060}\u{FEFF}",
        ] {
            assert_eq!(parse(invisible), Ok(None), "{invisible:?}");
        }
        assert_eq!(parse("\u{3164}oi"), text("\u{3164}oi"));
        assert_eq!(parse("日本"), text("日本"));
    }

    #[test]
    fn commands_and_aliases_are_case_insensitive() {
        for line in ["/USUARIOS", "/usuarios", "/Users", "/WHO", "/who  "] {
            assert_eq!(parse(line), cmd(Command::Users), "{line}");
        }
        for line in ["/AJUDA", "/help"] {
            assert_eq!(parse(line), cmd(Command::Help), "{line}");
        }
        assert_eq!(parse("/join"), cmd(Command::Join));
        assert_eq!(parse("/ENTRAR"), cmd(Command::Join));
    }

    #[test]
    fn quit_takes_an_optional_reason() {
        assert_eq!(
            parse("/SAIR"),
            cmd(Command::Quit {
                reason: String::new()
            })
        );
        assert_eq!(
            parse("/quit  até amanhã "),
            cmd(Command::Quit {
                reason: "até amanhã".into()
            })
        );
    }

    #[test]
    fn private_nick_and_me_need_arguments() {
        assert_eq!(
            parse("/msg bob  oi, tudo bem?"),
            cmd(Command::Private {
                to: "bob".into(),
                text: "oi, tudo bem?".into()
            })
        );
        assert_eq!(
            parse("/PRIVADO bob x"),
            cmd(Command::Private {
                to: "bob".into(),
                text: "x".into()
            })
        );
        assert_eq!(
            parse("/NICK ana_"),
            cmd(Command::Nick {
                nick: "ana_".into()
            })
        );
        assert_eq!(
            parse("/me acena"),
            cmd(Command::Me {
                text: "acena".into()
            })
        );
        for (line, usage) in [
            ("/MSG", "/MSG apelido texto"),
            ("/MSG bob", "/MSG apelido texto"),
            ("/NICK ", "/NICK novo"),
            ("/ME", "/ME ação"),
        ] {
            assert_eq!(
                parse(line),
                Err(ParseError::MissingArgument { usage }),
                "{line}"
            );
        }
    }

    #[test]
    fn unknown_commands_and_forbidden_characters_are_errors() {
        assert_eq!(
            parse("/dance"),
            Err(ParseError::UnknownCommand("dance".into()))
        );
        assert_eq!(parse("/"), Err(ParseError::UnknownCommand(String::new())));
        assert_eq!(
            parse("/ SAIR"),
            Err(ParseError::UnknownCommand(String::new()))
        );
        assert!(matches!(parse("oi\x1b[2J"), Err(ParseError::Forbidden(_))));
    }

    #[test]
    fn encode_then_parse_round_trips() {
        let lines = [
            ClientLine::Text("oi".into()),
            ClientLine::Text("/não é comando".into()),
            ClientLine::Command(Command::Join),
            ClientLine::Command(Command::Users),
            ClientLine::Command(Command::Help),
            ClientLine::Command(Command::Quit {
                reason: String::new(),
            }),
            ClientLine::Command(Command::Quit {
                reason: "fui".into(),
            }),
            ClientLine::Command(Command::Private {
                to: "bob".into(),
                text: "olá".into(),
            }),
            ClientLine::Command(Command::Nick {
                nick: "ana_".into(),
            }),
            ClientLine::Command(Command::Me {
                text: "acena".into(),
            }),
            ClientLine::Command(Command::Resume(Resume {
                nick: "ana".into(),
                epoch: "9f3a".into(),
                after: EventId(41),
                token: None,
            })),
            ClientLine::Command(Command::Ping {
                text: String::new(),
            }),
            ClientLine::Command(Command::Ping { text: "42".into() }),
            ClientLine::Command(Command::Resume(Resume {
                nick: "ana".into(),
                epoch: "9f3a".into(),
                after: EventId(41),
                token: Some("c0ffee".into()),
            })),
        ];
        for line in lines {
            let wire = line.encode().expect("encodable");
            assert!(wire.ends_with('\n'));
            let parsed = ClientLine::parse(wire.trim_end_matches('\n'));
            assert_eq!(parsed, Ok(Some(line)));
        }
    }

    #[test]
    fn resume_takes_a_nickname_an_epoch_an_id_and_maybe_a_token() {
        assert_eq!(
            parse("/resume ana e1 0"),
            cmd(Command::Resume(Resume {
                nick: "ana".into(),
                epoch: "e1".into(),
                after: EventId(0),
                token: None,
            }))
        );
        let usage = "/RETOMAR apelido época último-id [token]";
        for line in ["/RETOMAR", "/RETOMAR ana", "/RETOMAR ana e1"] {
            assert_eq!(
                parse(line),
                Err(ParseError::MissingArgument { usage }),
                "{line}"
            );
        }
        for line in [
            "/RETOMAR ana e1 -1",
            "/RETOMAR ana e1 +1",
            "/RETOMAR ana e1 99999999999999999999999",
            "/RETOMAR ana e-1 1",
            "/RETOMAR ana e1 1 tok*en",
            "/RETOMAR ana e1 1 token extra",
        ] {
            assert_eq!(
                parse(line),
                Err(ParseError::InvalidArgument { usage }),
                "{line}"
            );
        }
    }

    #[test]
    fn encode_refuses_line_breaks() {
        assert!(ClientLine::Text("a\nb".into()).encode().is_err());
    }

    #[test]
    fn every_name_is_unique() {
        let mut names: Vec<&str> = COMMANDS.iter().flat_map(CommandInfo::names).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn the_password_is_kept_whole_and_never_shown() {
        let line = parse("/senha  minha senha  ")
            .expect("valid")
            .expect("a line");
        let ClientLine::Command(Command::Password { password }) = &line else {
            panic!("not a password: {line:?}");
        };
        assert_eq!(password.expose(), "minha senha");
        assert!(!format!("{line:?}").contains("minha"), "{line:?}");
        assert_eq!(line.encode().as_deref(), Ok("/SENHA minha senha\n"));
        assert_eq!(
            parse("/PASS x"),
            cmd(Command::Password {
                password: Secret::new("x")
            })
        );
        assert_eq!(
            parse("/SENHA"),
            Err(ParseError::MissingArgument {
                usage: "/SENHA senha"
            })
        );
    }

    #[test]
    fn one_word_arguments_that_are_not_one_word_are_refused() {
        let private = ClientLine::Command(Command::Private {
            to: "ana maria".into(),
            text: "oi".into(),
        });
        assert_eq!(private.encode(), Err(crate::EncodeError(' ')));
        let resume = |nick: &str| {
            ClientLine::Command(Command::Resume(Resume {
                nick: nick.into(),
                epoch: "e1".into(),
                after: EventId(3),
                token: None,
            }))
        };
        assert_eq!(resume("a b").encode(), Err(crate::EncodeError(' ')));
        assert_eq!(resume("ana").encode().as_deref(), Ok("/RETOMAR ana e1 3\n"));
    }
}
