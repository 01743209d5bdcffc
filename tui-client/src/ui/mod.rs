//! Drawing: [`view`] renders the [`App`] into a frame without changing it. One module per pane.
//! The layout is a pure function of the terminal size, so `update` can size the history pane's
//! height cache exactly as it will be drawn.

pub mod dialog;
pub mod help;
pub mod history;
pub mod input;
pub mod search;
pub mod status;
pub mod users;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::App;

/// Terminals narrower than this get no users panel.
pub const USERS_PANEL_MIN_TERMINAL: u16 = 50;
/// Terminals at least this wide get the wide users panel.
pub const USERS_PANEL_WIDE_TERMINAL: u16 = 80;

/// Where each pane goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The history pane.
    pub history: Rect,
    /// The users panel (with its left border), if the terminal is wide enough.
    pub users: Option<Rect>,
    /// The status bar.
    pub status: Rect,
    /// The message line.
    pub input: Rect,
}

/// The panes of a terminal of `area`: history (and users panel at the right) on top, then the
/// status bar, then the message line at the bottom.
pub fn layout(area: Rect) -> Areas {
    let input_h = area.height.min(1);
    let status_h = area.height.saturating_sub(input_h).min(1);
    let main_h = area.height - input_h - status_h;
    let main = Rect::new(area.x, area.y, area.width, main_h);
    let status = Rect::new(area.x, area.y + main_h, area.width, status_h);
    let input = Rect::new(area.x, area.y + main_h + status_h, area.width, input_h);
    let panel_w = if area.width >= USERS_PANEL_WIDE_TERMINAL {
        22
    } else if area.width >= USERS_PANEL_MIN_TERMINAL {
        16
    } else {
        0
    };
    let (history, users) = if panel_w > 0 && main_h > 0 {
        let history = Rect::new(main.x, main.y, main.width - panel_w, main_h);
        let users = Rect::new(main.x + history.width, main.y, panel_w, main_h);
        (history, Some(users))
    } else {
        (main, None)
    };
    Areas {
        history,
        users,
        status,
        input,
    }
}

/// Draws the whole screen.
pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let areas = layout(area);
    let buf = frame.buffer_mut();
    history::render(app, areas.history, buf);
    if let Some(users_area) = areas.users {
        users::render(app, users_area, buf);
    }
    status::render(app, areas.status, buf);
    let mut cursor = if app.search.is_some() {
        search::render(app, areas.input, buf)
    } else {
        input::render(app, areas.input, buf)
    };
    if app.dialog.is_some() {
        cursor = dialog::render(app, area, buf);
    }
    if app.help.is_some() {
        help::render(app, area, buf);
        cursor = None;
    }
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
