//! `papo-server`: runs the room until SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::builder::RangedU64ValueParser;
use clap::{CommandFactory, FromArgMatches, Parser};
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

/// mimalloc, not glibc's allocator: every line said in the room allocates its event, which the
/// history frees much later, in arrival order; glibc's malloc and free took about a seventh of
/// the server's time at full load, mimalloc's a twentieth (docs/architecture.md, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Log lines buffered for stderr before new ones are dropped.
const LOG_BUFFER_LINES: usize = 1024;

/// papo-server — servidor de bate-papo do papo: uma sala, cada linha retransmitida a todos.
///
/// Fale com ele pelo cliente `papo` ou com `nc HOST PORTA`. Os limites e o protocolo estão em
/// docs/protocol.md; o histórico fica em ~/.local/share/papo-server/history.db.
#[derive(Debug, Parser)]
#[command(version, about, override_usage = "papo-server [OPÇÕES]")]
struct Cli {
    /// Endereço em que escutar: 127.0.0.1 (só esta máquina), 0.0.0.0 (toda interface IPv4),
    /// :: (IPv6, e IPv4 onde o sistema permite) ou um nome.
    #[arg(long, value_name = "ENDEREÇO", default_value = "127.0.0.1")]
    host: String,
    /// Porta TCP; 0 escolhe uma livre (o endereço é impresso ao iniciar).
    #[arg(long, value_name = "PORTA", default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Maior linha que um cliente pode enviar, em bytes (as maiores recebem um erro e são
    /// descartadas).
    #[arg(long, value_name = "BYTES", default_value_t = Config::default().max_line_bytes, value_parser = sizes(64..=65_536))]
    max_line_bytes: usize,
    /// Máximo de conexões ao mesmo tempo; as demais são avisadas de que o servidor está cheio
    /// e fechadas.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_clients, value_parser = sizes(1..=1_000_000))]
    max_clients: usize,
    /// Bytes de respostas (USERS, HELP, erros) na fila de uma conexão; passada a metade, o
    /// servidor para de ler essa conexão até ela ler as respostas. Eventos da sala nunca fazem
    /// fila: quem lê devagar é posto em dia a partir do histórico.
    #[arg(long, value_name = "BYTES", default_value_t = Config::default().max_queue_bytes, value_parser = sizes(8192..=1_073_741_824))]
    max_queue_bytes: usize,
    /// O arquivo do histórico (SQLite), criado se não existir [padrão:
    /// $XDG_DATA_HOME/papo-server/history.db, isto é, ~/.local/share/papo-server/history.db].
    #[arg(long, value_name = "ARQUIVO", conflicts_with = "no_history")]
    history_db: Option<PathBuf>,
    /// Histórico só na memória: dura o que dura o processo (testes, salas descartáveis).
    #[arg(long)]
    no_history: bool,
    /// Eventos da sala guardados no histórico; os mais antigos são apagados aos poucos.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_KEEP, value_parser = clap::value_parser!(u64).range(100..=1_000_000_000))]
    history_keep: u64,
    /// Eventos mostrados a quem entra (0 = nenhum).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_ON_JOIN, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    history_on_join: u64,
    /// Bytes de eventos recentes guardados na memória para todas as conexões lerem; quem está
    /// mais atrás é posto em dia a partir do arquivo do histórico.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_WINDOW_BYTES, value_parser = sizes(65_536..=1_073_741_824))]
    window_bytes: usize,
    /// Linhas que alguém pode enviar à sala de uma vez (uma colagem) antes de valer o ritmo.
    #[arg(long, value_name = "N", default_value_t = FloodConfig::default().burst, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    flood_burst: u32,
    /// Linhas por segundo que alguém pode enviar à sala depois da rajada; as demais esperam a
    /// vez.
    #[arg(long, value_name = "N", default_value_t = FloodConfig::default().per_second, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    flood_rate: u32,
    /// Bytes de linhas que alguém pode enviar à frente da sua vez; passado isso, é
    /// desconectado por inundar a sala.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BACKLOG_BYTES, value_parser = sizes(4096..=1_073_741_824))]
    max_backlog_bytes: usize,
    /// Sem controle de inundação: cada linha sai quando chega (medições, salas de confiança).
    #[arg(long)]
    no_flood_limit: bool,
    /// Segundos que uma conexão pode ficar sem escolher apelido antes de ser fechada.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = Config::default().register_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    register_timeout_secs: u64,
    /// Apelidos recusados por conexão; mais um a fecha.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_nick_attempts, value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_nick_attempts: u32,
    /// Conexões ainda sem apelido ao mesmo tempo; as demais são avisadas para tentar mais
    /// tarde e fechadas.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_unjoined, value_parser = sizes(1..=1_000_000))]
    max_unjoined: usize,
    /// Segundos para entregar o que está na fila ao encerrar, antes de fechar as conexões
    /// assim mesmo.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = Config::default().shutdown_grace.as_secs(), value_parser = clap::value_parser!(u64).range(0..=3600))]
    shutdown_grace_secs: u64,
    /// Segundos de silêncio antes de o TCP keepalive sondar uma conexão (quem sumiu cai cerca
    /// de um minuto depois); 0 desliga as sondas.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    keepalive_secs: u64,
    /// Arquivo cuja primeira linha é a senha da sala: sem ela ninguém entra, vê quem está ou
    /// lê o histórico. (Um arquivo, nunca um argumento: numa máquina compartilhada todos leem
    /// a linha de comando dos outros.)
    #[arg(long, value_name = "ARQUIVO")]
    password_file: Option<PathBuf>,
    /// O certificado TLS (PEM: o do servidor primeiro, depois os intermediários); com
    /// --tls-key, abre a porta TLS ao lado da de texto puro.
    #[arg(long, value_name = "ARQUIVO", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// A chave privada do certificado TLS (PEM).
    #[arg(long, value_name = "ARQUIVO", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Porta TLS (0 escolhe uma livre); vale com --tls-cert e --tls-key.
    #[arg(long, value_name = "PORTA", default_value_t = DEFAULT_TLS_PORT)]
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

fn main() -> ExitCode {
    // No transparent huge pages: mimalloc asks for them, and an idle member then cost about
    // 6 KiB of resident memory instead of 4 (each huge page is resident in full).
    // SAFETY: prctl with integer arguments only; failure leaves the default, which works.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0)
    };
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(serve_room()),
        Err(err) => {
            eprintln!("papo-server: não foi possível iniciar: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_room() -> ExitCode {
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
    let cli = papo_protocol::cli::matches(papo_protocol::cli::in_portuguese(Cli::command()));
    let cli = match Cli::from_arg_matches(&cli) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match serve(cli).await {
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
