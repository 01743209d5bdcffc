//! What the user asks for: lines typed in the message line (text and commands), completion, and
//! the connect dialog's Enter and Esc.

use papo_protocol::{
    COMMANDS, ClientLine, Command, CommandInfo, CommandKind, Nickname, ParseError,
};

use super::actions::quit;
use super::{App, ConnId, Effect, Link, Server, Target, reconnect, server};

const NOT_CONNECTED: &str = "não conectado — use /ENTRAR (ou F2) para conectar";
const NOT_JOINED: &str = "aguarde: ainda entrando na sala";
const RECONNECTING: &str = "aguarde: reconectando (a linha fica aqui até voltar)";

/// The commands people type: the protocol's, less `/RETOMAR` and `/SENHA`, which papo sends by
/// itself when it connects (so the help and Tab completion leave them out).
pub fn typed_commands() -> impl Iterator<Item = &'static CommandInfo> {
    COMMANDS
        .iter()
        .filter(|c| !matches!(c.kind, CommandKind::Resume | CommandKind::Password))
}

/// A command only the client knows: run here, never sent.
#[derive(Debug, Clone, Copy)]
pub struct LocalCommand {
    /// The canonical (Portuguese) name, upper case, without the slash.
    pub name: &'static str,
    /// Other names that mean the same.
    pub aliases: &'static [&'static str],
    /// How to call it.
    pub usage: &'static str,
    /// One line on what it does, in Portuguese.
    pub summary: &'static str,
}

/// The client's own commands.
pub const LOCAL_COMMANDS: [LocalCommand; 1] = [LocalCommand {
    name: "BUSCAR",
    aliases: &["SEARCH"],
    usage: "/BUSCAR texto",
    summary: "busca no histórico (Ctrl+F); n/N andam entre os resultados, Esc fecha",
}];

/// If `typed` is `/BUSCAR …` (any case, or an alias), the text after the name.
fn search_command(typed: &str) -> Option<&str> {
    let rest = typed.strip_prefix('/')?;
    let (name, args) = rest.split_once(' ').unwrap_or((rest, ""));
    let search = &LOCAL_COMMANDS[0];
    search
        .name
        .eq_ignore_ascii_case(name)
        .then_some(())
        .or_else(|| {
            search
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name))
                .then_some(())
        })
        .map(|()| args.trim())
}

const PASSWORD_IN_DIALOG: &str =
    "a senha da sala vai no diálogo de conexão (/ENTRAR ou F2); o papo a envia ao conectar";

/// Enter in the message line.
pub(super) fn submit(app: &mut App, fx: &mut Vec<Effect>) {
    if app.input.value().trim().is_empty() {
        return;
    }
    let typed = app.input.take();
    if let Some(query) = search_command(&typed) {
        if query.is_empty() {
            super::search::open(app);
        } else {
            super::search::start(app, query);
        }
        return;
    }
    app.history.to_live();
    app.history.clear_marker();
    let parsed = ClientLine::parse(&typed);
    // A forbidden character or a line over the server's limit: said in Portuguese, with what
    // to do, and the line stays to be fixed (the server would refuse it).
    if let Some(problem) = super::outgoing::refusal(&typed, &parsed, app.limits.max_line_bytes) {
        app.error(&problem);
        app.input.set(&typed);
        return;
    }
    match parsed {
        Ok(None) => {}
        Ok(Some(ClientLine::Command(command))) => run(app, command, &typed, fx),
        Ok(Some(line)) => match &app.link {
            Link::Online { .. } => fx.push(Effect::Send(line)),
            _ => refuse_until_joined(app, &typed),
        },
        Err(ParseError::UnknownCommand(_)) if matches!(app.link, Link::Online { .. }) => {
            // A newer server may know it: let the server answer.
            fx.push(Effect::SendRaw(typed));
        }
        Err(e) => {
            app.error(&super::outgoing::describe_parse_error(&typed, &e));
            // Refused here, not by the server: the line comes back to be fixed, not retyped.
            app.input.set(&typed);
        }
    }
}

/// Refuses a line that needs the room (not connected, or still logging in) and puts it back in
/// the message line for later.
fn refuse_until_joined(app: &mut App, typed: &str) {
    let why = match app.link {
        Link::Waiting { .. } | Link::Connecting { retry: true, .. } => RECONNECTING,
        Link::LoggingIn { .. } => NOT_JOINED,
        _ => NOT_CONNECTED,
    };
    app.error(why);
    app.input.set(typed);
}

fn run(app: &mut App, command: Command, typed: &str, fx: &mut Vec<Effect>) {
    match command {
        Command::Join => {
            let d = app.new_dialog();
            app.open_dialog(d);
        }
        Command::Users => refresh_users(app, true, fx),
        Command::Help => {
            app.help = Some(0);
            if app.link.is_open() {
                app.server_help_stale = true;
                fx.push(Effect::Send(ClientLine::Command(Command::Help)));
            }
        }
        Command::Quit { reason } => quit(app, reason, fx),
        // Typed in the room, a password would be sent after the nickname, too late; and it
        // is not put back in the message line, where anyone looking could read it.
        Command::Password { .. } => app.error(PASSWORD_IN_DIALOG),
        Command::Nick { nick } => match &mut app.link {
            Link::Online { .. } => {
                fx.push(Effect::Send(ClientLine::Command(Command::Nick { nick })))
            }
            Link::LoggingIn {
                nick: asked,
                nick_sent,
                ..
            } => match Nickname::parse(&nick) {
                Ok(n) => {
                    *asked = n;
                    *nick_sent = true;
                    fx.push(Effect::Send(ClientLine::Command(Command::Nick { nick })));
                }
                Err(e) => {
                    app.error(&e.to_string());
                    app.input.set(typed);
                }
            },
            _ => refuse_until_joined(app, typed),
        },
        // `/RETOMAR` is papo's own business when reconnecting; typed in the room, the server
        // answers it.
        command @ (Command::Private { .. }
        | Command::Me { .. }
        | Command::Resume(_)
        | Command::Ping { .. }) => match &app.link {
            Link::Online { .. } => fx.push(Effect::Send(ClientLine::Command(command))),
            _ => refuse_until_joined(app, typed),
        },
    }
}

/// Asks the server who is in the room: `show` puts the answer in the history too (`/USUARIOS`);
/// F5 only refreshes the panel.
pub(super) fn refresh_users(app: &mut App, show: bool, fx: &mut Vec<Effect>) {
    if app.link.is_open() {
        server::request_users(app, show, fx);
    } else {
        app.error(NOT_CONNECTED);
    }
}

/// Tab (or Shift+Tab): completes the word before the caret, a command name at the start of the
/// line or a nickname elsewhere; again to cycle through the candidates.
pub(super) fn complete(app: &mut App, backwards: bool) {
    if app.input.completing() {
        app.input.cycle_completion(backwards);
        return;
    }
    let (start, word) = app.input.word_before_caret();
    if word.is_empty() {
        return;
    }
    if let Some(typed) = word.strip_prefix('/').filter(|_| start == 0) {
        let lower = !typed.chars().any(char::is_uppercase);
        let typed = typed.to_lowercase();
        let spelled = |n: &str| {
            if lower {
                format!("/{}", n.to_lowercase())
            } else {
                format!("/{n}")
            }
        };
        // The Portuguese names first (`/us` offers `/usuarios` before `/users`), then the
        // English aliases; each group in alphabetical order.
        let mut names: Vec<String> = Vec::new();
        let canonical: Vec<&str> = typed_commands()
            .map(|c| c.name)
            .chain(LOCAL_COMMANDS.iter().map(|c| c.name))
            .collect();
        let aliases: Vec<&str> = typed_commands()
            .flat_map(|c| c.aliases.iter().copied())
            .chain(
                LOCAL_COMMANDS
                    .iter()
                    .flat_map(|c| c.aliases.iter().copied()),
            )
            .collect();
        for group in [canonical, aliases] {
            let mut found: Vec<String> = group
                .into_iter()
                .filter(|n| n.to_lowercase().starts_with(&typed))
                .map(spelled)
                .filter(|n| !names.contains(n))
                .collect();
            found.sort();
            found.dedup();
            names.extend(found);
        }
        app.input.start_completion(start, names, " ", backwards);
    } else {
        let nicks = app.users.completions(&word, app.my_nick());
        let suffix = if start == 0 { ": " } else { " " };
        app.input.start_completion(start, nicks, suffix, backwards);
    }
}

/// Enter in the connect dialog: validate, then connect (or, after the server refused a
/// nickname, send the new one on the same connection when the server is unchanged). When the
/// dialog asked about a certificate, Enter trusts it first.
pub(super) fn confirm_dialog(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(dialog) = &mut app.dialog else {
        return;
    };
    let Some(target) = dialog.submit() else {
        return;
    };
    let trust = dialog.trust.take();
    app.dialog = None;
    let Target {
        server,
        nick,
        password,
        remember,
    } = target;
    // Enter on the room you are already in, as who you are, would only leave and rejoin it.
    if let Link::Online {
        server: current,
        nick: me,
        ..
    } = &app.link
        && *current == server
        && me.same_user(&nick)
        && trust.is_none()
    {
        let said = format!("você já está em {server} como {me}");
        app.notice(&said, true);
        return;
    }
    app.password = password.map(|p| (server.clone(), p));
    app.remember_password = remember;
    remember_target(app, &server, &nick);
    // Only for the server that showed it: the dialog may have been aimed elsewhere since.
    if let Some(trust) = trust.filter(|t| t.server == server) {
        fx.push(Effect::TrustCertificate {
            host: server.host.clone(),
            port: server.port,
            fingerprint: trust.fingerprint,
        });
    }
    if let Link::LoggingIn {
        server: current,
        nick: asked,
        nick_sent,
        refused,
        ..
    } = &mut app.link
        && *current == server
    {
        *asked = nick.clone();
        *refused = false;
        if *nick_sent {
            fx.push(Effect::Send(ClientLine::Command(Command::Nick {
                nick: nick.to_string(),
            })));
        }
        return;
    }
    open(app, server, nick, false, fx);
}

/// Esc in the connect dialog. After a refused nickname it also gives up the half-open login.
pub(super) fn cancel_dialog(app: &mut App, fx: &mut Vec<Effect>) {
    app.dialog = None;
    if let Link::LoggingIn { refused: true, .. } = app.link {
        give_up(app, fx);
    }
}

/// Esc in the room while connecting, logging in or waiting to reconnect: gives the attempt (and
/// reconnecting) up. Returns whether there was one.
pub(super) fn cancel_connecting(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    if app.quitting {
        return false;
    }
    if reconnect::cancel(app) {
        return true;
    }
    if !matches!(app.link, Link::Connecting { .. } | Link::LoggingIn { .. }) {
        return false;
    }
    give_up(app, fx);
    true
}

fn give_up(app: &mut App, fx: &mut Vec<Effect>) {
    fx.push(Effect::Disconnect);
    server::reset_session(app);
    app.backoff.reset();
    app.link = Link::Offline {
        reason: Some("conexão cancelada".to_owned()),
    };
    app.notice("conexão cancelada", true);
}

/// Opens a new connection, leaving the current one (politely, with `/SAIR`, if in the room).
/// `retry` marks an automatic reconnect; any other connection is the user's, and starts the
/// backoff over.
pub(super) fn open(
    app: &mut App,
    server: Server,
    nick: Nickname,
    retry: bool,
    fx: &mut Vec<Effect>,
) {
    if matches!(app.link, Link::Online { .. }) {
        fx.push(Effect::Send(ClientLine::Command(Command::Quit {
            reason: String::new(),
        })));
    }
    if app.link.conn().is_some() {
        fx.push(Effect::Disconnect);
    }
    server::reset_session(app);
    app.next_conn += 1;
    let conn = ConnId(app.next_conn);
    if !retry {
        // An automatic attempt says what it does in the status bar, not in the history.
        app.notice(&format!("conectando a {server}…"), true);
        app.backoff.reset();
    }
    fx.push(Effect::Connect {
        conn,
        host: server.host.clone(),
        port: server.port,
        tls: server.tls,
    });
    app.link = Link::Connecting {
        conn,
        server,
        nick,
        retry,
    };
}

/// Connects straight away (command-line arguments).
pub fn connect_now(app: &mut App, server: Server, nick: Nickname) -> Vec<Effect> {
    let mut fx = Vec::new();
    remember_target(app, &server, &nick);
    open(app, server, nick, false, &mut fx);
    fx
}

/// The config's last server and nickname become these (saved once the server accepts them).
fn remember_target(app: &mut App, server: &Server, nick: &Nickname) {
    app.config.host.clone_from(&server.host);
    app.config.port = server.port;
    app.config.tls = server.tls;
    app.config.nick = nick.to_string();
}
