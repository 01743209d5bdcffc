//! What the connection reports: each server line goes to its handler (the login handshake in
//! `session`, the replay in `replay`, live room events in `events`), replies and errors are
//! handled here, and so is the end of a connection, which may start a reconnect.

use papo_protocol::{Access, ClientLine, Command, ErrorCode, Nickname, ServerLine};

use super::entry::cap_text;
use super::{
    App, Dialog, Effect, Field, Link, NetEvent, events, greeting, liveness, paste, reconnect,
    replay, session,
};
use crate::sanitize;

/// Handles one event of the current connection. Anything read from it, even a line papo cannot
/// make sense of, shows the server is alive ([`liveness::heard`]).
pub(super) fn handle(app: &mut App, event: NetEvent, fx: &mut Vec<Effect>) {
    match event {
        NetEvent::Connected => {
            if let Link::Connecting {
                conn,
                server,
                nick,
                retry,
            } = &app.link
            {
                app.link = Link::LoggingIn {
                    conn: *conn,
                    server: server.clone(),
                    nick: nick.clone(),
                    nick_sent: false,
                    refused: false,
                    retry: *retry,
                };
                greeting::connected(app, fx);
            }
        }
        NetEvent::ConnectFailed(why) => connect_failed(app, &sanitize::clean(&why), fx),
        NetEvent::Untrusted {
            fingerprint,
            reason,
        } => untrusted(app, fingerprint, sanitize::clean(&reason), fx),
        NetEvent::Refused { why, summary } => {
            app.error(&sanitize::clean(&why));
            stop_and_ask(app, Field::Host, sanitize::clean(&summary), fx);
        }
        NetEvent::Line(mut line) => {
            greeting::greeted(app);
            cap_texts(&mut line);
            handle_line(app, line, fx);
            liveness::heard(app, fx);
        }
        // The protocol says blank lines are ignored.
        NetEvent::Malformed(raw) if papo_protocol::is_blank(&raw) => liveness::heard(app, fx),
        NetEvent::Malformed(mut raw) => {
            if greeting::stranger(app, &raw, fx) {
                return;
            }
            cap_text(&mut raw);
            malformed(app, &raw);
            liveness::heard(app, fx);
        }
        NetEvent::Garbled(why) => {
            if greeting::unreadable(app, &why, fx) {
                return;
            }
            app.notice(
                &format!("linha ilegível do servidor ignorada ({why})"),
                true,
            );
            liveness::heard(app, fx);
        }
        NetEvent::Closed(why) => closed(app, why, fx),
    }
}

/// Most `HELP` lines kept for the help overlay.
pub const MAX_SERVER_HELP_LINES: usize = 200;

/// Cuts every text field of `line` to [`super::entry::MAX_TEXT_BYTES`].
fn cap_texts(line: &mut ServerLine) {
    match line {
        ServerLine::Hello { text, .. }
        | ServerLine::Welcome { text, .. }
        | ServerLine::Message { text, .. }
        | ServerLine::Action { text, .. }
        | ServerLine::Private { text, .. }
        | ServerLine::Help { text }
        | ServerLine::Error { text, .. }
        | ServerLine::Bye { text }
        | ServerLine::Notice { text }
        | ServerLine::Pong { text }
        | ServerLine::Skipped { text, .. }
        | ServerLine::Live { text, .. } => cap_text(text),
        ServerLine::Left { reason, .. } => cap_text(reason),
        ServerLine::Replayed(event) => cap_texts(event),
        ServerLine::Joined { .. } | ServerLine::Renamed { .. } | ServerLine::Users { .. } => {}
    }
}

/// A line the protocol crate could not parse. An `ERR` with a code this client does not know
/// (a newer server) is still an error for the user: its text is shown. A broken `USERS` reply
/// still answers the request in flight, so automatic refreshes go on.
fn malformed(app: &mut App, raw: &str) {
    if let Some(rest) = raw.strip_prefix("ERR ") {
        let text = rest.split_once(" :").map_or(rest, |(_, text)| text);
        app.error(text);
        return;
    }
    app.notice(&format!("linha não reconhecida do servidor: {raw}"), true);
    if raw.starts_with("USERS ") {
        // A part that cannot be read spoils the reply being put together; otherwise the line
        // was a reply's first (or only) line.
        if app.users.receiving() {
            app.users.abandon_reply();
        } else {
            app.users_pending.pop_front();
        }
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

/// The connection could not be opened. An automatic attempt schedules the next one; any other
/// brings the dialog back with the reason.
fn connect_failed(app: &mut App, why: &str, fx: &mut Vec<Effect>) {
    let link = std::mem::replace(&mut app.link, Link::Offline { reason: None });
    if app.quitting {
        fx.push(Effect::Quit {
            wait_for_close: false,
        });
        return;
    }
    match link {
        Link::Connecting {
            server,
            nick,
            retry: true,
            ..
        } => retry_later(app, server, nick, why.to_owned(), fx),
        Link::Connecting { server, .. } => {
            let message = format!("não foi possível conectar a {server}: {why}");
            app.error(&message);
            app.link = Link::Offline {
                reason: Some(message.clone()),
            };
            reopen_dialog(app, Field::Host, message);
        }
        other => {
            app.error(why);
            app.link = other;
        }
    }
}

/// An automatic attempt failed (`why`): says so, dimly, and waits for the next one.
fn retry_later(
    app: &mut App,
    server: super::Server,
    nick: Nickname,
    why: String,
    fx: &mut Vec<Effect>,
) {
    reconnect::schedule(app, server, nick, why.clone(), fx);
    if let Link::Waiting { remaining, .. } = &app.link {
        let secs = reconnect::seconds_left(*remaining);
        app.notice(
            &format!("reconexão falhou: {why} — nova tentativa em {secs} s"),
            true,
        );
    }
}

/// The connection ended (or, see [`liveness`], the server stopped answering). Out of the room
/// (or while quitting) that is the end; a room left without `/SAIR`, or an automatic attempt
/// that failed, starts (or goes on) reconnecting.
pub(super) fn closed(app: &mut App, why: String, fx: &mut Vec<Effect>) {
    // Shown in the status bar too, so cleaned here as well as on arrival.
    let reason = sanitize::clean(&app.bye.take().unwrap_or(why));
    let link = std::mem::replace(
        &mut app.link,
        Link::Offline {
            reason: Some(reason.clone()),
        },
    );
    reset_session(app);
    if app.quitting {
        fx.push(Effect::Quit {
            wait_for_close: false,
        });
        return;
    }
    match link {
        Link::Online { server, nick, .. } => {
            app.error(&format!("desconectado: {reason} — reconectando…"));
            reconnect::schedule(app, server, nick, reason, fx);
        }
        Link::Connecting {
            server,
            nick,
            retry: true,
            ..
        }
        | Link::LoggingIn {
            server,
            nick,
            retry: true,
            ..
        } => retry_later(app, server, nick, reason, fx),
        Link::Connecting { .. } | Link::LoggingIn { .. } => {
            app.error(&format!(
                "desconectado: {reason} — /ENTRAR (ou F2) reconecta"
            ));
            reopen_dialog(app, Field::Host, format!("desconectado: {reason}"));
        }
        Link::Offline { .. } | Link::Waiting { .. } => {}
    }
}

/// Forgets what belongs to one connection (the history stays).
pub(super) fn reset_session(app: &mut App) {
    app.users.clear();
    app.users_pending.clear();
    app.bye = None;
    session::end_connection(app);
    liveness::end_connection(app);
    greeting::end_connection(app);
    paste::end_connection(app);
}

fn reopen_dialog(app: &mut App, focus: Field, message: String) {
    let d = Dialog::with_error(
        &app.config,
        app.dialog_password(),
        app.remember_password,
        focus,
        message,
    );
    app.open_dialog(d);
}

/// Ends the attempt for a reason retrying cannot mend (a password to type, a certificate to
/// judge, a port that is not papo): no automatic reconnect, and the dialog comes back, focused
/// on `focus`.
pub(super) fn stop_and_ask(app: &mut App, focus: Field, message: String, fx: &mut Vec<Effect>) {
    fx.push(Effect::Disconnect);
    reset_session(app);
    app.backoff.reset();
    app.link = Link::Offline {
        reason: Some(message.clone()),
    };
    if app.quitting {
        fx.push(Effect::Quit {
            wait_for_close: false,
        });
        return;
    }
    reopen_dialog(app, focus, message);
}

/// The server's certificate is vouched for by nobody: the dialog shows its fingerprint, and
/// Enter trusts it (see [`super::commands::confirm_dialog`]).
fn untrusted(app: &mut App, fingerprint: String, reason: String, fx: &mut Vec<Effect>) {
    let server = match &app.link {
        Link::Connecting { server, .. } => server.clone(),
        _ => return,
    };
    // The dialog shows the server above and the keys below: four rows say the rest, the
    // fingerprint in two halves that each fit a row.
    let halves = fingerprint.get(..47).zip(fingerprint.get(48..));
    let shown = halves.map_or_else(|| fingerprint.clone(), |(a, b)| format!("{a} {b}"));
    let message = format!(
        "{reason}: confira a impressão digital SHA-256 com quem cuida do servidor: {shown}"
    );
    app.error(&format!(
        "o certificado de {server} não pôde ser verificado ({reason}); SHA-256 {fingerprint}"
    ));
    stop_and_ask(app, Field::Host, message, fx);
    if let Some(d) = &mut app.dialog {
        d.trust = Some(super::TrustPrompt {
            server,
            fingerprint: sanitize::clean(&fingerprint),
            reason,
        });
    }
}

/// The password is missing or wrong: forget it (in the config file too) and ask in the dialog.
fn ask_password(app: &mut App, message: &str, fx: &mut Vec<Effect>) {
    app.password = None;
    if app.config.password.take().is_some() {
        app.save_config(fx);
    }
    app.error(message);
    stop_and_ask(app, Field::Password, message.to_owned(), fx);
}

/// Sends `/USUARIOS`; `show` puts the answer in the history too.
pub(super) fn request_users(app: &mut App, show: bool, fx: &mut Vec<Effect>) {
    app.users_pending.push_back(show);
    fx.push(Effect::Send(ClientLine::Command(Command::Users)));
}

fn handle_line(app: &mut App, line: ServerLine, fx: &mut Vec<Effect>) {
    match line {
        ServerLine::Hello {
            version,
            epoch,
            access,
            limits,
            ..
        } => {
            greeting::limits(app, limits);
            let server = match &app.link {
                Link::LoggingIn { server, .. } => Some(server.clone()),
                _ => None,
            };
            let known = server.is_some_and(|s| app.password_for(&s).is_some());
            if access == Some(Access::Password) && !known {
                ask_password(app, "este servidor pede senha: digite-a no campo Senha", fx);
            } else {
                session::hello(app, version, epoch, access, fx);
            }
        }
        ServerLine::Welcome { nick, token, text } => session::welcome(app, nick, token, &text, fx),
        ServerLine::Replayed(event) => replay::replayed(app, *event),
        ServerLine::Skipped { count, .. } => replay::skipped(app, count),
        ServerLine::Live { last, .. } => replay::live(app, last),
        ServerLine::Users {
            count,
            offset,
            nicks,
        } => {
            // A reply's first part answers the oldest request in flight; the list replaces
            // the panel once its last part is in (a big room's list comes in parts).
            let show = if offset == 0 {
                app.users_pending.pop_front().unwrap_or(false)
            } else {
                false
            };
            if app.users.receive(count, offset, nicks, show) == Some(true) {
                let names: Vec<&str> = app.users.list().map(Nickname::as_str).collect();
                let mut list = format!("na sala ({}): {}", app.users.len(), names.join(", "));
                cap_text(&mut list);
                app.notice(&list, false);
            }
        }
        ServerLine::Help { text } => {
            // All of it in the history (the overlay shows only the commands papo does not know).
            app.notice(&text, false);
            if std::mem::take(&mut app.server_help_stale) {
                app.server_help.clear();
            }
            if app.server_help.len() < MAX_SERVER_HELP_LINES {
                app.server_help.push(sanitize::clean(&text));
            }
        }
        ServerLine::Error { code, text } => server_error(app, code, &text, fx),
        ServerLine::Bye { text } => {
            app.notice(&format!("servidor: {text}"), false);
            app.bye = Some(text);
        }
        ServerLine::Notice { text } => {
            // The answer to the password papo sent for you says nothing you need.
            if !session::password_answer(app) {
                app.notice(&format!("servidor: {text}"), false);
            }
        }
        ServerLine::Pong { text } => {
            if !liveness::own_pong(app, &text) {
                app.notice(&format!("PONG {text}"), true);
            }
        }
        event @ (ServerLine::Message { .. }
        | ServerLine::Action { .. }
        | ServerLine::Private { .. }
        | ServerLine::Joined { .. }
        | ServerLine::Left { .. }
        | ServerLine::Renamed { .. }) => events::live(app, event, fx),
    }
}

fn server_error(app: &mut App, code: ErrorCode, text: &str, fx: &mut Vec<Effect>) {
    if matches!(
        code,
        ErrorCode::PasswordIncorrect | ErrorCode::PasswordRequired
    ) && matches!(app.link, Link::LoggingIn { .. })
    {
        let message = match code {
            ErrorCode::PasswordIncorrect => "senha incorreta",
            _ => "este servidor pede senha: digite-a no campo Senha",
        };
        ask_password(app, message, fx);
        return;
    }
    app.error(text);
    if code == ErrorCode::ServerFull {
        // The server closes right after saying so: that is why the connection ends.
        app.bye = Some(text.to_owned());
    }
    if session::login_error(app, code, fx) {
        reopen_dialog(app, Field::Nick, text.to_owned());
    }
}
