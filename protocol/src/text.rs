//! Which characters may travel in a line. One definition, used by the server to refuse text and
//! by the client to clean what it draws.

/// Text that cannot be relayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A control character (C0 except TAB, DEL, C1 — which covers ESC and every terminal escape
    /// sequence), a line or paragraph separator, or a bidirectional override/isolate that would
    /// change how other lines read.
    #[error("forbidden character U+{:04X} at byte {at}", u32::from(*ch))]
    ForbiddenCharacter {
        /// The offending character.
        ch: char,
        /// Its byte offset in the text.
        at: usize,
    },
}

/// Whether `c` may never be relayed to another member's terminal.
///
/// Forbidden: C0 controls except TAB (this includes ESC, CR and NUL), DEL, C1 controls, the
/// Unicode line and paragraph separators (U+2028, U+2029), and the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a line read backwards. Left-to-right and right-to-left marks (U+200E, U+200F) stay
/// allowed: right-to-left writers need them and they cannot reorder a whole line.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks that `text` has no forbidden character (see [`is_forbidden_char`]).
pub fn check_text(text: &str) -> Result<(), TextError> {
    match text.char_indices().find(|&(_, c)| is_forbidden_char(c)) {
        Some((at, ch)) => Err(TextError::ForbiddenCharacter { ch, at }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_tabs_and_any_script_pass() {
        for ok in ["oi, tudo bem?", "a\tb", "日本語 😀", "שלום \u{200F}!", "é"] {
            assert_eq!(check_text(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn controls_escapes_and_bidi_overrides_are_refused() {
        let cases = [
            ("\x1b[31mred", '\x1b', 0),
            ("a\rb", '\r', 1),
            ("nul\0", '\0', 3),
            ("del\x7f", '\x7f', 3),
            ("c1\u{9b}", '\u{9b}', 2),
            ("ab\u{202E}cd", '\u{202E}', 2),
            ("é\u{2066}", '\u{2066}', 2),
            ("a\u{2028}b", '\u{2028}', 1),
        ];
        for (text, ch, at) in cases {
            assert_eq!(
                check_text(text),
                Err(TextError::ForbiddenCharacter { ch, at }),
                "{text:?}"
            );
        }
    }
}
