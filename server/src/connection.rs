//! One peer's connection: reads its lines into the hub; writes what its mailbox says it is
//! owed — its replies, and the room events after its position in the log. Generic over the byte
//! stream, so plain TCP and TLS share it.

use std::sync::Arc;
use std::time::Duration;

use papo_protocol::{EventId, LeaveKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::hub::{Hub, Refused};
use crate::log::event::LoggedEvent;
use crate::log::{Read, ReadFailed, RoomLog};
use crate::mailbox::{self, Mailbox, Stream};
use crate::reader;
use crate::replies;
use crate::room::MemberId;
use crate::sniff::PlainDecoder;
use crate::write_buffers;

/// The read buffer a connection starts with (tokio-util's default is 8 KiB); it grows as needed.
const INITIAL_READ_BUFFER: usize = 256;

/// How long a closing connection keeps reading (and discarding) what the peer still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// The same for a refused connection, kept short so a burst of refusals holds few sockets.
const REFUSED_LINGER_TIME: Duration = Duration::from_millis(250);

/// How many bytes a closing connection reads and discards at most.
const LINGER_BYTES: u64 = 1024 * 1024;

/// Tries at a catch-up read that fails (the file busy or damaged) before the reader gives the
/// unreadable events up, and the pause between tries.
const READ_ATTEMPTS: u32 = 3;
const READ_RETRY: Duration = Duration::from_millis(100);

/// Bytes gathered for one write: large enough that a busy room costs few system calls, small
/// enough to be a modest constant per connection (a lagging reader never holds more).
const WRITE_BUDGET: usize = 64 * 1024;
/// A write buffer's size: the budget, plus the longest line that may pass it.
const WRITE_CAPACITY: usize = WRITE_BUDGET + 16 * 1024;

/// Serves one connection until it closes, the server drops it, or `shutdown` is cancelled (then
/// the hub has queued a final `BYE`, which is flushed before the connection closes).
pub async fn serve<S>(stream: S, label: String, hub: Arc<Hub>, shutdown: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read_half, mut write_half) = tokio::io::split(stream);
    let (id, mailbox) = match hub.connect() {
        Ok(admitted) => admitted,
        Err(refused) => {
            tracing::warn!(peer = %label, %refused, "connection refused");
            let line = match refused {
                Refused::Full => replies::server_full(hub.config().max_clients),
                Refused::TooManyUnjoined => replies::too_many_unjoined(),
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
        FramedRead::with_capacity(read_half, PlainDecoder::new(max), INITIAL_READ_BUFFER);
    let reading = reader::read_lines(&mut frames, id, &hub, &mailbox, &shutdown);
    let writing = write_lines(write_half, &mailbox, hub.log());
    let ((), flushed) = tokio::join!(reading, writing);
    if flushed {
        linger(frames.into_inner(), Some(&mailbox), LINGER_TIME).await;
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
async fn linger<R: AsyncRead>(reader: R, mailbox: Option<&Mailbox>, time: Duration) {
    let mut limited = std::pin::pin!(reader.take(LINGER_BYTES));
    let mut sink = tokio::io::sink();
    let drain = tokio::io::copy(&mut limited, &mut sink);
    let aborted = async {
        match mailbox {
            Some(mailbox) => mailbox.aborted().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::time::timeout(time, drain) => {}
        () = aborted => {}
    }
}

/// Writes what the mailbox says the peer is owed, many lines per write, until it is closed and
/// flushed (returns `true`; the write side is then shut down) or aborted or failed (`false`).
async fn write_lines<W: AsyncWrite>(writer: W, mailbox: &Mailbox, log: &RoomLog) -> bool {
    let mut writer = std::pin::pin!(writer);
    // Held while busy, given back when idle: an idle connection holds no write buffer.
    let mut buf = Vec::new();
    loop {
        if mailbox.is_aborted() {
            return false;
        }
        let announced = log.announced().get();
        let newest = log.released().get();
        if buf.capacity() == 0 {
            buf = write_buffers::take(WRITE_CAPACITY);
        }
        buf.clear();
        let done = gather(mailbox, log, newest, &mut buf).await;
        // Checked again: an abort while gathering means nothing more is written.
        if mailbox.is_aborted() {
            return false;
        }
        if !buf.is_empty() {
            // Raced against an abort only when the socket is full: the write is polled first.
            // Flushed too: TLS may keep encrypted bytes back when the socket is full, and
            // nothing else would push them out before the next write.
            let written = tokio::select! {
                biased;
                written = async {
                    writer.write_all(&buf).await?;
                    writer.flush().await
                } => written,
                () = mailbox.aborted() => return false,
            };
            if let Err(err) = written {
                tracing::debug!(%err, "write failed");
                mailbox.abort();
                return false;
            }
            continue;
        }
        if done {
            break;
        }
        write_buffers::give_back(std::mem::take(&mut buf), WRITE_CAPACITY);
        // Idle: woken by the mailbox (an abort too), by announced events, and by every
        // release while a reply waits for its events (the joiner's own JOIN, say).
        let awaits_events = mailbox.awaits_events();
        tokio::select! {
            () = mailbox.changed() => {}
            _ = log.announced().passed(announced) => {}
            _ = log.released().passed(newest), if awaits_events => {}
        }
        // Let whatever else is ready run first (readers above all, with more lines for the
        // room): the writer then sends more lines per write.
        tokio::task::yield_now().await;
    }
    // Raced against an abort too: a TLS close_notify may block on a peer that does not read.
    tokio::select! {
        biased;
        () = mailbox.aborted() => false,
        shut = writer.shutdown() => shut.is_ok(),
    }
}

/// Fills `buf` with what is owed, up to about [`WRITE_BUDGET`]. Returns `true` once everything
/// owed was sent and the mailbox is closed.
async fn gather(mailbox: &Mailbox, log: &RoomLog, released: EventId, buf: &mut Vec<u8>) -> bool {
    while buf.len() < WRITE_BUDGET {
        match mailbox.next(released) {
            mailbox::Next::Replies(lines) => {
                for line in lines {
                    buf.extend_from_slice(&line);
                }
            }
            mailbox::Next::Events {
                stream,
                after,
                upto,
            } => {
                let budget = WRITE_BUDGET - buf.len();
                // Recent events are copied straight out of the shared window.
                let recent = log.read_recent(after, upto, budget, |event| {
                    append_event(&stream, event, buf)
                });
                let sent = match recent {
                    Ok(last) => last.unwrap_or(upto),
                    // Boxed: the catch-up's state should not size every connection's task.
                    Err(_) => Box::pin(catch_up(&stream, after, upto, budget, log, buf)).await,
                };
                mailbox.advance(sent);
            }
            mailbox::Next::Wait => return false,
            mailbox::Next::Done => return true,
        }
    }
    false
}

/// Reads events the window no longer holds from the store (retrying a failed read a few
/// times). Returns the last id handled.
async fn catch_up(
    stream: &Stream,
    after: EventId,
    upto: EventId,
    budget: usize,
    log: &RoomLog,
    buf: &mut Vec<u8>,
) -> EventId {
    let mut read = log.read(after, upto, budget).await;
    for _ in 1..READ_ATTEMPTS {
        if read.is_ok() {
            break;
        }
        tokio::time::sleep(READ_RETRY).await;
        read = log.read(after, upto, budget).await;
    }
    match read {
        Ok(read) => append_events(stream, after, upto, &read, log, buf),
        Err(ReadFailed) => skip_unreadable(after, upto, log, buf),
    }
}

/// Appends one event if `stream` may read it, marked if it is replayed.
fn append_event(stream: &Stream, event: &LoggedEvent, buf: &mut Vec<u8>) {
    if !event.audience.includes(stream.session) {
        return;
    }
    if event.id <= stream.replay_until {
        buf.extend_from_slice(event.replayed_wire());
    } else {
        buf.extend_from_slice(&event.wire);
    }
}

/// Appends the events `stream` may read, marking replayed ones, after a `SKIPPED` line if the
/// reader was behind what the log keeps. Returns the last id handled.
fn append_events(
    stream: &Stream,
    after: EventId,
    upto: EventId,
    read: &Read,
    log: &RoomLog,
    buf: &mut Vec<u8>,
) -> EventId {
    if let Some(pruned_to) = read.pruned_to {
        skipped(log.events_between(after, pruned_to), buf);
    }
    for event in &read.events {
        append_event(stream, event, buf);
    }
    // No event at all up to `upto`: none was handed out in that span.
    read.events.last().map_or(upto, |last| last.id)
}

/// The history could not be read (a damaged file): rather than stall, the reader moves on to
/// what memory still holds, or to `upto`, and is told how much it missed.
fn skip_unreadable(after: EventId, upto: EventId, log: &RoomLog, buf: &mut Vec<u8>) -> EventId {
    let resume_at = match log.window_first() {
        Some(first) if first > after => upto.min(EventId(first.0 - 1)),
        _ => upto,
    };
    skipped(log.events_between(after, resume_at), buf);
    resume_at
}

fn skipped(count: u64, buf: &mut Vec<u8>) {
    if count == 0 {
        return;
    }
    if let Ok(line) = replies::skipped(count).encode() {
        buf.extend_from_slice(line.as_bytes());
    }
}
