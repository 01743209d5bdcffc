//! The client's load benchmark: a history of 100 000 lines, then what a frame, a resize, a
//! scroll and a join into a 100 000-member room cost, and the memory all that takes.
//!
//! `cargo bench -p papo --bench client` (release build). Prints one table; nothing is asserted.
//! Each figure is the median and the 99th percentile of many runs of `update` plus a draw into
//! ratatui's `TestBackend` at 200×50 (what papo does per frame, minus writing to the terminal).

use std::time::{Duration, Instant};

use papo::app::{self, App, Clock, ConnId, Effect, Event, NetEvent, Options, Server, Zone, update};
use papo::config::Config;
use papo::theme::Theme;
use papo::ui;
use papo_protocol::{Nickname, ServerLine, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
const LINES: u64 = 100_000;
const MEMBERS: usize = 100_000;

fn main() {
    let rss_start = rss_kib();
    let mut app = new_app();
    let conn = login(&mut app);
    let rss_empty = rss_kib();
    let started = Instant::now();
    for id in 10..10 + LINES {
        net_line(&mut app, conn, &message(id));
    }
    let fill = started.elapsed();
    let rss_full = rss_kib();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    draw(&app, &mut terminal);

    println!(
        "papo client benchmark: {LINES} history lines at {WIDTH}×{HEIGHT} (history holds {} entries, {:.1} MiB by its count)",
        app.history.entries().len(),
        app.history.bytes() as f64 / (1 << 20) as f64
    );
    println!(
        "filling the history: {:.2} s ({:.1} µs per line)",
        fill.as_secs_f64(),
        fill.as_secs_f64() * 1e6 / LINES as f64
    );
    println!();
    println!("| what | median | p99 | max |");
    println!("|---|---|---|---|");

    let mut next = 10 + LINES;
    report("new message + draw (live)", 2_000, || {
        net_line(&mut app, conn, &message(next));
        next += 1;
        draw(&app, &mut terminal);
    });

    let mut wide = true;
    report("resize 200↔199 columns + draw", 500, || {
        wide = !wide;
        let width = if wide { WIDTH } else { WIDTH - 1 };
        update(
            &mut app,
            Event::Resize {
                width,
                height: HEIGHT,
            },
        );
        terminal
            .resize(ratatui::layout::Rect::new(0, 0, width, HEIGHT))
            .expect("resize");
        draw(&app, &mut terminal);
    });
    update(
        &mut app,
        Event::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, WIDTH, HEIGHT))
        .expect("resize");

    report("PgUp + draw (scrolling back)", 2_000, || {
        update(&mut app, key(crossterm::event::KeyCode::PageUp));
        draw(&app, &mut terminal);
    });
    report("new message + draw (scrolled up)", 2_000, || {
        net_line(&mut app, conn, &message(next));
        next += 1;
        draw(&app, &mut terminal);
    });
    update(&mut app, key(crossterm::event::KeyCode::Esc));

    report("key typed into the message line + draw", 2_000, || {
        update(&mut app, key(crossterm::event::KeyCode::Char('x')));
        draw(&app, &mut terminal);
    });

    // A room of 100 000 members.
    let names: Vec<String> = (0..MEMBERS).map(|i| format!("m{i:06}")).collect();
    let users = format!("USERS {} :bench {}", MEMBERS + 1, names.join(" "));
    let started = Instant::now();
    net_line(&mut app, conn, &users);
    let list = started.elapsed();
    let rss_room = rss_kib();
    let mut joined = 0u64;
    report("JOIN + PART in a 100 000-member room + draw", 2_000, || {
        let (id, nick) = (next, format!("novo{joined}"));
        net_line(
            &mut app,
            conn,
            &format!("JOIN {id} 2026-11-24T23:31:00Z {nick}"),
        );
        net_line(
            &mut app,
            conn,
            &format!("PART {} 2026-11-24T23:31:00Z {nick} quit :", id + 1),
        );
        next += 2;
        joined += 1;
        draw(&app, &mut terminal);
    });
    println!();
    println!(
        "USERS line of {MEMBERS} members taken in: {:.1} ms",
        list.as_secs_f64() * 1e3
    );
    println!(
        "RSS: {} MiB at start, {} MiB connected, {} MiB with {LINES} lines, {} MiB with the big room",
        rss_start / 1024,
        rss_empty / 1024,
        rss_full / 1024,
        rss_room / 1024
    );
}

fn new_app() -> App {
    let options = Options {
        size: (WIDTH, HEIGHT),
        theme: Theme { no_color: false },
        clock: Clock::Fixed(Timestamp::from_unix_seconds(1_795_995_000)),
        zone: Zone::Utc,
        seed: 1,
        connect_hint: false,
    };
    let config = Config {
        history_lines: LINES as usize,
        history_mib: 256,
        ..Config::default()
    };
    App::new(config, options)
}

/// Goes through the login as `bench`; returns the connection's id.
fn login(app: &mut App) -> ConnId {
    let server = Server {
        host: "127.0.0.1".into(),
        port: 7667,
        tls: false,
    };
    let nick = Nickname::parse("bench").expect("valid nickname");
    let fx = app::connect_now(app, server, nick);
    let conn = fx
        .iter()
        .find_map(|e| match e {
            Effect::Connect { conn, .. } => Some(*conn),
            _ => None,
        })
        .expect("a connect effect");
    update(
        app,
        Event::Net {
            conn,
            event: NetEvent::Connected,
        },
    );
    for raw in [
        "HELLO papo 2 e1 open :olá",
        "WELCOME bench tok :você entrou na sala como bench",
        "LIVE 0 :ao vivo",
        "USERS 2 :bench bob",
    ] {
        net_line(app, conn, raw);
    }
    conn
}

/// A message of 40 to 200 bytes, so some lines wrap at 200 columns minus the users panel.
fn message(id: u64) -> String {
    let words = 5 + (id * 7919 % 30) as usize;
    let text: Vec<&str> = [
        "olá",
        "pessoal",
        "deploy",
        "às",
        "18h",
        "sem",
        "erro",
        "日本語",
        "😀",
    ]
    .iter()
    .cycle()
    .skip((id % 9) as usize)
    .take(words)
    .copied()
    .collect();
    format!("MSG {id} 2026-11-24T23:31:00Z bob :{}", text.join(" "))
}

fn net_line(app: &mut App, conn: ConnId, raw: &str) {
    let line = ServerLine::parse(raw).expect("a valid server line");
    update(
        app,
        Event::Net {
            conn,
            event: NetEvent::Line(line),
        },
    );
}

fn key(code: crossterm::event::KeyCode) -> Event {
    Event::Key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::NONE,
    ))
}

fn draw(app: &App, terminal: &mut Terminal<TestBackend>) {
    terminal.draw(|f| ui::view(app, f)).expect("draw");
}

/// Runs `step` `runs` times and prints a row of the table.
fn report(what: &str, runs: usize, mut step: impl FnMut()) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            step();
            started.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "| {what} | {:.0} µs | {:.0} µs | {:.0} µs |",
        us(at(0.5)),
        us(at(0.99)),
        us(at(1.0))
    );
}

/// The process's resident set, in KiB (0 where /proc is missing).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
