//! The search bar, in place of the message line while a search is open: `buscar: texto` with the
//! caret while typing, then the query with the match count and the keys that move between
//! matches.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use crate::app::App;
use crate::theme::Look;
use crate::ui::input::render_field;
use crate::wrap::text_width;

/// The search bar's prompt.
pub const PROMPT: &str = "buscar: ";

/// Draws the search bar; returns the caret position while the query is being typed.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let search = app.search.as_ref()?;
    if area.width == 0 || area.height == 0 {
        return None;
    }
    let count = match search.position() {
        Some((n, total)) => format!(" {n}/{total}"),
        None if search.field().value().is_empty() => String::new(),
        None => " nada encontrado".to_owned(),
    };
    let keys = if search.editing() {
        " · Enter fixa · Esc fecha"
    } else {
        " · n anterior · N seguinte · Esc fecha"
    };
    let tail = format!("{count}{keys}");
    let width = usize::from(area.width);
    let prompt_w = text_width(PROMPT).min(width);
    buf.set_stringn(
        area.x,
        area.y,
        PROMPT,
        prompt_w,
        app.theme.style(Look::KeyName),
    );
    let tail_w = text_width(&tail);
    // The counts and keys at the right when there is room for them and some of the query.
    let (field_w, tail_x) = if width >= prompt_w + tail_w + 8 {
        (
            width - prompt_w - tail_w,
            Some(area.x + (width - tail_w) as u16),
        )
    } else {
        (width - prompt_w, None)
    };
    let field = Rect::new(area.x + prompt_w as u16, area.y, field_w as u16, 1);
    let caret = render_field(search.field(), field, Style::new(), buf);
    if let Some(x) = tail_x {
        buf.set_stringn(x, area.y, &tail, tail_w, app.theme.style(Look::Notice));
    }
    search.editing().then_some(caret).flatten()
}
