//! The connection task: a tokio `TcpStream` (inside TLS when asked, see [`crate::tls`]), read
//! through `FramedRead` with
//! [`papo_protocol::LineDecoder`] (the protocol crate's `codec` feature, shared with the server),
//! written from a bounded queue. It reports everything as
//! [`Event::Net`] values tagged with its [`ConnId`], so the app can ignore an old connection.
//!
//! Text from the network is cleaned ([`sanitize::clean`]) here, once, as each line arrives,
//! before it is parsed: nothing from the server reaches the app, let alone the terminal, with a
//! control character or bidi override in it.

use std::io;
use std::time::Duration;

use futures::StreamExt;
use papo_protocol::{ClientLine, Frame, LineDecoder, ServerLine};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use crate::app::{ConnId, Event, NetEvent};
use crate::sanitize;
use crate::tls::{self, TlsError, TlsSettings};

/// Longest line accepted from the server. Generous: a `USERS` line for a full room is long.
pub const MAX_SERVER_LINE_BYTES: usize = 1 << 20;
/// How long opening the TCP connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines waiting to be written before [`Connection::send`] refuses more.
pub const OUTBOX_LINES: usize = 256;
/// In debug builds, when this environment variable is set the connection task panics right
/// after connecting (for the tests of the panic hook).
#[cfg(debug_assertions)]
pub const DEBUG_PANIC_ENV: &str = "PAPO_DEBUG_PANIC_IN_NET";

/// Turns one frame into what the app hears, cleaning the text first.
pub fn frame_event(frame: Frame) -> NetEvent {
    match frame {
        Frame::Line(raw) => {
            let line = sanitize::clean(&raw);
            match ServerLine::parse(&line) {
                Ok(parsed) => NetEvent::Line(parsed),
                Err(_) => NetEvent::Malformed(line),
            }
        }
        Frame::TooLong => NetEvent::Garbled("linha longa demais".to_owned()),
        Frame::InvalidUtf8 => NetEvent::Garbled("não é UTF-8".to_owned()),
        Frame::Runaway => NetEvent::Closed("o servidor enviou uma linha sem fim".to_owned()),
    }
}

/// Idle time before TCP keepalive probes a silent server, the pause between probes and how many
/// go unanswered before the connection counts as lost; the same time bounds how long sent lines
/// may stay unacknowledged (`TCP_USER_TIMEOUT`). A network that vanished (a laptop lid, a NAT
/// that forgot the connection) is then noticed in about a minute, and papo reconnects.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_PROBES: u32 = 3;

/// Sets keepalive and the unacknowledged-data timeout on the connection.
fn watch_liveness(stream: &TcpStream) -> io::Result<()> {
    let socket = socket2::SockRef::from(stream);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_PROBES);
    socket.set_tcp_keepalive(&keepalive)?;
    socket.set_tcp_user_timeout(Some(KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_PROBES))
}

/// Why a connection could not be opened, in Portuguese.
pub fn describe_io_error(e: &io::Error) -> String {
    let what = match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            "conexão recusada (o servidor está rodando nessa porta?)"
        }
        io::ErrorKind::TimedOut => "tempo esgotado",
        io::ErrorKind::ConnectionReset => "conexão reiniciada pelo servidor",
        io::ErrorKind::ConnectionAborted => "conexão interrompida",
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "servidor inalcançável"
        }
        io::ErrorKind::AddrNotAvailable => "endereço indisponível",
        // What a TLS connection reports when the server vanished without closing TLS.
        io::ErrorKind::UnexpectedEof => "a conexão terminou de repente",
        io::ErrorKind::InvalidData => "o servidor enviou dados TLS inválidos",
        io::ErrorKind::BrokenPipe => "conexão interrompida (o servidor fechou)",
        io::ErrorKind::NotConnected => "não conectado",
        io::ErrorKind::PermissionDenied => "permissão negada",
        io::ErrorKind::NotFound => "não encontrado",
        io::ErrorKind::AddrInUse => "endereço em uso",
        io::ErrorKind::WriteZero => "a conexão não aceitou mais dados",
        io::ErrorKind::Interrupted => "interrompido",
        io::ErrorKind::OutOfMemory => "memória insuficiente",
        io::ErrorKind::StorageFull => "disco cheio",
        io::ErrorKind::ReadOnlyFilesystem => "sistema de arquivos somente leitura",
        // The operating system's own text is in English: its number says as much.
        _ => {
            return match e.raw_os_error() {
                Some(n) => format!("erro do sistema nº {n}"),
                None => format!("erro de conexão: {}", sanitize::clean(&e.to_string())),
            };
        }
    };
    what.to_owned()
}

/// A running connection. Dropping it closes the connection gracefully: lines already queued are
/// written, then the socket is shut down.
#[derive(Debug)]
pub struct Connection {
    outbox: mpsc::Sender<String>,
}

impl Connection {
    /// Opens a connection to `host:port` (in TLS with `tls`) in a new task that reports to
    /// `events`.
    pub fn open(
        id: ConnId,
        host: String,
        port: u16,
        tls: Option<TlsSettings>,
        events: mpsc::Sender<Event>,
    ) -> Self {
        let (outbox, queue) = mpsc::channel(OUTBOX_LINES);
        // Detached: when the app drops the connection, the task flushes and closes by itself.
        tokio::spawn(run(id, host, port, tls, queue, events));
        Self { outbox }
    }

    /// Queues `line`. Fails if it cannot be encoded or the queue is full.
    pub fn send(&self, line: &ClientLine) -> Result<(), String> {
        let wire = line
            .encode()
            .map_err(|e| crate::app::outgoing::describe_encode_error(&e))?;
        self.send_raw(wire)
    }

    /// Queues an already encoded line (LF included). A connection that already ended takes the
    /// line silently: its `Closed` event, on its way, says why.
    pub fn send_raw(&self, wire: String) -> Result<(), String> {
        match self.outbox.try_send(wire) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => Err("fila de envio cheia".to_owned()),
        }
    }
}

async fn run(
    id: ConnId,
    host: String,
    port: u16,
    tls: Option<TlsSettings>,
    queue: mpsc::Receiver<String>,
    events: mpsc::Sender<Event>,
) {
    let report = |event| Event::Net { conn: id, event };
    let stream = match tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let _ = events
                .send(report(NetEvent::ConnectFailed(describe_io_error(&e))))
                .await;
            return;
        }
        Err(_) => {
            let _ = events
                .send(report(NetEvent::ConnectFailed("tempo esgotado".to_owned())))
                .await;
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    // On failure only a quick notice of a dead network is lost; the connection still works.
    let _ = watch_liveness(&stream);
    let stream: Box<dyn Stream> = match tls {
        None => Box::new(stream),
        Some(settings) => match tls::connect(stream, &host, port, &settings).await {
            Ok(stream) => Box::new(stream),
            Err(err) => {
                let _ = events.send(report(tls_failed(err))).await;
                return;
            }
        },
    };
    if events.send(report(NetEvent::Connected)).await.is_err() {
        return;
    }
    // Test builds only: lets the pseudo-terminal tests check that a panic in this task ends
    // papo (see `term`'s panic hook). Release builds have no such switch.
    #[cfg(debug_assertions)]
    if std::env::var_os(DEBUG_PANIC_ENV).is_some() {
        panic!("{DEBUG_PANIC_ENV}: pânico provocado na tarefa de conexão");
    }
    if let Some(reason) = serve(stream, queue, &events, id).await {
        let _ = events.send(report(NetEvent::Closed(reason))).await;
    }
}

/// A byte stream to the server: plain TCP or TLS.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<S: AsyncRead + AsyncWrite + Send + Unpin> Stream for S {}

/// What a failed TLS connection means for the app: a certificate the user may choose to trust,
/// a refusal that retrying cannot mend, or an ordinary failure.
fn tls_failed(err: TlsError) -> NetEvent {
    match err {
        TlsError::Untrusted {
            fingerprint,
            reason,
            ..
        } => NetEvent::Untrusted {
            fingerprint: fingerprint.to_string(),
            reason,
        },
        TlsError::Changed { .. } => NetEvent::Refused {
            why: err.to_string(),
            summary: "ATENÇÃO: o certificado deste servidor mudou desde que você o aceitou! \
                      Pode ser um ataque; os detalhes estão no histórico"
                .to_owned(),
        },
        TlsError::Invalid(_) | TlsError::Ca(_) => NetEvent::Refused {
            why: err.to_string(),
            summary: err.to_string(),
        },
        TlsError::Handshake(_) | TlsError::Io(_) => NetEvent::ConnectFailed(err.to_string()),
    }
}

/// Relays lines both ways until the server closes (returns why) or the app drops the
/// connection (returns `None` after flushing and shutting the socket down).
async fn serve(
    stream: Box<dyn Stream>,
    mut queue: mpsc::Receiver<String>,
    events: &mpsc::Sender<Event>,
    id: ConnId,
) -> Option<String> {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = FramedRead::new(read, LineDecoder::new(MAX_SERVER_LINE_BYTES));
    loop {
        tokio::select! {
            frame = lines.next() => {
                let event = match frame {
                    Some(Ok(frame)) => frame_event(frame),
                    Some(Err(e)) => return Some(describe_io_error(&e)),
                    None => return Some("o servidor fechou a conexão".to_owned()),
                };
                if let NetEvent::Closed(why) = event {
                    return Some(why);
                }
                if events.send(Event::Net { conn: id, event }).await.is_err() {
                    return None;
                }
            }
            queued = queue.recv() => match queued {
                Some(mut batch) => {
                    // Everything already queued goes out in one write.
                    while let Ok(more) = queue.try_recv() {
                        batch.push_str(&more);
                    }
                    // Flushed too: TLS may keep encrypted bytes back when the socket is full.
                    let written = async {
                        write.write_all(batch.as_bytes()).await?;
                        write.flush().await
                    };
                    if let Err(e) = written.await {
                        return Some(describe_io_error(&e));
                    }
                }
                None => {
                    let _ = write.shutdown().await;
                    return None;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use tokio_util::codec::Decoder;

    fn decode_all(bytes: &[u8]) -> Vec<NetEvent> {
        let mut d = LineDecoder::new(64);
        let mut buf = BytesMut::from(bytes);
        let mut out = Vec::new();
        while let Ok(Some(frame)) = d.decode(&mut buf) {
            out.push(frame_event(frame));
        }
        out
    }

    #[test]
    fn hostile_bytes_are_cleaned_before_parsing() {
        let events =
            decode_all(b"MSG 1 2026-11-24T23:30:10Z ana :\x1b[2J\x1b]0;x\x07oi\xe2\x80\xae!\n");
        match events.as_slice() {
            [NetEvent::Line(ServerLine::Message { text, .. })] => {
                assert_eq!(text, "\u{FFFD}[2J\u{FFFD}]0;x\u{FFFD}oi\u{FFFD}!");
                assert!(sanitize::is_clean(text));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn garbage_is_reported_as_values_and_the_next_line_survives() {
        let mut bytes = vec![b'x'; 100];
        bytes.extend_from_slice(b"\n\xff\xfe\nBYE :tchau\nNOPE \x1b\n");
        let events = decode_all(&bytes);
        assert!(matches!(events[0], NetEvent::Garbled(_)));
        assert!(matches!(events[1], NetEvent::Garbled(_)));
        assert!(matches!(&events[2], NetEvent::Line(ServerLine::Bye { text }) if text == "tchau"));
        assert!(matches!(&events[3], NetEvent::Malformed(l) if l == "NOPE \u{FFFD}"));
    }
}
