//! Wrapping styled text to a width in display columns.
//!
//! Text is measured per grapheme with the same width function ratatui draws with, so a CJK
//! character or an emoji takes two columns, a combining mark none, and a row never holds more
//! than it can show nor cuts a character in half. Rows after the first hang under the text
//! column (the indent). Breaks fall at spaces in the body when there is one, else anywhere.
//!
//! Every segment is cleaned first ([`sanitize::clean`]), which also folds the graphemes
//! terminals draw at different widths (ZWJ sequences, flags, VS16, skin tones): what is measured
//! here is then what every terminal draws, so a wide grapheme never shifts the layout.

use std::borrow::Cow;

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

use crate::sanitize;
use crate::theme::Look;

/// A piece of text with one look. Its text is always clean ([`sanitize::clean`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    text: String,
    /// How it is drawn.
    pub look: Look,
}

impl Seg {
    /// A segment of `text`, cleaned of anything a terminal would interpret.
    pub fn new(text: &str, look: Look) -> Self {
        Self {
            text: sanitize::clean(text),
            look,
        }
    }

    /// The (clean) text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A run of one segment inside a row: `segs[seg].text()[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Index of the segment.
    pub seg: usize,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end.
    pub end: usize,
}

/// One screen row of wrapped text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// Blank columns before the text.
    pub indent: usize,
    /// The text, in order.
    pub pieces: Vec<Piece>,
}

/// Fewest columns of text a hanging row must keep; with less room the indent is dropped.
pub const MIN_TEXT_COLUMNS: usize = 10;

/// The display width of one grapheme, as ratatui draws it (0 for anything with a control
/// character, which ratatui would skip).
pub fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        usize::from(g.cell_width())
    }
}

/// The display width of `text`.
pub fn text_width(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

/// How one grapheme of text that is kept as typed (the message line: it is sent as typed) is
/// drawn: its folded form ([`sanitize::fold_sequences`], so a ZWJ family shows as its three
/// parts) and that form's width. A caret's column is the sum of these widths before it.
pub fn shown(g: &str) -> (Cow<'_, str>, usize) {
    let folded = sanitize::fold_sequences(g);
    let width = text_width(&folded);
    (folded, width)
}

struct Grapheme {
    seg: usize,
    start: usize,
    end: usize,
    width: usize,
    /// A space in the body, where a row may break.
    soft_break: bool,
    space: bool,
}

/// Wraps `segs` to `width` columns. Segments from `body_start` on are the body: rows break at
/// its spaces when possible. Rows after the first are indented by `indent` columns when at
/// least [`MIN_TEXT_COLUMNS`] remain. Always returns at least one row.
pub fn wrap(segs: &[Seg], body_start: usize, indent: usize, width: usize) -> Vec<Row> {
    let mut gs = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        for (start, g) in seg.text.grapheme_indices(true) {
            let space = g == " ";
            gs.push(Grapheme {
                seg: i,
                start,
                end: start + g.len(),
                width: grapheme_width(g),
                soft_break: space && i >= body_start,
                space,
            });
        }
    }
    let width = width.max(1);
    let hang = if indent + MIN_TEXT_COLUMNS <= width {
        indent
    } else {
        0
    };
    let mut rows = Vec::new();
    let mut i = 0;
    loop {
        let first = rows.is_empty();
        if !first {
            while gs.get(i).is_some_and(|g| g.space) {
                i += 1;
            }
        }
        if i >= gs.len() {
            if first {
                rows.push(Row::default());
            }
            return rows;
        }
        let row_indent = if first { 0 } else { hang };
        let room = width - row_indent;
        let start = i;
        let mut col = 0;
        let mut last_break = None;
        while let Some(g) = gs.get(i) {
            if col + g.width > room {
                break;
            }
            if g.soft_break {
                last_break = Some(i + 1);
            }
            col += g.width;
            i += 1;
        }
        if i == start {
            // A grapheme wider than the whole row: alone on its row (clipped when drawn).
            i += 1;
        } else if gs.get(i).is_some_and(|g| !g.space)
            && let Some(b) = last_break.filter(|&b| b > start)
        {
            i = b;
        }
        rows.push(row(&gs[start..i], row_indent));
    }
}

fn row(gs: &[Grapheme], indent: usize) -> Row {
    let mut pieces: Vec<Piece> = Vec::new();
    for g in gs {
        match pieces.last_mut() {
            Some(p) if p.seg == g.seg && p.end == g.start => p.end = g.end,
            _ => pieces.push(Piece {
                seg: g.seg,
                start: g.start,
                end: g.end,
            }),
        }
    }
    Row { indent, pieces }
}

/// The rows as plain strings (indent as spaces), for tests and debugging.
pub fn rows_as_text(segs: &[Seg], rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let mut s = " ".repeat(r.indent);
            for p in &r.pieces {
                s.push_str(&segs[p.seg].text[p.start..p.end]);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(prefix: &str, body: &str, width: usize) -> Vec<String> {
        let segs = [Seg::new(prefix, Look::Plain), Seg::new(body, Look::Plain)];
        let rows = wrap(&segs, 1, text_width(prefix), width);
        rows_as_text(&segs, &rows)
    }

    #[test]
    fn breaks_at_spaces_and_hangs_under_the_text() {
        assert_eq!(
            lines("12:30 ana: ", "um dois três quatro cinco seis", 26),
            [
                "12:30 ana: um dois três ",
                "           quatro cinco ",
                "           seis"
            ]
        );
    }

    #[test]
    fn long_words_break_anywhere_and_short_lines_stay_whole() {
        assert_eq!(lines("> ", "abcdefghij", 6), ["> abcd", "efghij"]);
        assert_eq!(lines("> ", "oi", 80), ["> oi"]);
        assert_eq!(lines("", "", 10), [""]);
    }

    #[test]
    fn wide_characters_never_overflow_or_split() {
        let rows = lines("", "日本語のテキスト😀😀", 5);
        assert_eq!(rows, ["日本", "語の", "テキ", "スト", "😀😀"]);
        for r in &rows {
            assert!(text_width(r) <= 5);
        }
        // Combining marks stay on their base character.
        assert_eq!(
            lines("", "e\u{301}e\u{301}e\u{301}", 2),
            ["e\u{301}e\u{301}", "e\u{301}"]
        );
        // A width-2 character in a 1-column row still makes progress.
        assert_eq!(lines("", "日本", 1), ["日", "本"]);
    }

    #[test]
    fn emoji_sequences_are_measured_as_every_terminal_draws_them() {
        // A ZWJ family, a flag, a skin tone and VS16: each folded on the way in, so the width
        // ratatui measures is the sum of the characters' widths, which tmux and xterm draw.
        let body = "família 👨\u{200D}👩\u{200D}👧 bandeira 🇧🇷 joia 👍🏽 amor ❤\u{FE0F} fim";
        assert_eq!(
            lines("", body, 80),
            ["família 👨👩👧 bandeira [BR] joia 👍 amor ❤ fim"]
        );
        assert_eq!(
            lines("> ", "👨\u{200D}👩\u{200D}👧👨\u{200D}👩\u{200D}👧", 7),
            ["> 👨👩", "👧👨👩", "👧"]
        );
        for width in 1..30 {
            let segs = [
                Seg::new("12:30 ana: ", Look::Plain),
                Seg::new(body, Look::Plain),
            ];
            for r in rows_as_text(&segs, &wrap(&segs, 1, 11, width)) {
                let per_char: usize = r
                    .chars()
                    .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                    .sum();
                assert_eq!(text_width(&r), per_char, "{width}: {r:?}");
                assert!(text_width(&r) <= width.max(2), "{width}: {r:?}");
                assert!(r.graphemes(true).all(sanitize::is_measurable), "{r:?}");
            }
        }
    }

    #[test]
    fn typed_text_is_shown_folded_at_the_width_it_is_drawn() {
        assert_eq!(shown("a"), (Cow::Borrowed("a"), 1));
        assert_eq!(shown("日"), (Cow::Borrowed("日"), 2));
        let (family, width) = shown("👨\u{200D}👩\u{200D}👧");
        assert_eq!((family.as_ref(), width), ("👨👩👧", 6));
        let (flag, width) = shown("🇧🇷");
        assert_eq!((flag.as_ref(), width), ("[BR]", 4));
    }

    #[test]
    fn every_row_fits_for_every_width() {
        let body = "olá 日本語 mundo 😀 e\u{301} palavra-muito-comprida-sem-espaços fim";
        for width in 1..40 {
            let segs = [
                Seg::new("12:30 fulano: ", Look::Plain),
                Seg::new(body, Look::Plain),
            ];
            let rows = wrap(&segs, 1, 14, width);
            let text: String = rows_as_text(&segs, &rows).concat();
            assert_eq!(
                text.replace(' ', ""),
                format!("12:30fulano:{body}").replace(' ', "")
            );
            for r in rows_as_text(&segs, &rows) {
                assert!(text_width(&r) <= width.max(2), "{width}: {r:?}");
            }
        }
    }
}
