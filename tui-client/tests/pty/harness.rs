//! The harness: the real binaries in a pseudo-terminal, a raw line client, polling waits.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child as StdChild, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;
pub const POLL: Duration = Duration::from_millis(20);
/// What papo writes last when it leaves: mouse reporting off (SGR, then buttons), focus
/// reporting off, bracketed paste off, the alternate screen left, the cursor shown, the saved
/// window title put back.
pub const RESTORED: &[u8] =
    b"\x1b[?1006l\x1b[?1000l\x1b[?1004l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[23;0t";

pub fn papo_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_papo"))
}

/// The `papo-server` next to `papo`, built first (once per test run) so it is current.
pub fn server_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let papo = papo_binary();
            let dir = papo.parent().expect("binary directory");
            let server = dir.join("papo-server");
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = Command::new(cargo);
            build.current_dir(&workspace).args([
                "build",
                "-p",
                "papo-server",
                "--bin",
                "papo-server",
                "--quiet",
            ]);
            if dir.ends_with("release") {
                build.arg("--release");
            }
            let built = build.status().is_ok_and(|s| s.success());
            assert!(built || server.exists(), "could not build papo-server");
            server
        })
        .clone()
}

/// A directory of its own under the system's temporary directory, removed when dropped.
pub struct TempDir {
    /// Where it is.
    pub path: PathBuf,
}

impl TempDir {
    /// A new, empty directory whose name says which test made it.
    pub fn new(what: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("papo-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary directory");
        Self { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A `papo-server` on a free port with its history database in a temporary directory (never
/// the user's), killed when dropped.
pub struct Server {
    child: Option<StdChild>,
    /// The port it listens on.
    pub port: u16,
    dir: TempDir,
}

impl Server {
    pub fn start() -> Self {
        let dir = TempDir::new("server");
        let child = spawn_server(0, &dir.path.join("history.db"));
        let port = child.1;
        Self {
            child: Some(child.0),
            port,
            dir,
        }
    }

    /// A server started with `extra` arguments besides the port and the history; returns it
    /// and the first `lines` lines it printed (its addresses, say).
    pub fn start_with(extra: &[&str], lines: usize) -> (Self, Vec<String>) {
        let dir = TempDir::new("server");
        let mut cmd = Command::new(server_binary());
        cmd.args(["--host", "127.0.0.1", "--port", "0"]);
        cmd.arg("--history-db").arg(dir.path.join("history.db"));
        cmd.args(extra);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("papo-server starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let printed: Vec<String> = (0..lines)
            .map(|_| {
                let mut line = String::new();
                let _ = stdout.read_line(&mut line);
                line.trim().to_owned()
            })
            .collect();
        let port = printed
            .first()
            .and_then(|l| l.strip_prefix("listening on "))
            .and_then(|addr| addr.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("papo-server did not start: {printed:?}"));
        let server = Self {
            child: Some(child),
            port,
            dir,
        };
        (server, printed)
    }

    /// Kills the server with SIGKILL, as a crash would: nothing is said to anyone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same database, killing it first if
    /// it still runs (so this is also a restart). The port is free the moment the old process
    /// is gone, but is polled for until the deadline all the same.
    pub fn start_again(&mut self) {
        self.kill();
        let db = self.dir.path.join("history.db");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match try_spawn_server(self.port, &db) {
                Some((child, port)) => {
                    assert_eq!(port, self.port);
                    self.child = Some(child);
                    return;
                }
                None if Instant::now() < deadline => thread::sleep(POLL),
                None => panic!("papo-server did not start again on port {}", self.port),
            }
        }
    }
}

/// Starts `papo-server` on `port` (0: any free one) with its history in `db`; returns it and
/// its port.
fn spawn_server(port: u16, db: &Path) -> (StdChild, u16) {
    try_spawn_server(port, db).unwrap_or_else(|| panic!("papo-server did not start"))
}

/// Like [`spawn_server`]; `None` if the server did not come up (the port is taken, say).
fn try_spawn_server(port: u16, db: &Path) -> Option<(StdChild, u16)> {
    let mut cmd = Command::new(server_binary());
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
    cmd.arg("--history-db").arg(db);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("papo-server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    let _ = BufReader::new(stdout).read_line(&mut first);
    let port = first
        .trim()
        .strip_prefix("listening on ")
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok());
    match port {
        Some(port) => Some((child, port)),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A raw line client, like `nc`.
pub struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Raw {
    pub fn join(port: u16, nick: &str) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let mut raw = Self {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        };
        raw.expect_line(|l| l.starts_with("HELLO "));
        raw.send(nick);
        raw.expect_line(|l| l.starts_with("WELCOME "));
        raw
    }

    pub fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .expect("write");
    }

    /// Reads lines until one satisfies `pred`; returns it.
    pub fn expect_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        let mut buf = String::new();
        while Instant::now() < deadline {
            match self.reader.read_line(&mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    let line = buf.trim_end().to_owned();
                    buf.clear();
                    if pred(&line) {
                        return line;
                    }
                    seen.push(line);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("read failed: {e}"),
            }
        }
        panic!("no matching line; saw {seen:#?}");
    }
}

/// What the terminal was asked to do besides drawing.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Window titles set.
    pub titles: Vec<Vec<u8>>,
    /// Bells rung.
    pub bells: usize,
    /// Characters vt100 does not draw (it drops U+FFFD, which real terminals show as �).
    pub undrawn: Vec<char>,
}

impl vt100::Callbacks for Recorder {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }

    fn unhandled_char(&mut self, _: &mut vt100::Screen, c: char) {
        self.undrawn.push(c);
    }
}

pub type Shared = Arc<Mutex<(vt100::Parser<Recorder>, Vec<u8>)>>;

pub fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, (vt100::Parser<Recorder>, Vec<u8>)> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `papo` running in a pseudo-terminal, its output parsed by vt100 and kept raw.
pub struct Papo {
    /// The parsed screen and the raw output.
    pub screen: Shared,
    writer: Box<dyn Write + Send>,
    /// The process.
    pub child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    /// The config file it uses.
    pub config: PathBuf,
}

impl Papo {
    pub fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::start_with_config(name, args, env, None)
    }

    /// Like [`Papo::start`], with `config` (if any) written to the config file first.
    pub fn start_with_config(
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
        config_text: Option<&str>,
    ) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let config =
            std::env::temp_dir().join(format!("papo-pty-{}-{name}.toml", std::process::id()));
        let _ = std::fs::remove_file(&config);
        if let Some(text) = config_text {
            std::fs::write(&config, text).expect("config written");
        }
        let mut cmd = CommandBuilder::new(papo_binary());
        cmd.args(args);
        cmd.env("PAPO_CONFIG", &config);
        cmd.env("TERM", "xterm-256color");
        cmd.env("USER", "visitante");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("papo starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = vt100::Parser::new_with_callbacks(ROWS, COLS, 0, Recorder::default());
        let screen: Shared = Arc::new(Mutex::new((parser, Vec::new())));
        let shared = Arc::clone(&screen);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = lock(&shared);
                s.0.process(&buf[..n]);
                s.1.extend_from_slice(&buf[..n]);
            }
        });
        Self {
            screen,
            writer,
            child,
            master: pair.master,
            config,
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
    }

    /// Resizes the terminal (papo gets SIGWINCH) and the screen it is read into.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        lock(&self.screen).0.screen_mut().set_size(rows, cols);
    }

    /// The bottom row (the message line), without trailing blanks.
    pub fn input_row(screen: &vt100::Screen) -> String {
        let (rows, cols) = screen.size();
        let row = screen.contents_between(rows - 1, 0, rows - 1, cols);
        row.trim_end().to_owned()
    }

    pub fn contents(&self) -> String {
        lock(&self.screen).0.screen().contents()
    }

    /// Waits until the screen satisfies `pred`.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            // A copy, so the lock is not held while `pred` runs (it may lock again).
            let screen = lock(&self.screen).0.screen().clone();
            if pred(&screen) {
                return;
            }
            thread::sleep(POLL);
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.contents());
    }

    pub fn wait_text(&self, text: &str) {
        self.wait_for(text, |s| s.contents().contains(text));
    }

    /// Waits for the process to end; returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            thread::sleep(POLL);
        }
        let _ = self.child.kill();
        panic!("papo did not exit; screen:\n{}", self.contents());
    }

    /// The terminal is back to normal: mouse reporting, focus reporting and bracketed paste
    /// off, alternate screen left, cursor shown, and the output ends with those sequences.
    pub fn assert_restored(&self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let s = lock(&self.screen);
            let tail_ok = s.1.ends_with(RESTORED);
            if tail_ok && !s.0.screen().alternate_screen() && !s.0.screen().hide_cursor() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "terminal not restored; tail {:?}",
                String::from_utf8_lossy(&s.1[s.1.len().saturating_sub(80)..])
            );
            drop(s);
            thread::sleep(POLL);
        }
    }
}

impl Drop for Papo {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = std::fs::remove_file(&self.config);
    }
}
