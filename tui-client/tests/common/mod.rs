//! Helpers shared by the test files: an app with a fixed clock and UTC times, keys, server lines.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use papo::app::{self, App, Clock, ConnId, Effect, Event, NetEvent, Options, Server, Zone, update};
use papo::config::Config;
use papo::theme::Theme;
use papo::ui;
use papo::wrap::text_width;
use papo_protocol::{Nickname, ServerLine, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The seed of the reconnect jitter in tests.
pub const SEED: u64 = 42;

/// 2026-11-24T23:30:00Z.
pub const NOW: Timestamp = Timestamp::from_unix_seconds(1_795_995_000);

pub fn config() -> Config {
    Config {
        host: "127.0.0.1".into(),
        port: 7667,
        nick: "ana".into(),
        history_lines: 10_000,
        ..Config::default()
    }
}

pub fn options(width: u16, height: u16, no_color: bool) -> Options {
    Options {
        size: (width, height),
        theme: Theme { no_color },
        clock: Clock::Fixed(NOW),
        zone: Zone::Utc,
        seed: SEED,
        connect_hint: true,
    }
}

pub fn new_app(width: u16, height: u16) -> App {
    App::new(config(), options(width, height, false))
}

pub fn nick(s: &str) -> Nickname {
    Nickname::parse(s).expect("valid nickname")
}

pub fn key_with(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    update(app, Event::Key(KeyEvent::new(code, mods)))
}

pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    key_with(app, code, KeyModifiers::NONE)
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    key_with(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Types `text` one key at a time; returns all effects.
pub fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

/// Types `text` and presses Enter; returns the effects of Enter.
pub fn submit(app: &mut App, text: &str) -> Vec<Effect> {
    type_text(app, text);
    press(app, KeyCode::Enter)
}

pub fn net(app: &mut App, conn: ConnId, event: NetEvent) -> Vec<Effect> {
    update(app, Event::Net { conn, event })
}

/// Feeds one raw server line.
pub fn line(app: &mut App, conn: ConnId, raw: &str) -> Vec<Effect> {
    let parsed = ServerLine::parse(raw).expect("well-formed server line");
    net(app, conn, NetEvent::Line(parsed))
}

/// `fx` without the liveness timer that every line in the room re-arms (`tests/liveness.rs`
/// checks that timer), for tests about something else.
pub fn without_liveness(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(
            |e| !matches!(e, Effect::Timer { timer, .. } if timer.kind == app::TimerKind::Liveness),
        )
        .collect()
}

/// Fills the history with `MSG` lines from bob, one per id in `ids`.
pub fn fill(app: &mut App, conn: ConnId, ids: std::ops::Range<u64>) {
    for id in ids {
        line(
            app,
            conn,
            &format!("MSG {id} 2026-11-24T23:31:00Z bob :mensagem {id}"),
        );
    }
}

/// The connection id of the `Connect` effect in `fx`.
pub fn connect_id(fx: &[Effect]) -> ConnId {
    fx.iter()
        .find_map(|e| match e {
            Effect::Connect { conn, .. } => Some(*conn),
            _ => None,
        })
        .expect("a Connect effect")
}

/// The epoch of the test server's log.
pub const EPOCH: &str = "e1";

/// The server's greeting, meant for nc users: papo sends the nickname itself and never shows it.
pub const HELLO: &str = "HELLO papo 2 e1 :olá! diga seu apelido com /NICK apelido";

/// The resume token `online_as` gets.
pub const TOKEN: &str = "tok1";

/// Connects as `me` and goes through the whole login; the room then holds `me` and `others`.
pub fn online_as(app: &mut App, me: &str, others: &[&str]) -> ConnId {
    let fx = app::connect_now(app, local_server(), nick(me));
    let conn = connect_id(&fx);
    net(app, conn, NetEvent::Connected);
    line(app, conn, HELLO);
    line(
        app,
        conn,
        &format!("WELCOME {me} {TOKEN} :você entrou na sala como {me}"),
    );
    line(app, conn, "LIVE 0 :ao vivo");
    line(app, conn, &format!("JOIN 1 2026-11-24T23:30:05Z {me}"));
    let mut all: Vec<&str> = others.to_vec();
    all.push(me);
    all.sort_by_key(|n| n.to_lowercase());
    line(
        app,
        conn,
        &format!("USERS {} :{}", all.len(), all.join(" ")),
    );
    line(
        app,
        conn,
        &format!("USERS {} :{}", all.len(), all.join(" ")),
    );
    conn
}

pub fn online(app: &mut App) -> ConnId {
    online_as(app, "ana", &["bob"])
}

/// The history as plain text, one string per entry.
pub fn texts(app: &App) -> Vec<String> {
    app.history.entries().iter().map(|e| e.text()).collect()
}

pub fn last_text(app: &App) -> String {
    texts(app).last().cloned().unwrap_or_default()
}

/// Draws `app` into a `TestBackend` of the app's size.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(|f| ui::view(app, f)).expect("draw");
    terminal
}

/// The screen as text, one string per row (a wide character's second cell skipped).
pub fn rows(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            let mut s = String::new();
            let mut skip = 0;
            for x in area.left()..area.right() {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                skip = text_width(sym).saturating_sub(1);
            }
            s
        })
        .collect()
}

#[track_caller]
pub fn assert_screen(terminal: &Terminal<TestBackend>, expected: &[&str]) {
    let actual = rows(terminal.backend().buffer());
    if actual != expected {
        let listing: Vec<String> = actual.iter().map(|r| format!("        {r:?},")).collect();
        panic!("screen differs; actual:\n{}", listing.join("\n"));
    }
}

/// Ticks the reconnect countdown until papo connects again; returns that attempt's effects.
pub fn reconnect_attempt(app: &mut App) -> Vec<Effect> {
    for _ in 0..40 {
        let timer = app
            .timers()
            .pending(app::TimerKind::Reconnect)
            .expect("a reconnect is pending");
        let fx = update(app, Event::Tick(timer));
        if !matches!(app.link, app::Link::Waiting { .. }) {
            return fx;
        }
    }
    panic!("no reconnect attempt after 40 ticks");
}

/// The test server's address: 127.0.0.1:7667, plain TCP.
pub fn local_server() -> Server {
    Server {
        host: "127.0.0.1".into(),
        port: 7667,
        tls: false,
    }
}
