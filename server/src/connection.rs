//! One peer's connection: reads its lines into the hub, writes its outbox to the socket.
//! Generic over the byte stream, so plain TCP today and TLS later share it.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use papo_protocol::{ClientLine, Frame, LeaveKind, LineDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::hub::{Hub, Next, Refused};
use crate::outbox::Outbox;
use crate::replies;
use crate::room::MemberId;

/// The read buffer a connection starts with (tokio-util's default is 8 KiB); it grows as needed.
const INITIAL_READ_BUFFER: usize = 1024;

/// How long a closing connection keeps reading (and discarding) what the peer still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// The same for a refused connection, kept short so a burst of refusals holds few sockets.
const REFUSED_LINGER_TIME: Duration = Duration::from_millis(250);

/// How many bytes a closing connection reads and discards at most.
const LINGER_BYTES: u64 = 1024 * 1024;

/// Serves one connection until it closes, the server drops it, or `shutdown` is cancelled (then
/// the hub has queued a final `BYE`, which is flushed before the connection closes).
pub async fn serve<S>(stream: S, label: String, hub: Arc<Hub>, shutdown: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read_half, mut write_half) = tokio::io::split(stream);
    let (id, outbox) = match hub.connect() {
        Ok(admitted) => admitted,
        Err(refused) => {
            tracing::warn!(peer = %label, %refused, "connection refused");
            let line = match refused {
                Refused::Full => replies::server_full(hub.config().max_clients),
                Refused::ShuttingDown => replies::shutting_down(),
            };
            if let Ok(line) = line.encode() {
                // Best effort: the peer may already be gone.
                let _ = write_half.write_all(line.as_bytes()).await;
                let _ = write_half.shutdown().await;
                linger(read_half, None, REFUSED_LINGER_TIME).await;
            }
            return;
        }
    };
    // From here on, however this task ends (a panic included), the member leaves the room.
    let _registration = Registration { hub: &hub, id };
    tracing::info!(peer = %label, member = id.0, "connected");
    let max = hub.config().max_line_bytes;
    let mut frames =
        FramedRead::with_capacity(read_half, LineDecoder::new(max), INITIAL_READ_BUFFER);
    let reading = read_lines(&mut frames, id, &hub, &outbox, &shutdown);
    let writing = write_lines(write_half, &outbox);
    let ((), flushed) = tokio::join!(reading, writing);
    if flushed {
        linger(frames.into_inner(), Some(&outbox), LINGER_TIME).await;
    }
    tracing::debug!(peer = %label, member = id.0, "closed");
}

/// Announces the member's departure when its connection task ends, whatever the cause. On the
/// usual paths the departure was already announced, and the hub ignores the repeat.
struct Registration<'a> {
    hub: &'a Hub,
    id: MemberId,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.hub
            .disconnect(self.id, LeaveKind::Lost, replies::CONNECTION_CLOSED);
    }
}

/// Reads and discards the peer's input for a short while before the socket is dropped.
///
/// Closing a TCP socket with unread input makes the kernel send a reset, which destroys output
/// still in flight — the final `BYE` above all. Draining until the peer closes (bounded in time
/// and bytes, cut short by an abort) lets that output arrive.
async fn linger<R: AsyncRead>(reader: R, outbox: Option<&Outbox>, time: Duration) {
    let mut limited = std::pin::pin!(reader.take(LINGER_BYTES));
    let mut sink = tokio::io::sink();
    let drain = tokio::io::copy(&mut limited, &mut sink);
    let aborted = async {
        match outbox {
            Some(outbox) => outbox.aborted().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::time::timeout(time, drain) => {}
        () = aborted => {}
    }
}

/// Feeds the peer's lines to the hub until the connection ends, is dropped, or shuts down.
async fn read_lines<R: AsyncRead + Unpin>(
    frames: &mut FramedRead<R, LineDecoder>,
    id: MemberId,
    hub: &Hub,
    outbox: &Outbox,
    shutdown: &CancellationToken,
) {
    let max = hub.config().max_line_bytes;
    let (kind, reason) = loop {
        let frame = tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            () = outbox.aborted() => break (LeaveKind::Lost, replies::CONNECTION_CLOSED.to_owned()),
            frame = frames.next() => frame,
        };
        match frame {
            None => break (LeaveKind::Lost, replies::CONNECTION_CLOSED.to_owned()),
            Some(Err(err)) => {
                // The OS error is for the log; the room is told in its own language.
                tracing::debug!(member = id.0, %err, "read failed");
                break (LeaveKind::Lost, replies::CONNECTION_LOST.to_owned());
            }
            Some(Ok(Frame::Line(text))) => match ClientLine::parse(&text) {
                Ok(None) => {}
                Ok(Some(line)) => {
                    if hub.handle(id, line) == Next::Close {
                        return;
                    }
                }
                Err(err) => hub.reply(id, replies::parse_error(&err)),
            },
            Some(Ok(Frame::TooLong)) => hub.reply(id, replies::line_too_long(max)),
            Some(Ok(Frame::InvalidUtf8)) => hub.reply(id, replies::invalid_utf8()),
            Some(Ok(Frame::Runaway)) => {
                hub.drop_member(id, replies::RUNAWAY);
                return;
            }
        }
    };
    hub.disconnect(id, kind, &reason);
}

/// Writes everything the outbox yields, one write per batch. Returns `true` when the outbox was
/// closed and fully flushed (then the write side is shut down), `false` when aborted or failed.
async fn write_lines<W: AsyncWrite>(writer: W, outbox: &Outbox) -> bool {
    let mut writer = std::pin::pin!(writer);
    loop {
        // A fresh buffer per batch, freed after its write: an idle connection holds none.
        let mut buf = Vec::new();
        let more = tokio::select! {
            biased;
            () = outbox.aborted() => return false,
            more = outbox.next_batch(&mut buf) => more,
        };
        if !more {
            break;
        }
        let written = tokio::select! {
            biased;
            () = outbox.aborted() => return false,
            written = writer.write_all(&buf) => written,
        };
        if let Err(err) = written {
            tracing::debug!(%err, "write failed");
            outbox.abort();
            return false;
        }
    }
    // Raced against an abort too: a TLS close_notify may block on a peer that does not read.
    tokio::select! {
        biased;
        () = outbox.aborted() => false,
        shut = writer.shutdown() => shut.is_ok(),
    }
}
