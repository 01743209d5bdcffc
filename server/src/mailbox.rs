//! One connection's view of what it is owed: its position in the room log (a cursor, not a
//! queue of room events) and a small byte-bounded queue of replies meant for it alone.
//!
//! Each reply is tagged with the newest event id assigned when it was made; the writer sends
//! it only after every room event up to that id, so replies keep their place among the events.
//! The lock is held only to change or read this state, never across I/O.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use papo_protocol::EventId;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::log::event::SessionId;

/// Why a reply was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The replies waiting passed the budget: the peer asks faster than it reads.
    #[error("reply queue full")]
    Full,
    /// The mailbox is closed; nothing more is sent.
    #[error("mailbox closed")]
    Closed,
}

/// The room events a joined connection receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    /// Whose private messages it receives.
    pub session: SessionId,
    /// The next event id to send (the cursor).
    pub next: EventId,
    /// Events up to this id are history (the replay); they are sent marked as such.
    pub replay_until: EventId,
    /// The first id it no longer receives (its own departure), once it left.
    pub until: Option<EventId>,
}

impl Stream {
    /// Whether every event it is owed was sent.
    fn finished(&self) -> bool {
        self.until.is_some_and(|until| self.next >= until)
    }
}

#[derive(Debug)]
struct Reply {
    /// Sent once every event up to this id was.
    after: EventId,
    line: Bytes,
}

#[derive(Debug, Default)]
struct State {
    replies: VecDeque<Reply>,
    reply_bytes: usize,
    stream: Option<Stream>,
    closed: bool,
}

/// What the writer should do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Write these replies.
    Replies(Vec<Bytes>),
    /// Send the events after `after` up to `upto` (then call [`Mailbox::advance`]).
    Events {
        /// The stream's state when planned.
        stream: Stream,
        /// Read events with ids above this…
        after: EventId,
        /// …up to this one.
        upto: EventId,
    },
    /// Nothing to send until an event is released or a reply arrives.
    Wait,
    /// Closed, and everything owed was sent.
    Done,
}

/// A connection's mailbox.
#[derive(Debug)]
pub struct Mailbox {
    state: Mutex<State>,
    ready: Notify,
    /// Signalled when the writer takes replies, for a reader waiting for them to drain.
    drained: Notify,
    aborted: CancellationToken,
    /// Mirrors `aborted` for a lock-free check on every write.
    is_aborted: AtomicBool,
    max_reply_bytes: usize,
}

impl Mailbox {
    /// An empty mailbox that holds at most `max_reply_bytes` of unsent replies.
    pub fn new(max_reply_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            ready: Notify::new(),
            drained: Notify::new(),
            aborted: CancellationToken::new(),
            is_aborted: AtomicBool::new(false),
            max_reply_bytes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every operation leaves the state consistent, so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a reply, to follow the events up to `after` (the newest id assigned now). An
    /// empty queue takes any reply, so a peer that keeps up receives even a long one.
    pub fn reply(&self, after: EventId, line: Bytes) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if !state.replies.is_empty() && state.reply_bytes + line.len() > self.max_reply_bytes {
            return Err(PushError::Full);
        }
        push(&mut state, after, line);
        drop(state);
        self.ready.notify_one();
        Ok(())
    }

    /// Starts the room events for a member that joined.
    pub fn start_stream(&self, stream: Stream) {
        self.lock().stream = Some(stream);
        self.ready.notify_one();
    }

    /// The member left: it receives the events before `until`, not from it on.
    pub fn end_stream(&self, until: EventId) {
        let mut state = self.lock();
        if let Some(stream) = &mut state.stream
            && stream.until.is_none()
        {
            stream.until = Some(until);
        }
        drop(state);
        self.ready.notify_one();
    }

    /// Queues `line` (if any) as the last reply: the writer sends everything owed, then ends.
    /// The reply budget does not apply to it.
    pub fn close_with(&self, after: EventId, line: Option<Bytes>) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        if let Some(line) = line {
            push(&mut state, after, line);
        }
        state.closed = true;
        drop(state);
        self.ready.notify_one();
        // A reader waiting for replies to drain has nothing more to wait for.
        self.drained.notify_waiters();
    }

    /// Stops the connection now: nothing more is written.
    pub fn abort(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.replies = VecDeque::new();
        state.reply_bytes = 0;
        drop(state);
        self.is_aborted.store(true, Ordering::Release);
        self.aborted.cancel();
        self.ready.notify_one();
        self.drained.notify_waiters();
    }

    /// Whether [`abort`](Self::abort) was called.
    pub fn is_aborted(&self) -> bool {
        self.is_aborted.load(Ordering::Acquire)
    }

    /// Resolves when [`abort`](Self::abort) is called.
    pub async fn aborted(&self) {
        self.aborted.cancelled().await
    }

    /// Resolves when something may have changed (a reply, a stream change, a close, an abort).
    pub async fn changed(&self) {
        self.ready.notified().await
    }

    /// Waits until fewer than `bytes` of replies wait to be written (or the mailbox closed): a
    /// peer that asks faster than it reads is slowed, not dropped.
    pub async fn replies_below(&self, bytes: usize) {
        loop {
            let drained = self.drained.notified();
            let mut drained = std::pin::pin!(drained);
            // Registered before the check, so a drain in between is not missed.
            drained.as_mut().enable();
            {
                let state = self.lock();
                if state.reply_bytes < bytes || state.closed {
                    return;
                }
            }
            drained.await;
        }
    }

    /// Whether a reply waits for room events not yet sent (then the writer wants every
    /// release at once, not only announced ones).
    pub fn awaits_events(&self) -> bool {
        !self.lock().replies.is_empty()
    }

    /// The stream, if joined.
    pub fn stream(&self) -> Option<Stream> {
        self.lock().stream
    }

    /// What to send next, given that events up to `released` are committed.
    pub fn next(&self, released: EventId) -> Next {
        let mut state = self.lock();
        let stream = state.stream;
        // Replies whose events were all sent (or which follow no events) go first.
        let mut ready = Vec::new();
        while let Some(front) = state.replies.front() {
            let due = match stream {
                None => true,
                Some(s) => s.next.0 > front.after.0 || s.finished(),
            };
            if !due {
                break;
            }
            if let Some(reply) = state.replies.pop_front() {
                state.reply_bytes -= reply.line.len();
                ready.push(reply.line);
            }
        }
        if !ready.is_empty() {
            if state.replies.is_empty() {
                // An idle connection holds no reply-queue memory.
                state.replies = VecDeque::new();
            }
            drop(state);
            self.drained.notify_waiters();
            return Next::Replies(ready);
        }
        if let Some(stream) = stream.filter(|s| !s.finished()) {
            let mut upto = released;
            if let Some(until) = stream.until {
                upto = upto.min(EventId(until.0.saturating_sub(1)));
            }
            if let Some(front) = state.replies.front() {
                upto = upto.min(front.after);
            }
            if upto >= stream.next {
                return Next::Events {
                    stream,
                    after: EventId(stream.next.0.saturating_sub(1)),
                    upto,
                };
            }
            return Next::Wait;
        }
        if state.closed { Next::Done } else { Next::Wait }
    }

    /// Events up to `sent` were handled: move the cursor past them.
    pub fn advance(&self, sent: EventId) {
        if let Some(stream) = &mut self.lock().stream {
            stream.next = stream.next.max(EventId(sent.0 + 1));
        }
    }
}

fn push(state: &mut State, after: EventId, line: Bytes) {
    // A connection that receives no events has nothing to wait for.
    let after = if state.stream.is_some() {
        after
    } else {
        EventId(0)
    };
    state.reply_bytes += line.len();
    state.replies.push_back(Reply { after, line });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    fn stream(next: u64) -> Stream {
        Stream {
            session: SessionId(1),
            next: EventId(next),
            replay_until: EventId(0),
            until: None,
        }
    }

    #[test]
    fn before_joining_replies_go_out_at_once() {
        let mailbox = Mailbox::new(100);
        mailbox.reply(EventId(40), line("HELLO\n")).expect("room");
        assert_eq!(
            mailbox.next(EventId(0)),
            Next::Replies(vec![line("HELLO\n")])
        );
        assert_eq!(mailbox.next(EventId(0)), Next::Wait);
    }

    #[test]
    fn a_waiting_reply_asks_for_every_release_until_it_is_sent() {
        let mailbox = Mailbox::new(100);
        mailbox.start_stream(stream(5));
        assert!(!mailbox.awaits_events());
        mailbox.reply(EventId(5), line("WELCOME\n")).expect("room");
        assert!(mailbox.awaits_events());
        let Next::Events { upto, .. } = mailbox.next(EventId(5)) else {
            panic!("events due");
        };
        mailbox.advance(upto);
        assert_eq!(
            mailbox.next(EventId(5)),
            Next::Replies(vec![line("WELCOME\n")])
        );
        assert!(!mailbox.awaits_events());
    }

    #[test]
    fn a_reply_waits_for_the_events_before_it() {
        let mailbox = Mailbox::new(100);
        mailbox.start_stream(stream(5));
        mailbox.reply(EventId(6), line("USERS\n")).expect("room");
        // Event 6 is not committed yet: nothing to do.
        assert_eq!(mailbox.next(EventId(4)), Next::Wait);
        let Next::Events { after, upto, .. } = mailbox.next(EventId(9)) else {
            panic!("events due");
        };
        assert_eq!(
            (after, upto),
            (EventId(4), EventId(6)),
            "stops at the reply"
        );
        mailbox.advance(upto);
        assert_eq!(
            mailbox.next(EventId(9)),
            Next::Replies(vec![line("USERS\n")])
        );
        assert!(matches!(
            mailbox.next(EventId(9)),
            Next::Events {
                upto: EventId(9),
                ..
            }
        ));
    }

    #[test]
    fn a_member_that_left_gets_the_events_before_its_departure_then_its_last_reply() {
        let mailbox = Mailbox::new(100);
        mailbox.start_stream(stream(1));
        mailbox.end_stream(EventId(3));
        mailbox.close_with(EventId(3), Some(line("BYE\n")));
        let Next::Events { upto, .. } = mailbox.next(EventId(7)) else {
            panic!("events due");
        };
        assert_eq!(upto, EventId(2), "not its own PART (3)");
        mailbox.advance(upto);
        assert_eq!(mailbox.next(EventId(7)), Next::Replies(vec![line("BYE\n")]));
        assert_eq!(mailbox.next(EventId(7)), Next::Done);
    }

    #[test]
    fn the_reply_budget_refuses_a_pileup_but_an_empty_queue_takes_anything() {
        let mailbox = Mailbox::new(8);
        mailbox
            .reply(EventId(0), line("a long reply\n"))
            .expect("empty queue");
        assert_eq!(mailbox.reply(EventId(0), line("x\n")), Err(PushError::Full));
        mailbox.abort();
        assert_eq!(
            mailbox.reply(EventId(0), line("x\n")),
            Err(PushError::Closed)
        );
        assert_eq!(mailbox.next(EventId(0)), Next::Done);
    }
}
