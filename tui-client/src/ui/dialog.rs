//! The connect dialog: a centred box with the three fields, the last error and the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::{App, Field};
use crate::keys::{self, Action, Context};
use crate::theme::Look;
use crate::wrap::{Seg, rows_as_text, wrap};

/// Widest the dialog gets.
pub const MAX_WIDTH: u16 = 60;
/// Rows the dialog wants: borders, three fields, a blank row, two rows of error, the keys. On a
/// shorter screen the blank row goes first, then the keys; the error stays.
pub const HEIGHT: u16 = 9;
const LABEL_WIDTH: u16 = 10;

/// A rectangle of at most `width` × `height` centred in `area`.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The dialog's key line, from the key table: `Enter conecta · Tab próximo campo · Esc cancela`.
pub fn keys_line() -> String {
    [Action::Confirm, Action::NextField, Action::Cancel]
        .iter()
        .filter_map(|&action| {
            let b = keys::BINDINGS
                .iter()
                .find(|b| b.context == Context::Dialog && b.action == action)?;
            Some(format!("{} {}", b.keys.first()?.label(), b.help))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Draws the dialog over `area`; returns the caret position in the focused field.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let dialog = app.dialog.as_ref()?;
    let theme = app.theme;
    let rect = centred(area, MAX_WIDTH, HEIGHT);
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Conectar a um servidor ")
        .border_style(theme.style(Look::Frame));
    let inner = block.inner(rect);
    block.render(rect, buf);
    // One blank column on each side, when there is room.
    let inner = if inner.width > 12 {
        Rect::new(inner.x + 1, inner.y, inner.width - 2, inner.height)
    } else {
        inner
    };
    if inner.width == 0 || inner.height == 0 {
        return None;
    }
    let mut caret = None;
    let label_w = LABEL_WIDTH.min(inner.width);
    for (i, field) in Field::ALL.into_iter().enumerate() {
        let y = inner.y + u16::try_from(i).unwrap_or(0);
        if y >= inner.bottom() {
            break;
        }
        let focused = dialog.focus() == field;
        let label_style = if focused {
            theme.style(Look::KeyName)
        } else {
            Style::new()
        };
        buf.set_stringn(
            inner.x,
            y,
            format!("{}:", field.label()),
            usize::from(label_w),
            label_style,
        );
        let value_area = Rect::new(inner.x + label_w, y, inner.width - label_w, 1);
        let style = if focused {
            theme.style(Look::Focus)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        };
        let pos = crate::ui::input::render_field(dialog.field(field), value_area, style, buf);
        if focused {
            caret = pos;
        }
    }
    // Under the fields: the error first (it says why nothing happened), then the key line, then
    // a blank row above the error, as far as the height allows.
    let below = inner.height.saturating_sub(3);
    let error_rows = dialog.error.as_deref().map_or_else(Vec::new, |error| {
        let segs = [Seg::new(error, Look::Error)];
        let rows = wrap(&segs, 0, 0, usize::from(inner.width));
        rows_as_text(&segs, &rows)
    });
    let error_shown = u16::try_from(error_rows.len())
        .unwrap_or(u16::MAX)
        .min(below);
    let blank = u16::from(below > error_shown + 1);
    let first = inner.y + 3 + blank;
    for (y, text) in (first..first + error_shown).zip(error_rows) {
        buf.set_stringn(
            inner.x,
            y,
            text,
            usize::from(inner.width),
            theme.style(Look::Error),
        );
    }
    if below > error_shown {
        buf.set_stringn(
            inner.x,
            inner.bottom() - 1,
            keys_line(),
            usize::from(inner.width),
            theme.style(Look::Notice),
        );
    }
    caret
}
