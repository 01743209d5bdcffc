//! `update` on values, telling a hung server from a quiet room: after 60 s of silence papo pings,
//! after 20 s more without a word it reconnects; its own `PONG` stays out of the history; a tick
//! from a timer since replaced does nothing.

mod common;

use std::time::Duration;

use common::*;
use papo::app::liveness::{ANSWER, IDLE};
use papo::app::reconnect::step;
use papo::app::{self, App, ConnId, Effect, Event, Link, NetEvent, Timer, TimerKind, update};
use papo_protocol::{ClientLine, Command};

fn ping(text: &str) -> Effect {
    Effect::Send(ClientLine::Command(Command::Ping { text: text.into() }))
}

fn pending(app: &App, kind: TimerKind) -> Timer {
    app.timers().pending(kind).expect("a pending timer")
}

/// `after` on the pending timer of `kind`.
fn timer(app: &App, kind: TimerKind, after: Duration) -> Effect {
    Effect::Timer {
        timer: pending(app, kind),
        after,
    }
}

fn tick(app: &mut App, timer: Timer) -> Vec<Effect> {
    update(app, Event::Tick(timer))
}

/// The liveness timer went off (the pending one).
fn silence(app: &mut App) -> Vec<Effect> {
    let t = pending(app, TimerKind::Liveness);
    tick(app, t)
}

/// The next countdown step of the pending reconnect timer.
fn timer_of(app: &App) -> Effect {
    let Link::Waiting { remaining, .. } = &app.link else {
        panic!("not waiting");
    };
    timer(app, TimerKind::Reconnect, step(*remaining))
}

/// Goes through the login again on the attempt `conn`.
fn rejoin(app: &mut App, conn: ConnId) {
    net(app, conn, NetEvent::Connected);
    line(app, conn, HELLO);
    line(app, conn, "WELCOME ana tok2 :você voltou");
    line(app, conn, "LIVE 1 :ao vivo");
}

#[test]
fn sixty_quiet_seconds_send_a_ping_that_shows_nothing() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let fx = line(&mut app, conn, "MSG 5 2026-11-24T23:31:00Z bob :oi");
    assert_eq!(fx, [timer(&app, TimerKind::Liveness, IDLE)]);
    let before = texts(&app);
    let fx = silence(&mut app);
    assert_eq!(
        fx,
        [ping("papo-1"), timer(&app, TimerKind::Liveness, ANSWER)]
    );
    assert_eq!(texts(&app), before, "nothing shown");
    // The PONG to papo's own ping is not shown either, and the room goes on.
    let fx = line(&mut app, conn, "PONG :papo-1");
    assert_eq!(fx, [timer(&app, TimerKind::Liveness, IDLE)]);
    assert_eq!(texts(&app), before);
    assert!(matches!(app.link, Link::Online { .. }));
    assert_eq!(silence(&mut app)[0], ping("papo-2"));
}

#[test]
fn any_line_restarts_the_idle_wait() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let old = pending(&app, TimerKind::Liveness);
    let fx = line(&mut app, conn, "JOIN 5 2026-11-24T23:31:00Z carla");
    let new = pending(&app, TimerKind::Liveness);
    assert_ne!(old, new);
    assert!(
        fx.contains(&timer(&app, TimerKind::Liveness, IDLE)),
        "{fx:?}"
    );
    assert!(
        tick(&mut app, old).is_empty(),
        "the replaced timer does nothing"
    );
    // After the ping, any line (not only the PONG) shows the server is alive.
    assert_eq!(silence(&mut app)[0], ping("papo-1"));
    let fx = net(&mut app, conn, NetEvent::Malformed("QUE? isto".into()));
    assert_eq!(fx, [timer(&app, TimerKind::Liveness, IDLE)]);
    let fx = net(
        &mut app,
        conn,
        NetEvent::Garbled("linha longa demais".into()),
    );
    assert_eq!(fx, [timer(&app, TimerKind::Liveness, IDLE)]);
    assert_eq!(
        silence(&mut app)[0],
        ping("papo-2"),
        "a new ping, not a disconnect"
    );
}

#[test]
fn no_answer_within_20_s_disconnects_and_reconnects() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    silence(&mut app);
    let fx = silence(&mut app);
    assert_eq!(fx.len(), 2, "{fx:?}");
    assert_eq!(fx[0], Effect::Disconnect);
    let Effect::Timer { timer, after } = fx[1] else {
        panic!("a countdown timer: {fx:?}");
    };
    assert_eq!(timer.kind, TimerKind::Reconnect);
    assert!(
        matches!(&app.link, Link::Waiting { reason, remaining, .. }
            if reason == "o servidor parou de responder" && after <= *remaining),
        "{:?}",
        app.link
    );
    assert_eq!(
        last_text(&app),
        "23:30 !! desconectado: o servidor parou de responder — reconectando…"
    );
    assert!(app.users.is_empty());
    // Late lines of the dropped connection are ignored.
    assert!(line(&mut app, conn, "PONG :papo-1").is_empty());
    // The countdown still runs to an automatic attempt.
    let mut attempt = Vec::new();
    for _ in 0..5 {
        let t = pending(&app, TimerKind::Reconnect);
        attempt = tick(&mut app, t);
        if !matches!(app.link, Link::Waiting { .. }) {
            break;
        }
        assert_eq!(attempt, [timer_of(&app)]);
    }
    assert!(matches!(attempt[..], [Effect::Connect { port: 7667, .. }]));
    assert!(matches!(app.link, Link::Connecting { retry: true, .. }));
}

#[test]
fn the_pong_to_a_typed_ping_is_shown() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    assert_eq!(submit(&mut app, "/PING oi"), [ping("oi")]);
    line(&mut app, conn, "PONG :oi");
    assert_eq!(last_text(&app), "23:30 -- PONG oi");
    // Also while papo's own ping is out.
    assert_eq!(silence(&mut app)[0], ping("papo-1"));
    submit(&mut app, "/PING");
    line(&mut app, conn, "PONG :papo-1");
    assert_eq!(last_text(&app), "23:30 -- PONG oi");
    line(&mut app, conn, "PONG :");
    assert_eq!(last_text(&app), "23:30 -- PONG ");
}

#[test]
fn a_stale_tick_after_reconnecting_does_nothing() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    silence(&mut app);
    let answer = pending(&app, TimerKind::Liveness);
    net(
        &mut app,
        conn,
        NetEvent::Closed("conexão reiniciada".into()),
    );
    assert!(app.timers().pending(TimerKind::Liveness).is_none());
    let countdown = pending(&app, TimerKind::Reconnect);
    assert!(
        tick(&mut app, answer).is_empty(),
        "the old connection's check does nothing while waiting"
    );
    let c = connect_id(&press(&mut app, crossterm::event::KeyCode::F(2)));
    rejoin(&mut app, c);
    assert!(matches!(app.link, Link::Online { conn, .. } if conn == c));
    assert!(tick(&mut app, answer).is_empty(), "nor in the new room");
    assert!(
        tick(&mut app, countdown).is_empty(),
        "nor the old countdown"
    );
    assert!(matches!(app.link, Link::Online { conn, .. } if conn == c));
    // The new connection has its own check, starting from a fresh idle wait.
    assert_eq!(silence(&mut app)[0], ping("papo-2"));
}

#[test]
fn nothing_is_pinged_out_of_the_room() {
    let mut app = new_app(80, 24);
    let fx = app::connect_now(&mut app, local_server(), nick("ana"));
    let c = connect_id(&fx);
    net(&mut app, c, NetEvent::Connected);
    assert!(
        line(&mut app, c, HELLO)
            .iter()
            .all(|e| !matches!(e, Effect::Timer { .. }))
    );
    assert!(app.timers().pending(TimerKind::Liveness).is_none());
}
