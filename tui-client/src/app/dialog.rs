//! The connect dialog (`/ENTRAR`, F2): host, port and nickname, validated before connecting.

use std::fmt;

use papo_protocol::Nickname;
use tui_input::{Input, InputRequest};

use crate::config::Config;

/// The dialog's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Host name or IP address.
    Host,
    /// TCP port.
    Port,
    /// Nickname.
    Nick,
}

impl Field {
    /// Every field, in order.
    pub const ALL: [Field; 3] = [Field::Host, Field::Port, Field::Nick];

    /// The field's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Host => "Servidor",
            Self::Port => "Porta",
            Self::Nick => "Apelido",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Host => 0,
            Self::Port => 1,
            Self::Nick => 2,
        }
    }
}

/// Most characters a paste puts in a dialog field (a host name is at most 253).
pub const MAX_FIELD_PASTE_CHARS: usize = 256;

/// A server address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
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
    fields: [Input; 3],
    focus: Field,
    /// What went wrong last (a field error, a refused nickname, a failed connection).
    pub error: Option<String>,
}

impl Dialog {
    /// A dialog pre-filled from `config` (the last values used).
    pub fn new(config: &Config) -> Self {
        Self {
            fields: [
                Input::new(config.host.clone()),
                Input::new(config.port.to_string()),
                Input::new(config.nick.clone()),
            ],
            focus: Field::Host,
            error: None,
        }
    }

    /// A dialog showing `error`, focused on `focus`.
    pub fn with_error(config: &Config, focus: Field, error: String) -> Self {
        let mut d = Self::new(config);
        d.focus = focus;
        d.error = Some(error);
        d
    }

    /// The focused field.
    pub fn focus(&self) -> Field {
        self.focus
    }

    /// The field's input.
    pub fn field(&self, field: Field) -> &Input {
        &self.fields[field.index()]
    }

    /// Moves the focus forward (or back), wrapping around.
    pub fn move_focus(&mut self, forward: bool) {
        let i = self.focus.index();
        let next = if forward { (i + 1) % 3 } else { (i + 2) % 3 };
        self.focus = Field::ALL[next];
    }

    /// Edits the focused field.
    pub fn edit(&mut self, request: InputRequest) {
        self.fields[self.focus.index()].handle(request);
    }

    /// Inserts pasted text into the focused field: its first line, cleaned, at most
    /// [`MAX_FIELD_PASTE_CHARS`] characters, built once.
    pub fn paste(&mut self, text: &str) {
        let first = text.lines().next().unwrap_or_default();
        let clean: String = first
            .chars()
            .filter(|&c| !papo_protocol::is_forbidden_char(c) && c != '\t')
            .take(MAX_FIELD_PASTE_CHARS)
            .collect();
        super::input::insert_at_caret(&mut self.fields[self.focus.index()], &clean);
    }

    /// Validates the fields. On error, focuses the bad field, records the message and returns
    /// `None`.
    pub fn submit(&mut self) -> Option<(Server, Nickname)> {
        let checked = parse_host(self.field(Field::Host).value())
            .map_err(|e| (Field::Host, e))
            .and_then(|host| {
                let port =
                    parse_port(self.field(Field::Port).value()).map_err(|e| (Field::Port, e))?;
                Ok(Server { host, port })
            })
            .and_then(|server| {
                let nick = Nickname::parse(self.field(Field::Nick).value())
                    .map_err(|e| (Field::Nick, e.to_string()))?;
                Ok((server, nick))
            });
        match checked {
            Ok(ok) => Some(ok),
            Err((field, message)) => {
                self.focus = field;
                self.error = Some(message);
                None
            }
        }
    }
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
        };
        assert_eq!(v6.to_string(), "[::1]:7");
    }
}
