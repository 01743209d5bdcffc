//! `papo`: the full-screen terminal chat client. Sets up the terminal, then runs one loop where
//! the terminal's input (bytes from [`papo::tty::reader`], parsed by [`papo::tty::parser`]), the
//! connection's events, signals, the app's timers and the quit deadline meet in a single
//! `tokio::select!`; it performs the effects `update` returns and draws at most once a frame.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches, Parser};
use crossterm::event::Event as TermEvent;
use papo::app::{self, App, Clock, Effect, Event, Options, Server, Timer, Zone, update};
use papo::config::{self, Config, DEFAULT_PORT, DEFAULT_TLS_PORT};
use papo::net::Connection;
use papo::theme::Theme;
use papo::tls::{self, TlsSettings};
use papo::tty::parser::Parser as InputParser;
use papo::tty::reader;
use papo::{term, ui};
use papo_protocol::Nickname;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long `/SAIR` waits for the server's `BYE` and close before leaving anyway.
const QUIT_GRACE: Duration = Duration::from_secs(1);
/// The shortest time between two draws (about 60 a second). While events keep coming the
/// screen is drawn once a frame, so a burst of thousands of keys or a flood of lines costs a
/// few draws, not one per event, and can never freeze the screen; when they stop, what
/// changed is drawn at once, or at the end of the frame if one was just drawn.
const FRAME: Duration = Duration::from_millis(16);

/// papo — cliente de bate-papo de terminal em tela cheia.
///
/// Sem argumentos, abre a sala vazia e desconectada: digite /ENTRAR (ou tecle F2) para
/// conectar. Com servidor, porta ou apelido na linha de comando, conecta na hora (o que faltar
/// vem do arquivo de configuração: $PAPO_CONFIG ou ~/.config/papo/config.toml).
#[derive(Debug, Parser)]
#[command(
    name = "papo",
    version,
    override_usage = "papo [OPÇÕES] [SERVIDOR] [PORTA]",
    after_help = AFTER_HELP
)]
struct Cli {
    /// Servidor (nome ou endereço IP) a conectar.
    #[arg(value_name = "SERVIDOR", value_parser = app::dialog::parse_host, conflicts_with = "host_flag")]
    host: Option<String>,
    /// Porta do servidor (1–65535).
    #[arg(value_name = "PORTA", value_parser = app::dialog::parse_port, conflicts_with = "port_flag")]
    port: Option<u16>,
    /// Servidor (nome ou endereço IP), como opção.
    #[arg(long = "host", id = "host_flag", value_name = "SERVIDOR", value_parser = app::dialog::parse_host)]
    host_flag: Option<String>,
    /// Porta do servidor, como opção.
    #[arg(long = "port", id = "port_flag", value_name = "PORTA", value_parser = app::dialog::parse_port)]
    port_flag: Option<u16>,
    /// Apelido (1–32 letras, dígitos, _ - .).
    #[arg(long, value_name = "APELIDO", value_parser = parse_nick)]
    nick: Option<Nickname>,
    /// Conecta em TLS (porta padrão 7668). Um certificado que nenhuma autoridade confirma é
    /// mostrado com sua impressão digital SHA-256 e, se você aceitar, lembrado em known_hosts
    /// (ao lado do arquivo de configuração); se ele mudar depois, o papo recusa e avisa.
    #[arg(long)]
    tls: bool,
    /// Arquivo PEM de autoridades certificadoras: em TLS, só elas valem (sem confiar no
    /// primeiro uso). Implica --tls.
    #[arg(long, value_name = "ARQUIVO")]
    ca: Option<PathBuf>,
}

/// What `--help` says after the options: where the keys are, the environment, the defaults.
const AFTER_HELP: &str = "\
Teclas: F1 (ou Ctrl+G) mostra todas as teclas e comandos; F2 (ou Ctrl+N) conecta; F10 (ou
Ctrl+Q) sai. Na sala, /AJUDA lista os comandos do servidor.

Padrões: servidor 127.0.0.1, porta 7667 (7668 com --tls), apelido $USER.

Ambiente:
  PAPO_CONFIG  arquivo de configuração (padrão: ~/.config/papo/config.toml; known_hosts fica
               ao lado dele)
  NO_COLOR     qualquer valor não vazio: sem cores (negrito e vídeo reverso ficam)";

fn parse_nick(raw: &str) -> Result<Nickname, String> {
    Nickname::parse(raw).map_err(|e| e.to_string())
}

fn main() -> anyhow::Result<()> {
    let matches = papo_protocol::cli::matches(papo_protocol::cli::in_portuguese(Cli::command()));
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("não foi possível iniciar o runtime")?;
    let result = runtime.block_on(run(cli));
    term::restore();
    result
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let path = config::path();
    let (config, config_problem) = match path.as_deref().map(Config::load) {
        Some(Ok(c)) => (c, None),
        Some(Err(e)) => (
            Config::default(),
            Some(format!("configuração ignorada: {e}")),
        ),
        None => (Config::default(), None),
    };
    let mut terminal = term::setup().context("papo precisa de um terminal")?;
    let size = terminal.size()?;
    let options = Options {
        size: (size.width, size.height),
        theme: Theme::from_env(),
        clock: Clock::System,
        zone: Zone::Local,
        seed: seed(),
        connect_hint: !cli.connects_now(),
    };
    let mut app = App::new(config, options);
    if let Some(problem) = config_problem {
        app.config_load_failed(&problem);
    }
    let tls = TlsSettings {
        ca: cli.ca.clone().or_else(|| app.config.ca.clone()),
        known_hosts: tls::known_hosts_path(path.as_deref()),
    };
    // Mouse capture and the title first, then connecting if the command line asks.
    let mut first = app::initial_effects(&mut app);
    first.extend(initial_effects(&mut app, cli));
    let mut looper = Loop {
        tls,
        path,
        connection: None,
        quit_deadline: None,
        timers: Vec::new(),
        terminal_gone: false,
        events: mpsc::channel(1024),
        size: (size.width, size.height),
    };
    let result = looper.run(&mut app, &mut terminal, first).await;
    drop(terminal);
    term::restore();
    result
}

/// A seed for the reconnect jitter that differs between runs and processes.
fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Truncating the nanoseconds keeps their fast-changing low bits, which is what a seed needs.
    let low = nanos as u64;
    low ^ (u64::from(std::process::id()) << 32)
}

impl Cli {
    /// Whether the command line names a server, port, nickname or TLS: then papo connects at
    /// once.
    fn connects_now(&self) -> bool {
        self.host.is_some()
            || self.host_flag.is_some()
            || self.port.is_some()
            || self.port_flag.is_some()
            || self.nick.is_some()
            || self.tls
            || self.ca.is_some()
    }
}

/// Connects straight away when the command line names a server, port or nickname.
fn initial_effects(app: &mut App, cli: Cli) -> Vec<Effect> {
    if !cli.connects_now() {
        return Vec::new();
    }
    let host = cli.host.or(cli.host_flag);
    let port = cli.port.or(cli.port_flag);
    let tls = cli.tls || cli.ca.is_some() || (host.is_none() && port.is_none() && app.config.tls);
    let default_port = match (tls, app.config.tls) {
        (true, false) => DEFAULT_TLS_PORT,
        (false, true) => DEFAULT_PORT,
        _ => app.config.port,
    };
    let server = Server {
        host: host.unwrap_or_else(|| app.config.host.clone()),
        port: port.unwrap_or(default_port),
        tls,
    };
    match cli
        .nick
        .map_or_else(|| Nickname::parse(&app.config.nick), Ok)
    {
        Ok(nick) => app::connect_now(app, server, nick),
        Err(e) => {
            app.error(&format!("apelido da configuração inválido: {e}"));
            Vec::new()
        }
    }
}

struct Loop {
    /// What TLS connections trust.
    tls: TlsSettings,
    path: Option<PathBuf>,
    connection: Option<Connection>,
    quit_deadline: Option<Instant>,
    /// The app's pending timers, at most one per [`app::TimerKind`], with when each goes off.
    timers: Vec<(Timer, Instant)>,
    terminal_gone: bool,
    events: (mpsc::Sender<Event>, mpsc::Receiver<Event>),
    /// The terminal's size as the app last heard it.
    size: (u16, u16),
}

enum Flow {
    Continue,
    Quit,
}

impl Loop {
    async fn run(
        &mut self,
        app: &mut App,
        terminal: &mut term::Tui,
        first: Vec<Effect>,
    ) -> anyhow::Result<()> {
        if let Flow::Quit = self.perform(app, first) {
            return Ok(());
        }
        let mut input = reader::spawn().context("não foi possível ler o terminal")?;
        let mut parser = InputParser::new();
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        let mut sigint = signal(SignalKind::interrupt())?;
        let mut sigwinch = signal(SignalKind::window_change())?;
        let mut dirty = true;
        // The size may have changed: asked (one ioctl) before the next draw or input event.
        let mut check_size = false;
        let mut next_frame = Instant::now();
        loop {
            let now = Instant::now();
            // Checked before anything else: a server flooding the event channel must not keep
            // papo from leaving once the `/SAIR` grace is over.
            if self.quit_deadline.is_some_and(|d| now >= d) {
                return Ok(());
            }
            // Checked on every turn, not only when nothing else is ready, so a flood of
            // events still gets a frame drawn every FRAME.
            if dirty && now >= next_frame {
                if std::mem::take(&mut check_size)
                    && let Flow::Quit = self.resize(app)
                {
                    return Ok(());
                }
                self.draw(app, terminal);
                dirty = false;
                next_frame = Instant::now() + FRAME;
            }
            // The keys of a read are handled one a turn, with the checks above between them.
            if let Some(event) = parser.next_event() {
                // Input after a resize is read at the new size (a click, a wheel turn), even
                // if the read won the race with SIGWINCH.
                if std::mem::take(&mut check_size)
                    && let Flow::Quit = self.resize(app)
                {
                    return Ok(());
                }
                if let Flow::Quit = self.handle(app, from_terminal(event)) {
                    return Ok(());
                }
                dirty = true;
                continue;
            }
            let deadline = self.quit_deadline.unwrap_or(now);
            // Only the soonest timer is waited for; the others stay in the list.
            let next = self.timers.iter().min_by_key(|(_, at)| *at).copied();
            let timer_at = next.map_or(now, |(_, at)| at);
            let unfinished = parser.deadline();
            let unfinished_at = unfinished.map_or(now, Instant::from_std);
            // Signals come first: they are rare, and a flood of input or lines must not hide
            // them.
            let event = tokio::select! {
                biased;
                () = tokio::time::sleep_until(deadline), if self.quit_deadline.is_some() => return Ok(()),
                _ = sigterm.recv() => Some(Event::Terminate),
                _ = sigint.recv() => Some(Event::Terminate),
                _ = sighup.recv() => {
                    self.terminal_gone = true;
                    Some(Event::Terminate)
                }
                // Several resizes before a draw or a key make one `Resize`, with the size then.
                _ = sigwinch.recv() => {
                    check_size = true;
                    dirty = true;
                    None
                }
                chunk = input.recv(), if !self.terminal_gone => match chunk {
                    Some(chunk) => {
                        parser.feed(std::time::Instant::now(), &chunk.bytes, chunk.more);
                        check_size = true;
                        None
                    }
                    None => {
                        self.terminal_gone = true;
                        Some(Event::Terminate)
                    }
                },
                Some(event) = self.events.1.recv() => Some(event),
                () = tokio::time::sleep_until(timer_at), if next.is_some() => {
                    let fired = next.map(|(timer, _)| timer);
                    self.timers.retain(|(timer, _)| Some(*timer) != fired);
                    fired.map(Event::Tick)
                }
                // A paste without its end marker, an unfinished escape sequence: given up.
                () = tokio::time::sleep_until(unfinished_at), if unfinished.is_some() => {
                    parser.handle_timeout(std::time::Instant::now());
                    None
                }
                // Nothing else to do until the frame is due: the top of the loop draws.
                () = tokio::time::sleep_until(next_frame), if dirty => None,
            };
            let Some(event) = event else { continue };
            if let Flow::Quit = self.handle(app, event) {
                return Ok(());
            }
            dirty = true;
        }
    }

    /// Hands `event` to the app and performs what it asks for.
    fn handle(&mut self, app: &mut App, event: Event) -> Flow {
        let effects = update(app, event);
        self.perform(app, effects)
    }

    /// Tells the app the terminal's size if it changed since it last heard.
    fn resize(&mut self, app: &mut App) -> Flow {
        let Ok((width, height)) = crossterm::terminal::size() else {
            return Flow::Continue;
        };
        if (width, height) == self.size {
            return Flow::Continue;
        }
        self.size = (width, height);
        self.handle(app, Event::Resize { width, height })
    }

    fn draw(&mut self, app: &mut App, terminal: &mut term::Tui) {
        if self.terminal_gone {
            return;
        }
        if terminal.draw(|frame| ui::view(app, frame)).is_err() {
            // The terminal is gone (hangup): leave as politely as a SIGHUP would.
            self.terminal_gone = true;
            let effects = update(app, Event::Terminate);
            if let Flow::Quit = self.perform(app, effects) {
                self.quit_deadline = Some(Instant::now());
            }
        }
    }

    fn perform(&mut self, app: &mut App, effects: Vec<Effect>) -> Flow {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::Connect {
                    conn,
                    host,
                    port,
                    tls,
                } => {
                    let tls = tls.then(|| self.tls.clone());
                    let events = self.events.0.clone();
                    self.connection = Some(Connection::open(conn, host, port, tls, events));
                }
                Effect::TrustCertificate {
                    host,
                    port,
                    fingerprint,
                } => {
                    let pinned = fingerprint
                        .parse()
                        .map_err(|_| "impressão digital inválida".to_owned())
                        .and_then(|fp| tls::pin(&self.tls, &host, port, &fp));
                    match pinned {
                        Ok(()) => app.notice("certificado aceito e guardado em known_hosts", true),
                        Err(why) => {
                            app.error(&format!("não foi possível guardar o certificado: {why}"))
                        }
                    }
                }
                Effect::Send(line) => {
                    let sent = self.connection.as_ref().map(|c| c.send(&line));
                    if let Some(Err(why)) = sent {
                        queue.extend(update(app, Event::SendFailed { line, why }));
                    }
                }
                Effect::SendRaw(text) => {
                    let sent = match (&self.connection, papo_protocol::check_text(&text)) {
                        (Some(c), Ok(())) => c.send_raw(format!("{text}\n")),
                        (_, Err(e)) => Err(e.to_string()),
                        (None, _) => Ok(()),
                    };
                    if let Err(why) = sent {
                        app.error(&format!("não enviado: {why}"));
                    }
                }
                Effect::Disconnect => {
                    // Dropping the connection flushes what was queued, then closes.
                    self.connection = None;
                }
                Effect::Quit { wait_for_close } => {
                    if !wait_for_close || self.connection.is_none() {
                        return Flow::Quit;
                    }
                    self.quit_deadline
                        .get_or_insert_with(|| Instant::now() + QUIT_GRACE);
                }
                Effect::Timer { timer, after } => {
                    // A new timer replaces the pending one of its kind.
                    self.timers.retain(|(t, _)| t.kind != timer.kind);
                    self.timers.push((timer, Instant::now() + after));
                }
                Effect::Bell => term::bell(),
                Effect::Title(title) => term::set_title(&title),
                Effect::MouseCapture(on) => term::mouse_capture(on),
                Effect::SaveConfig(config) => {
                    if let Some(path) = &self.path
                        && let Err(e) = config.save(path)
                    {
                        queue.extend(update(app, Event::ConfigSaveFailed(e.to_string())));
                    }
                }
            }
        }
        Flow::Continue
    }
}

/// The app's event for a terminal event. The parser never makes `Resize` (sizes come from
/// SIGWINCH), but it maps all the same.
fn from_terminal(event: TermEvent) -> Event {
    match event {
        TermEvent::Key(key) => Event::Key(key),
        TermEvent::Paste(text) => Event::Paste(text),
        TermEvent::FocusGained => Event::Focus(true),
        TermEvent::FocusLost => Event::Focus(false),
        TermEvent::Mouse(mouse) => Event::Mouse(mouse),
        TermEvent::Resize(width, height) => Event::Resize { width, height },
    }
}
