//! The message line: a prompt, then the text scrolled horizontally so the caret always shows.
//! Characters that would be invisible or act on the terminal (a bidi override, a zero-width
//! space, ESC) are drawn as their code in reverse video, `‹U+202E›`, so they can be found and
//! deleted; the caret and the scroll are measured on what is drawn, not on the raw text
//! (tui-input's `visual_cursor` would not know the placeholders' widths).

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use tui_input::Input;
use unicode_segmentation::UnicodeSegmentation;

use crate::app::App;
use crate::app::outgoing::{is_hidden, placeholder};
use crate::wrap::{shown, text_width};

/// The prompt before the message line.
pub const PROMPT: &str = "> ";

/// One drawn piece of a field: a grapheme (or the visible part of one), or the placeholder of
/// a hidden character.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece<'a> {
    text: Cow<'a, str>,
    /// Display columns.
    width: usize,
    /// Characters of the value it stands for (the caret counts characters).
    chars: usize,
    /// A hidden character's placeholder.
    hidden: bool,
}

/// The pieces `value` is drawn as, in order.
fn pieces(value: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    for g in value.graphemes(true) {
        if !g.chars().any(is_hidden) {
            // Emoji sequences terminals draw at different widths are drawn folded, as the
            // history draws them (`wrap::shown`), so the caret and the screen agree.
            let (text, width) = shown(g);
            out.push(Piece {
                text,
                width,
                chars: g.chars().count(),
                hidden: false,
            });
            continue;
        }
        // Rare: a grapheme holding a hidden character. Each hidden one gets its placeholder;
        // the characters between them are drawn as they are.
        let mut run = String::new();
        for c in g.chars() {
            if !is_hidden(c) {
                run.push(c);
                continue;
            }
            if !run.is_empty() {
                let text = std::mem::take(&mut run);
                out.push(Piece {
                    width: text_width(&text),
                    chars: text.chars().count(),
                    text: Cow::Owned(text),
                    hidden: false,
                });
            }
            let shown = placeholder(c);
            out.push(Piece {
                width: text_width(&shown),
                text: Cow::Owned(shown),
                chars: 1,
                hidden: true,
            });
        }
        if !run.is_empty() {
            out.push(Piece {
                width: text_width(&run),
                chars: run.chars().count(),
                text: Cow::Owned(run),
                hidden: false,
            });
        }
    }
    out
}

/// The display column of the caret (before the character at index `cursor`) among `pieces`.
fn caret_column(pieces: &[Piece<'_>], cursor: usize) -> usize {
    let mut col = 0;
    let mut chars = 0;
    for p in pieces {
        if chars + p.chars > cursor {
            // Inside a grapheme of several characters: as far as its first part reaches.
            let part: String = p.text.chars().take(cursor - chars).collect();
            return col + if p.hidden { 0 } else { text_width(&part) };
        }
        col += p.width;
        chars += p.chars;
    }
    col
}

/// Draws `input` in `area` with `style`, scrolled so its caret shows; returns where the caret is.
pub fn render_field(input: &Input, area: Rect, style: Style, buf: &mut Buffer) -> Option<Position> {
    if area.width == 0 || area.height == 0 {
        return None;
    }
    buf.set_style(area, style);
    let width = usize::from(area.width);
    let pieces = pieces(input.value());
    let caret = caret_column(&pieces, input.cursor());
    // One column is kept for the caret after the last character; the scroll starts at a piece,
    // like tui-input's `visual_scroll`, so nothing is drawn half.
    let wanted = caret.saturating_sub(width.saturating_sub(1));
    let mut scroll = 0;
    for p in &pieces {
        if scroll >= wanted {
            break;
        }
        scroll += p.width;
    }
    let hidden_style = if style.add_modifier.contains(Modifier::REVERSED) {
        style.remove_modifier(Modifier::REVERSED)
    } else {
        style.add_modifier(Modifier::REVERSED)
    };
    let mut col = 0;
    let mut x = area.x;
    for p in &pieces {
        if col < scroll {
            col += p.width;
            continue;
        }
        if usize::from(x - area.x) + p.width > width {
            break;
        }
        let look = if p.hidden { hidden_style } else { style };
        buf.set_stringn(x, area.y, &p.text, p.width, look);
        x += u16::try_from(p.width).unwrap_or(0);
        col += p.width;
    }
    let caret = caret.saturating_sub(scroll).min(width.saturating_sub(1));
    Some(Position::new(
        area.x + u16::try_from(caret).unwrap_or(0),
        area.y,
    ))
}

/// Draws the message line; returns the caret position.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if area.width == 0 || area.height == 0 {
        return None;
    }
    let prompt_w = u16::try_from(PROMPT.len()).unwrap_or(0).min(area.width);
    buf.set_stringn(area.x, area.y, PROMPT, usize::from(prompt_w), Style::new());
    let field = Rect::new(area.x + prompt_w, area.y, area.width - prompt_w, 1);
    render_field(app.input.field(), field, Style::new(), buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_take_their_placeholders_width() {
        let p = pieces("ab\u{202E}c日");
        let shown: Vec<(&str, usize, bool)> = p
            .iter()
            .map(|p| (p.text.as_ref(), p.width, p.hidden))
            .collect();
        assert_eq!(
            shown,
            [
                ("a", 1, false),
                ("b", 1, false),
                ("‹U+202E›", 8, true),
                ("c", 1, false),
                ("日", 2, false)
            ]
        );
        assert_eq!(caret_column(&p, 2), 2);
        assert_eq!(caret_column(&p, 3), 10);
        assert_eq!(caret_column(&p, 5), 13);
        assert_eq!(caret_column(&p, 9), 13);
    }

    #[test]
    fn the_caret_stays_in_view_past_placeholders() {
        let input = Input::new(format!("{}\u{200B}", "x".repeat(20)));
        let area = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(area);
        let caret = render_field(&input, area, Style::new(), &mut buf);
        // 20 x + an 8-column placeholder = 28 columns; the last 11 show, then the caret.
        assert_eq!(caret, Some(Position::new(11, 0)));
        let row: String = (0..12).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
        assert_eq!(row, "xxx‹U+200B› ");
        assert!(buf[(3, 0)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(2, 0)].modifier.contains(Modifier::REVERSED));
    }
}
