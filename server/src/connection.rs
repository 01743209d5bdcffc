//! One peer's connection: reads its lines into the hub, writes its outbox to the socket.
//! Generic over the byte stream, so plain TCP today and TLS later share it.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use papo_protocol::{ClientLine, Frame, LeaveKind, LineDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;
use crate::outbox::Outbox;
use crate::replies;
use crate::room::MemberId;

/// The read buffer a connection starts with (tokio-util's default is 8 KiB); it grows as needed.
const INITIAL_READ_BUFFER: usize = 1024;

/// How long a closing connection keeps reading (and discarding) what the peer still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// How many bytes a closing connection reads and discards at most.
const LINGER_BYTES: u64 = 1024 * 1024;

/// Serves one connection until it closes, the server drops it, or `shutdown` is cancelled (then
/// the hub has queued a final `BYE`, which is flushed before the connection closes).
pub async fn serve<S>(stream: S, label: String, hub: Arc<Hub>, shutdown: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read_half, mut write_half) = tokio::io::split(stream);
    let Ok((id, outbox)) = hub.connect() else {
        tracing::warn!(peer = %label, "refused: server full");
        if let Ok(line) = replies::server_full(hub.config().max_clients).encode() {
            // Best effort: the peer may already be gone.
            let _ = write_half.write_all(line.as_bytes()).await;
            let _ = write_half.shutdown().await;
            linger(read_half, None).await;
        }
        return;
    };
    tracing::debug!(peer = %label, member = id.0, "connected");
    let max = hub.config().max_line_bytes;
    let mut frames =
        FramedRead::with_capacity(read_half, LineDecoder::new(max), INITIAL_READ_BUFFER);
    let reading = read_lines(&mut frames, id, &hub, &outbox, &shutdown);
    let writing = write_lines(write_half, &outbox);
    let ((), flushed) = tokio::join!(reading, writing);
    if flushed {
        linger(frames.into_inner(), Some(&outbox)).await;
    }
    tracing::debug!(peer = %label, member = id.0, "closed");
}

/// Reads and discards the peer's input for a short while before the socket is dropped.
///
/// Closing a TCP socket with unread input makes the kernel send a reset, which destroys output
/// still in flight — the final `BYE` above all. Draining until the peer closes (bounded in time
/// and bytes, cut short by an abort) lets that output arrive.
async fn linger<R: AsyncRead>(reader: R, outbox: Option<&Outbox>) {
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
        _ = tokio::time::timeout(LINGER_TIME, drain) => {}
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
            Some(Err(err)) => break (LeaveKind::Lost, format!("erro de conexão: {err}")),
            Some(Ok(Frame::Line(text))) => match ClientLine::parse(&text) {
                Ok(None) => {}
                Ok(Some(line)) => {
                    if hub.handle(id, line) {
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
    writer.shutdown().await.is_ok()
}
