//! A load generator for papo-server that puts the same load on ngIRCd and Redis pub/sub, so the
//! three can be measured side by side (`server/bench/side-by-side.sh` drives it).
//!
//! `cargo run --release -p papo-server --example load -- --protocol papo|irc|redis
//!  --addr 127.0.0.1:PORT --clients N --senders S --messages M --window W [--server-pid PID]`
//!
//! N receivers join one after another; S senders (papo and IRC: the first S receivers; Redis:
//! S extra publishers) each send M numbered lines, at most W of them not yet seen by the
//! watcher (the last receiver). Every receiver counts what it gets and its latency. Prints a few
//! human lines, then one `result key=value…` line; exits non-zero if any line was lost.

mod histogram;
mod irc;
mod lines;
mod papo;
mod procfs;
mod protocol;
mod receiver;
mod redis;
mod sender;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::sync::{Mutex, Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use histogram::Histogram;
use lines::LineReader;
use protocol::Protocol;
use receiver::{Receiver, Run, Stats};

/// A run ends this long after the last delivery anywhere.
const STALL: Duration = Duration::from_secs(10);
/// How often the end conditions are checked (completion itself wakes the check at once).
const POLL: Duration = Duration::from_millis(100);
/// Longest wait for one connection to join.
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Parser)]
struct Args {
    /// The server's protocol.
    #[arg(long, value_enum, default_value = "papo")]
    protocol: Protocol,
    /// Server address.
    #[arg(long, default_value = "127.0.0.1:7667")]
    addr: String,
    /// Connections that join and receive.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// How many send (fewer than --clients: the last client only watches).
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Lines each sender sends.
    #[arg(long, default_value_t = 2000)]
    messages: u64,
    /// Lines each sender keeps in flight (sent, not yet seen by the watcher).
    #[arg(long, default_value_t = 64)]
    window: usize,
    /// The server's PID, to report its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Give up after this many seconds, joins included.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    /// Pause after the last join before the idle memory is read, ms.
    #[arg(long, default_value_t = 2000)]
    settle_ms: u64,
}

/// Why the run ended.
#[derive(Debug, Clone, Copy)]
enum Ending {
    Complete,
    Stalled,
    TimedOut,
}

/// Everything the output needs.
struct Report {
    join: Duration,
    elapsed: Duration,
    ending: Ending,
    total: Stats,
    lost: u64,
    disconnects: usize,
    server_cpu_s: Option<f64>,
    tool_cpu_s: Option<f64>,
    rss_before: Option<u64>,
    rss_idle: Option<u64>,
    rss_end: Option<u64>,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    if args.senders == 0 || args.senders >= args.clients {
        bail!("need 1 <= --senders < --clients (the last client watches and never sends)");
    }
    if args.window == 0 || args.messages == 0 {
        bail!("need --window >= 1 and --messages >= 1");
    }
    if let Err(e) = procfs::raise_nofile_limit() {
        eprintln!("could not raise the open-file limit: {e}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(run(&args))?;
    print(&args, &report);
    Ok(if report.lost > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn run(args: &Args) -> anyhow::Result<Report> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_secs);
    let pid = args.server_pid;
    let rss_before = pid.and_then(procfs::rss_kib);
    let run = Arc::new(Run {
        epoch: Instant::now(),
        credits: (0..args.senders)
            .map(|_| Semaphore::new(args.window))
            .collect(),
        progress: AtomicU64::new(0),
        complete: AtomicUsize::new(0),
        receivers: args.clients,
        all_complete: Notify::new(),
        stop: CancellationToken::new(),
    });

    // Join phase: one at a time; each starts draining as soon as it is in.
    let join_start = Instant::now();
    let mut receivers = Vec::with_capacity(args.clients);
    let mut sender_writers = Vec::with_capacity(args.senders);
    for index in 0..args.clients {
        let until = deadline.min(tokio::time::Instant::now() + JOIN_TIMEOUT);
        let (reader, writer) =
            tokio::time::timeout_at(until, args.protocol.join(&args.addr, index))
                .await
                .with_context(|| format!("client {index} timed out joining"))?
                .with_context(|| format!("client {index} could not join"))?;
        let writer = Arc::new(Mutex::new(writer));
        if args.protocol.senders_are_members() && index < args.senders {
            sender_writers.push(Arc::clone(&writer));
        }
        let expected = args.protocol.expected(index, args.senders, args.messages);
        if expected == 0 {
            run.complete.fetch_add(1, Ordering::Relaxed);
        }
        let receiver = Receiver {
            reader,
            writer,
            classifier: args.protocol.classifier(),
            watcher: index == args.clients - 1,
            expected,
            run: Arc::clone(&run),
        };
        receivers.push(tokio::spawn(receiver.receive()));
    }
    let join = join_start.elapsed();
    tokio::time::sleep(Duration::from_millis(args.settle_ms)).await;
    let rss_idle = pid.and_then(procfs::rss_kib);

    if !args.protocol.senders_are_members() {
        for _ in 0..args.senders {
            let (reader, writer) = protocol::connect(&args.addr).await?;
            tokio::spawn(discard(reader, run.stop.clone()));
            sender_writers.push(Arc::new(Mutex::new(writer)));
        }
    }

    let server_cpu_start = pid.and_then(procfs::cpu_ticks);
    let tool_cpu_start = procfs::cpu_ticks("self");
    let send_start = Instant::now();
    let senders: Vec<_> = sender_writers
        .into_iter()
        .enumerate()
        .map(|(index, writer)| {
            let run = Arc::clone(&run);
            tokio::spawn(sender::send(
                args.protocol,
                index,
                args.messages,
                writer,
                run,
            ))
        })
        .collect();
    let (end, ending) = wait_for_end(&run, deadline).await;
    let server_cpu_end = pid.and_then(procfs::cpu_ticks);
    let tool_cpu_end = procfs::cpu_ticks("self");
    let rss_end = pid.and_then(procfs::rss_kib);
    run.stop.cancel();

    for (index, sender) in senders.into_iter().enumerate() {
        if !sender.is_finished() {
            sender.abort();
        } else if let Ok(Err(e)) = sender.await {
            eprintln!("sender {index}: {e:#}");
        }
    }
    let mut total = Stats {
        latency: Histogram::default(),
        ..Stats::default()
    };
    let (mut lost, mut disconnects) = (0, 0);
    for receiver in receivers {
        let stats = receiver.await.context("a receiver panicked")?;
        lost += stats.expected.saturating_sub(stats.deliveries);
        disconnects += usize::from(stats.disconnected);
        total.deliveries += stats.deliveries;
        total.expected += stats.expected;
        total.out_of_order += stats.out_of_order;
        total.malformed += stats.malformed;
        total.latency.merge(&stats.latency);
    }
    let seconds = |start: Option<u64>, end: Option<u64>| {
        Some(end?.saturating_sub(start?) as f64 / procfs::ticks_per_second())
    };
    Ok(Report {
        join,
        elapsed: end.saturating_duration_since(send_start),
        ending,
        total,
        lost,
        disconnects,
        server_cpu_s: seconds(server_cpu_start, server_cpu_end),
        tool_cpu_s: seconds(tool_cpu_start, tool_cpu_end),
        rss_before,
        rss_idle,
        rss_end,
    })
}

/// Waits until every receiver has what it expects, nothing arrived for `STALL`, or the deadline.
/// Returns when the run ended: for a stall, the last progress seen.
async fn wait_for_end(run: &Run, deadline: tokio::time::Instant) -> (Instant, Ending) {
    let mut seen = run.progress.load(Ordering::Relaxed);
    let mut last_progress = Instant::now();
    loop {
        if run.complete.load(Ordering::Relaxed) >= run.receivers {
            return (Instant::now(), Ending::Complete);
        }
        tokio::select! {
            () = run.all_complete.notified() => continue,
            () = tokio::time::sleep(POLL) => {}
        }
        let now = Instant::now();
        let progress = run.progress.load(Ordering::Relaxed);
        if progress != seen {
            (seen, last_progress) = (progress, now);
        } else if now.duration_since(last_progress) >= STALL {
            return (last_progress, Ending::Stalled);
        }
        if tokio::time::Instant::now() >= deadline {
            return (now, Ending::TimedOut);
        }
    }
}

/// Reads and drops a publisher's replies (Redis answers each `PUBLISH` with a count).
async fn discard(mut reader: LineReader, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            read = reader.fill() => match read {
                Ok(true) => reader.for_each_line(|_| {}),
                _ => return,
            },
        }
    }
}

fn print(args: &Args, r: &Report) {
    let t = &r.total;
    let elapsed = r.elapsed.as_secs_f64().max(1e-6);
    let per_s = t.deliveries as f64 / elapsed;
    let per_cpu = r
        .server_cpu_s
        .map(|cpu| t.deliveries as f64 / cpu.max(0.01));
    let (p50, p99, p999) = (
        t.latency.quantile(0.5),
        t.latency.quantile(0.99),
        t.latency.quantile(0.999),
    );
    let per_client = match (r.rss_before, r.rss_idle) {
        (Some(before), Some(idle)) => {
            Some((idle as i64 - before as i64) * 1024 / args.clients as i64)
        }
        _ => None,
    };
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let f2 = |v: Option<f64>| or_dash(v.map(|v| format!("{v:.2}")));
    let int = |v: Option<i64>| or_dash(v.map(|v| v.to_string()));
    let kib = |v: Option<u64>| or_dash(v.map(|v| v.to_string()));

    println!(
        "{} clients {} senders {} messages/sender {} window {}",
        args.protocol.name(),
        args.clients,
        args.senders,
        args.messages,
        args.window
    );
    println!("join {:.2}s (one after another)", r.join.as_secs_f64());
    println!(
        "deliveries {}/{} lost {} out-of-order {} malformed {} disconnects {} ({:?})",
        t.deliveries, t.expected, r.lost, t.out_of_order, t.malformed, r.disconnects, r.ending
    );
    println!(
        "elapsed {elapsed:.2}s  deliveries/s {per_s:.0}  server cpu {}s  per server CPU-second {}  load tool cpu {}s",
        f2(r.server_cpu_s),
        or_dash(per_cpu.map(|v| format!("{v:.0}"))),
        f2(r.tool_cpu_s),
    );
    println!(
        "latency us p50 {p50} p99 {p99} p99.9 {p999} max {}",
        t.latency.max()
    );
    println!(
        "rss KiB before {} idle {} end {}  idle bytes/client {}",
        kib(r.rss_before),
        kib(r.rss_idle),
        kib(r.rss_end),
        int(per_client)
    );
    println!(
        "result protocol={} clients={} senders={} messages={} window={} join_s={:.3} \
         deliveries={} expected={} lost={} out_of_order={} elapsed_s={elapsed:.3} \
         deliveries_per_s={per_s:.0} server_cpu_s={} per_cpu_s={} p50_us={p50} p99_us={p99} \
         p999_us={p999} max_us={} rss_before_kib={} rss_idle_kib={} idle_bytes_per_client={} \
         rss_end_kib={} disconnects={} malformed={} tool_cpu_s={} ending={}",
        args.protocol.name(),
        args.clients,
        args.senders,
        args.messages,
        args.window,
        r.join.as_secs_f64(),
        t.deliveries,
        t.expected,
        r.lost,
        t.out_of_order,
        f2(r.server_cpu_s),
        or_dash(per_cpu.map(|v| format!("{v:.0}"))),
        t.latency.max(),
        kib(r.rss_before),
        kib(r.rss_idle),
        int(per_client),
        kib(r.rss_end),
        r.disconnects,
        t.malformed,
        f2(r.tool_cpu_s),
        match r.ending {
            Ending::Complete => "complete",
            Ending::Stalled => "stalled",
            Ending::TimedOut => "timeout",
        },
    );
}
