//! The harness: the real binaries in a pseudo-terminal, a raw line client, polling waits.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child as StdChild, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;
pub const POLL: Duration = Duration::from_millis(20);

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

/// A `papo-server` on a free port, killed when dropped.
pub struct Server {
    child: StdChild,
    /// The port it listens on.
    pub port: u16,
}

impl Server {
    pub fn start() -> Self {
        let mut child = Command::new(server_binary())
            .args(["--host", "127.0.0.1", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("papo-server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("first line");
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        Self { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    _master: Box<dyn MasterPty + Send>,
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
            _master: pair.master,
            config,
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
    }

    pub fn contents(&self) -> String {
        lock(&self.screen).0.screen().contents()
    }

    /// Waits until the screen satisfies `pred`.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if pred(lock(&self.screen).0.screen()) {
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

    /// The terminal is back to normal: alternate screen left, cursor shown, and the output
    /// ends with those sequences.
    pub fn assert_restored(&self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let s = lock(&self.screen);
            let tail_ok = s.1.ends_with(b"\x1b[?1049l\x1b[?25h");
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
