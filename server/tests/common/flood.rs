//! The slow-reader scenario, shared by the in-process test and the real-binary test: one member
//! joins with a tiny receive buffer and never reads, while three others flood the room and each
//! reads everything concurrently.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use papo_protocol::{LeaveKind, ServerLine};
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

use super::{Client, Lines, Msg, WAIT, join_all, marker};

/// The member that never reads.
pub const SLOW: &str = "lento";
/// The members that send and read.
pub const SENDERS: [&str; 3] = ["ana", "bob", "carla"];
/// The slow member's `SO_RCVBUF`, so the kernel buffers between it and the server fill fast.
pub const SLOW_RECV_BUFFER: u32 = 4096;
/// Bytes of chat text each sender may have in flight to each reader (sent, not yet read by it).
/// The readers are slower than the server (they parse every line, in a debug build, on the same
/// two cores), so unpaced senders would make *them* slow readers too. With this window each
/// reader is at most 3 × 8 KiB behind, well inside a 64 KiB queue even if its writer task is
/// not scheduled for a while, whereas the member that never reads falls behind without bound.
pub const WINDOW_BYTES: usize = 8 * 1024;

/// Everyone joined, nobody flooding yet.
pub struct FloodRoom {
    slow: Client,
    others: Vec<Client>,
}

/// What the flood did.
#[derive(Debug)]
pub struct FloodReport {
    /// Chat lines each of the three senders sent.
    pub lines_each: usize,
    /// Bytes of each chat text.
    pub text_bytes: usize,
    /// `MSG` lines each reading member received (all of them: checked).
    pub delivered_each: usize,
    /// `MSG` lines the slow member received before it was cut off.
    pub slow_received: usize,
    /// Whether the slow member's stream ended in the middle of a line.
    pub slow_partial_line: bool,
    /// From the first line sent to the last one read (the drop seen by all).
    pub elapsed: Duration,
}

/// The most the kernel may buffer for a peer that does not read: the maximum of TCP send-buffer
/// autotuning (`tcp_wmem`'s third field; 4 MiB by default on Linux). Loopback connections reach
/// it: a socket whose peer never reads absorbs 2.8–3.9 MB here before a write would block.
pub fn kernel_send_buffer_max() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(4 << 20)
}

/// How many lines of `text_bytes` each sender must send so that the slow member is owed twice
/// what the kernel can buffer for it (plus its queue): it must overflow, whatever the machine.
pub fn lines_to_overflow(text_bytes: usize, max_queue_bytes: usize, at_least: usize) -> usize {
    let owed = 2 * kernel_send_buffer_max() + max_queue_bytes;
    owed.div_ceil(text_bytes * SENDERS.len()).max(at_least)
}

/// The chat text `nick` sends as its line number `i`, padded to `bytes`.
fn text(nick: &str, i: usize, bytes: usize) -> String {
    let mut text = format!("{nick} {i:06} ");
    while text.len() < bytes {
        text.push('x');
    }
    text
}

impl FloodRoom {
    /// The slow member joins first (with a small receive buffer), then the senders.
    pub async fn join(addr: SocketAddr) -> Self {
        let mut slow = Client::connect_with_recv_buffer(addr, SLOW_RECV_BUFFER).await;
        slow.expect_hello().await;
        slow.login(SLOW, SLOW).await;
        let others = join_all(addr, &SENDERS).await;
        Self { slow, others }
    }

    /// Each sender sends `lines_each` texts of `text_bytes` bytes while reading concurrently.
    /// Checks that every reader gets every line (count, exact text, per-sender order, ids
    /// strictly increasing and identical across readers), that each sees the slow member
    /// dropped exactly once, and that the slow member's connection then ends.
    pub async fn flood(self, lines_each: usize, text_bytes: usize) -> FloodReport {
        let Self { mut slow, others } = self;
        let total = lines_each * SENDERS.len();
        let started = Instant::now();
        // gates[s][r]: how many more lines sender s may send before reader r has read them.
        let window = (WINDOW_BYTES / text_bytes).max(1);
        let gates: Vec<Vec<Arc<Semaphore>>> = (0..others.len())
            .map(|_| {
                (0..others.len())
                    .map(|_| Arc::new(Semaphore::new(window)))
                    .collect()
            })
            .collect();
        let mut tasks = Vec::new();
        for (index, client) in others.into_iter().enumerate() {
            let (nick, join_id) = (client.nick.clone(), client.join_id);
            let (lines, mut writer) = client.into_split();
            let sender_nick = nick.clone();
            let my_gates = gates[index].clone();
            let sending = tokio::spawn(async move {
                for i in 0..lines_each {
                    for gate in &my_gates {
                        // Given back by that reader when it reads one of this sender's lines.
                        tokio::time::timeout(WAIT, gate.acquire())
                            .await
                            .expect("every reader keeps up within the deadline")
                            .expect("gates are never closed")
                            .forget();
                    }
                    let line = format!("{}\n", text(&sender_nick, i, text_bytes));
                    tokio::time::timeout(WAIT, writer.write_all(line.as_bytes()))
                        .await
                        .expect("a sender's write is never held up for long")
                        .expect("a sender's write succeeds");
                }
                writer
            });
            let read_gates = SENDERS
                .iter()
                .zip(&gates)
                .map(|(sender, row)| ((*sender).to_owned(), Arc::clone(&row[index])))
                .collect();
            let reading = tokio::spawn(read_flood(lines, total, read_gates));
            tasks.push((nick, join_id, sending, reading));
        }

        let mut readers = Vec::new();
        for (nick, join_id, sending, reading) in tasks {
            let writer = sending.await.expect("sender task");
            let (lines, msgs, parts) = reading.await.expect("reader task");
            assert_eq!(
                parts, 1,
                "{nick}: exactly one PART … dropped for {SLOW} during the flood"
            );
            readers.push((Client::from_parts(lines, writer, nick, join_id), msgs));
        }
        let elapsed = started.elapsed();

        let reference: Vec<u64> = readers[0].1.iter().map(|m| m.id).collect();
        assert!(
            reference.windows(2).all(|w| w[0] < w[1]),
            "ids strictly increasing"
        );
        for (client, msgs) in &readers {
            assert_eq!(msgs.len(), total, "{}: every line delivered", client.nick);
            let ids: Vec<u64> = msgs.iter().map(|m| m.id).collect();
            assert_eq!(
                ids, reference,
                "{}: same events in the same order",
                client.nick
            );
            for sender in SENDERS {
                let texts: Vec<&str> = msgs
                    .iter()
                    .filter(|m| m.nick == sender)
                    .map(|m| m.text.as_str())
                    .collect();
                let expected: Vec<String> = (0..lines_each)
                    .map(|i| text(sender, i, text_bytes))
                    .collect();
                assert!(
                    texts == expected,
                    "{}: {sender}'s lines arrive complete and in order ({} of {lines_each})",
                    client.nick,
                    texts.len()
                );
            }
        }

        // The slow member's connection must end: whatever the kernel buffers held, then EOF.
        let (slow_msgs, slow_partial_line) = drain_slow(&mut slow, total).await;
        let delivered: HashSet<u64> = reference.iter().copied().collect();
        assert!(
            slow_msgs.iter().all(|id| delivered.contains(id)) && reference.starts_with(&slow_msgs),
            "{SLOW} received a prefix of the room's events, nothing else"
        );

        // Its departure was announced once: after its connection ended, the next line every
        // member gets is a fresh marker, not a second PART.
        let mut iter = readers.into_iter().map(|(c, _)| c);
        let mut first = iter.next().expect("three readers");
        let mut rest: Vec<Client> = iter.collect();
        let mut observers: Vec<&mut Client> = rest.iter_mut().collect();
        marker(&mut first, &mut observers, "fim do dilúvio").await;

        FloodReport {
            lines_each,
            text_bytes,
            delivered_each: total,
            slow_received: slow_msgs.len(),
            slow_partial_line,
            elapsed,
        }
    }
}

/// Reads until `total` chat lines and the slow member's PART arrived; returns the reader, the
/// messages and how many PARTs for the slow member were seen. Anything else is a failure.
async fn read_flood(
    mut lines: Lines,
    total: usize,
    gates: HashMap<String, Arc<Semaphore>>,
) -> (Lines, Vec<Msg>, usize) {
    let mut msgs = Vec::with_capacity(total);
    let mut parts = 0;
    for _ in 0..total + 10 {
        if msgs.len() == total && parts > 0 {
            break;
        }
        let Some(line) = lines.try_recv(WAIT / 2).await else {
            panic!(
                "{}: stalled after {} of {total} MSG and {parts} PART for {SLOW}",
                lines.label,
                msgs.len()
            );
        };
        match line {
            ServerLine::Message {
                id,
                time,
                nick,
                text,
            } => {
                if let Some(gate) = gates.get(nick.as_str()) {
                    gate.add_permits(1);
                }
                msgs.push(Msg {
                    id: id.0,
                    time,
                    nick: nick.to_string(),
                    text,
                });
            }
            ServerLine::Left {
                nick,
                kind: LeaveKind::Dropped,
                ..
            } if nick.as_str() == SLOW => parts += 1,
            other => panic!(
                "{}: unexpected line during the flood (after {} MSG, {parts} PART): {other:?}",
                lines.label,
                msgs.len()
            ),
        }
    }
    assert!(
        msgs.len() == total && parts > 0,
        "{}: flood incomplete: {} of {total} MSG, {parts} PART for {SLOW}",
        lines.label,
        msgs.len()
    );
    (lines, msgs, parts)
}

/// Reads the slow member's stream to its end (bounded); returns the MSG ids it got and whether
/// the stream ended in the middle of a line (a dropped reader's last write may be cut short).
async fn drain_slow(slow: &mut Client, total: usize) -> (Vec<u64>, bool) {
    let mut ids = Vec::new();
    for _ in 0..total + 100 {
        match slow.next_line_or_partial().await {
            Drained::Line(raw) => match ServerLine::parse(&raw) {
                Ok(ServerLine::Message { id, .. }) => ids.push(id.0),
                Ok(ServerLine::Joined { .. } | ServerLine::Bye { .. }) => {}
                other => panic!("{SLOW}: unexpected line {other:?}"),
            },
            Drained::End => return (ids, false),
            Drained::Partial => return (ids, true),
        }
    }
    panic!(
        "{SLOW}: its connection did not end after {} lines",
        total + 100
    );
}

/// One read while draining a stream that may end mid-line.
pub enum Drained {
    /// A complete line.
    Line(String),
    /// The stream ended (or was reset) cleanly between lines.
    End,
    /// The stream ended after part of a line.
    Partial,
}
