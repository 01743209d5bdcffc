//! The history pane: only the entries in view are wrapped and drawn; the ones below the view
//! are skipped with their cached heights.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::App;
use crate::app::entry::Entry;
use crate::wrap::Row;

/// Draws the rows in view, oldest at the top.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    if width == 0 || height == 0 {
        return;
    }
    let history = &app.history;
    let cached = history.width() == width;
    let mut below = history.scroll();
    // Newest first: (entry, row) pairs from the bottom of the view upwards.
    let mut rows: Vec<(&Entry, Row)> = Vec::with_capacity(height);
    for entry in history.entries().iter().rev() {
        if rows.len() >= height {
            break;
        }
        let entry_rows = if cached && below >= entry.height {
            None
        } else {
            Some(entry.rows(width))
        };
        let entry_height = entry_rows.as_ref().map_or(entry.height, Vec::len);
        if below >= entry_height {
            below -= entry_height;
            continue;
        }
        let visible = entry_height - below;
        below = 0;
        for row in entry_rows
            .unwrap_or_default()
            .into_iter()
            .take(visible)
            .rev()
        {
            rows.push((entry, row));
            if rows.len() >= height {
                break;
            }
        }
    }
    for (y, (entry, row)) in (area.y..).zip(rows.iter().rev()) {
        draw_row(app, entry, row, Rect::new(area.x, y, area.width, 1), buf);
    }
}

fn draw_row(app: &App, entry: &Entry, row: &Row, area: Rect, buf: &mut Buffer) {
    let right = area.right();
    let mut x = area
        .x
        .saturating_add(u16::try_from(row.indent).unwrap_or(u16::MAX));
    for piece in &row.pieces {
        if x >= right {
            break;
        }
        let Some(seg) = entry.segs().get(piece.seg) else {
            continue;
        };
        let text = seg.text().get(piece.start..piece.end).unwrap_or_default();
        let mut style = app.theme.style(seg.look);
        if entry.is_replayed() {
            style = app.theme.replayed(style);
        }
        let (next_x, _) = buf.set_stringn(x, area.y, text, usize::from(right - x), style);
        x = next_x;
    }
}
