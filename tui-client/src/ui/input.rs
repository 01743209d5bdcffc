//! The message line: a prompt, then the text scrolled horizontally so the caret (in display
//! columns, from tui-input's `visual_cursor`/`visual_scroll`) always shows.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use tui_input::Input;
use unicode_segmentation::UnicodeSegmentation;

use crate::app::App;
use crate::wrap::grapheme_width;

/// The prompt before the message line.
pub const PROMPT: &str = "> ";

/// Draws `input` in `area` with `style`, scrolled so its caret shows; returns where the caret is.
pub fn render_field(input: &Input, area: Rect, style: Style, buf: &mut Buffer) -> Option<Position> {
    if area.width == 0 || area.height == 0 {
        return None;
    }
    buf.set_style(area, style);
    let width = usize::from(area.width);
    // One column is kept for the caret after the last character.
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let mut col = 0;
    let mut x = area.x;
    for g in input.value().graphemes(true) {
        let w = grapheme_width(g);
        if col < scroll {
            col += w;
            continue;
        }
        if usize::from(x - area.x) + w > width {
            break;
        }
        buf.set_stringn(x, area.y, g, w, style);
        x += u16::try_from(w).unwrap_or(0);
        col += w;
    }
    let caret = input
        .visual_cursor()
        .saturating_sub(scroll)
        .min(width.saturating_sub(1));
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
