//! Loopback helpers shared by the integration tests: an in-process server on an ephemeral port,
//! a line-oriented test client that checks every server line against the protocol, the slow
//! reader flood, and the real binary as a child process.
//!
//! Nothing here sleeps: every read waits for a line under [`WAIT`], and every loop is bounded.
// Each test file uses its own part of these helpers.
#![allow(dead_code)]

pub mod binary;
mod client;
pub mod flood;

use std::net::SocketAddr;
use std::time::Duration;

use papo_server::Config;
use papo_server::log::RoomLog;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

pub use client::{Client, Lines, Msg};

/// The longest a test waits for any one line (or close, or exit). Generous: CI machines are slow,
/// and a test that passes never waits this long.
pub const WAIT: Duration = Duration::from_secs(10);

/// The most lines a helper skips while looking for one it expects.
pub const MAX_SKIP: usize = 100_000;

/// A server running in this process on `127.0.0.1:0` (or another loopback address).
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The default limits without flood control, for tests that send thousands of lines at once
/// (flood control has tests of its own).
pub fn unthrottled() -> Config {
    Config {
        flood: None,
        ..Config::default()
    }
}

impl TestServer {
    /// A server with the default limits.
    pub async fn start() -> Self {
        Self::with_config(Config::default()).await
    }

    /// A server with `config`, on an ephemeral IPv4 loopback port.
    pub async fn with_config(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port on 127.0.0.1");
        Self::on(listener, config)
    }

    /// A server with `config` over an already opened `log`, on an ephemeral IPv4 loopback port.
    pub async fn with_log(config: Config, log: RoomLog) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port on 127.0.0.1");
        Self::serve(listener, config, log)
    }

    /// A server on an already bound `listener`.
    pub fn on(listener: TcpListener, config: Config) -> Self {
        let log = RoomLog::open(&config.history).expect("the room log opens");
        Self::serve(listener, config, log)
    }

    fn serve(listener: TcpListener, config: Config, log: RoomLog) -> Self {
        let addr = listener.local_addr().expect("listener has a local address");
        let (stop, stopped) = oneshot::channel::<()>();
        // The shutdown future resolves when `stop` fires or is dropped with the TestServer.
        let shutdown = async move {
            let _ = stopped.await;
        };
        let log = std::sync::Arc::new(log);
        let task = tokio::spawn(papo_server::run(listener, config, log, shutdown));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Connects a new client (which has not sent anything yet).
    pub async fn connect(&self) -> Client {
        Client::connect(self.addr).await
    }

    /// Connects and joins as `nick`.
    pub async fn join(&self, nick: &str) -> Client {
        Client::join(self.addr, nick).await
    }

    /// Stops the server as a signal would, and waits (bounded) for `run` to return.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self
            .task
            .take()
            .expect("server task present until shutdown");
        timeout(WAIT, task)
            .await
            .expect("papo_server::run returns after shutdown")
            .expect("server task did not panic");
    }
}

/// Joins `nicks` in order; every member already in the room must receive each newcomer's JOIN
/// as its next line (and the newcomer WELCOME then its own JOIN).
pub async fn join_all(addr: SocketAddr, nicks: &[&str]) -> Vec<Client> {
    let mut clients: Vec<Client> = Vec::with_capacity(nicks.len());
    for nick in nicks {
        let newcomer = Client::join(addr, nick).await;
        for member in &mut clients {
            let (id, joined) = member.recv_join().await;
            assert_eq!(&joined, nick, "{}: JOIN for the newcomer", member.label);
            assert_eq!(id, newcomer.join_id, "everyone sees the same JOIN id");
        }
        clients.push(newcomer);
    }
    clients
}

/// `from` sends the chat line `text`; `from` and every observer must receive exactly that `MSG`
/// as their very next line, proving nothing else was sent to them before it. Returns its id.
pub async fn marker(from: &mut Client, observers: &mut [&mut Client], text: &str) -> u64 {
    from.send(text).await;
    let own = from.recv_msg().await;
    assert_eq!(
        (own.nick.as_str(), own.text.as_str()),
        (from.nick.as_str(), text),
        "{}: next line is its own marker",
        from.label
    );
    for observer in observers.iter_mut() {
        let got = observer.recv_msg().await;
        assert_eq!(
            got, own,
            "{}: next line is the marker from {}",
            observer.label, from.nick
        );
    }
    own.id
}
