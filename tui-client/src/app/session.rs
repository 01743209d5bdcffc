//! The login handshake and what papo remembers to resume a session: the server's log (the
//! epoch of its `HELLO`), the secret token of the last `WELCOME` and the nickname it was for.
//! At `HELLO`, a client whose history comes from that same log asks for everything after the
//! last id it saw (`/RETOMAR`); any other sends `/NICK` and, if the log changed, forgets the
//! ids it saw (they are not comparable across logs).

use papo_protocol::{Access, ClientLine, Command, ErrorCode, Nickname, PROTOCOL_VERSION, Resume};

use super::replay::Replay;
use super::{App, Effect, Link, Server, server};

/// What is remembered of the last server and session.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The server of the last `HELLO`.
    server: Option<Server>,
    /// Its epoch: the log the history's event ids come from.
    epoch: Option<String>,
    /// The resume token of the last `WELCOME` there, with the nickname it was given for.
    token: Option<(String, Nickname)>,
    /// `/RETOMAR` was sent and not answered yet.
    resuming: bool,
    /// `/SENHA` was sent and its answer not seen yet.
    password_sent: bool,
}

impl Session {
    /// Your nickname changed: the session (and its token) goes on under the new one.
    pub(super) fn renamed(&mut self, new: &Nickname) {
        if let Some((_, nick)) = &mut self.token {
            *nick = new.clone();
        }
    }
}

/// `word` if it can be an epoch or a token ([`papo_protocol::is_secret`]); others are ignored,
/// so a hostile server cannot make papo send them back in a line the server would refuse.
fn secret(word: Option<String>) -> Option<String> {
    word.filter(|w| papo_protocol::is_secret(w))
}

/// `HELLO`: sends the nickname, as `/RETOMAR` when the history comes from this server's log;
/// first the room's password, when the server asks for it (the caller made sure there is one).
pub(super) fn hello(
    app: &mut App,
    version: u32,
    epoch: Option<String>,
    access: Option<Access>,
    fx: &mut Vec<Effect>,
) {
    // The greeting asks nc users for a nickname; this client sends it by itself, so the text
    // would only confuse. The WELCOME that follows says what happened.
    if version != PROTOCOL_VERSION {
        app.error(&format!(
            "o servidor fala a versão {version} do protocolo; este cliente, a {PROTOCOL_VERSION}"
        ));
    }
    let Link::LoggingIn {
        server,
        nick,
        nick_sent,
        ..
    } = &mut app.link
    else {
        return;
    };
    if *nick_sent {
        return;
    }
    *nick_sent = true;
    let (server, nick) = (server.clone(), nick.clone());
    if access == Some(Access::Password)
        && let Some(password) = app.password_for(&server).cloned()
    {
        app.session.password_sent = true;
        fx.push(Effect::Send(ClientLine::Command(Command::Password {
            password,
        })));
    }
    let epoch = secret(epoch);
    let s = &mut app.session;
    let same_log = epoch.is_some() && s.epoch == epoch;
    let same_server = s.server.as_ref() == Some(&server);
    if !same_log || !same_server {
        s.token = None;
    }
    s.server = Some(server);
    s.epoch.clone_from(&epoch);
    if !same_log {
        // Ids of another log (or of a server that names none) say nothing about this one.
        app.history.new_epoch();
    }
    let resume = same_log && same_server;
    match (epoch, app.history.max_seen()) {
        (Some(epoch), Some(after)) if resume => {
            let token = app
                .session
                .token
                .as_ref()
                .filter(|(_, owner)| owner.same_user(&nick))
                .map(|(token, _)| token.clone());
            app.session.resuming = true;
            fx.push(Effect::Send(ClientLine::Command(Command::Resume(Resume {
                nick: nick.to_string(),
                epoch,
                after,
                token,
            }))));
        }
        _ => send_nick(&nick, fx),
    }
}

fn send_nick(nick: &Nickname, fx: &mut Vec<Effect>) {
    fx.push(Effect::Send(ClientLine::Command(Command::Nick {
        nick: nick.to_string(),
    })));
}

/// `WELCOME`: in the room. Remembers the token, resets the backoff, starts collecting the
/// replay and asks who is in the room.
pub(super) fn welcome(
    app: &mut App,
    nick: Nickname,
    token: Option<String>,
    text: &str,
    fx: &mut Vec<Effect>,
) {
    // Only the answer to a login counts: a second WELCOME (a misbehaving server) changes
    // neither your nickname nor the saved config.
    let Link::LoggingIn { conn, server, .. } = &app.link else {
        return;
    };
    app.link = Link::Online {
        conn: *conn,
        server: server.clone(),
        nick: nick.clone(),
    };
    app.session.token = secret(token).map(|t| (t, nick.clone()));
    let resumed = std::mem::take(&mut app.session.resuming);
    app.replay = Some(Replay::new(app.history.cap(), resumed));
    app.notice(text, false);
    app.config.nick = nick.to_string();
    let server = match &app.link {
        Link::Online { server, .. } => Some(server.clone()),
        _ => None,
    };
    app.config.password = server
        .and_then(|s| app.password_for(&s))
        .filter(|_| app.remember_password)
        .map(|p| p.expose().to_owned());
    app.save_config(fx);
    server::request_users(app, false, fx);
}

/// An `ERR` while logging in. A server that does not take `/RETOMAR` (an older one, or one
/// refusing its arguments) gets a plain `/NICK`; a refused nickname ends automatic reconnects.
/// Returns whether the error was a refused nickname.
pub(super) fn login_error(app: &mut App, code: ErrorCode, fx: &mut Vec<Effect>) -> bool {
    let Link::LoggingIn {
        nick,
        nick_sent,
        refused,
        retry,
        ..
    } = &mut app.link
    else {
        return false;
    };
    let not_understood = matches!(
        code,
        ErrorCode::UnknownCommand | ErrorCode::InvalidArgument | ErrorCode::MissingArgument
    );
    if app.session.resuming && not_understood {
        app.session.resuming = false;
        send_nick(nick, fx);
        return false;
    }
    if !matches!(code, ErrorCode::NickInUse | ErrorCode::NickInvalid) {
        return false;
    }
    app.session.resuming = false;
    *refused = true;
    *nick_sent = true;
    *retry = false;
    app.backoff.reset();
    true
}

/// Whether a `NOTICE` is the server's answer to the password papo sent (it is not shown).
pub(super) fn password_answer(app: &mut App) -> bool {
    matches!(app.link, Link::LoggingIn { .. }) && std::mem::take(&mut app.session.password_sent)
}

/// Forgets what belongs to one connection attempt (not the log, the token or the history).
pub(super) fn end_connection(app: &mut App) {
    app.session.resuming = false;
    app.session.password_sent = false;
    app.replay = None;
}
