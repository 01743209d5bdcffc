//! The one place where text from outside (the network, the config file, OS error messages) is made
//! safe to draw: no control character, terminal escape or bidi override ever reaches the terminal.
//!
//! The server already refuses such characters (`docs/protocol.md`, "Text rules"); this is the
//! second line of defence, for a hostile or buggy server. ratatui itself drops control characters
//! when drawing but lets bidi overrides through and drops only the ESC byte of an escape sequence,
//! so `ESC [31m` would show as `[31m`: cleaning here replaces the whole character instead.

use papo_protocol::is_forbidden_char;

/// What a forbidden character is drawn as.
pub const REPLACEMENT: char = '\u{FFFD}';

/// How many spaces a TAB becomes. Tabs are allowed by the protocol, but a terminal would expand
/// them to a tab stop the layout cannot see, so they become plain spaces.
pub const TAB_WIDTH: usize = 4;

/// Returns `text` with every TAB turned into [`TAB_WIDTH`] spaces and every character for which
/// [`papo_protocol::is_forbidden_char`] holds (C0/C1 controls, DEL, ESC, CR, LF, bidi
/// embeddings/overrides/isolates) replaced by [`REPLACEMENT`].
pub fn clean(text: &str) -> String {
    if is_clean(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\t' {
            out.extend(std::iter::repeat_n(' ', TAB_WIDTH));
        } else if needs_cleaning(c) {
            out.push(REPLACEMENT);
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` would be drawn unchanged by [`clean`].
pub fn is_clean(text: &str) -> bool {
    !text.chars().any(|c| c == '\t' || needs_cleaning(c))
}

/// Whether [`clean`] replaces `c` (LF is listed apart only to be explicit: it is a C0 control).
fn needs_cleaning(c: char) -> bool {
    c == '\n' || is_forbidden_char(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides_are_replaced() {
        assert_eq!(clean("\x1b[31mred\x1b[0m"), "\u{FFFD}[31mred\u{FFFD}[0m");
        assert_eq!(
            clean("a\rb\0c\x7fd\u{9b}e"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e"
        );
        assert_eq!(clean("ab\u{202E}cd\u{2066}"), "ab\u{FFFD}cd\u{FFFD}");
        assert_eq!(clean("x\ny"), "x\u{FFFD}y");
        for c in clean("\x1b]0;pwned\x07\x1b[2J\x1bc\u{85}\u{8d}").chars() {
            assert!(!c.is_control(), "{c:?} survived");
        }
    }

    #[test]
    fn tabs_become_spaces_and_plain_text_is_untouched() {
        assert_eq!(clean("a\tb"), "a    b");
        for ok in ["oi, tudo bem?", "日本語 😀", "שלום \u{200F}!", "e\u{301}"] {
            assert_eq!(clean(ok), ok);
            assert!(is_clean(ok));
        }
        assert!(!is_clean("\x1b"));
    }
}
