//! What keys and pastes do: the key table says which action a key is; this runs the action.

use papo_protocol::{ClientLine, Command};

use super::{App, Effect, commands, reconnect};
use crate::keys::{self, Action, Key};

/// Runs what `key` means in the current screen (help, dialog or room).
pub(super) fn key_pressed(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    let contexts = keys::contexts(app.help.is_some(), app.dialog.is_some());
    let Some(action) = keys::lookup(contexts, key) else {
        return;
    };
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
        Action::Submit => commands::submit(app, fx),
        Action::Complete | Action::CompleteBack => {
            commands::complete(app, action == Action::CompleteBack)
        }
        Action::HistoryPrev => app.input.history_prev(),
        Action::HistoryNext => app.input.history_next(),
        Action::PageUp | Action::PageDown | Action::HelpUp | Action::HelpDown
            if app.help.is_some() =>
        {
            let (w, h) = app.size;
            let shown = crate::ui::help::inner(ratatui::layout::Rect::new(0, 0, w, h));
            let visible = usize::from(shown.height).max(1);
            let step = match action {
                Action::PageUp | Action::PageDown => visible,
                _ => 1,
            };
            let max = crate::ui::help::line_count(app).saturating_sub(visible);
            let scroll = app.help.unwrap_or(0);
            let up = matches!(action, Action::PageUp | Action::HelpUp);
            app.help = Some(if up {
                scroll.saturating_sub(step)
            } else {
                (scroll + step).min(max)
            });
        }
        Action::PageUp => app.history.scroll_up(page),
        Action::PageDown => app.history.scroll_down(page),
        Action::LineUp => app.history.scroll_up(1),
        Action::LineDown => app.history.scroll_down(1),
        Action::Live => {
            // Scrolled up, Esc first brings the newest lines back; only then does it give a
            // connection attempt (or the wait to reconnect) up.
            if app.history.scroll() > 0 || !commands::cancel_connecting(app, fx) {
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
        Action::Edit(request) => match &mut app.dialog {
            Some(d) => d.edit(request),
            None => app.input.edit(request),
        },
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

/// Inserts pasted text into the dialog's focused field or the message line (see `InputLine::paste`).
pub(super) fn paste(app: &mut App, text: &str) {
    if app.help.is_some() {
        return;
    }
    if let Some(d) = &mut app.dialog {
        d.paste(text);
        return;
    }
    let pasted = app.input.paste(text);
    if pasted.cut {
        app.notice(
            &format!(
                "texto colado longo demais: só os primeiros {} caracteres entraram",
                super::input::MAX_PASTE_CHARS
            ),
            true,
        );
    }
    if pasted.lines > 1 {
        app.notice(
            &format!(
                "texto colado de {} linhas juntado em uma linha; revise e tecle Enter para enviar",
                pasted.lines
            ),
            true,
        );
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
