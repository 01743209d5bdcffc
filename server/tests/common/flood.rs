//! The slow-reader scenario, shared by the in-process test and the real-binary test: one member
//! joins with a tiny receive buffer and stops reading while three others flood the room and each
//! reads everything concurrently; then it reads again and must be caught up with every event,
//! in order, exactly once.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use papo_protocol::ServerLine;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

use super::{Client, Lines, Msg, WAIT, join_all, marker};

/// The member that stops reading during the flood.
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
    /// `MSG` lines the slow member received once it read again (all of them: checked).
    pub slow_received: usize,
    /// From the first line sent to the last one the readers read.
    pub elapsed: Duration,
    /// From then until the slow member had caught up.
    pub catch_up: Duration,
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
/// what the kernel can buffer for it plus 20 × the server's in-memory window: its position
/// must fall far behind the window, whatever the machine.
pub fn lines_to_pass_the_window(text_bytes: usize, window_bytes: usize, at_least: usize) -> usize {
    let owed = 2 * kernel_send_buffer_max() + 20 * window_bytes;
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
    /// strictly increasing and identical across readers) while the slow member reads nothing,
    /// and that the slow member, reading again, gets exactly the same events.
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
            let (lines, msgs) = reading.await.expect("reader task");
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

        // The slow member was not dropped: reading again, it gets every event, in order, once.
        let slow_ids = read_slow(&mut slow, total).await;
        assert!(
            slow_ids == reference,
            "{SLOW} received {} events; the room's {} in the same order",
            slow_ids.len(),
            reference.len()
        );
        let catch_up = started.elapsed() - elapsed;

        // Nothing more was owed to anyone: the next line everyone gets is a fresh marker.
        let mut iter = readers.into_iter().map(|(c, _)| c);
        let mut first = iter.next().expect("three readers");
        let mut rest: Vec<Client> = iter.collect();
        let mut observers: Vec<&mut Client> = rest.iter_mut().collect();
        observers.push(&mut slow);
        marker(&mut first, &mut observers, "fim do dilúvio").await;

        FloodReport {
            lines_each,
            text_bytes,
            delivered_each: total,
            slow_received: slow_ids.len(),
            elapsed,
            catch_up,
        }
    }
}

/// Reads until `total` chat lines arrived; returns the reader and the messages. Anything else
/// is a failure (in particular, nobody is dropped).
async fn read_flood(
    mut lines: Lines,
    total: usize,
    gates: HashMap<String, Arc<Semaphore>>,
) -> (Lines, Vec<Msg>) {
    let mut msgs = Vec::with_capacity(total);
    while msgs.len() < total {
        let Some(line) = lines.try_recv(WAIT / 2).await else {
            panic!(
                "{}: stalled after {} of {total} MSG",
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
            other => panic!(
                "{}: unexpected line during the flood (after {} MSG): {other:?}",
                lines.label,
                msgs.len()
            ),
        }
    }
    (lines, msgs)
}

/// Reads the slow member's backlog: the senders' JOINs, then `total` MSG ids.
async fn read_slow(slow: &mut Client, total: usize) -> Vec<u64> {
    let mut ids = Vec::with_capacity(total);
    let mut joins = HashSet::new();
    while ids.len() < total {
        match slow.recv().await {
            ServerLine::Message { id, .. } => ids.push(id.0),
            ServerLine::Joined { nick, .. } if SENDERS.contains(&nick.as_str()) => {
                assert!(
                    joins.insert(nick.to_string()),
                    "{SLOW}: {nick} joined twice"
                );
            }
            other => panic!("{SLOW}: unexpected line {other:?} after {} MSG", ids.len()),
        }
    }
    ids
}
