//! The history pane: from the view's bottom row upwards, only the entries in view are wrapped and
//! drawn, so a frame costs the same with ten entries or a hundred thousand. The read marker is a
//! row of its own above the first unread entry; search matches are highlighted.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::App;
use crate::app::entry::Entry;
use crate::app::search;
use crate::theme::Look;
use crate::wrap::{Row, text_width};

/// The read marker's text, centred on its row.
pub const READ_MARKER: &str = " novas mensagens ";

/// One row of the pane.
enum Line<'a> {
    /// A row of an entry (`serial` for search highlights).
    Text(&'a Entry, Row, u64),
    /// The read marker.
    Marker,
}

/// Draws the rows in view, oldest at the top.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let history = &app.history;
    let entries = history.entries();
    if width == 0 || height == 0 || entries.is_empty() {
        return;
    }
    let first = history.first_serial();
    let (mut i, mut below) = match history.bottom() {
        Some((serial, below)) => (
            usize::try_from(serial.saturating_sub(first)).unwrap_or(usize::MAX),
            below,
        ),
        None => (entries.len() - 1, 0),
    };
    i = i.min(entries.len() - 1);
    // Bottom-up.
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    while lines.len() < height {
        let Some(entry) = entries.get(i) else { break };
        let serial = first + i as u64;
        let mut rows: Vec<Line> = Vec::new();
        if history.marker() == Some(serial) {
            rows.push(Line::Marker);
        }
        rows.extend(
            entry
                .rows(width)
                .into_iter()
                .map(|r| Line::Text(entry, r, serial)),
        );
        for line in rows.into_iter().rev().skip(below) {
            lines.push(line);
            if lines.len() >= height {
                break;
            }
        }
        below = 0;
        let Some(prev) = i.checked_sub(1) else { break };
        i = prev;
    }
    let found = app
        .search
        .as_ref()
        .map(|s| (s.folded(), s.current_serial()));
    for (y, line) in (area.y..).zip(lines.iter().rev()) {
        let row_area = Rect::new(area.x, y, area.width, 1);
        match line {
            Line::Text(entry, row, serial) => {
                let highlight = found.as_ref().map(|(query, current)| Highlight {
                    query,
                    current: *current == Some(*serial),
                });
                draw_row(app, entry, row, highlight, row_area, buf);
            }
            Line::Marker => draw_marker(app, row_area, buf),
        }
    }
}

/// What a search highlights in a row.
struct Highlight<'a> {
    query: &'a [char],
    /// The row belongs to the current match.
    current: bool,
}

fn draw_row(
    app: &App,
    entry: &Entry,
    row: &Row,
    highlight: Option<Highlight>,
    area: Rect,
    buf: &mut Buffer,
) {
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
        if let Some(h) = &highlight {
            let look = if h.current {
                Look::FoundCurrent
            } else {
                Look::Found
            };
            // Matches are found in the whole segment (one may cross rows), then clipped to
            // this piece and drawn over it.
            for (start, end) in search::find(seg.text(), h.query) {
                let (from, to) = (start.max(piece.start), end.min(piece.end));
                if from >= to {
                    continue;
                }
                let before = seg.text().get(piece.start..from).unwrap_or_default();
                let at = x.saturating_add(u16::try_from(text_width(before)).unwrap_or(u16::MAX));
                if at >= right {
                    continue;
                }
                let matched = seg.text().get(from..to).unwrap_or_default();
                let found_style = style.patch(app.theme.style(look));
                buf.set_stringn(at, area.y, matched, usize::from(right - at), found_style);
            }
        }
        x = next_x;
    }
}

/// `──── novas mensagens ────` across the pane.
fn draw_marker(app: &App, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let label_w = text_width(READ_MARKER);
    let text = if width > label_w + 2 {
        let left = (width - label_w) / 2;
        let right = width - label_w - left;
        format!("{}{READ_MARKER}{}", "─".repeat(left), "─".repeat(right))
    } else {
        "─".repeat(width)
    };
    let style: Style = app.theme.style(Look::ReadMarker);
    buf.set_stringn(area.x, area.y, text, width, style);
}
