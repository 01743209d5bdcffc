//! A connection's reading side: frames become lines, and lines go to the hub in order, at the
//! pace the room allows.
//!
//! Two things slow a member down instead of dropping it. Lines that reach the room spend a
//! [`FloodLimiter`] allowance: a paste goes out at once, a flood waits its turn, and the
//! lines read ahead meanwhile wait in a bounded backlog (past its bound the flooder is
//! disconnected). And while a member's own replies pile up unread, its connection is not read
//! at all, so a client that pipelines commands is slowed, never dropped.

use std::collections::VecDeque;
use std::time::Duration;

use futures::StreamExt;
use papo_protocol::{ClientLine, Command, Frame, LeaveKind, ServerLine};
use tokio::io::AsyncRead;
use tokio::time::Instant;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::flood::FloodLimiter;
use crate::hub::{Hub, Next};
use crate::mailbox::Mailbox;
use crate::replies;
use crate::room::MemberId;
use crate::sniff::{self, Incoming, PlainDecoder};

/// Something read, waiting its turn.
#[derive(Debug)]
enum Input {
    /// A line to handle.
    Line(ClientLine, usize),
    /// An answer to something unreadable (too long, not UTF-8, refused by the parser).
    Refusal(ServerLine),
}

impl Input {
    fn bytes(&self) -> usize {
        match self {
            Self::Line(_, bytes) => *bytes,
            Self::Refusal(_) => 64,
        }
    }

    /// Whether it reaches the room (and so spends flood allowance): chat, actions, private
    /// messages, renames and joins by `/RETOMAR` (each a store look-up). Queries only answer
    /// the sender, and are paced by its replies.
    fn reaches_the_room(&self) -> bool {
        matches!(
            self,
            Self::Line(
                ClientLine::Text(_)
                    | ClientLine::Command(
                        Command::Me { .. }
                            | Command::Private { .. }
                            | Command::Nick { .. }
                            | Command::Resume(_)
                    ),
                _
            )
        )
    }
}

/// How a connection's reading ended.
enum End {
    /// The peer went away (or the hub let it go): announce it as lost with this reason.
    Lost(&'static str),
    /// Already handled (a `/SAIR`, a drop, shutdown): nothing more to say.
    Done,
}

/// How long lines still waiting their turn keep going out after their sender hung up; the
/// rest is dropped (a paste of thousands of lines does not post on for an hour).
const DRAIN_AFTER_HANGUP: Duration = Duration::from_secs(30);

/// Lines read ahead, waiting their turn, in order.
#[derive(Debug, Default)]
struct Backlog {
    items: VecDeque<Input>,
    bytes: usize,
    /// The member was told its lines are being held back (once per stretch of waiting).
    told: bool,
}

impl Backlog {
    fn push(&mut self, input: Input) {
        self.bytes += input.bytes();
        self.items.push_back(input);
    }

    fn pop(&mut self) -> Option<Input> {
        let input = self.items.pop_front()?;
        self.bytes -= input.bytes();
        if self.items.is_empty() {
            self.told = false;
            // An idle connection holds no backlog memory.
            self.items = VecDeque::new();
        }
        Some(input)
    }

    /// Whether lines wait beyond the one about to go: only those count against the bound.
    fn over(&self, max_bytes: usize) -> bool {
        self.items.len() > 1 && self.bytes > max_bytes
    }

    /// Drops the waiting lines that would reach the room; returns how many there were.
    fn cancel_room_lines(&mut self) -> usize {
        let before = self.items.len();
        self.items.retain(|input| !input.reaches_the_room());
        self.bytes = self.items.iter().map(Input::bytes).sum();
        before - self.items.len()
    }
}

/// Feeds the peer's lines to the hub until the connection ends, is dropped, or shuts down.
pub async fn read_lines<R: AsyncRead + Unpin>(
    frames: &mut FramedRead<R, PlainDecoder>,
    id: MemberId,
    hub: &Hub,
    mailbox: &Mailbox,
    shutdown: &CancellationToken,
) {
    let config = hub.config();
    let mut flood = config.flood.map(FloodLimiter::new);
    let mut backlog = Backlog::default();
    // Replies above this stop the reading until the peer reads some.
    let reply_threshold = config.max_queue_bytes / 2;
    // Set when the peer stopped sending: what it sent before still goes out, in its turn,
    // until the deadline.
    let mut ended: Option<(End, Instant)> = None;
    // An HTTP request line is only looked for first: later it could be chat.
    let mut first_line = true;
    // A connection that has not joined by then is closed (idle sockets hold no slot for long).
    let mut register_by = Some(Instant::now() + config.register_timeout);
    let end = loop {
        if register_by.is_some() && mailbox.stream().is_some() {
            register_by = None;
        }
        // The oldest line goes as soon as its turn comes.
        let mut turn = None;
        if let Some(front) = backlog.items.front() {
            let now = Instant::now();
            let allowed = match (&mut flood, front.reaches_the_room()) {
                (Some(flood), true) => flood.spend(now.into_std()).map_err(Instant::from_std),
                _ => Ok(()),
            };
            match allowed {
                Ok(()) => {
                    if let Some(input) = backlog.pop() {
                        // The line is handled first: it rarely waits, and then the
                        // cancellation checks (each takes a lock) are never polled. Boxed:
                        // its state is large, and an idle connection should not hold it.
                        let handling = Box::pin(handle(input, id, hub, mailbox, reply_threshold));
                        let handled = tokio::select! {
                            biased;
                            handled = handling => handled,
                            () = shutdown.cancelled() => break End::Done,
                            () = mailbox.aborted() => break End::Lost(replies::CONNECTION_CLOSED),
                        };
                        if handled == Next::Close {
                            break End::Done;
                        }
                    }
                    continue;
                }
                Err(when) => {
                    turn = Some(when);
                    if !backlog.told {
                        backlog.told = true;
                        let per_second = config.flood.map_or(0, |f| f.per_second);
                        hub.send(id, &replies::held_back(per_second));
                    }
                }
            }
        }
        if let Some((end, deadline)) = ended.take() {
            if backlog.items.is_empty() {
                break end;
            }
            if Instant::now() >= deadline {
                let dropped = backlog.cancel_room_lines();
                tracing::info!(
                    member = id.0,
                    dropped,
                    "lines still waiting after hang-up dropped"
                );
                ended = Some((end, deadline));
                continue;
            }
            turn = turn.map(|t| t.min(deadline));
            ended = Some((end, deadline));
        }
        // Read ahead only while a line waits for its turn (to see a flood coming), or when
        // nothing waits at all; after the peer stopped sending, only wait for the turn.
        // The cancellations are polled only when no frame is ready (each poll takes a lock,
        // and this runs for every line); tokio's cooperative budget makes `frames` pending
        // every so many reads, so even a peer that never stops sending sees them.
        if mailbox.is_aborted() {
            break End::Lost(replies::CONNECTION_CLOSED);
        }
        let frame = tokio::select! {
            biased;
            () = sleep_until(turn), if turn.is_some() => continue,
            () = sleep_until(register_by), if register_by.is_some() => {
                let reason = replies::register_timeout(config.register_timeout.as_secs());
                if hub.close_unjoined(id, &reason) {
                    break End::Done;
                }
                register_by = None;
                continue;
            }
            frame = frames.next(), if ended.is_none() => frame,
            () = shutdown.cancelled() => break End::Done,
            () = mailbox.aborted() => break End::Lost(replies::CONNECTION_CLOSED),
        };
        let hung_up = |reason| Some((End::Lost(reason), Instant::now() + DRAIN_AFTER_HANGUP));
        let input = match frame {
            None => {
                ended = hung_up(replies::CONNECTION_CLOSED);
                continue;
            }
            Some(Err(err)) => {
                // The OS error is for the log; the room is told in its own language.
                tracing::debug!(member = id.0, %err, "read failed");
                ended = hung_up(replies::CONNECTION_LOST);
                continue;
            }
            Some(Ok(Incoming::Tls)) => {
                tracing::warn!(member = id.0, "TLS on the plain port: use the TLS port");
                hub.refuse(id, None);
                break End::Done;
            }
            Some(Ok(Incoming::Frame(Frame::Line(text)))) => {
                if first_line && sniff::is_http_request(&text) {
                    tracing::warn!(member = id.0, "an HTTP request on the chat port; refused");
                    hub.refuse(id, Some(sniff::http_refusal()));
                    break End::Done;
                }
                first_line = false;
                match ClientLine::parse(&text) {
                    Ok(None) => continue,
                    Ok(Some(line)) => Input::Line(line, text.len() + 1),
                    Err(err) => Input::Refusal(replies::parse_error(&err)),
                }
            }
            Some(Ok(Incoming::Frame(Frame::TooLong))) => {
                Input::Refusal(replies::line_too_long(config.max_line_bytes))
            }
            Some(Ok(Incoming::Frame(Frame::InvalidUtf8))) => {
                Input::Refusal(replies::invalid_utf8())
            }
            Some(Ok(Incoming::Frame(Frame::Runaway))) => {
                hub.drop_member(id, replies::RUNAWAY);
                break End::Done;
            }
        };
        // `/SAIR` does not wait behind a paste: what still waits for the room is cancelled.
        if matches!(
            input,
            Input::Line(ClientLine::Command(Command::Quit { .. }), _)
        ) {
            let cancelled = backlog.cancel_room_lines();
            if cancelled > 0 {
                hub.send(id, &replies::cancelled(cancelled));
            }
        }
        backlog.push(input);
        if backlog.over(config.max_backlog_bytes) {
            hub.drop_member(id, replies::FLOODED);
            break End::Done;
        }
    };
    if let End::Lost(reason) = end {
        hub.disconnect(id, LeaveKind::Lost, reason);
    }
}

/// Sleeps until `when` (forever if `None`). The timer is boxed, made only when polled: every
/// connection's task holds the space of its futures, and these rarely run.
async fn sleep_until(when: Option<Instant>) {
    if let Some(when) = when {
        Box::pin(tokio::time::sleep_until(when)).await;
    }
}

/// Hands one input to the hub, once the peer's replies are below `reply_threshold` and the
/// store has room (both waits stop the reading: the peer slows down, memory does not grow).
async fn handle(
    input: Input,
    id: MemberId,
    hub: &Hub,
    mailbox: &Mailbox,
    reply_threshold: usize,
) -> Next {
    mailbox.replies_below(reply_threshold).await;
    match input {
        Input::Refusal(line) => {
            hub.send(id, &line);
            Next::Continue
        }
        Input::Line(ClientLine::Command(Command::Password { password }), _) => {
            // A wrong password is answered only on a room-wide turn: guessing stays slow
            // however many connections guess at once. A right one goes in at once.
            if !hub.admitted(id) && !hub.password_matches(&password) {
                while let Err(when) = hub.wrong_password_turn(Instant::now().into_std()) {
                    sleep_until(Some(Instant::from_std(when))).await;
                }
            }
            hub.handle(id, ClientLine::Command(Command::Password { password }))
        }
        Input::Line(ClientLine::Command(Command::Resume(request)), _) => {
            // A member already in the room, or a connection that has not given the room's
            // password, is only told so: no lookup for it.
            let session = match request.token.clone() {
                Some(token) if mailbox.stream().is_none() && hub.admitted(id) => {
                    // Boxed: a rare lookup should not size every connection's task.
                    Box::pin(hub.log().find_session(token)).await
                }
                _ => None,
            };
            hub.log().wait_for_room().await;
            hub.resume(id, request, session)
        }
        Input::Line(line, _) => {
            hub.log().wait_for_room().await;
            hub.handle(id, line)
        }
    }
}
