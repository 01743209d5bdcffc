//! A load generator for papo-server: N members join, S of them send sequence-numbered lines with
//! a window of W lines in flight each, and every member counts what it receives.
//!
//! `cargo run --release -p papo-server --example load -- --addr 127.0.0.1:7667 --clients 100
//!  --senders 10 --messages 2000 --window 64 [--server-pid PID]`
//!
//! Reports deliveries per second, latency percentiles (send → delivery back to the sender), lost
//! or reordered lines, and with `--server-pid` the server's CPU time and RSS (from /proc).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Barrier, Semaphore};

#[derive(Debug, Parser)]
struct Args {
    /// Server address.
    #[arg(long, default_value = "127.0.0.1:7667")]
    addr: String,
    /// Members that join and receive.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// How many of them also send.
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Lines each sender sends.
    #[arg(long, default_value_t = 2000)]
    messages: usize,
    /// Lines each sender keeps in flight (sent, not yet seen back).
    #[arg(long, default_value_t = 64)]
    window: usize,
    /// The server's PID, to report its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Give up after this many seconds (raise it for long soak runs).
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
}

/// What one member saw.
#[derive(Debug, Default)]
struct Received {
    deliveries: usize,
    out_of_order: usize,
    latencies_us: Vec<u64>,
}

/// (utime + stime in seconds, VmRSS in KiB) of a process.
fn proc_usage(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches(" kB")
        .parse()
        .ok()?;
    // Linux reports CPU times in clock ticks of 1/100 s on every platform papo targets.
    Some((ticks as f64 / 100.0, rss))
}

async fn join(
    addr: &str,
    nick: &str,
) -> anyhow::Result<(
    BufReader<tokio::net::tcp::OwnedReadHalf>,
    tokio::net::tcp::OwnedWriteHalf,
)> {
    let stream = TcpStream::connect(addr).await.context("connect")?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(format!("{nick}\n").as_bytes()).await?;
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            bail!("closed while joining");
        }
        if line.starts_with("WELCOME") {
            return Ok((read, write));
        }
        if line.starts_with("ERR") {
            bail!("refused: {line}");
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.senders > args.clients || args.window == 0 {
        bail!("need senders <= clients and window >= 1");
    }
    let expected = args.senders * args.messages;
    let connect_start = Instant::now();
    let mut members = Vec::new();
    for i in 0..args.clients {
        members.push(join(&args.addr, &format!("load{i}")).await?);
    }
    let connect_time = connect_start.elapsed();
    let epoch = Instant::now();
    let start_barrier = Arc::new(Barrier::new(args.clients + 1));
    let mut tasks = Vec::new();
    for (i, (mut read, mut write)) in members.into_iter().enumerate() {
        let barrier = Arc::clone(&start_barrier);
        let sender = i < args.senders;
        let (messages, window) = (args.messages, args.window);
        tasks.push(tokio::spawn(async move {
            let credits = Arc::new(Semaphore::new(window));
            let nick = format!("load{i}");
            if sender {
                let credits = Arc::clone(&credits);
                tokio::spawn(async move {
                    for seq in 0..messages {
                        let Ok(permit) = credits.acquire().await else {
                            return;
                        };
                        permit.forget();
                        let sent = epoch.elapsed().as_micros();
                        if write
                            .write_all(format!("{seq} {sent}\n").as_bytes())
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    // Keep the write half open until the reader is done.
                    std::future::pending::<()>().await;
                });
            }
            barrier.wait().await;
            let mut got = Received::default();
            let mut last_seq: HashMap<String, i64> = HashMap::new();
            let mut line = String::new();
            while got.deliveries < expected {
                line.clear();
                match read.read_line(&mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // MSG <id> <time> <nick> :<seq> <sent_us>
                let mut parts = line.trim_end().splitn(5, ' ');
                if parts.next() != Some("MSG") {
                    continue;
                }
                let (Some(_id), Some(_time), Some(from), Some(text)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                // History replayed on joining (protocol 2) is not part of the run.
                if text.starts_with("hist") {
                    continue;
                }
                let mut text = text.trim_start_matches(':').split(' ');
                let seq: i64 = text.next().and_then(|s| s.parse().ok()).unwrap_or(-1);
                let sent: u128 = text.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                got.deliveries += 1;
                let last = last_seq.entry(from.to_owned()).or_insert(-1);
                if seq != *last + 1 {
                    got.out_of_order += 1;
                }
                *last = seq;
                if from == nick {
                    let now = epoch.elapsed().as_micros();
                    got.latencies_us
                        .push(u64::try_from(now.saturating_sub(sent)).unwrap_or(u64::MAX));
                    credits.add_permits(1);
                }
            }
            got
        }));
    }
    let cpu_before = args.server_pid.and_then(proc_usage);
    start_barrier.wait().await;
    let run_start = Instant::now();
    let mut total = Received::default();
    for task in tasks {
        let got = tokio::time::timeout(Duration::from_secs(args.timeout_secs), task)
            .await
            .context("timed out")??;
        total.deliveries += got.deliveries;
        total.out_of_order += got.out_of_order;
        total.latencies_us.extend(got.latencies_us);
    }
    let elapsed = run_start.elapsed().as_secs_f64();
    let cpu_after = args.server_pid.and_then(proc_usage);
    total.latencies_us.sort_unstable();
    let pct = |p: f64| {
        let v = &total.latencies_us;
        v.get(((v.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    let wanted = expected * args.clients;
    println!(
        "clients {} senders {} messages/sender {} window {}",
        args.clients, args.senders, args.messages, args.window
    );
    println!("connect+join {:.2}s", connect_time.as_secs_f64());
    println!(
        "deliveries {}/{} lost {} out-of-order {}",
        total.deliveries,
        wanted,
        wanted - total.deliveries.min(wanted),
        total.out_of_order
    );
    println!(
        "elapsed {elapsed:.2}s  deliveries/s {:.0}",
        total.deliveries as f64 / elapsed
    );
    println!(
        "latency us p50 {} p99 {} p99.9 {} max {}",
        pct(0.5),
        pct(0.99),
        pct(0.999),
        pct(1.0)
    );
    if let (Some((cpu0, _)), Some((cpu1, rss))) = (cpu_before, cpu_after) {
        let cpu = cpu1 - cpu0;
        println!(
            "server cpu {cpu:.2}s  deliveries per server CPU-second {:.0}  rss {rss} KiB",
            total.deliveries as f64 / cpu.max(0.01)
        );
    }
    Ok(())
}
