//! `update` on values: multi-line pastes confirmed and sent as lines, paced to the flood
//! allowance the greeting announces; the line limit and forbidden characters caught before
//! Enter sends, in Portuguese; and the screens that show them.

mod common;

use std::time::Duration;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use papo::app::{self, App, ConnId, Effect, Event, NetEvent, TimerKind, update};
use papo::ui::status;
use papo_protocol::{ClientLine, Command, FloodAllowance, Limits};
use ratatui::style::Modifier;

/// Logs in as ana (bob in the room too) after the greeting `hello`.
fn online_after(app: &mut App, hello: &str) -> ConnId {
    let fx = app::connect_now(app, local_server(), nick("ana"));
    let conn = connect_id(&fx);
    net(app, conn, NetEvent::Connected);
    line(app, conn, hello);
    line(app, conn, "WELCOME ana tok1 :você entrou na sala como ana");
    line(app, conn, "LIVE 0 :ao vivo");
    line(app, conn, "JOIN 1 2026-11-24T23:30:05Z ana");
    line(app, conn, "USERS 2 :ana bob");
    conn
}

fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    update(app, Event::Paste(text.to_owned()))
}

/// The chat lines in `fx`, in order.
fn sent(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(ClientLine::Text(t)) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The pacing timers `fx` asks for: how long each waits.
fn pacing(fx: &[Effect]) -> Vec<Duration> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Timer { timer, after } if timer.kind == TimerKind::Pacing => Some(*after),
            _ => None,
        })
        .collect()
}

/// The tick of the pacing timer, which must be pending.
fn tick(app: &mut App) -> Vec<Effect> {
    let timer = app
        .timers()
        .pending(TimerKind::Pacing)
        .expect("the pacing timer is pending");
    update(app, Event::Tick(timer))
}

/// `n` numbered lines, `linha 1` … `linha n`, one per line.
fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("linha {i}\n")).collect()
}

fn pending_count(app: &App) -> Option<usize> {
    app.pasting.pending().map(|p| p.count())
}

#[test]
fn a_paste_of_several_lines_waits_then_goes_out_in_order_paced() {
    let mut app = new_app(80, 24);
    online(&mut app);
    let fx = paste(&mut app, &numbered(40));
    assert!(sent(&fx).is_empty(), "nothing leaves before Enter");
    assert_eq!(pending_count(&app), Some(40));
    assert_eq!(
        status::paste_text(&app).as_deref(),
        Some("colar 40 linhas? Enter envia · Esc edita como uma linha")
    );
    // A stray key neither edits nor sends; the message line stays empty.
    type_text(&mut app, "x");
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "");
    assert_eq!(pending_count(&app), Some(40));

    // Enter: the burst at once (less one line in reserve), then one line per tick, a
    // little slower than 5 per second.
    let fx = press(&mut app, KeyCode::Enter);
    let first: Vec<String> = (1..=24).map(|i| format!("linha {i}")).collect();
    assert_eq!(sent(&fx), first);
    assert_eq!(pacing(&fx), [Duration::from_millis(220)]);
    assert_eq!(
        status::paste_text(&app).as_deref(),
        Some("colando 24/40 linhas… (Esc cancela)")
    );
    let mut rest = Vec::new();
    for _ in 0..16 {
        let fx = tick(&mut app);
        assert_eq!(sent(&fx).len(), 1, "one line per tick");
        rest.extend(sent(&fx));
    }
    let expected: Vec<String> = (25..=40).map(|i| format!("linha {i}")).collect();
    assert_eq!(rest, expected);
    assert!(app.pasting.sending().is_none());
    assert_eq!(status::paste_text(&app), None);
    // The allowance comes back one line per tick; once whole, the timer stops.
    for _ in 0..24 {
        assert!(sent(&tick(&mut app)).is_empty());
    }
    assert_eq!(app.timers().pending(TimerKind::Pacing), None);
}

#[test]
fn a_paste_of_one_line_goes_into_the_message_line_as_before() {
    let mut app = new_app(80, 24);
    online(&mut app);
    type_text(&mut app, "ab");
    press(&mut app, KeyCode::Left);
    let fx = paste(&mut app, "\n  \num só\n\n");
    assert!(fx.is_empty());
    assert_eq!(app.input.value(), "aum sób");
    assert!(app.pasting.pending().is_none());
}

#[test]
fn esc_edits_the_paste_as_one_line_at_the_caret() {
    let mut app = new_app(80, 24);
    online(&mut app);
    type_text(&mut app, "ab");
    press(&mut app, KeyCode::Left);
    paste(&mut app, "1\r\n2\t3\n");
    assert_eq!(
        app.input.value(),
        "ab",
        "the draft is untouched while the paste waits"
    );
    let fx = press(&mut app, KeyCode::Esc);
    assert!(sent(&fx).is_empty());
    assert_eq!(app.input.value(), "a1 2 3b");
    assert!(app.pasting.pending().is_none());
    assert_eq!(
        without_liveness(press(&mut app, KeyCode::Enter)),
        [Effect::Send(ClientLine::Text("a1 2 3b".into()))]
    );
}

#[test]
fn the_draft_joins_the_paste_at_the_caret_and_slashes_stay_text() {
    let mut app = new_app(80, 24);
    online(&mut app);
    type_text(&mut app, "olha:  (fim)");
    for _ in 0..6 {
        press(&mut app, KeyCode::Left);
    }
    let fx = paste(&mut app, "/usr/bin/foo --help\n\n/sair agora");
    assert!(fx.is_empty());
    assert_eq!(pending_count(&app), Some(2), "the blank line is skipped");
    let fx = press(&mut app, KeyCode::Enter);
    // A pasted line that starts with '/' is text: it goes out escaped as `//`, never as a
    // command (no /SAIR here).
    assert_eq!(
        sent(&fx),
        ["olha: /usr/bin/foo --help", "/sair agora (fim)"]
    );
    let wire: Vec<String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send(line) => line.encode().ok(),
            _ => None,
        })
        .collect();
    assert_eq!(wire[1], "//sair agora (fim)\n");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Quit { .. })));
    assert_eq!(app.input.value(), "");
    // The joined draft is not kept for ↑ (it left as part of the paste).
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "");
}

#[test]
fn long_lines_are_cut_at_the_limit_the_greeting_announced() {
    let mut app = new_app(80, 24);
    online_after(&mut app, "HELLO papo 2 e1 open 64 25 5 :oi");
    assert_eq!(app.limits.max_line_bytes, 64);
    let long = "palavra ".repeat(20);
    paste(&mut app, &format!("{long}\nfim"));
    assert_eq!(pending_count(&app), Some(4));
    assert_eq!(
        status::paste_text(&app).as_deref(),
        Some("colar 4 linhas (1 longa dividida)? Enter envia · Esc edita como uma linha")
    );
    let lines = sent(&press(&mut app, KeyCode::Enter));
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l.len() <= 64), "{lines:?}");
    assert_eq!(lines[..3].concat(), long);
    assert_eq!(lines[3], "fim");
}

#[test]
fn limits_come_from_the_greeting_within_bounds_or_the_defaults() {
    let mut app = new_app(80, 24);
    online_after(&mut app, "HELLO papo 2 e1 open 100 3 2 :oi");
    assert_eq!(
        app.limits,
        Limits {
            max_line_bytes: 100,
            flood: Some(FloodAllowance {
                burst: 3,
                per_second: 2
            }),
        }
    );
    paste(&mut app, &numbered(5));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(sent(&fx).len(), 2);
    assert_eq!(pacing(&fx), [Duration::from_millis(550)]);

    // An older server says nothing: the documented defaults.
    let mut app = new_app(80, 24);
    online_after(&mut app, "HELLO papo 2 e1 open :oi");
    assert_eq!(app.limits, Limits::default());

    // Flood control off, and a limit no papo server can have: papo still paces itself in
    // steps its send queue holds, and cuts at the smallest limit a server can be given.
    let mut app = new_app(80, 24);
    online_after(&mut app, "HELLO papo 2 e1 open 1 0 0 :oi");
    assert_eq!(
        app.limits,
        Limits {
            max_line_bytes: 64,
            flood: None
        }
    );
    paste(&mut app, &numbered(150));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(sent(&fx).len(), 99);
    assert_eq!(pacing(&fx), [Duration::from_millis(11)]);
}

#[test]
fn offline_the_paste_keeps_waiting() {
    let mut app = new_app(80, 24);
    paste(&mut app, "um\ndois");
    let fx = press(&mut app, KeyCode::Enter);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        last_text(&app),
        "23:30 !! não conectado — use /ENTRAR (ou F2) para conectar; as 2 linhas coladas \
         esperam aqui (Enter envia, Esc edita como uma linha)"
    );
    assert_eq!(pending_count(&app), Some(2));
    // The global keys still work while it waits.
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.help, Some(0));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.help, None);
    assert_eq!(
        pending_count(&app),
        Some(2),
        "Esc closed the help, not the paste"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.input.value(), "um dois");
}

#[test]
fn esc_while_a_paste_goes_out_gives_the_rest_back_to_confirm() {
    let mut app = new_app(80, 24);
    online(&mut app);
    paste(&mut app, &numbered(30));
    press(&mut app, KeyCode::Enter);
    tick(&mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.pasting.sending().is_none());
    assert_eq!(pending_count(&app), Some(5));
    assert!(
        texts(&app)
            .iter()
            .any(|t| t.ends_with("colagem interrompida: 25 de 30 linhas enviadas"))
    );
    // Enter sends the rest as the allowance comes back.
    let fx = press(&mut app, KeyCode::Enter);
    assert!(sent(&fx).is_empty(), "the allowance is spent");
    let rest: Vec<String> = (0..5).flat_map(|_| sent(&tick(&mut app))).collect();
    assert_eq!(
        rest,
        ["linha 26", "linha 27", "linha 28", "linha 29", "linha 30"]
    );
}

#[test]
fn a_lost_connection_stops_the_paste_and_keeps_the_rest_for_after() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    paste(&mut app, &numbered(30));
    press(&mut app, KeyCode::Enter);
    net(
        &mut app,
        conn,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    assert!(app.pasting.sending().is_none());
    assert_eq!(pending_count(&app), Some(6));
    assert!(texts(&app).iter().any(|t| t.contains(
        "conexão perdida no meio da colagem: 24 de 30 linhas enviadas; as 6 linhas coladas \
         esperam aqui"
    )));
    assert_eq!(app.timers().pending(TimerKind::Pacing), None);
    // Back in the room, with a whole allowance: Enter sends the rest at once.
    let fx = reconnect_attempt(&mut app);
    let c = connect_id(&fx);
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(
        &mut app,
        c,
        "WELCOME ana tok1 :você entrou na sala como ana",
    );
    let fx = press(&mut app, KeyCode::Enter);
    let expected: Vec<String> = (25..=30).map(|i| format!("linha {i}")).collect();
    assert_eq!(sent(&fx), expected);
}

#[test]
fn a_second_paste_before_answering_continues_the_first() {
    let mut app = new_app(80, 24);
    online(&mut app);
    paste(&mut app, "a\nb");
    paste(&mut app, "c\nd");
    assert_eq!(pending_count(&app), Some(4));
    assert_eq!(sent(&press(&mut app, KeyCode::Enter)), ["a", "b", "c", "d"]);
}

#[test]
fn typed_lines_spend_the_allowance_while_it_refills() {
    let mut app = new_app(80, 24);
    online(&mut app);
    paste(&mut app, &numbered(23));
    assert_eq!(sent(&press(&mut app, KeyCode::Enter)).len(), 23);
    // One line of the allowance is left; a typed line takes it, and goes out at once.
    assert_eq!(sent(&submit(&mut app, "oi")), ["oi"]);
    paste(&mut app, "x\ny");
    assert!(sent(&press(&mut app, KeyCode::Enter)).is_empty());
    assert_eq!(sent(&tick(&mut app)), ["x"]);
}

#[test]
fn ctrl_j_sends_like_enter() {
    let mut app = new_app(80, 24);
    online(&mut app);
    type_text(&mut app, "oi");
    let fx = ctrl(&mut app, 'j');
    assert_eq!(sent(&fx), ["oi"]);
    paste(&mut app, "a\nb");
    assert_eq!(sent(&ctrl(&mut app, 'j')), ["a", "b"]);
}

#[test]
fn a_line_over_the_limit_is_kept_with_a_warning() {
    let mut app = new_app(80, 24);
    online_after(&mut app, "HELLO papo 2 e1 open 4096 25 5 :oi");
    let long = "x".repeat(5000);
    app.input.set(&long);
    assert_eq!(status::markers(&app), ["longa demais: 5.000/4.096 bytes"]);
    let fx = press(&mut app, KeyCode::Enter);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        last_text(&app),
        "23:30 !! linha longa demais: 5.000 de 4.096 bytes; encurte-a"
    );
    assert_eq!(app.input.value(), long);
    // Near the limit the size shows; well under it, nothing.
    app.input.set(&"x".repeat(3700));
    assert_eq!(status::markers(&app), ["3.700/4.096 bytes"]);
    app.input.set("oi");
    assert!(status::markers(&app).is_empty());
    // `/me` is measured as it goes out.
    app.input.set(&format!("/me {}", "x".repeat(4093)));
    assert!(sent(&press(&mut app, KeyCode::Enter)).is_empty());
    assert!(last_text(&app).contains("4.097 de 4.096 bytes"));
}

#[test]
fn a_forbidden_character_is_named_in_portuguese_and_the_line_kept() {
    let mut app = new_app(80, 24);
    online(&mut app);
    type_text(&mut app, "olá \u{202E}mundo");
    let fx = press(&mut app, KeyCode::Enter);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        last_text(&app),
        "23:30 !! caractere proibido U+202E (RIGHT-TO-LEFT OVERRIDE) na posição 5; apague-o — \
         aparece como ‹U+202E›"
    );
    assert_eq!(app.input.value(), "olá \u{202E}mundo");
}

/// Words of English error texts (the protocol crate's, std's, the OS's) that no Portuguese
/// message of papo holds. Unicode names in capitals are fine: they name the character.
const ENGLISH: [&str; 12] = [
    "forbidden",
    "character",
    "at byte",
    "cannot",
    "error",
    "invalid",
    "failed",
    "unknown",
    "malformed",
    "expected",
    "denied",
    "refused",
];

#[test]
fn no_english_reaches_the_history_on_the_known_error_paths() {
    let mut app = new_app(80, 24);
    // Offline: an unknown command, a forbidden character.
    submit(&mut app, "/dança");
    app.input.set("");
    submit(&mut app, "a\u{1B}[31mb");
    app.input.set("");
    let conn = online_after(&mut app, "HELLO papo 2 e1 open 64 25 5 :oi");
    submit(&mut app, &"x".repeat(100));
    app.input.set("");
    submit(&mut app, "x\u{2066}");
    app.input.set("");
    submit(&mut app, "/msg");
    app.input.set("");
    submit(&mut app, "/nick ana maria");
    app.input.set("");
    // What the connection reports when a line cannot be encoded or written.
    let encode = papo::app::outgoing::describe_encode_error(&papo_protocol::EncodeError('\x1b'));
    update(
        &mut app,
        Event::SendFailed {
            line: ClientLine::Command(Command::Users),
            why: encode,
        },
    );
    for kind in [
        std::io::ErrorKind::BrokenPipe,
        std::io::ErrorKind::PermissionDenied,
        std::io::ErrorKind::ConnectionReset,
    ] {
        let why = papo::net::describe_io_error(&std::io::Error::from(kind));
        update(
            &mut app,
            Event::SendFailed {
                line: ClientLine::Text("x".into()),
                why,
            },
        );
    }
    let os = papo::net::describe_io_error(&std::io::Error::from_raw_os_error(5));
    net(&mut app, conn, NetEvent::Closed(os));
    let all = texts(&app);
    assert!(all.len() > 10, "{all:#?}");
    for text in &all {
        let lower: String = text.chars().filter(|c| !c.is_uppercase()).collect();
        for word in ENGLISH {
            assert!(!lower.contains(word), "English {word:?} in {text:?}");
        }
    }
}

#[test]
fn the_confirmation_and_the_progress_show_in_the_status_bar() {
    let mut app = new_app(80, 6);
    online(&mut app);
    type_text(&mut app, "rascunho");
    paste(&mut app, &numbered(12));
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "         conectar a um servidor                           │Pessoas (2)          ",
            "23:30 -- conectando a 127.0.0.1:7667…                     │ana (você)           ",
            "23:30 -- você entrou na sala como ana                     │bob                  ",
            "23:30 --> ana entrou                                      │                     ",
            " colar 12 linhas? Enter envia · Esc edita como uma linha    F1 ajuda  F10 sair  ",
            "> rascunho                                                                      ",
        ],
    );
    press(&mut app, KeyCode::Enter);
    let t = draw(&app);
    let status = rows(t.backend().buffer())[4].clone();
    assert!(
        status.starts_with(" conectado a 127.0.0.1:7667 como ana · 2 pessoas"),
        "all 12 went out at once: {status:?}"
    );
    paste(&mut app, &numbered(40));
    press(&mut app, KeyCode::Enter);
    let t = draw(&app);
    let status = rows(t.backend().buffer())[4].clone();
    assert!(
        status.starts_with(" colando 12/40 linhas… (Esc cancela)"),
        "{status:?}"
    );
}

#[test]
fn a_forbidden_character_shows_as_its_code_in_reverse_video() {
    let mut app = new_app(40, 4);
    type_text(&mut app, "ab\u{202E}cd");
    press(&mut app, KeyCode::Left);
    let mut t = draw(&app);
    let rows = rows(t.backend().buffer());
    assert_eq!(rows[3], format!("{:<40}", "> ab‹U+202E›cd"));
    let buf = t.backend().buffer();
    for x in 4..12 {
        assert!(
            buf[(x, 3)].modifier.contains(Modifier::REVERSED),
            "column {x} of the placeholder"
        );
    }
    assert!(!buf[(3, 3)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(12, 3)].modifier.contains(Modifier::REVERSED));
    // The caret sits before the `d`, past the whole placeholder.
    t.backend_mut()
        .assert_cursor_position(ratatui::layout::Position::new(13, 3));
    // Deleting it is one key, as for any character.
    press(&mut app, KeyCode::Left);
    key_with(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    assert_eq!(app.input.value(), "abcd");
}
