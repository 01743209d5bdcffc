//! The users panel: a left border, a title with the count, then the nicknames sorted
//! case-insensitively, yours marked `(você)`. A list longer than the panel scrolls
//! ([`crate::app::users::Users::window`]): `↑ N mais` / `↓ N mais` rows say how many names
//! are out of view, and a name too wide for the panel ends in `…`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};
use unicode_segmentation::UnicodeSegmentation;

use crate::app::App;
use crate::theme::{Look, nick_colour_index};
use crate::wrap::{grapheme_width, text_width};

/// What ends a name (or a title) cut to fit the panel.
pub const CUT_MARK: &str = "…";

/// Rows for names in a panel drawn in `area` (its border included): its height minus the
/// title row. The model lays its scroll out with this, so both agree on a page.
pub fn name_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(1))
}

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let frame = app.theme.style(Look::Frame);
    let block = Block::new().borders(Borders::LEFT).border_style(frame);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let title = format!("Pessoas ({})", app.users.len());
    let key = app.theme.style(Look::KeyName);
    draw_cut(buf, inner.x, inner.y, width, &[(&title, key)]);
    let list = app.users.list();
    let window = app.users.window(name_rows(inner));
    let notice = app.theme.style(Look::Notice);
    let me = app.my_nick();
    let mut y = inner.y + 1;
    if window.marks && window.above > 0 {
        let above = format!("↑ {} mais", window.above);
        draw_cut(buf, inner.x, y, width, &[(&above, notice)]);
        y += 1;
    }
    for nick in list.skip(window.first).take(window.shown) {
        let own = me.is_some_and(|m| m.same_user(nick));
        let look = Look::Nick {
            colour: nick_colour_index(nick.as_str()),
            own,
            mention: false,
        };
        let name = (nick.as_str(), app.theme.style(look));
        if own {
            draw_cut(
                buf,
                inner.x,
                y,
                width,
                &[name, (" (você)", app.theme.style(Look::You))],
            );
        } else {
            draw_cut(buf, inner.x, y, width, &[name]);
        }
        y += 1;
    }
    if window.marks && window.below > 0 {
        let below = format!("↓ {} mais", window.below);
        draw_cut(buf, inner.x, y, width, &[(&below, notice)]);
    }
}

/// Draws `parts` one after another from `x` within `width` columns. If they do not fit, what
/// fits in `width - 1` columns is drawn and [`CUT_MARK`] follows, in the style of the part it
/// cuts, so a cut name never passes for a whole one.
fn draw_cut(buf: &mut Buffer, x: u16, y: u16, width: usize, parts: &[(&str, Style)]) {
    let total: usize = parts.iter().map(|(text, _)| text_width(text)).sum();
    if total <= width {
        let mut x = x;
        for (text, style) in parts {
            (x, _) = buf.set_stringn(x, y, text, width, *style);
        }
        return;
    }
    let Some(budget) = width.checked_sub(1) else {
        return;
    };
    let mut col = 0;
    for (text, style) in parts {
        for g in text.graphemes(true) {
            let w = grapheme_width(g);
            if col + w > budget {
                let at = x + u16::try_from(col).unwrap_or(u16::MAX);
                buf.set_stringn(at, y, CUT_MARK, 1, *style);
                return;
            }
            let at = x + u16::try_from(col).unwrap_or(u16::MAX);
            buf.set_stringn(at, y, g, w, *style);
            col += w;
        }
    }
}
