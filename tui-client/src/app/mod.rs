//! The model and its update function: every key, paste, resize, network event and timer tick
//! goes through [`update`], which changes the [`App`] and returns the [`Effect`]s for the binary
//! to perform. Nothing here touches a terminal, a socket or the clock directly (a wait is an
//! [`Effect::Timer`] answered by an [`Event::Tick`]), so tests drive it with values.

mod actions;
mod attention;
pub mod commands;
pub mod dialog;
pub mod entry;
mod events;
mod greeting;
pub mod history;
pub mod input;
mod link;
pub mod liveness;
pub mod outgoing;
pub mod paste;
pub mod presence;
pub mod reconnect;
pub mod replay;
pub mod search;
mod server;
mod session;
pub mod timer;
pub mod users;

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::KeyEvent;
use papo_protocol::{ClientLine, Nickname, Secret, ServerLine, Timestamp};
use ratatui::layout::Rect;

use crate::config::Config;
use crate::keys::{self, Action, Key};
use crate::theme::Theme;
pub use commands::{connect_now, typed_commands};
pub use dialog::{Dialog, Field, Focus, Server, Target, Toggle, TrustPrompt};
pub use entry::{Entry, Zone};
use history::History;
use input::InputLine;
pub use link::Link;
use liveness::Liveness;
use reconnect::Backoff;
use replay::Replay;
use session::Session;
pub use timer::{Timer, TimerKind, Timers};
use users::Users;

/// Identifies one connection attempt, so events from an old connection are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub u64);

/// Something that happened, fed to [`update`].
#[derive(Debug, Clone)]
pub enum Event {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// The terminal has a new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The connection `conn` reported something.
    Net {
        /// Which connection.
        conn: ConnId,
        /// What.
        event: NetEvent,
    },
    /// SIGTERM, SIGHUP or the terminal went away: leave (with `/SAIR` when connected).
    Terminate,
    /// Writing the config file failed.
    ConfigSaveFailed(String),
    /// A line could not be queued on the connection (`why` says why, for people).
    SendFailed {
        /// The line.
        line: ClientLine,
        /// Why.
        why: String,
    },
    /// The time asked for by an [`Effect::Timer`] has passed; which timer it was. A tick for a
    /// timer since replaced (a stale one) does nothing.
    Tick(Timer),
    /// The terminal gained (`true`) or lost (`false`) the focus (focus reporting, DECSET 1004).
    Focus(bool),
    /// A mouse event (only while mouse capture is on).
    Mouse(crossterm::event::MouseEvent),
}

/// What a connection reports.
#[derive(Debug, Clone)]
pub enum NetEvent {
    /// The TCP connection is open.
    Connected,
    /// The TCP connection could not be opened; the text says why, for people.
    ConnectFailed(String),
    /// The server's TLS certificate is vouched for by no authority and not pinned: the user
    /// may compare its fingerprint and trust it.
    Untrusted {
        /// SHA-256 of the certificate, `AB:CD:…`.
        fingerprint: String,
        /// Why no authority vouches for it, for people.
        reason: String,
    },
    /// The connection was refused for a reason retrying cannot mend (a pinned certificate
    /// changed, a certificate the named authority refuses).
    Refused {
        /// Why, in full, for the history.
        why: String,
        /// The same in a few words, for the dialog.
        summary: String,
    },
    /// A line from the server.
    Line(ServerLine),
    /// A line that does not follow the protocol's grammar (shown as plain text).
    Malformed(String),
    /// A line that could not be read (too long, not UTF-8); the text says which.
    Garbled(String),
    /// The connection closed; the text says why.
    Closed(String),
}

/// Something for the binary to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open a connection (closing any previous one).
    Connect {
        /// Its id; its events come back tagged with it.
        conn: ConnId,
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// In TLS.
        tls: bool,
    },
    /// Pin a server's certificate (the user chose to trust it), before the next connect.
    TrustCertificate {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// SHA-256 of the certificate, `AB:CD:…`.
        fingerprint: String,
    },
    /// Send a line on the current connection.
    Send(ClientLine),
    /// Send a line the client does not understand (an unknown command) so the server answers;
    /// it holds no forbidden character.
    SendRaw(String),
    /// Close the current connection (after flushing what was sent).
    Disconnect,
    /// Leave the program; with `wait_for_close`, first wait (briefly) for the server to close.
    Quit {
        /// Wait for the connection to close, up to a deadline.
        wait_for_close: bool,
    },
    /// Write the config file.
    SaveConfig(Config),
    /// Send an [`Event::Tick`] with `timer` after `after`. A new timer replaces the one pending
    /// of the same [`TimerKind`], so only the latest of each kind ticks.
    Timer {
        /// Which timer (its tick carries it back).
        timer: Timer,
        /// How long from now.
        after: Duration,
    },
    /// Ring the terminal's bell (a mention or a private message).
    Bell,
    /// Set the terminal's (and tmux's) window title.
    Title(String),
    /// Turn mouse reporting (clicks and the wheel, no motion) on or off.
    MouseCapture(bool),
}

/// Where the time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// Always this instant (tests).
    Fixed(Timestamp),
}

/// How the app is set up.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The terminal's size.
    pub size: (u16, u16),
    /// Colours or not.
    pub theme: Theme,
    /// Where local notices get their time.
    pub clock: Clock,
    /// The zone times are shown in.
    pub zone: Zone,
    /// Seeds the jitter of reconnect waits (fixed in tests, from the clock in the binary).
    pub seed: u64,
    /// Start with the hint to type `/ENTRAR` (not when the command line connects at once).
    pub connect_hint: bool,
}

/// The whole client state.
#[derive(Debug, Clone)]
pub struct App {
    /// Colours or not.
    pub theme: Theme,
    /// Where local notices get their time.
    pub clock: Clock,
    /// The zone times are shown in.
    pub zone: Zone,
    /// The config (last values used; written on a successful join).
    pub config: Config,
    /// The link to the server.
    pub link: Link,
    /// The history pane.
    pub history: History,
    /// The users panel.
    pub users: Users,
    /// The message line.
    pub input: InputLine,
    /// The connect dialog, when open.
    pub dialog: Option<Dialog>,
    /// The room's password (from the dialog or the config) with the server it was given for:
    /// sent before the nickname when that server asks for one, never to another; kept in
    /// memory for reconnects.
    password: Option<(Server, Secret)>,
    /// Keep the password in the config file once it has worked.
    remember_password: bool,
    /// The help overlay's scroll, when open.
    pub help: Option<usize>,
    /// The terminal's size.
    pub size: (u16, u16),
    /// `/SAIR` was sent; leaving once the server closes.
    pub quitting: bool,
    /// The server's latest answer to `/AJUDA` (its `HELP` lines), shown atop the help overlay.
    pub server_help: Vec<String>,
    /// `/AJUDA` was sent: the next `HELP` line starts a new answer.
    server_help_stale: bool,
    /// The config file could not be read: it is never written over (the user's file may only
    /// have a typo), and this says so once.
    config_unsaved: ConfigSave,
    next_conn: u64,
    /// One flag per `/USUARIOS` in flight: whether its reply is shown in the history.
    users_pending: VecDeque<bool>,
    bye: Option<String>,
    /// The waits between automatic reconnects.
    backoff: Backoff,
    /// What is remembered of the server's log and of your session there, to resume it.
    session: Session,
    /// Replayed events collected between `WELCOME` and `LIVE`.
    replay: Option<Replay>,
    /// The timers the app is waiting for, one per kind.
    timers: Timers,
    /// Whether the server still answers (idle pings while in the room).
    liveness: Liveness,
    /// The current connection's first line showed a papo server ([`greeting`]).
    greeted: bool,
    /// What the server allows each member (its `HELLO`; the documented defaults until one
    /// says, or from an older server).
    pub limits: papo_protocol::Limits,
    /// Multi-line pastes: waiting for Enter, or going out paced to the flood allowance.
    pub pasting: paste::Pasting,
    /// The search of the history, when open.
    pub search: Option<search::Search>,
    /// What draws attention when the reader is away: focus, unread count, title, bell.
    pub attention: attention::Attention,
    /// Mouse capture is on.
    pub mouse: bool,
    /// When each nickname (case-folded) last spoke, by the server's clock: the smart filter
    /// hides joins and leaves of people who have not.
    spoke: std::collections::HashMap<String, i64>,
}

impl App {
    /// A disconnected client with an empty room.
    pub fn new(config: Config, options: Options) -> Self {
        let mouse = config.mouse;
        let mut app = Self {
            theme: options.theme,
            clock: options.clock,
            zone: options.zone,
            history: History::with_caps(config.history_lines, config.history_mib << 20),
            password: config.password.clone().map(|p| {
                let server = Server {
                    host: config.host.clone(),
                    port: config.port,
                    tls: config.tls,
                };
                (server, Secret::new(p))
            }),
            remember_password: config.password.is_some(),
            config,
            link: Link::Offline { reason: None },
            users: Users::default(),
            input: InputLine::default(),
            dialog: None,
            help: None,
            size: options.size,
            quitting: false,
            server_help: Vec::new(),
            server_help_stale: false,
            config_unsaved: ConfigSave::Allowed,
            next_conn: 0,
            users_pending: VecDeque::new(),
            bye: None,
            backoff: Backoff::new(options.seed),
            session: Session::default(),
            replay: None,
            timers: Timers::default(),
            liveness: Liveness::default(),
            greeted: false,
            limits: papo_protocol::Limits::default(),
            pasting: paste::Pasting::default(),
            search: None,
            attention: attention::Attention::default(),
            mouse,
            spoke: std::collections::HashMap::new(),
        };
        app.resize(options.size.0, options.size.1);
        if options.connect_hint {
            let first = keys::first_label(keys::Context::Global, Action::OpenDialog)
                .map_or_else(String::new, |k| format!(" (ou {k})"));
            app.notice(
                &format!("bem-vindo ao papo! digite /ENTRAR{first} para conectar a um servidor"),
                false,
            );
        }
        app
    }

    /// Your nickname once in the room (or while joining).
    pub fn my_nick(&self) -> Option<&Nickname> {
        match &self.link {
            Link::Online { nick, .. } | Link::LoggingIn { nick, .. } => Some(nick),
            _ => None,
        }
    }

    /// While a replay is being collected (between `WELCOME` and `LIVE`), how many items it
    /// holds so far.
    pub fn replaying(&self) -> Option<usize> {
        self.replay.as_ref().map(Replay::len)
    }

    /// The timers the app is waiting for (tests use them to send the ticks).
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    fn now(&self) -> String {
        let now = match self.clock {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => t,
        };
        entry::hhmm(now, self.zone)
    }

    /// Adds a notice to the history.
    pub fn notice(&mut self, text: &str, dim: bool) {
        let e = Entry::notice(&self.now(), text, dim);
        self.history.push(e, false);
    }

    /// Adds an error to the history.
    pub fn error(&mut self, text: &str) {
        let e = Entry::error(&self.now(), text);
        self.history.push(e, false);
    }

    /// Lays the panes out for a `width` × `height` terminal.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        let areas = crate::ui::layout(Rect::new(0, 0, width, height));
        self.history.set_geometry(
            usize::from(areas.history.width),
            usize::from(areas.history.height),
        );
        self.users
            .set_rows(areas.users.map_or(0, crate::ui::users::name_rows));
    }

    /// The config file could not be loaded (`problem` says why): report it, and never save over
    /// it in this session.
    pub fn config_load_failed(&mut self, problem: &str) {
        self.error(problem);
        self.config_unsaved = ConfigSave::Refused { said: false };
    }

    /// Asks the binary to write the config, unless the file on disk could not be read.
    fn save_config(&mut self, fx: &mut Vec<Effect>) {
        match self.config_unsaved {
            ConfigSave::Allowed => fx.push(Effect::SaveConfig(self.config.clone())),
            ConfigSave::Refused { said: true } => {}
            ConfigSave::Refused { said: false } => {
                self.config_unsaved = ConfigSave::Refused { said: true };
                self.notice(
                    "a configuração não será salva: o arquivo tem erros (corrija-o ou apague-o)",
                    true,
                );
            }
        }
    }

    /// A connect dialog pre-filled with the last values used.
    fn new_dialog(&self) -> Dialog {
        Dialog::new(&self.config, self.dialog_password(), self.remember_password)
    }

    /// The password to pre-fill the dialog with: the one for the config's last server.
    fn dialog_password(&self) -> Option<&Secret> {
        let last = Server {
            host: self.config.host.clone(),
            port: self.config.port,
            tls: self.config.tls,
        };
        self.password_for(&last)
    }

    /// The room's password for `server`, if one was given for exactly that server.
    fn password_for(&self, server: &Server) -> Option<&Secret> {
        self.password
            .as_ref()
            .filter(|(owner, _)| owner == server)
            .map(|(_, secret)| secret)
    }

    fn open_dialog(&mut self, dialog: Dialog) {
        self.help = None;
        self.dialog = Some(dialog);
    }
}

/// Whether the config file may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfigSave {
    /// It was read (or is missing): saving is fine.
    Allowed,
    /// It could not be read; `said` once the user was told it will not be saved.
    Refused { said: bool },
}

/// Applies `event` to `app` and returns what the binary must do.
pub fn update(app: &mut App, event: Event) -> Vec<Effect> {
    let mut fx = Vec::new();
    match event {
        Event::Key(k) => {
            if let Some(key) = Key::from_event(&k) {
                actions::key_pressed(app, key, &mut fx);
            }
        }
        Event::Paste(text) => actions::paste(app, &text),
        Event::Resize { width, height } => app.resize(width, height),
        Event::Net { conn, event } => {
            if app.link.conn() == Some(conn) {
                server::handle(app, event, &mut fx);
            }
        }
        Event::Terminate => actions::quit(app, String::new(), &mut fx),
        Event::ConfigSaveFailed(why) => {
            app.error(&format!("não foi possível salvar a configuração: {why}"))
        }
        Event::SendFailed { line, why } => server::send_failed(app, &line, &why),
        Event::Tick(timer) => {
            if app.timers.fired(timer) {
                match timer.kind {
                    TimerKind::Reconnect => reconnect::tick(app, &mut fx),
                    TimerKind::Liveness => liveness::tick(app, &mut fx),
                    TimerKind::Greeting => greeting::tick(app, &mut fx),
                    TimerKind::Pacing => paste::tick(app, &mut fx),
                }
            }
        }
        Event::Focus(focused) => attention::focus(app, focused),
        Event::Mouse(mouse) => actions::mouse(app, mouse),
    }
    attention::refresh_title(app, &mut fx);
    fx
}

/// What the binary does once the terminal is set up: mouse capture as configured, the title.
pub fn initial_effects(app: &mut App) -> Vec<Effect> {
    let mut fx = vec![
        Effect::MouseCapture(app.mouse),
        Effect::Title(attention::TITLE.to_owned()),
    ];
    attention::refresh_title(app, &mut fx);
    fx
}
