//! The connect dialog: a centred box with the fields and check boxes, the last error (or the
//! certificate to trust) and the keys. The password is drawn masked.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use tui_input::Input;

use crate::app::{App, Dialog, Field, Focus};
use crate::keys::{self, Action, Context};
use crate::theme::Look;
use crate::wrap::{Seg, rows_as_text, wrap};

/// Widest the dialog gets.
pub const MAX_WIDTH: u16 = 60;
/// Rows of fields and check boxes.
const ROWS: u16 = 6;
/// Rows the dialog wants: borders, the six rows, a blank row, four rows of error (a certificate's
/// fingerprint takes two), the keys. On a shorter screen the blank row goes first, then the
/// keys; the error stays.
pub const HEIGHT: u16 = ROWS + 8;
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
    // Rows by priority on a short screen: the first three fields, the error (it says why
    // nothing happened), the keys, the other fields and boxes, a blank row above the error.
    let error_rows = dialog.error.as_deref().map_or_else(Vec::new, |error| {
        let segs = [Seg::new(error, Look::Error)];
        let rows = wrap(&segs, 0, 0, usize::from(inner.width));
        rows_as_text(&segs, &rows)
    });
    let avail = inner.height;
    let error_shown = u16::try_from(error_rows.len())
        .unwrap_or(u16::MAX)
        .min(avail.saturating_sub(avail.min(3)));
    let keys_shown = u16::from(avail > 3 + error_shown);
    let items = (avail - error_shown - keys_shown).min(ROWS);
    let blank = u16::from(items == ROWS && avail > ROWS + error_shown + keys_shown);
    // The rows shown end at the focus when it is further down than they reach.
    let focused = Focus::ORDER
        .iter()
        .position(|f| *f == dialog.focus())
        .unwrap_or(0);
    let skip = (focused + 1).saturating_sub(usize::from(items));
    let mut caret = None;
    for (y, item) in (inner.y..inner.y + items).zip(Focus::ORDER.into_iter().skip(skip)) {
        if let Some(pos) = render_item(
            dialog,
            item,
            Rect::new(inner.x, y, inner.width, 1),
            buf,
            theme,
        ) {
            caret = Some(pos);
        }
    }
    let first = inner.y + items + blank;
    for (y, text) in (first..first + error_shown).zip(error_rows) {
        buf.set_stringn(
            inner.x,
            y,
            text,
            usize::from(inner.width),
            theme.style(Look::Error),
        );
    }
    if keys_shown == 1 {
        let keys = match (&dialog.trust, dialog.focus()) {
            (Some(_), _) => "Enter confia e conecta · Esc cancela".to_owned(),
            // The box's own key first: the line is cut on a narrow dialog.
            (None, Focus::Toggle(_)) => format!("Espaço marca · {}", keys_line()),
            (None, Focus::Field(_)) => keys_line(),
        };
        buf.set_stringn(
            inner.x,
            inner.bottom() - 1,
            keys,
            usize::from(inner.width),
            theme.style(Look::Notice),
        );
    }
    caret
}

/// Draws one field or check box in the one-row `area`; returns the caret when it has the focus.
fn render_item(
    dialog: &Dialog,
    item: Focus,
    area: Rect,
    buf: &mut Buffer,
    theme: crate::theme::Theme,
) -> Option<Position> {
    let focused = dialog.focus() == item;
    let label_w = LABEL_WIDTH.min(area.width);
    let label_style = if focused {
        theme.style(Look::KeyName)
    } else {
        Style::new()
    };
    let field = match item {
        Focus::Field(field) => field,
        Focus::Toggle(toggle) => {
            let mark = if dialog.ticked(toggle) { "[x]" } else { "[ ]" };
            buf.set_stringn(area.x + label_w, area.y, mark, 3, label_style);
            let text_x = area.x + label_w + 4;
            if text_x < area.right() {
                let room = usize::from(area.right() - text_x);
                buf.set_stringn(text_x, area.y, toggle.label(), room, Style::new());
            }
            return focused.then(|| Position::new(area.x + label_w + 1, area.y));
        }
    };
    buf.set_stringn(
        area.x,
        area.y,
        format!("{}:", field.label()),
        usize::from(label_w),
        label_style,
    );
    let value_area = Rect::new(area.x + label_w, area.y, area.width - label_w, 1);
    let style = if focused {
        theme.style(Look::Focus)
    } else {
        Style::new().add_modifier(Modifier::UNDERLINED)
    };
    let pos = crate::ui::input::render_field(&shown_value(dialog, field), value_area, style, buf);
    pos.filter(|_| focused)
}

/// What a field shows: its text, or, for the password, one `•` per character (the caret in the
/// same place).
fn shown_value(dialog: &Dialog, field: Field) -> Input {
    let input = dialog.field(field);
    if field != Field::Password {
        return input.clone();
    }
    let masked = "•".repeat(input.value().chars().count());
    Input::new(masked).with_cursor(input.cursor())
}
