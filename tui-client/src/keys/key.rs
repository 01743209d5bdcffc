//! One key as the key table sees it: normalised from crossterm's events and labelled for people.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key with the modifiers that matter, normalised (see [`Key::from_event`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt and Shift only.
    pub mods: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// Ctrl plus a letter (lower case).
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// Alt plus a letter (lower case).
    pub const fn alt(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            mods: KeyModifiers::ALT,
        }
    }

    /// A key with `mods`.
    pub const fn with(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }

    /// Normalises a terminal key event: releases are `None`; only Ctrl, Alt and Shift are kept;
    /// a letter with Ctrl or Alt is lower-cased without Shift; a typed character drops Shift (the
    /// character already carries its case); Shift+Tab is [`KeyCode::BackTab`] alone.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let wanted = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        let mut mods = event.modifiers & wanted;
        let code = match event.code {
            KeyCode::Char(c) if mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_lowercase().next().unwrap_or(c))
            }
            KeyCode::Char(c) => {
                mods = KeyModifiers::NONE;
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                mods = KeyModifiers::NONE;
                KeyCode::BackTab
            }
            other => other,
        };
        Some(Self { code, mods })
    }

    /// The key as people read it: `F1`, `Ctrl+Q`, `Shift+↑`, `PgUp`.
    pub fn label(&self) -> String {
        let mut out = String::new();
        for (m, name) in [
            (KeyModifiers::CONTROL, "Ctrl+"),
            (KeyModifiers::ALT, "Alt+"),
            (KeyModifiers::SHIFT, "Shift+"),
        ] {
            if self.mods.contains(m) {
                out.push_str(name);
            }
        }
        let name = match self.code {
            KeyCode::Char(' ') => "Espaço".to_owned(),
            KeyCode::Char(c) if self.mods.is_empty() => c.to_string(),
            KeyCode::Char(c) => c.to_uppercase().to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            other => format!("{other:?}"),
        };
        out.push_str(&name);
        out
    }
}
