//! A receiver drains its connection from the moment it joined until the run stops, counting
//! every payload: deliveries, order per sender, latency. The watcher also hands credits back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Mutex, Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::histogram::Histogram;
use crate::lines::{LineReader, parse_payload};
use crate::protocol::{Classifier, Line};

/// A connection's write half, shared by its sender (if any) and its receiver (IRC `PONG`).
pub type Writer = Arc<Mutex<OwnedWriteHalf>>;

/// State shared by every task of one run.
pub struct Run {
    /// Time zero of every `sent_us`.
    pub epoch: Instant,
    /// One window per sender: permits are lines it may still send.
    pub credits: Vec<Semaphore>,
    /// Deliveries so far, all receivers together (to notice a stall).
    pub progress: AtomicU64,
    /// Receivers that have everything they expect.
    pub complete: AtomicUsize,
    /// Receivers in the run.
    pub receivers: usize,
    /// Signalled when the last receiver completes.
    pub all_complete: Notify,
    /// Tells receivers to stop reading and report.
    pub stop: CancellationToken,
}

impl Run {
    /// Microseconds since the epoch.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// What one receiver saw.
#[derive(Debug, Default)]
pub struct Stats {
    /// Payloads received.
    pub deliveries: u64,
    /// Payloads it should receive.
    pub expected: u64,
    /// Payloads that were not the next of their sender (reordered or duplicated).
    pub out_of_order: u64,
    /// Lines that looked like messages but did not carry a valid payload.
    pub malformed: u64,
    /// The server closed the connection (or reading failed) before the run ended.
    pub disconnected: bool,
    /// Send-to-delivery latency of every payload, µs.
    pub latency: Histogram,
}

/// One receiver's part in the run.
pub struct Receiver {
    pub reader: LineReader,
    pub writer: Writer,
    pub classifier: Classifier,
    /// The receiver that returns credits to the senders.
    pub watcher: bool,
    pub expected: u64,
    pub run: Arc<Run>,
}

impl Receiver {
    /// Reads until the run stops or the connection ends.
    pub async fn receive(mut self) -> Stats {
        let run = Arc::clone(&self.run);
        let mut stats = Stats {
            expected: self.expected,
            ..Stats::default()
        };
        let mut next_seq = vec![0u64; run.credits.len()];
        let mut replies = Vec::new();
        let mut now = run.now_us();
        loop {
            let before = stats.deliveries;
            let (classifier, watcher) = (&mut self.classifier, self.watcher);
            self.reader
                .for_each_line(|line| match classifier.classify(line) {
                    Line::Message(text) => {
                        record(text, now, watcher, &run, &mut next_seq, &mut stats);
                    }
                    Line::Reply(bytes) => replies.extend_from_slice(&bytes),
                    Line::Other => {}
                });
            if !replies.is_empty() {
                if self.writer.lock().await.write_all(&replies).await.is_err() {
                    stats.disconnected = true;
                    break;
                }
                replies.clear();
            }
            if stats.deliveries != before {
                run.progress
                    .fetch_add(stats.deliveries - before, Ordering::Relaxed);
                if before < stats.expected && stats.deliveries >= stats.expected {
                    let complete = run.complete.fetch_add(1, Ordering::Relaxed) + 1;
                    if complete == run.receivers {
                        run.all_complete.notify_one();
                    }
                }
            }
            tokio::select! {
                biased;
                () = run.stop.cancelled() => break,
                read = self.reader.fill() => {
                    if !matches!(read, Ok(true)) {
                        stats.disconnected = !run.stop.is_cancelled();
                        break;
                    }
                }
            }
            // One timestamp per read: every line in it arrived at once.
            now = run.now_us();
        }
        stats
    }
}

fn record(
    text: &[u8],
    now: u64,
    watcher: bool,
    run: &Run,
    next_seq: &mut [u64],
    stats: &mut Stats,
) {
    let Some(payload) = parse_payload(text) else {
        stats.malformed += 1;
        return;
    };
    let Some(next) = next_seq.get_mut(payload.sender) else {
        stats.malformed += 1;
        return;
    };
    stats.deliveries += 1;
    if payload.seq == *next {
        *next += 1;
    } else {
        stats.out_of_order += 1;
        *next = (*next).max(payload.seq + 1);
    }
    stats.latency.record(now.saturating_sub(payload.sent_us));
    if watcher {
        run.credits[payload.sender].add_permits(1);
    }
}
