//! `papo-server`: runs the room until SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use papo_server::config::{
    Config, DEFAULT_HISTORY_KEEP, DEFAULT_HISTORY_ON_JOIN, DEFAULT_MAX_BACKLOG_BYTES, DEFAULT_PORT,
    DEFAULT_WINDOW_BYTES,
};
use papo_server::flood::FloodConfig;
use papo_server::log::{LogConfig, RoomLog, Storage};
use papo_server::password::{self, RoomPassword};
use papo_server::server::Listeners;
use papo_server::tls::{self, DEFAULT_TLS_PORT, TlsListener};
use std::path::PathBuf;
use std::sync::Arc;
use tracing_appender::non_blocking::NonBlockingBuilder;
use tracing_subscriber::EnvFilter;

/// Log lines buffered for stderr before new ones are dropped.
const LOG_BUFFER_LINES: usize = 1024;

/// papo's chat server: one room, every line relayed to every member. Speak to it with the
/// `papo` client or with `nc HOST PORT`.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 interface),
    /// :: (IPv6, and IPv4 where the system allows) or a host name.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// TCP port; 0 picks a free one (the address is printed on start).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Longest line a client may send, in bytes (longer lines get an error and are dropped).
    #[arg(long, default_value_t = Config::default().max_line_bytes, value_parser = sizes(64..=65_536))]
    max_line_bytes: usize,
    /// Most connections at once; more are told the server is full and closed.
    #[arg(long, default_value_t = Config::default().max_clients, value_parser = sizes(1..=1_000_000))]
    max_clients: usize,
    /// Most bytes of replies (USERS, HELP, errors) queued for one connection before it is
    /// disconnected for asking faster than it reads. Room events are never queued: a slow
    /// reader is caught up from the history instead.
    #[arg(long, default_value_t = Config::default().max_queue_bytes, value_parser = sizes(8192..=1_073_741_824))]
    max_queue_bytes: usize,
    /// The history file (SQLite), created if missing [default: $XDG_DATA_HOME/papo-server/history.db,
    /// i.e. ~/.local/share/papo-server/history.db].
    #[arg(long, value_name = "PATH", conflicts_with = "no_history")]
    history_db: Option<PathBuf>,
    /// Keep history in memory only: it lasts as long as the process (tests, throwaway rooms).
    #[arg(long)]
    no_history: bool,
    /// Room events kept in the history; older ones are pruned in the background.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_KEEP, value_parser = clap::value_parser!(u64).range(100..=1_000_000_000))]
    history_keep: u64,
    /// Events replayed to someone who joins (0 = none).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_ON_JOIN, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    history_on_join: u64,
    /// Bytes of recent events kept in memory for every connection to read; a reader further
    /// behind is caught up from the history file.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_WINDOW_BYTES, value_parser = sizes(65_536..=1_073_741_824))]
    window_bytes: usize,
    /// Lines one member may send to the room at once (a paste) before the rate applies.
    #[arg(long, value_name = "N", default_value_t = FloodConfig::default().burst, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    flood_burst: u32,
    /// Lines per second one member may send to the room after the burst; more wait their turn.
    #[arg(long, value_name = "N", default_value_t = FloodConfig::default().per_second, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    flood_rate: u32,
    /// Bytes of lines a member may send ahead of its turn; past it, it is disconnected as a
    /// flooder.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BACKLOG_BYTES, value_parser = sizes(4096..=1_073_741_824))]
    max_backlog_bytes: usize,
    /// No flood control: every line goes out as it arrives (benchmarks, trusted rooms).
    #[arg(long)]
    no_flood_limit: bool,
    /// Seconds a connection may stay without choosing a nickname before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = Config::default().register_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    register_timeout_secs: u64,
    /// Refused nicknames one connection may have; one more closes it.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_nick_attempts, value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_nick_attempts: u32,
    /// Connections still choosing a nickname at once; more are told to retry and closed.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_unjoined, value_parser = sizes(1..=1_000_000))]
    max_unjoined: usize,
    /// Seconds to flush queued lines on shutdown before closing connections anyway.
    #[arg(long, default_value_t = Config::default().shutdown_grace.as_secs(), value_parser = clap::value_parser!(u64).range(0..=3600))]
    shutdown_grace_secs: u64,
    /// Seconds a connection may stay silent before TCP keepalive probes it (a vanished peer is
    /// then dropped about a minute later); 0 turns probing off.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    keepalive_secs: u64,
    /// A file whose first line is the room's password: nobody joins, lists the members or
    /// reads the history without it. (A file, never an argument: on a shared machine every
    /// user can read other people's command lines.)
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The TLS certificate (PEM, the server's certificate first, then any intermediates);
    /// with --tls-key, opens the TLS port beside the plain one.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Port of the TLS listener (0 picks a free one); used with --tls-cert and --tls-key.
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_TLS_PORT)]
    tls_port: u16,
}

/// A parser for a size within `range`, with clap's own error message outside it.
fn sizes(range: std::ops::RangeInclusive<u64>) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(range)
}

impl Cli {
    fn config(&self) -> Config {
        Config {
            max_line_bytes: self.max_line_bytes,
            max_clients: self.max_clients,
            max_queue_bytes: self.max_queue_bytes,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
            keepalive: (self.keepalive_secs > 0).then(|| Duration::from_secs(self.keepalive_secs)),
            history: LogConfig {
                storage: self.storage(),
                keep: self.history_keep,
                window_bytes: self.window_bytes,
            },
            history_on_join: self.history_on_join,
            flood: (!self.no_flood_limit).then_some(FloodConfig {
                burst: self.flood_burst,
                per_second: self.flood_rate,
            }),
            max_backlog_bytes: self.max_backlog_bytes,
            register_timeout: Duration::from_secs(self.register_timeout_secs),
            max_nick_attempts: self.max_nick_attempts,
            max_unjoined: self.max_unjoined,
            ..Config::default()
        }
    }

    fn storage(&self) -> Storage {
        if self.no_history {
            return Storage::Memory;
        }
        Storage::File(self.history_db.clone().unwrap_or_else(default_history_db))
    }
}

/// `$XDG_DATA_HOME/papo-server/history.db`, or `papo-history.db` here when there is no home.
fn default_history_db() -> PathBuf {
    match dirs::data_dir() {
        Some(dir) => dir.join("papo-server").join("history.db"),
        None => PathBuf::from("papo-history.db"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go through a background writer that drops lines rather than wait: a stderr that
    // blocks (a paused terminal, a full pipe) must never stall the room, whose lock a log
    // call may be made under. Its channel is allocated up front, so it is kept small (the
    // default, 128 000 lines, costs 4 MiB). The guard flushes what is buffered when main returns.
    let (stderr, _flush_on_exit) = NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .lossy(true)
        .finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match serve(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One readable line, whatever RUST_BACKTRACE says.
            eprintln!("papo-server: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.config();
    config.validate()?;
    if let Some(path) = &cli.password_file {
        config.password = Some(RoomPassword::from_file(path)?);
        if password::readable_by_others(path) {
            tracing::warn!(
                path = %path.display(),
                "other users of this machine can read the password file; chmod 600 it"
            );
        }
    }
    let identity = match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => Some(tls::load(cert, key)?),
        _ => None,
    };
    ensure_file_limit(config.max_clients);
    let log = RoomLog::open(&config.history).context("cannot open the history")?;
    match &config.history.storage {
        Storage::File(path) => tracing::info!(
            path = %path.display(),
            newest = log.stored().newest.0,
            "history file opened"
        ),
        Storage::Memory => tracing::info!("history in memory only (--no-history)"),
    }
    let log = Arc::new(log);
    let listener = papo_server::server::listen(&cli.host, cli.port)
        .await
        .with_context(|| format!("cannot listen on {}:{}", cli.host, cli.port))?;
    let addr = listener.local_addr().context("no local address")?;
    // Scripts read these lines to find the ports; they go to stdout, logs go to stderr.
    println!("listening on {addr}");
    let tls = match identity {
        Some(identity) => {
            let listener = papo_server::server::listen(&cli.host, cli.tls_port)
                .await
                .with_context(|| format!("cannot listen on {}:{} (TLS)", cli.host, cli.tls_port))?;
            let addr = listener.local_addr().context("no local address")?;
            println!("listening on {addr} (TLS)");
            // People compare this with what `papo` shows before trusting the certificate.
            println!(
                "TLS certificate SHA-256 fingerprint: {}",
                identity.fingerprint
            );
            Some(TlsListener {
                listener,
                acceptor: identity.acceptor,
            })
        }
        None => None,
    };
    tracing::info!(%addr, ?config, "papo-server started");
    let listeners = Listeners {
        plain: listener,
        tls,
    };
    papo_server::run(listeners, config, log, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(err) => {
            tracing::warn!(%err, "cannot watch SIGTERM; only SIGINT stops the server");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// File descriptors the server needs besides one per client (listener, stdio, runtime).
const SPARE_FILES: u64 = 64;

/// Raises the soft limit on open files to what `max_clients` needs when the hard limit allows,
/// and warns when it cannot: past the limit, `accept` fails for everyone.
fn ensure_file_limit(max_clients: usize) {
    let needed = u64::try_from(max_clients)
        .unwrap_or(u64::MAX)
        .saturating_add(SPARE_FILES);
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes into the struct we own and pass by pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return;
    }
    if limit.rlim_cur >= needed {
        return;
    }
    let wanted = libc::rlimit {
        rlim_cur: needed.min(limit.rlim_max),
        rlim_max: limit.rlim_max,
    };
    // SAFETY: setrlimit only reads the struct we pass by pointer.
    let raised = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) } == 0;
    let now = if raised {
        wanted.rlim_cur
    } else {
        limit.rlim_cur
    };
    if now < needed {
        tracing::warn!(
            open_files = now,
            needed,
            "the open-file limit is below --max-clients; raise it (ulimit -n) or lower --max-clients"
        );
    }
}
