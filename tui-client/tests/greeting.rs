//! A port that is not papo: no `HELLO` within the wait, or a first line papo cannot read (an
//! SSH banner), ends the login with a message instead of "entrando…" forever.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{App, Effect, Event, Link, NetEvent, TimerKind, update};

/// Opens the dialog, connects, and reports the TCP connection open; returns its id.
fn connected(app: &mut App) -> papo::app::ConnId {
    press(app, KeyCode::F(2));
    let conn = connect_id(&press(app, KeyCode::Enter));
    net(app, conn, NetEvent::Connected);
    conn
}

fn greeting_tick(app: &mut App) -> Vec<Effect> {
    let timer = app
        .timers()
        .pending(TimerKind::Greeting)
        .expect("the greeting is awaited");
    update(app, Event::Tick(timer))
}

#[test]
fn a_silent_port_is_given_up_when_the_wait_is_over() {
    let mut app = new_app(80, 24);
    connected(&mut app);
    let fx = greeting_tick(&mut app);
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(matches!(app.link, Link::Offline { .. }));
    let dialog = app.dialog.as_ref().expect("the dialog comes back");
    assert_eq!(dialog.focus(), papo::app::Field::Port, "on the port to fix");
    assert!(
        dialog
            .error
            .as_deref()
            .is_some_and(|e| e.contains("não se apresentou como papo")),
        "{:?}",
        dialog.error
    );
    assert!(app.timers().pending(TimerKind::Reconnect).is_none());
}

#[test]
fn a_newer_papo_server_is_not_taken_for_a_stranger() {
    let mut app = new_app(80, 24);
    let conn = connected(&mut app);
    // An error code this client does not know yet: papo all the same.
    let fx = net(
        &mut app,
        conn,
        NetEvent::Malformed("ERR NEW_CODE :algo novo".into()),
    );
    assert!(!fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(app.timers().pending(TimerKind::Greeting).is_none());
    assert!(matches!(app.link, Link::LoggingIn { .. }));
}

#[test]
fn an_unreadable_first_line_is_described_not_quoted() {
    let mut app = new_app(80, 24);
    let conn = connected(&mut app);
    net(&mut app, conn, NetEvent::Garbled("não é UTF-8".into()));
    assert!(
        texts(&app)
            .iter()
            .any(|t| t.contains("isso não é um servidor papo (a primeira linha: não é UTF-8)")),
        "{:?}",
        texts(&app)
    );
}

#[test]
fn an_ssh_banner_is_given_up_at_once_and_quoted() {
    let mut app = new_app(80, 24);
    let conn = connected(&mut app);
    let fx = net(
        &mut app,
        conn,
        NetEvent::Malformed("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3".into()),
    );
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(matches!(app.link, Link::Offline { .. }));
    assert!(
        texts(&app)
            .iter()
            .any(|t| t.contains("isso não é um servidor papo") && t.contains("SSH-2.0-OpenSSH")),
        "{:?}",
        texts(&app)
    );
}

#[test]
fn a_greeting_in_time_stops_the_wait_and_a_full_server_is_papo_too() {
    let mut app = new_app(80, 24);
    let conn = connected(&mut app);
    line(&mut app, conn, HELLO);
    assert!(app.timers().pending(TimerKind::Greeting).is_none());
    // A later odd line is shown, not taken for a stranger.
    net(&mut app, conn, NetEvent::Malformed("XYZZY".into()));
    assert!(matches!(app.link, Link::LoggingIn { .. }));

    let mut app = new_app(80, 24);
    let conn = connected(&mut app);
    line(
        &mut app,
        conn,
        "ERR SERVER_FULL :servidor cheio (1000 conexões)",
    );
    assert!(app.timers().pending(TimerKind::Greeting).is_none());
}

#[test]
fn while_reconnecting_silence_or_a_stranger_only_delays_the_next_try() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    net(&mut app, conn, NetEvent::Closed("caiu".into()));
    let conn = connect_id(&reconnect_attempt(&mut app));
    net(&mut app, conn, NetEvent::Connected);
    let fx = greeting_tick(&mut app);
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(matches!(app.link, Link::Waiting { .. }), "{:?}", app.link);
    assert!(app.dialog.is_none(), "an automatic attempt asks nothing");
    // The next attempt meets an SSH server: the same.
    let conn = connect_id(&reconnect_attempt(&mut app));
    net(&mut app, conn, NetEvent::Connected);
    let fx = net(&mut app, conn, NetEvent::Malformed("SSH-2.0-x".into()));
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(matches!(app.link, Link::Waiting { .. }), "{:?}", app.link);
}
