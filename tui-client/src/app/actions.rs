//! What keys and pastes do: the key table says which action a key is; this runs the action.

use papo_protocol::{ClientLine, Command};

use crossterm::event::{MouseEvent, MouseEventKind};

use super::{App, Effect, commands, paste, reconnect, search};
use crate::keys::{self, Action, Key};

/// Runs what `key` means in the current screen (help, dialog or room).
pub(super) fn key_pressed(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    let contexts = match &app.search {
        Some(search) if app.help.is_none() && app.dialog.is_none() => {
            keys::search_contexts(search.editing())
        }
        _ => keys::contexts(app.help.is_some(), app.dialog.is_some()),
    };
    let Some(action) = keys::lookup(contexts, key) else {
        return;
    };
    // A paste waiting for Enter or Esc takes the keys first.
    if paste::key(app, action, fx) {
        return;
    }
    let page = app.history.page();
    match action {
        Action::Quit => quit(app, String::new(), fx),
        Action::ToggleHelp => app.help = if app.help.is_some() { None } else { Some(0) },
        Action::OpenDialog => {
            // Waiting to reconnect, the same key reconnects at once.
            if !reconnect::now(app, fx) {
                let d = app.new_dialog();
                app.open_dialog(d);
            }
        }
        Action::RefreshUsers => commands::refresh_users(app, false, fx),
        Action::Submit => {
            let before = fx.len();
            commands::submit(app, fx);
            paste::typed(app, &fx[before..]);
        }
        Action::Complete | Action::CompleteBack => {
            commands::complete(app, action == Action::CompleteBack)
        }
        Action::HistoryPrev => app.input.history_prev(),
        Action::HistoryNext => app.input.history_next(),
        Action::PageUp | Action::PageDown | Action::HelpUp | Action::HelpDown
            if app.help.is_some() =>
        {
            let up = matches!(action, Action::PageUp | Action::HelpUp);
            let page = matches!(action, Action::PageUp | Action::PageDown);
            scroll_help(app, up, if page { usize::MAX } else { 1 });
        }
        Action::PageUp => app.history.scroll_up(page),
        Action::PageDown => app.history.scroll_down(page),
        Action::LineUp => app.history.scroll_up(1),
        Action::LineDown => app.history.scroll_down(1),
        Action::UsersPageUp => app.users.page_up(),
        Action::UsersPageDown => app.users.page_down(),
        Action::Live => {
            // Scrolled up, Esc first brings the newest lines back; only then does it stop a
            // paste going out, or give a connection attempt (or the wait to reconnect) up.
            if !app.history.is_live()
                || !(paste::cancel(app) || commands::cancel_connecting(app, fx))
            {
                app.history.to_live();
            }
        }
        Action::EndOrLive => {
            if app.input.caret_at_end() {
                app.history.to_live();
            } else {
                app.input.edit(tui_input::InputRequest::GoToEnd);
            }
        }
        Action::HelpUp | Action::HelpDown => {}
        Action::Edit(request) => match (&mut app.dialog, &app.search) {
            (Some(d), _) => d.edit(request),
            (None, Some(s)) if s.editing() => search::edit(app, request),
            (None, _) => app.input.edit(request),
        },
        Action::Search => match &app.search {
            Some(_) => search::edit_again(app),
            None => search::open(app),
        },
        Action::SearchConfirm => search::confirm(app),
        Action::SearchClose => search::close(app),
        Action::SearchOlder => search::step(app, true),
        Action::SearchNewer => search::step(app, false),
        Action::ToggleMouse => {
            app.mouse = !app.mouse;
            fx.push(Effect::MouseCapture(app.mouse));
            let what = if app.mouse {
                "mouse ligado: a roda rola o histórico; Shift+arrastar seleciona texto"
            } else {
                "mouse desligado: arrastar seleciona texto; a roda volta ao terminal"
            };
            app.notice(what, true);
        }
        Action::NextField | Action::PrevField => {
            if let Some(d) = &mut app.dialog {
                d.move_focus(action == Action::NextField);
            }
        }
        Action::Confirm => commands::confirm_dialog(app, fx),
        Action::Cancel => {
            if app.help.is_some() {
                app.help = None;
            } else {
                commands::cancel_dialog(app, fx);
            }
        }
    }
}

/// Inserts pasted text into the dialog's focused field (one line), or hands it to the message
/// line (see [`paste::pasted`]: several lines wait for confirmation).
pub(super) fn paste(app: &mut App, text: &str) {
    if app.help.is_some() {
        return;
    }
    if let Some(d) = &mut app.dialog {
        d.paste(text);
        return;
    }
    paste::pasted(app, text);
}

/// Scrolls the help overlay by `rows` (`usize::MAX`: a page), within its lines.
fn scroll_help(app: &mut App, up: bool, rows: usize) {
    let (w, h) = app.size;
    let shown = crate::ui::help::inner(ratatui::layout::Rect::new(0, 0, w, h));
    let visible = usize::from(shown.height).max(1);
    let step = rows.min(visible);
    let max = crate::ui::help::line_count(app).saturating_sub(visible);
    let scroll = app.help.unwrap_or(0);
    app.help = Some(if up {
        scroll.saturating_sub(step)
    } else {
        (scroll + step).min(max)
    });
}

/// Rows one notch of the mouse wheel scrolls.
pub const WHEEL_ROWS: usize = 3;

/// A mouse event (mouse capture is on): the wheel scrolls the history, the users panel when
/// over it, or the help when it is open; clicks do nothing.
pub(super) fn mouse(app: &mut App, event: MouseEvent) {
    let up = match event.kind {
        MouseEventKind::ScrollUp => true,
        MouseEventKind::ScrollDown => false,
        _ => return,
    };
    if app.help.is_some() {
        scroll_help(app, up, WHEEL_ROWS);
        return;
    }
    if app.dialog.is_some() {
        return;
    }
    let (w, h) = app.size;
    let panel = crate::ui::layout(ratatui::layout::Rect::new(0, 0, w, h)).users;
    if panel.is_some_and(|p| event.column >= p.x) {
        let rows = WHEEL_ROWS as isize;
        app.users.scroll_by(if up { -rows } else { rows });
        return;
    }
    if up {
        app.history.scroll_up(WHEEL_ROWS);
    } else {
        app.history.scroll_down(WHEEL_ROWS);
    }
}

/// Leaves: sends `/SAIR` and waits for the server to close when a connection is open; leaves
/// at once otherwise, or if already waiting.
pub(super) fn quit(app: &mut App, reason: String, fx: &mut Vec<Effect>) {
    if app.quitting || !app.link.is_open() {
        fx.push(Effect::Quit {
            wait_for_close: false,
        });
        return;
    }
    app.quitting = true;
    app.notice("saindo…", true);
    fx.push(Effect::Send(ClientLine::Command(Command::Quit { reason })));
    fx.push(Effect::Quit {
        wait_for_close: true,
    });
}
