//! Styles: what each kind of text looks like, with or without colour.
//!
//! With `NO_COLOR` set (non-empty), papo draws no colour but keeps bold, reverse and underline, so
//! highlights survive. (crossterm's own NO_COLOR support writes a bare reset instead of a colour,
//! which also wipes bold and reverse; the binary turns it off and papo handles NO_COLOR here.)

use ratatui::style::{Color, Modifier, Style};

/// The colours nicknames get: 16-colour-safe, no black, white or grey (unreadable on one theme or
/// the other, or used for server notices).
pub const NICK_PALETTE: [Color; 12] = [
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
];

/// FNV-1a (32 bits) of `bytes`: a fixed hash, so a nickname has the same colour in every papo
/// build and on every machine (std's `DefaultHasher` may change between Rust releases).
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The palette index of a nickname: FNV-1a of its lower-cased form, so "Ana" and "ana" match.
pub fn nick_colour_index(nick: &str) -> usize {
    let len = u32::try_from(NICK_PALETTE.len()).unwrap_or(1);
    usize::try_from(fnv1a(nick.to_lowercase().as_bytes()) % len).unwrap_or(0)
}

/// What a piece of text is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Ordinary text.
    Plain,
    /// The HH:MM column.
    Time,
    /// A nickname: its palette index, whether it is you, whether the line mentions you.
    Nick {
        /// Index into [`NICK_PALETTE`].
        colour: usize,
        /// Your own nickname (drawn bold).
        own: bool,
        /// The line mentions you (drawn reversed).
        mention: bool,
    },
    /// Joins (`-->`).
    Joined,
    /// Departures (`<--`).
    Left,
    /// Notices from the client or the server (`--`).
    Notice,
    /// Errors (`!!`).
    Error,
    /// The `[privado]` tag.
    Private,
    /// The status bar.
    Status,
    /// Markers in the status bar (new messages, mention).
    Marker,
    /// Key names in hints and help.
    KeyName,
    /// Borders and titles.
    Frame,
    /// The focused dialog field.
    Focus,
    /// Your own mark in the users panel.
    You,
    /// A search match in the history.
    Found,
    /// The current search match.
    FoundCurrent,
    /// The read marker's line (where you stopped reading).
    ReadMarker,
}

/// Maps a [`Look`] to a ratatui [`Style`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// No colours, only attributes.
    pub no_color: bool,
}

impl Theme {
    /// The theme for this environment: `NO_COLOR` set to anything non-empty means no colour.
    pub fn from_env() -> Self {
        Self {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    fn colour(&self, style: Style, c: Color) -> Style {
        if self.no_color { style } else { style.fg(c) }
    }

    /// `style` for an entry replayed from the server's log: dim, an attribute, so it shows
    /// without colours too.
    pub fn replayed(&self, style: Style) -> Style {
        style.add_modifier(Modifier::DIM)
    }

    /// The style of `look`.
    pub fn style(&self, look: Look) -> Style {
        let s = Style::new();
        let bold = Modifier::BOLD;
        match look {
            Look::Plain => s,
            Look::Time | Look::Frame => self.colour(s, Color::DarkGray),
            Look::Nick {
                colour,
                own,
                mention,
            } => {
                let c = NICK_PALETTE.get(colour).copied().unwrap_or(Color::Reset);
                let mut st = self.colour(s, c);
                if own {
                    st = st.add_modifier(bold);
                }
                if mention {
                    st = st.add_modifier(Modifier::REVERSED | bold);
                }
                st
            }
            Look::Joined => self.colour(s, Color::Green),
            Look::Left => self.colour(s, Color::Red),
            Look::Notice => self.colour(s, Color::DarkGray),
            Look::Error => self.colour(s, Color::LightRed).add_modifier(bold),
            Look::Private => self.colour(s, Color::Magenta).add_modifier(bold),
            Look::Status => s.add_modifier(Modifier::REVERSED),
            // Drawn over the reversed status bar: normal video makes a visible hole in it.
            Look::Marker => self.colour(
                s.remove_modifier(Modifier::REVERSED).add_modifier(bold),
                Color::Yellow,
            ),
            Look::KeyName => s.add_modifier(bold),
            Look::Focus => s.add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
            Look::You => s.add_modifier(bold),
            Look::Found => s.add_modifier(Modifier::REVERSED),
            Look::FoundCurrent => self.colour(
                s.add_modifier(Modifier::REVERSED | bold | Modifier::UNDERLINED),
                Color::Yellow,
            ),
            Look::ReadMarker => self.colour(s, Color::LightRed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_known_vectors() {
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn nick_colours_ignore_case_and_are_fixed() {
        assert_eq!(nick_colour_index("Ana"), nick_colour_index("ana"));
        assert_eq!(nick_colour_index("ana"), (fnv1a(b"ana") % 12) as usize);
    }

    #[test]
    fn no_color_keeps_attributes_only() {
        let t = Theme { no_color: true };
        let mention = t.style(Look::Nick {
            colour: 3,
            own: false,
            mention: true,
        });
        assert_eq!(mention.fg, None);
        assert!(mention.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.style(Look::Marker).fg, None);
        assert!(Theme { no_color: false }.style(Look::Joined).fg.is_some());
    }
}
