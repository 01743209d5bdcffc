//! The test client: a loopback TCP connection whose reader checks every server line against
//! the protocol (grammar, terminator, no forbidden character) and never waits past [`WAIT`].

use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use papo_protocol::{ErrorCode, LeaveKind, ServerLine, Timestamp, is_forbidden_char};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

use super::{MAX_SKIP, WAIT};

/// One event line (`MSG`), with its fields as plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// Event id.
    pub id: u64,
    /// Server timestamp.
    pub time: Timestamp,
    /// Sender.
    pub nick: String,
    /// Text as relayed.
    pub text: String,
}

/// The receiving half of a client: reads server lines with a timeout and checks each one.
pub struct Lines {
    reader: BufReader<OwnedReadHalf>,
    /// Who this is, for failure messages.
    pub label: String,
}

impl Lines {
    /// The next line without its LF; `Ok(None)` at end of stream. Panics after [`WAIT`], on an
    /// unterminated last line, on non-UTF-8, and on a line holding a character the protocol
    /// never relays (a server line must never carry one).
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        let read = timeout(WAIT, self.reader.read_until(b'\n', &mut buf)).await;
        let Ok(read) = read else {
            panic!(
                "{}: nothing from the server within {WAIT:?} (partial line: {:?})",
                self.label,
                String::from_utf8_lossy(&buf)
            );
        };
        if read? == 0 {
            return Ok(None);
        }
        let Some(body) = buf.strip_suffix(b"\n") else {
            panic!(
                "{}: the server closed in the middle of a line: {:?}",
                self.label,
                String::from_utf8_lossy(&buf)
            );
        };
        let line = String::from_utf8(body.to_vec()).unwrap_or_else(|err| {
            panic!("{}: server line is not UTF-8: {err}", self.label);
        });
        if let Some(bad) = line.chars().find(|&c| is_forbidden_char(c)) {
            panic!(
                "{}: server line holds forbidden U+{:04X}: {line:?}",
                self.label,
                u32::from(bad)
            );
        }
        Ok(Some(line))
    }

    /// The next complete line, or `None` when the stream ends, fails, or stops in the middle of
    /// a line (a server killed mid-write), or nothing arrives within [`WAIT`].
    pub async fn next_complete_line(&mut self) -> Option<String> {
        let mut buf = Vec::new();
        match timeout(WAIT, self.reader.read_until(b'\n', &mut buf)).await {
            Ok(Ok(n)) if n > 0 && buf.ends_with(b"\n") => {
                buf.pop();
                Some(String::from_utf8(buf).expect("server lines are UTF-8"))
            }
            _ => None,
        }
    }

    /// The next line, parsed, or `None` if none arrives `within` (the reader must not be used
    /// again after that: a line may have been cut).
    pub async fn try_recv(&mut self, within: Duration) -> Option<ServerLine> {
        timeout(within, self.recv()).await.ok()
    }

    /// The next line, raw. Panics at end of stream or on a read error.
    pub async fn recv_raw(&mut self) -> String {
        match self.next_line().await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("{}: connection closed; expected a line", self.label),
            Err(err) => panic!("{}: read error ({err}); expected a line", self.label),
        }
    }

    /// The next line, parsed. A line that does not follow the grammar is a protocol bug.
    pub async fn recv(&mut self) -> ServerLine {
        let raw = self.recv_raw().await;
        ServerLine::parse(&raw)
            .unwrap_or_else(|err| panic!("{}: malformed server line: {err}", self.label))
    }

    /// The next line, which must be a `MSG`.
    pub async fn recv_msg(&mut self) -> Msg {
        match self.recv().await {
            ServerLine::Message {
                id,
                time,
                nick,
                text,
            } => Msg {
                id: id.0,
                time,
                nick: nick.to_string(),
                text,
            },
            other => panic!("{}: expected MSG, got {other:?}", self.label),
        }
    }

    /// The next line, which must be `ERR <code>`; returns its text.
    pub async fn recv_error(&mut self, code: ErrorCode) -> String {
        match self.recv().await {
            ServerLine::Error { code: got, text } if got == code => text,
            other => panic!("{}: expected ERR {code}, got {other:?}", self.label),
        }
    }

    /// The next line, which must be a `PART`; returns (id, nick, kind, reason).
    pub async fn recv_part(&mut self) -> (u64, String, LeaveKind, String) {
        match self.recv().await {
            ServerLine::Left {
                id,
                nick,
                kind,
                reason,
                ..
            } => (id.0, nick.to_string(), kind, reason),
            other => panic!("{}: expected PART, got {other:?}", self.label),
        }
    }

    /// The next line, which must be a `JOIN`; returns (id, nick).
    pub async fn recv_join(&mut self) -> (u64, String) {
        match self.recv().await {
            ServerLine::Joined { id, nick, .. } => (id.0, nick.to_string()),
            other => panic!("{}: expected JOIN, got {other:?}", self.label),
        }
    }

    /// The next line, which must be a `BYE`; returns its text.
    pub async fn recv_bye(&mut self) -> String {
        match self.recv().await {
            ServerLine::Bye { text } => text,
            other => panic!("{}: expected BYE, got {other:?}", self.label),
        }
    }

    /// The next reply, which must be `USERS` (all its parts, back to back, when the list
    /// does not fit in one line); returns the nicknames in the order sent.
    pub async fn recv_users(&mut self) -> Vec<String> {
        let mut names = Vec::new();
        for _ in 0..MAX_SKIP {
            match self.recv().await {
                ServerLine::Users {
                    count,
                    offset,
                    nicks,
                } => {
                    assert_eq!(offset, names.len(), "{}: USERS parts in order", self.label);
                    names.extend(nicks.iter().map(ToString::to_string));
                    if names.len() >= count {
                        return names;
                    }
                }
                other => panic!("{}: expected USERS, got {other:?}", self.label),
            }
        }
        panic!("{}: a USERS list that never ends", self.label);
    }

    /// The next line, which must be `HELLO papo 2 <epoch>`; returns the epoch.
    pub async fn expect_hello(&mut self) -> String {
        match self.recv().await {
            ServerLine::Hello {
                version: 2,
                epoch: Some(epoch),
                ..
            } => epoch,
            other => panic!("{}: expected HELLO papo 2, got {other:?}", self.label),
        }
    }

    /// The server closes the connection next: no further line, then end of stream. A reset
    /// counts as closed too: a server that closes with unread input makes Linux send RST, and
    /// the lines before it have been read already.
    pub async fn expect_closed(&mut self) {
        match self.next_line().await {
            Ok(None) => {}
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                ) => {}
            Err(err) => panic!("{}: expected close, got read error {err}", self.label),
            Ok(Some(line)) => panic!("{}: expected close, got line {line:?}", self.label),
        }
    }

    /// Reads until a line matching `wanted`, returning the lines skipped and the match.
    /// Panics after [`MAX_SKIP`] lines or if the stream ends.
    pub async fn recv_until(
        &mut self,
        mut wanted: impl FnMut(&ServerLine) -> bool,
    ) -> (Vec<ServerLine>, ServerLine) {
        let mut skipped = Vec::new();
        for _ in 0..MAX_SKIP {
            let line = self.recv().await;
            if wanted(&line) {
                return (skipped, line);
            }
            skipped.push(line);
        }
        panic!("{}: wanted line not found in {MAX_SKIP} lines", self.label);
    }
}

/// A test client: a TCP connection with `TCP_NODELAY`, the line reader ([`Lines`], reachable
/// through `Deref`) and the raw writer.
pub struct Client {
    lines: Lines,
    writer: OwnedWriteHalf,
    /// The nickname it joined as (NFC), once joined.
    pub nick: String,
    /// The id of its own `JOIN`, once joined.
    pub join_id: u64,
    /// The resume token from its `WELCOME`.
    pub token: String,
    /// The replay it received on joining (replayed events and `SKIPPED` lines).
    pub replayed: Vec<ServerLine>,
}

impl Deref for Client {
    type Target = Lines;

    fn deref(&self) -> &Lines {
        &self.lines
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut Lines {
        &mut self.lines
    }
}

impl Client {
    /// Connects to `addr`; nothing is read yet.
    pub async fn connect(addr: SocketAddr) -> Self {
        let stream = timeout(WAIT, TcpStream::connect(addr))
            .await
            .expect("connect within the deadline")
            .expect("connect to the test server");
        Self::from_stream(stream)
    }

    /// Connects with a receive buffer of about `bytes` (set before connecting, so the TCP window
    /// stays small and the kernel buffers fill fast for a client that does not read).
    pub async fn connect_with_recv_buffer(addr: SocketAddr, bytes: u32) -> Self {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .expect("create a socket");
        socket
            .set_recv_buffer_size(bytes)
            .expect("set SO_RCVBUF before connecting");
        let stream = timeout(WAIT, socket.connect(addr))
            .await
            .expect("connect within the deadline")
            .expect("connect to the test server");
        Self::from_stream(stream)
    }

    fn from_stream(stream: TcpStream) -> Self {
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        let label = format!(
            "client {}",
            stream.local_addr().map_or(String::new(), |a| a.to_string())
        );
        let (read, writer) = stream.into_split();
        Self {
            lines: Lines {
                reader: BufReader::new(read),
                label,
            },
            writer,
            nick: String::new(),
            join_id: 0,
            token: String::new(),
            replayed: Vec::new(),
        }
    }

    /// Connects and joins as `nick`: HELLO, then WELCOME and its own JOIN.
    pub async fn join(addr: SocketAddr, nick: &str) -> Self {
        let mut client = Self::connect(addr).await;
        client.expect_hello().await;
        client.login(nick, nick).await;
        client
    }

    /// After HELLO (and any refused attempts): sends `wanted` as its nickname and expects to be
    /// welcomed as `expected` (the server's NFC spelling): WELCOME first, the replay, LIVE, then
    /// its own JOIN.
    pub async fn login(&mut self, wanted: &str, expected: &str) {
        self.send(wanted).await;
        self.welcomed(expected).await;
    }

    /// Reads what follows a successful join line: WELCOME as `expected`, the replay (kept in
    /// `replayed`), LIVE, and its own JOIN.
    pub async fn welcomed(&mut self, expected: &str) {
        self.lines.label = format!("{expected:?}");
        match self.recv().await {
            ServerLine::Welcome {
                nick,
                token: Some(token),
                ..
            } if nick.as_str() == expected => self.token = token,
            other => panic!("{}: expected WELCOME {expected}, got {other:?}", self.label),
        }
        self.replayed.clear();
        let live = loop {
            match self.recv().await {
                ServerLine::Live { last, .. } => break last.0,
                line @ (ServerLine::Replayed(_) | ServerLine::Skipped { .. }) => {
                    self.replayed.push(line);
                }
                other => panic!("{}: expected the replay or LIVE, got {other:?}", self.label),
            }
        };
        let (id, nick) = self.recv_join().await;
        assert_eq!(nick, expected, "the joiner's own JOIN names it");
        assert_eq!(id, live + 1, "its JOIN is the first live event");
        self.nick = expected.to_owned();
        self.join_id = id;
    }

    /// Sends `line` and its LF.
    pub async fn send(&mut self, line: &str) {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.send_raw(&bytes).await;
    }

    /// Sends `bytes` exactly as given.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        timeout(WAIT, self.writer.write_all(bytes))
            .await
            .expect("write within the deadline")
            .unwrap_or_else(|err| panic!("{}: write failed: {err}", self.lines.label));
    }

    /// Sends `bytes`, ignoring a failure (for peers the server is about to cut off).
    pub async fn send_raw_lenient(&mut self, bytes: &[u8]) -> io::Result<()> {
        timeout(WAIT, self.writer.write_all(bytes))
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
    }

    /// Closes the sending direction (FIN), as `nc -N` does at the end of its input; the
    /// connection can still receive.
    pub async fn shutdown_write(&mut self) {
        timeout(WAIT, self.writer.shutdown())
            .await
            .expect("shutdown within the deadline")
            .expect("shut down the sending direction");
    }

    /// Like [`shutdown_write`](Self::shutdown_write), for a peer the server may have cut off.
    pub async fn shutdown_write_lenient(&mut self) -> io::Result<()> {
        timeout(WAIT, self.writer.shutdown())
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
    }

    /// Puts a client split with [`into_split`](Self::into_split) back together.
    pub fn from_parts(lines: Lines, writer: OwnedWriteHalf, nick: String, join_id: u64) -> Self {
        Self {
            lines,
            writer,
            nick,
            join_id,
            token: String::new(),
            replayed: Vec::new(),
        }
    }

    /// Splits into the reader and the raw writer, for concurrent use in two tasks.
    pub fn into_split(self) -> (Lines, OwnedWriteHalf) {
        (self.lines, self.writer)
    }
}
