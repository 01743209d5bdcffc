//! The connect dialog (`/ENTRAR`, F2): host, port, nickname, the room's password, TLS, and
//! whether to remember the password; validated before connecting. It also asks whether to trust
//! a TLS certificate nobody vouches for.

use std::fmt;

use papo_protocol::{Nickname, Secret};
use tui_input::{Input, InputRequest};

use crate::config::{Config, DEFAULT_PORT, DEFAULT_TLS_PORT};

/// The dialog's text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Host name or IP address.
    Host,
    /// TCP port.
    Port,
    /// Nickname.
    Nick,
    /// The room's password (shown masked); empty for an open room.
    Password,
}

/// The dialog's check boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// Connect in TLS.
    Tls,
    /// Keep the password in the config file.
    Remember,
}

/// What has the focus: a text field or a check box, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A text field.
    Field(Field),
    /// A check box.
    Toggle(Toggle),
}

impl PartialEq<Field> for Focus {
    fn eq(&self, other: &Field) -> bool {
        *self == Focus::Field(*other)
    }
}

impl Field {
    /// Every text field, in order.
    pub const ALL: [Field; 4] = [Field::Host, Field::Port, Field::Nick, Field::Password];

    /// The field's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Host => "Servidor",
            Self::Port => "Porta",
            Self::Nick => "Apelido",
            Self::Password => "Senha",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Host => 0,
            Self::Port => 1,
            Self::Nick => 2,
            Self::Password => 3,
        }
    }
}

impl Toggle {
    /// Every check box, in order.
    pub const ALL: [Toggle; 2] = [Toggle::Tls, Toggle::Remember];

    /// What it says beside the box.
    pub fn label(self) -> &'static str {
        match self {
            Self::Tls => "TLS (conexão cifrada)",
            Self::Remember => "lembrar a senha neste computador",
        }
    }
}

impl Focus {
    /// Everything that takes the focus, in Tab order.
    pub const ORDER: [Focus; 6] = [
        Focus::Field(Field::Host),
        Focus::Field(Field::Port),
        Focus::Field(Field::Nick),
        Focus::Field(Field::Password),
        Focus::Toggle(Toggle::Tls),
        Focus::Toggle(Toggle::Remember),
    ];
}

/// Most characters a paste puts in a dialog field (a host name is at most 253).
pub const MAX_FIELD_PASTE_CHARS: usize = 256;

/// A server address, and whether to speak TLS to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Connect in TLS.
    pub tls: bool,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "{}:{}", self.host, self.port)?;
        }
        if self.tls {
            f.write_str(" (TLS)")?;
        }
        Ok(())
    }
}

/// What a confirmed dialog asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Where.
    pub server: Server,
    /// As whom.
    pub nick: Nickname,
    /// The room's password, if one was typed.
    pub password: Option<Secret>,
    /// Keep the password in the config file.
    pub remember: bool,
}

/// A certificate waiting for the user's word: confirming the dialog, still aimed at the same
/// server, trusts (pins) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPrompt {
    /// The server that presented it.
    pub server: Server,
    /// SHA-256 of the certificate, `AB:CD:…`.
    pub fingerprint: String,
    /// Why no authority vouches for it.
    pub reason: String,
}

/// Checks a host as typed: not empty, no spaces or control characters.
pub fn parse_host(raw: &str) -> Result<String, String> {
    let host = raw.trim();
    if host.is_empty() {
        return Err("informe o servidor (nome ou endereço IP)".to_owned());
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "servidor inválido: {:?}",
            crate::sanitize::clean(host)
        ));
    }
    Ok(host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned())
}

/// Checks a port as typed: 1–65535.
pub fn parse_port(raw: &str) -> Result<u16, String> {
    match raw.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!(
            "porta inválida: {:?} (use um número de 1 a 65535)",
            crate::sanitize::clean(raw.trim())
        )),
    }
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct Dialog {
    fields: [Input; 4],
    tls: bool,
    remember: bool,
    focus: Focus,
    /// The password field holds the remembered password, not one typed here: it is emptied
    /// when the server changes, so it never goes to a server it was not given for.
    password_remembered: bool,
    /// What went wrong last (a field error, a refused nickname, a failed connection).
    pub error: Option<String>,
    /// A certificate to trust or not, when that is what the dialog asks.
    pub trust: Option<TrustPrompt>,
}

impl Dialog {
    /// A dialog pre-filled from `config` (the last server used), with `password` if it is the
    /// one for that server, and the "remember" box as `remember`.
    pub fn new(config: &Config, password: Option<&Secret>, remember: bool) -> Self {
        let password = password.map(|p| p.expose().to_owned()).unwrap_or_default();
        Self {
            password_remembered: !password.is_empty(),
            fields: [
                Input::new(config.host.clone()),
                Input::new(config.port.to_string()),
                Input::new(config.nick.clone()),
                Input::new(password),
            ],
            tls: config.tls,
            remember,
            focus: Focus::Field(Field::Host),
            error: None,
            trust: None,
        }
    }

    /// A dialog showing `error`, focused on `focus`.
    pub fn with_error(
        config: &Config,
        password: Option<&Secret>,
        remember: bool,
        focus: Field,
        error: String,
    ) -> Self {
        let mut d = Self::new(config, password, remember);
        d.focus = Focus::Field(focus);
        d.error = Some(error);
        d
    }

    /// The focused field or check box.
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// The field's input.
    pub fn field(&self, field: Field) -> &Input {
        &self.fields[field.index()]
    }

    /// Whether the check box is ticked.
    pub fn ticked(&self, toggle: Toggle) -> bool {
        match toggle {
            Toggle::Tls => self.tls,
            Toggle::Remember => self.remember,
        }
    }

    /// Moves the focus forward (or back), wrapping around.
    pub fn move_focus(&mut self, forward: bool) {
        let n = Focus::ORDER.len();
        let i = Focus::ORDER
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0);
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus = Focus::ORDER[next];
    }

    /// Edits the focused field; on a check box, a space ticks or unticks it.
    pub fn edit(&mut self, request: InputRequest) {
        match self.focus {
            Focus::Field(field) => {
                let before = self.fields[field.index()].value().to_owned();
                self.fields[field.index()].handle(request);
                if self.fields[field.index()].value() != before {
                    self.edited(field);
                }
            }
            Focus::Toggle(toggle) => {
                if request == InputRequest::InsertChar(' ') {
                    self.flip(toggle);
                }
            }
        }
    }

    /// A field changed: a remembered password stops being offered once the server changes,
    /// and counts as typed once it is edited.
    fn edited(&mut self, field: Field) {
        match field {
            Field::Host | Field::Port if self.password_remembered => {
                self.password_remembered = false;
                self.fields[Field::Password.index()] = Input::default();
            }
            Field::Password => self.password_remembered = false,
            _ => {}
        }
    }

    /// Ticks or unticks a check box. Turning TLS on or off moves a default port to the other
    /// default (7667 ⇄ 7668).
    pub fn flip(&mut self, toggle: Toggle) {
        match toggle {
            Toggle::Tls => {
                self.tls = !self.tls;
                self.edited(Field::Host);
                let (from, to) = if self.tls {
                    (DEFAULT_PORT, DEFAULT_TLS_PORT)
                } else {
                    (DEFAULT_TLS_PORT, DEFAULT_PORT)
                };
                let port = &mut self.fields[Field::Port.index()];
                if port.value().trim() == from.to_string() {
                    *port = Input::new(to.to_string());
                }
            }
            Toggle::Remember => self.remember = !self.remember,
        }
    }

    /// Inserts pasted text into the focused field: its first line, cleaned, at most
    /// [`MAX_FIELD_PASTE_CHARS`] characters, built once. A check box takes no paste.
    pub fn paste(&mut self, text: &str) {
        let Focus::Field(field) = self.focus else {
            return;
        };
        let first = text.lines().next().unwrap_or_default();
        let clean: String = first
            .chars()
            .filter(|&c| !papo_protocol::is_forbidden_char(c) && c != '\t')
            .take(MAX_FIELD_PASTE_CHARS)
            .collect();
        super::input::insert_at_caret(&mut self.fields[field.index()], &clean);
        self.edited(field);
    }

    /// Validates the fields. On error, focuses the bad field, records the message and returns
    /// `None`.
    pub fn submit(&mut self) -> Option<Target> {
        match self.checked() {
            Ok(target) => Some(target),
            Err((field, message)) => {
                self.focus = Focus::Field(field);
                self.error = Some(message);
                None
            }
        }
    }

    fn checked(&self) -> Result<Target, (Field, String)> {
        let host = parse_host(self.field(Field::Host).value()).map_err(|e| (Field::Host, e))?;
        let port = parse_port(self.field(Field::Port).value()).map_err(|e| (Field::Port, e))?;
        let nick = Nickname::parse(self.field(Field::Nick).value())
            .map_err(|e| (Field::Nick, e.to_string()))?;
        let typed = self.field(Field::Password).value();
        let password = if typed.is_empty() {
            None
        } else {
            Some(parse_password(typed).map_err(|e| (Field::Password, e))?)
        };
        Ok(Target {
            server: Server {
                host,
                port,
                tls: self.tls,
            },
            nick,
            remember: self.remember && password.is_some(),
            password,
        })
    }
}

/// Checks a password as typed: it must fit in a `/SENHA` line as it is (no control characters,
/// no spaces at either end, which the line would lose).
pub fn parse_password(raw: &str) -> Result<Secret, String> {
    if raw.trim() != raw {
        return Err("a senha não pode começar nem terminar com espaço".to_owned());
    }
    if let Err(e) = papo_protocol::check_text(raw) {
        return Err(format!("senha inválida: {e}"));
    }
    Ok(Secret::new(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_ports_are_checked() {
        assert_eq!(parse_host(" exemplo.org "), Ok("exemplo.org".to_owned()));
        assert_eq!(parse_host("[::1]"), Ok("::1".to_owned()));
        assert!(parse_host("").is_err());
        assert!(parse_host("a b").is_err());
        assert_eq!(parse_port("7667"), Ok(7667));
        for bad in ["0", "70000", "x", ""] {
            assert!(parse_port(bad).is_err(), "{bad}");
        }
        let v6 = Server {
            host: "::1".into(),
            port: 7,
            tls: true,
        };
        assert_eq!(v6.to_string(), "[::1]:7 (TLS)");
        assert!(parse_password(" x").is_err());
        assert!(parse_password("a\u{1b}b").is_err());
        assert_eq!(
            parse_password("a b").map(|s| s.expose().to_owned()),
            Ok("a b".into())
        );
    }
}
