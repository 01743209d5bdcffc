//! The one place where text from outside (the network, the config file, OS error messages) is made
//! safe to draw: no control character, terminal escape or bidi override ever reaches the terminal,
//! and no character sequence that terminals draw at different widths shifts the layout.
//!
//! The server already refuses such characters (`docs/protocol.md`, "Text rules"); this is the
//! second line of defence, for a hostile or buggy server. ratatui itself drops control characters
//! when drawing but lets bidi overrides through and drops only the ESC byte of an escape sequence,
//! so `ESC [31m` would show as `[31m`: cleaning here replaces the whole character instead.
//!
//! **Widths.** ratatui measures a grapheme as one unit (unicode-width 0.2 gives an emoji ZWJ
//! sequence, a modifier sequence or a VS16 presentation sequence width 2, "Rules for determining
//! width" in its crate docs), while tmux, xterm and most terminals advance per code point,
//! `wcwidth` style: the family 👨‍👩‍👧 takes 2 + 2 + 2 columns there. tmux says it does not
//! support ZWJ sequences (tmux/tmux#1605: "the border shifts by the amount of combined emojis");
//! WeeChat still counts their parts (weechat/weechat#1861) and disagrees with Ghostty on VS16
//! (weechat/weechat#2265); regional-indicator flags break tmux's cursor (tmux/tmux#3998); and the
//! same farmer emoji moves the cursor 2, 4, 5 or 6 cells depending on the terminal
//! (mitchellh.com/writing/grapheme-clusters-in-terminals). papo cannot ask the terminal, so it
//! replaces what cannot be measured by something every terminal draws alike
//! ([`fold_sequences`]): the parts of a ZWJ sequence side by side (each a standalone emoji, so
//! a terminal that would have joined them cannot), a flag as its letters (`[BR]`), no
//! variation selector VS15/VS16, no skin-tone modifier after its base, no tag characters. What
//! is left is drawn at the sum of its characters' widths by every terminal *and* measured so
//! by ratatui. (Characters newer than a terminal's own width table can still differ: nothing
//! outside the terminal can know its table.)

use std::borrow::Cow;

use papo_protocol::is_forbidden_char;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a forbidden character is drawn as.
pub const REPLACEMENT: char = '\u{FFFD}';

/// How many spaces a TAB becomes. Tabs are allowed by the protocol, but a terminal would expand
/// them to a tab stop the layout cannot see, so they become plain spaces.
pub const TAB_WIDTH: usize = 4;

/// Returns `text` with every TAB turned into [`TAB_WIDTH`] spaces, every character for which
/// [`papo_protocol::is_forbidden_char`] holds (C0/C1 controls, DEL, ESC, CR, LF, bidi
/// embeddings/overrides/isolates) replaced by [`REPLACEMENT`], and the sequences terminals
/// draw at different widths folded ([`fold_sequences`]).
pub fn clean(text: &str) -> String {
    let safe = if is_safe(text) {
        Cow::Borrowed(text)
    } else {
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
        Cow::Owned(out)
    };
    fold_sequences(&safe).into_owned()
}

/// Whether `text` would be drawn unchanged by [`clean`].
pub fn is_clean(text: &str) -> bool {
    is_safe(text) && matches!(fold_sequences(text), Cow::Borrowed(_))
}

/// Whether no character of `text` needs replacing (nor a TAB expanding).
fn is_safe(text: &str) -> bool {
    !text.chars().any(|c| c == '\t' || needs_cleaning(c))
}

/// Whether [`clean`] replaces `c` (LF is listed apart only to be explicit: it is a C0 control).
fn needs_cleaning(c: char) -> bool {
    c == '\n' || is_forbidden_char(c)
}

/// Returns `text` with every grapheme that terminals may draw at different widths replaced by
/// one they all draw alike (see the module docs): borrowed when nothing changes. Expects text
/// without control characters (what [`clean`] leaves).
///
/// - an emoji ZWJ sequence (👨‍👩‍👧) becomes its parts side by side (👨👩👧);
/// - a flag (🇧🇷, two regional indicators) becomes its letters in brackets (`[BR]`);
/// - VS15/VS16 (U+FE0E, U+FE0F) and tag characters (U+E0020–U+E007F, subdivision flags) go;
/// - a skin-tone modifier (U+1F3FB–U+1F3FF) after its base goes (👍🏽 → 👍: a terminal draws
///   the pair as 2 or 4 columns, and no separator survives ratatui's drawing);
/// - anything else measured differently as a whole and per character loses its variation
///   selectors and joiners, and if that is not enough becomes [`REPLACEMENT`].
pub fn fold_sequences(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    for (at, g) in text.grapheme_indices(true) {
        match fold_grapheme(g) {
            None => {
                if let Some(out) = &mut out {
                    out.push_str(g);
                }
            }
            Some(folded) => {
                let out = out.get_or_insert_with(|| text[..at].to_owned());
                out.push_str(&folded);
            }
        }
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Whether every terminal draws the grapheme `g` at the width ratatui measures for it: it
/// holds none of the sequences [`fold_sequences`] replaces, and its width as a whole equals
/// the sum of its characters' widths.
pub fn is_measurable(g: &str) -> bool {
    let mut chars = g.chars();
    match (chars.next(), chars.next()) {
        (None, _) => true,
        (Some(c), None) => !is_regional_indicator(c),
        _ => fold_grapheme(g).is_none(),
    }
}

/// The folded form of one grapheme, or `None` when it is measurable as it is.
fn fold_grapheme(g: &str) -> Option<String> {
    let mut chars = g.chars();
    let first = chars.next()?;
    if chars.next().is_none() {
        return is_regional_indicator(first).then(|| format!("[{}]", flag_letter(first)));
    }
    if !g.chars().any(is_sequence_char) && widths_agree(g) {
        return None;
    }
    if g.chars().any(is_regional_indicator) {
        let letters: String = g
            .chars()
            .filter(|&c| is_regional_indicator(c))
            .map(flag_letter)
            .collect();
        return Some(format!("[{letters}]"));
    }
    let mut kept = String::with_capacity(g.len());
    let mut after_pictograph = false;
    for (i, c) in g.chars().enumerate() {
        let drop = matches!(c, VS15 | VS16)
            || is_tag(c)
            || (i > 0 && is_skin_tone(c))
            || (c == ZWJ && after_pictograph);
        if drop {
            continue;
        }
        kept.push(c);
        if c != ZWJ {
            after_pictograph = is_pictographic(c);
        }
    }
    if !kept.graphemes(true).all(widths_agree) {
        kept.retain(|c| c != ZWJ && !is_variation_selector(c));
        if !kept.graphemes(true).all(widths_agree) {
            kept = REPLACEMENT.to_string();
        }
    }
    (kept != g).then_some(kept)
}

/// Whether `g` measures the same as a whole (ratatui, unicode-width's grapheme rules) and per
/// character (`wcwidth`, as tmux and xterm advance the cursor).
fn widths_agree(g: &str) -> bool {
    let per_char: usize = g.chars().map(|c| c.width().unwrap_or(0)).sum();
    g.width() == per_char
}

const ZWJ: char = '\u{200D}';
const VS15: char = '\u{FE0E}';
const VS16: char = '\u{FE0F}';

/// A character that only means something as part of a sequence terminals may draw at
/// different widths.
fn is_sequence_char(c: char) -> bool {
    c == ZWJ || is_variation_selector(c) || is_regional_indicator(c) || is_skin_tone(c) || is_tag(c)
}

fn is_variation_selector(c: char) -> bool {
    ('\u{FE00}'..='\u{FE0F}').contains(&c)
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn is_skin_tone(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007F}').contains(&c)
}

/// The letter a regional indicator stands for (🇧 → `B`).
fn flag_letter(c: char) -> char {
    let offset = u32::from(c).saturating_sub(0x1F1E6);
    char::from_u32(u32::from('A') + offset).unwrap_or(REPLACEMENT)
}

/// Roughly Unicode's `Extended_Pictographic` (emoji-data.txt): the characters an emoji ZWJ
/// sequence joins. Erring wide is harmless: a ZWJ after such a character inside one grapheme
/// only ever joins emoji (UAX #29, GB11), and the Indic conjuncts that also keep a ZWJ inside a
/// grapheme (GB9c) follow a virama, not a symbol.
fn is_pictographic(c: char) -> bool {
    matches!(
        c,
        '\u{00A9}'
            | '\u{00AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{21AA}'
            | '\u{231A}'..='\u{23FF}'
            | '\u{24C2}'
            | '\u{25AA}'..='\u{25FE}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2B05}'..='\u{2B55}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{1F000}'..='\u{1F1E5}'
            | '\u{1F200}'..='\u{1F3FA}'
            | '\u{1F400}'..='\u{1FAFF}'
            | '\u{1FC00}'..='\u{1FFFD}'
    )
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
        for ok in [
            "oi, tudo bem?",
            "日本語 😀",
            "שלום \u{200F}!",
            "e\u{301}",
            "한국어",
            "क्\u{200D}ष",
            "🏽",
            "#\u{20E3}",
        ] {
            assert_eq!(clean(ok), ok);
            assert!(is_clean(ok), "{ok:?}");
        }
        assert!(!is_clean("\x1b"));
    }

    #[test]
    fn sequences_terminals_draw_differently_are_folded() {
        let cases = [
            // A ZWJ family: its parts, side by side.
            ("👨\u{200D}👩\u{200D}👧", "👨👩👧"),
            // Flags: their letters.
            ("🇧🇷 e 🇵🇹", "[BR] e [PT]"),
            ("🇧", "[B]"),
            // Skin tones go; the base stays.
            ("👍🏽", "👍"),
            ("👩🏽\u{200D}💻", "👩💻"),
            // VS16 and VS15 go.
            ("❤\u{FE0F} ok", "❤ ok"),
            ("⚠\u{FE0E}", "⚠"),
            ("#\u{FE0F}\u{20E3}", "#\u{20E3}"),
            ("🏳\u{FE0F}\u{200D}🌈", "🏳🌈"),
            // A subdivision flag: the black flag, without its tags.
            (
                "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
                "🏴",
            ),
            // A variation selector that widens a quotation mark in one measure only.
            ("\u{2018}\u{FE01}x", "\u{2018}x"),
        ];
        for (input, folded) in cases {
            assert_eq!(clean(input), folded, "{input:?}");
            assert!(!is_clean(input), "{input:?}");
            assert!(is_clean(folded), "{folded:?}");
        }
    }

    #[test]
    fn cleaning_twice_changes_nothing_and_leaves_only_measurable_graphemes() {
        let nasty = [
            "\t🏽",
            "\x1b🏽",
            "🇧🇷🏽",
            "🇧🇷🇵",
            "a\u{200D}👍🏽\u{200D}\u{FE0F}",
            "\u{FE0F}\u{200D}🏽🇧",
            "👁\u{FE0F}\u{200D}🗨\u{FE0F} ᨕᨗ\u{200D}ᨐ א\u{200D}ל ⵏ\u{2D7F}ⴾ",
            "e\u{301}\u{FE0F}\u{200D}",
        ];
        for input in nasty {
            let once = clean(input);
            assert_eq!(clean(&once), once, "{input:?}");
            assert!(is_clean(&once), "{input:?} → {once:?}");
            for g in once.graphemes(true) {
                assert!(is_measurable(g), "{input:?} → {once:?}: {g:?}");
            }
        }
    }
}
