//! What the connection reports: the login handshake, room events (deduplicated by id), replies,
//! errors and the end of the connection.

use papo_protocol::{
    ClientLine, Command, ErrorCode, EventId, Nickname, PROTOCOL_VERSION, ServerLine,
};

use super::entry::{Entry, cap_text, hhmm, mentions};
use super::{App, Dialog, Effect, Field, Link, NetEvent};
use crate::sanitize;

/// Handles one event of the current connection.
pub(super) fn handle(app: &mut App, event: NetEvent, fx: &mut Vec<Effect>) {
    match event {
        NetEvent::Connected => {
            if let Link::Connecting { conn, server, nick } = &app.link {
                app.link = Link::LoggingIn {
                    conn: *conn,
                    server: server.clone(),
                    nick: nick.clone(),
                    nick_sent: false,
                    refused: false,
                };
            }
        }
        NetEvent::ConnectFailed(why) => {
            let why = sanitize::clean(&why);
            let message = match &app.link {
                Link::Connecting { server, .. } => {
                    format!("não foi possível conectar a {server}: {why}")
                }
                _ => why,
            };
            app.error(&message);
            app.link = Link::Offline {
                reason: Some(message.clone()),
            };
            reopen_dialog(app, Field::Host, message);
            if app.quitting {
                fx.push(Effect::Quit {
                    wait_for_close: false,
                });
            }
        }
        NetEvent::Line(line) => handle_line(app, capped(line), fx),
        NetEvent::Malformed(mut raw) => {
            cap_text(&mut raw);
            malformed(app, &raw, fx);
        }
        NetEvent::Garbled(why) => app.notice(
            &format!("linha ilegível do servidor ignorada ({why})"),
            true,
        ),
        NetEvent::Closed(why) => closed(app, why, fx),
    }
}

/// Most `HELP` lines kept for the help overlay.
pub const MAX_SERVER_HELP_LINES: usize = 200;

/// The line with every text field cut to [`super::entry::MAX_TEXT_BYTES`].
fn capped(mut line: ServerLine) -> ServerLine {
    match &mut line {
        ServerLine::Hello { text, .. }
        | ServerLine::Welcome { text, .. }
        | ServerLine::Message { text, .. }
        | ServerLine::Action { text, .. }
        | ServerLine::Private { text, .. }
        | ServerLine::Help { text }
        | ServerLine::Error { text, .. }
        | ServerLine::Bye { text } => cap_text(text),
        ServerLine::Left { reason, .. } => cap_text(reason),
        ServerLine::Joined { .. } | ServerLine::Renamed { .. } | ServerLine::Users { .. } => {}
    }
    line
}

/// A line the protocol crate could not parse. An `ERR` with a code this client does not know
/// (a newer server) is still an error for the user: its text is shown. A broken `USERS` reply
/// still answers the request in flight, so automatic refreshes go on.
fn malformed(app: &mut App, raw: &str, fx: &mut Vec<Effect>) {
    if let Some(rest) = raw.strip_prefix("ERR ") {
        let text = rest.split_once(" :").map_or(rest, |(_, text)| text);
        app.error(text);
        return;
    }
    app.notice(&format!("linha não reconhecida do servidor: {raw}"), true);
    if raw.starts_with("USERS ") {
        app.users_pending.pop_front();
        resync_users(app, fx);
    }
}

/// A line could not be queued. A `/USUARIOS` that never left will get no answer: forget it, or
/// automatic refreshes would wait for it forever.
pub(super) fn send_failed(app: &mut App, line: &ClientLine, why: &str) {
    app.error(&format!("não enviado: {why}"));
    if let ClientLine::Command(Command::Users) = line {
        app.users_pending.pop_back();
    }
}

fn closed(app: &mut App, why: String, fx: &mut Vec<Effect>) {
    // Shown in the status bar too, so cleaned here as well as on arrival.
    let reason = sanitize::clean(&app.bye.take().unwrap_or(why));
    let was_joining = matches!(app.link, Link::LoggingIn { .. } | Link::Connecting { .. });
    app.link = Link::Offline {
        reason: Some(reason.clone()),
    };
    reset_session(app);
    if app.quitting {
        fx.push(Effect::Quit {
            wait_for_close: false,
        });
        return;
    }
    app.error(&format!(
        "desconectado: {reason} — /ENTRAR (ou F2) reconecta"
    ));
    if was_joining {
        reopen_dialog(app, Field::Host, format!("desconectado: {reason}"));
    }
}

/// Forgets what belongs to one connection (the history stays).
pub(super) fn reset_session(app: &mut App) {
    app.users.clear();
    app.users_pending.clear();
    app.users_resync = false;
    app.awaiting_own_join = false;
    app.bye = None;
}

fn reopen_dialog(app: &mut App, focus: Field, message: String) {
    let d = Dialog::with_error(&app.config, focus, message);
    app.open_dialog(d);
}

/// Sends `/USUARIOS`. Automatic refreshes (`show == false`) are coalesced: while one is in
/// flight, another is asked for only once its reply arrives.
pub(super) fn request_users(app: &mut App, show: bool, fx: &mut Vec<Effect>) {
    if !show && !app.users_pending.is_empty() {
        app.users_resync = true;
        return;
    }
    app.users_pending.push_back(show);
    fx.push(Effect::Send(ClientLine::Command(Command::Users)));
}

/// After a reply: asks again if membership changed while requests were in flight.
fn resync_users(app: &mut App, fx: &mut Vec<Effect>) {
    if app.users_resync && app.users_pending.is_empty() {
        app.users_resync = false;
        request_users(app, false, fx);
    }
}

fn handle_line(app: &mut App, line: ServerLine, fx: &mut Vec<Effect>) {
    let me = app.my_nick().cloned();
    let is_me = |n: &Nickname| me.as_ref().is_some_and(|m| m.same_user(n));
    let me_str = me.as_ref().map_or("", |m| m.as_str()).to_owned();
    let is_action = matches!(line, ServerLine::Action { .. });
    match line {
        ServerLine::Hello { version, .. } => {
            // The greeting asks nc users for a nickname; this client sends it by itself, so
            // the text would only confuse. The WELCOME that follows says what happened.
            if version != PROTOCOL_VERSION {
                app.error(&format!(
                    "o servidor fala a versão {version} do protocolo; este cliente, a {PROTOCOL_VERSION}"
                ));
            }
            if let Link::LoggingIn {
                nick, nick_sent, ..
            } = &mut app.link
                && !*nick_sent
            {
                *nick_sent = true;
                let nick = nick.to_string();
                fx.push(Effect::Send(ClientLine::Command(Command::Nick { nick })));
            }
        }
        ServerLine::Welcome { nick, text } => {
            if let Link::LoggingIn { conn, server, .. } = &app.link {
                app.link = Link::Online {
                    conn: *conn,
                    server: server.clone(),
                    nick: nick.clone(),
                };
            }
            app.awaiting_own_join = true;
            app.notice(&text, false);
            app.config.nick = nick.to_string();
            app.save_config(fx);
            request_users(app, false, fx);
        }
        ServerLine::Message {
            id,
            time,
            nick,
            text,
        }
        | ServerLine::Action {
            id,
            time,
            nick,
            text,
        } => {
            if fresh(app, id) {
                let own = is_me(&nick);
                let mention = !own && mentions(&text, &me_str);
                let build = if is_action {
                    Entry::action
                } else {
                    Entry::message
                };
                let e = build(id, &hhmm(time, app.zone), &nick, &text, own, mention);
                app.history.push(e, mention);
            }
        }
        ServerLine::Private {
            id,
            time,
            from,
            to,
            text,
        } => {
            if fresh(app, id) {
                let mention = is_me(&to) && !is_me(&from);
                let e = Entry::private(id, &hhmm(time, app.zone), &from, &to, &text, me.as_ref());
                app.history.push(e, mention);
            }
        }
        ServerLine::Joined { id, time, nick } => {
            if app.awaiting_own_join && is_me(&nick) {
                app.awaiting_own_join = false;
                // A live event newly accepted has an id above every id the server issued before;
                // a lower one means the server started over (ids are not persistent yet).
                if app.history.max_seen().is_some_and(|max| id <= max) {
                    app.history.new_epoch();
                }
            }
            if fresh(app, id) {
                app.users.add(&nick);
                let e = Entry::joined(id, &hhmm(time, app.zone), &nick, is_me(&nick));
                app.history.push(e, false);
                request_users(app, false, fx);
            }
        }
        ServerLine::Left {
            id,
            time,
            nick,
            kind,
            reason,
        } => {
            if fresh(app, id) {
                app.users.remove(&nick);
                let e = Entry::left(id, &hhmm(time, app.zone), &nick, kind, &reason);
                app.history.push(e, false);
                request_users(app, false, fx);
            }
        }
        ServerLine::Renamed { id, time, old, new } => {
            if fresh(app, id) {
                let own = is_me(&old);
                app.users.rename(&old, &new);
                if own && let Link::Online { nick, .. } = &mut app.link {
                    *nick = new.clone();
                    app.config.nick = new.to_string();
                    app.save_config(fx);
                }
                let e = Entry::renamed(id, &hhmm(time, app.zone), &old, &new, own);
                app.history.push(e, false);
                request_users(app, false, fx);
            }
        }
        ServerLine::Users { nicks } => {
            let show = app.users_pending.pop_front().unwrap_or(false);
            if show {
                let names: Vec<&str> = nicks.iter().map(Nickname::as_str).collect();
                let mut list = format!("na sala ({}): {}", nicks.len(), names.join(", "));
                cap_text(&mut list);
                app.notice(&list, false);
            }
            app.users.set(nicks);
            resync_users(app, fx);
        }
        ServerLine::Help { text } => {
            app.notice(&text, false);
            if std::mem::take(&mut app.server_help_stale) {
                app.server_help.clear();
            }
            if app.server_help.len() < MAX_SERVER_HELP_LINES {
                app.server_help.push(sanitize::clean(&text));
            }
        }
        ServerLine::Error { code, text } => server_error(app, code, &text),
        ServerLine::Bye { text } => {
            app.notice(&format!("servidor: {text}"), false);
            app.bye = Some(text);
        }
    }
}

fn fresh(app: &App, id: EventId) -> bool {
    !app.history.has_seen(id)
}

fn server_error(app: &mut App, code: ErrorCode, text: &str) {
    app.error(text);
    if code == ErrorCode::ServerFull {
        // The server closes right after saying so: that is why the connection ends.
        app.bye = Some(text.to_owned());
    }
    let refused_nick = matches!(code, ErrorCode::NickInUse | ErrorCode::NickInvalid);
    if let Link::LoggingIn {
        refused, nick_sent, ..
    } = &mut app.link
        && refused_nick
    {
        *refused = true;
        *nick_sent = true;
        reopen_dialog(app, Field::Nick, text.to_owned());
    }
}
