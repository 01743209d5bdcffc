//! The real `papo-server` binary as a child process: its address read from the first stdout
//! line, its stderr drained in the background (and shown when a test fails), and the process
//! killed when the guard is dropped, so a failing test leaves nothing running.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::timeout;

use super::WAIT;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_papo-server");

/// How many stderr lines are kept to show when a test fails.
const STDERR_TAIL: usize = 200;

/// The binary with `args`; history in memory unless the test names a file (tests never touch
/// the user's default history file).
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    if !args
        .iter()
        .any(|a| a.starts_with("--history-db") || *a == "--no-history")
    {
        command.arg("--no-history");
    }
    command
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs the binary with `args` to completion (bounded by [`WAIT`]; killed past it) and returns
/// its exit status, stdout and stderr.
pub async fn run_to_exit(args: &[&str]) -> (ExitStatus, String, String) {
    let child = command(args).spawn().expect("spawn papo-server");
    let output = timeout(WAIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("papo-server {args:?} did not exit within {WAIT:?}"))
        .expect("collect papo-server's output");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A running `papo-server`.
pub struct ServerProcess {
    child: Child,
    /// Its process id.
    pub pid: u32,
    /// Its first stdout line, `listening on ADDR`.
    pub listening: String,
    /// The address from that line.
    pub addr: SocketAddr,
    stdout: tokio::io::Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl ServerProcess {
    /// Starts the binary with `args` (which should include `--port 0`) and waits for the first
    /// stdout line, which must be `listening on ADDR`.
    pub async fn start(args: &[&str]) -> Self {
        let mut child = command(args).spawn().expect("spawn papo-server");
        let pid = child.id().expect("a running child has a pid");
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let mut err_lines = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
        let tail = Arc::clone(&stderr);
        tokio::spawn(async move {
            // Drained so the server never blocks on a full pipe; the tail is kept for failures.
            while let Ok(Some(line)) = err_lines.next_line().await {
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = timeout(WAIT, stdout.next_line())
            .await
            .expect("papo-server prints its address promptly")
            .expect("read papo-server's stdout")
            .expect("papo-server printed a line before exiting");
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .unwrap_or_else(|| panic!("first stdout line is not `listening on ADDR`: {first:?}"));
        Self {
            child,
            pid,
            listening: first,
            addr,
            stdout,
            stderr,
        }
    }

    /// Sends signal `name` (`TERM`, `INT`) with the system's `kill`.
    pub async fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid.to_string()])
            .status()
            .await
            .expect("run kill");
        assert!(status.success(), "kill -s {name} {} failed", self.pid);
    }

    /// Waits (bounded by [`WAIT`]) for the process to exit.
    pub async fn wait_exit(&mut self) -> ExitStatus {
        timeout(WAIT, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("papo-server did not exit within {WAIT:?}"))
            .expect("wait for papo-server")
    }

    /// Its next stdout line (bounded by [`WAIT`]).
    pub async fn next_stdout(&mut self) -> String {
        timeout(WAIT, self.stdout.next_line())
            .await
            .expect("papo-server prints promptly")
            .expect("read papo-server's stdout")
            .expect("papo-server printed another line")
    }

    /// Whatever else it printed on stdout, up to its end (call after it exited).
    pub async fn rest_of_stdout(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Ok(Ok(Some(line))) = timeout(WAIT, self.stdout.next_line()).await {
            rest.push(line);
        }
        rest
    }

    /// A `kB` field of `/proc/PID/status` (`VmRSS`, `VmHWM`), in KiB.
    pub fn status_kib(&self, field: &str) -> u64 {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.trim().strip_suffix("kB"))
            .and_then(|kib| kib.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {path}"))
    }

    /// The last lines it logged.
    pub fn stderr_tail(&self) -> String {
        let tail = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "papo-server (pid {}) stderr, last lines:\n{}",
                self.pid,
                self.stderr_tail()
            );
        }
        // Already exited in a passing test; otherwise it must not outlive the test.
        let _ = self.child.start_kill();
    }
}
