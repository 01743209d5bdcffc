//! A member's bounded queue of encoded lines, drained by its writer in one write per batch.
//!
//! The room's fan-out pushes shared [`Bytes`] (each line encoded once for every recipient) and
//! never waits: a queue over its byte budget refuses the push, and the hub then drops that
//! member. The lock is held only to push or to take the queue, never across I/O.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Why a push was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The queue would pass its byte budget: the reader is too slow.
    #[error("outbound queue full")]
    Full,
    /// The outbox is closed; nothing more is sent.
    #[error("outbox closed")]
    Closed,
}

#[derive(Debug, Default)]
struct Queue {
    lines: VecDeque<Bytes>,
    bytes: usize,
    closed: bool,
}

/// One member's outbound queue.
#[derive(Debug)]
pub struct Outbox {
    queue: Mutex<Queue>,
    ready: Notify,
    aborted: CancellationToken,
    max_bytes: usize,
}

impl Outbox {
    /// An empty outbox that holds at most `max_bytes` of unsent lines.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            ready: Notify::new(),
            aborted: CancellationToken::new(),
            max_bytes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic elsewhere while holding this lock cannot leave the queue inconsistent
        // (each operation is a single push or take), so a poisoned lock is still usable.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `line` for sending. Never waits. An empty queue takes any line, so a member who
    /// keeps up always receives even a line longer than the budget (a long `USERS` list).
    pub fn push(&self, line: Bytes) -> Result<(), PushError> {
        let mut queue = self.lock();
        if queue.closed {
            return Err(PushError::Closed);
        }
        if !queue.lines.is_empty() && queue.bytes + line.len() > self.max_bytes {
            return Err(PushError::Full);
        }
        queue.bytes += line.len();
        queue.lines.push_back(line);
        drop(queue);
        self.ready.notify_one();
        Ok(())
    }

    /// Queues `line` as the last one: the writer flushes everything queued, then ends.
    /// Unlike [`push`](Self::push) it ignores the byte budget (one final line may pass it).
    pub fn close_with(&self, line: Option<Bytes>) {
        let mut queue = self.lock();
        if queue.closed {
            return;
        }
        if let Some(line) = line {
            queue.bytes += line.len();
            queue.lines.push_back(line);
        }
        queue.closed = true;
        drop(queue);
        self.ready.notify_one();
    }

    /// Stops the connection now: nothing more is written, queued lines are dropped.
    pub fn abort(&self) {
        let mut queue = self.lock();
        queue.closed = true;
        queue.lines.clear();
        queue.bytes = 0;
        drop(queue);
        self.aborted.cancel();
    }

    /// Resolves when [`abort`](Self::abort) is called.
    pub async fn aborted(&self) {
        self.aborted.cancelled().await
    }

    /// Bytes waiting to be written.
    pub fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Waits for queued lines and appends all of them to `buf`, for one write. Returns `false`
    /// once the outbox is closed and nothing is left to write.
    pub async fn next_batch(&self, buf: &mut Vec<u8>) -> bool {
        loop {
            {
                let mut queue = self.lock();
                if !queue.lines.is_empty() {
                    buf.reserve(queue.bytes);
                    for line in queue.lines.drain(..) {
                        buf.extend_from_slice(&line);
                    }
                    queue.bytes = 0;
                    return true;
                }
                if queue.closed {
                    return false;
                }
            }
            self.ready.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drains_everything_queued_in_one_batch() {
        let outbox = Outbox::new(100);
        outbox.push(Bytes::from_static(b"a\n")).expect("room");
        outbox.push(Bytes::from_static(b"bc\n")).expect("room");
        let mut buf = Vec::new();
        assert!(outbox.next_batch(&mut buf).await);
        assert_eq!(buf, b"a\nbc\n");
        assert_eq!(outbox.queued_bytes(), 0);
    }

    #[test]
    fn refuses_pushes_past_the_budget() {
        let outbox = Outbox::new(5);
        outbox
            .push(Bytes::from_static(b"1234\n"))
            .expect("fits exactly");
        assert_eq!(outbox.push(Bytes::from_static(b"x")), Err(PushError::Full));
    }

    #[test]
    fn an_empty_queue_takes_a_line_longer_than_the_budget() {
        let outbox = Outbox::new(5);
        outbox
            .push(Bytes::from_static(b"a long line\n"))
            .expect("empty queue");
        assert_eq!(outbox.push(Bytes::from_static(b"x")), Err(PushError::Full));
    }

    #[tokio::test]
    async fn close_flushes_the_last_line_then_ends() {
        let outbox = Outbox::new(5);
        outbox.push(Bytes::from_static(b"1234\n")).expect("fits");
        outbox.close_with(Some(Bytes::from_static(b"BYE\n")));
        assert_eq!(
            outbox.push(Bytes::from_static(b"x")),
            Err(PushError::Closed)
        );
        let mut buf = Vec::new();
        assert!(outbox.next_batch(&mut buf).await);
        assert_eq!(buf, b"1234\nBYE\n");
        assert!(!outbox.next_batch(&mut buf).await);
    }

    #[tokio::test]
    async fn abort_drops_the_queue_and_wakes_waiters() {
        let outbox = Outbox::new(100);
        outbox.push(Bytes::from_static(b"lost\n")).expect("fits");
        outbox.abort();
        outbox.aborted().await;
        let mut buf = Vec::new();
        assert!(!outbox.next_batch(&mut buf).await);
        assert!(buf.is_empty());
    }
}
