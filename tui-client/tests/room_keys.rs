//! `update` on values: keys in the room (End, Esc, Tab) and replies the client must not swallow.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{Effect, Link};
use papo::net::frame_event;
use papo_protocol::Frame;

#[test]
fn end_moves_the_caret_first_then_returns_to_live() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..60);
    type_text(&mut app, "rascunho");
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::PageUp);
    let scrolled = app.history.scroll();
    assert!(scrolled > 0);
    press(&mut app, KeyCode::End);
    assert_eq!(app.input.field().cursor(), 8, "the caret went to the end");
    assert_eq!(app.history.scroll(), scrolled, "the view stayed");
    press(&mut app, KeyCode::End);
    assert_eq!(app.history.scroll(), 0, "already at the end: back to live");
    assert_eq!(app.input.value(), "rascunho");
    // On an empty line End goes straight back.
    ctrl(&mut app, 'u');
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::End);
    assert_eq!(app.history.scroll(), 0);
    // In the dialog End only moves the caret.
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::End);
    let d = app.dialog.as_ref().expect("dialog");
    assert_eq!(d.field(papo::app::Field::Host).cursor(), "127.0.0.1".len());
}

#[test]
fn esc_gives_up_a_connection_attempt_but_not_the_room() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, conn, papo::app::NetEvent::Connected);
    assert!(matches!(app.link, Link::LoggingIn { .. }));
    assert_eq!(press(&mut app, KeyCode::Esc), [Effect::Disconnect]);
    assert!(matches!(app.link, Link::Offline { .. }));
    assert_eq!(last_text(&app), "23:30 -- conexão cancelada");
    // Late events of the abandoned connection are ignored.
    line(&mut app, conn, HELLO);
    assert!(matches!(app.link, Link::Offline { .. }));
    let mut app = new_app(80, 24);
    online(&mut app);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(matches!(app.link, Link::Online { .. }));
}

#[test]
fn tab_completes_the_nickname_after_a_command() {
    let mut app = new_app(80, 24);
    online_as(&mut app, "ana", &["bob", "carla"]);
    type_text(&mut app, "/msg b");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/msg bob ");
}

#[test]
fn an_error_with_an_unknown_code_is_shown_by_its_text() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let event = frame_event(Frame::Line(
        "ERR SLOW_DOWN :devagar: muitas mensagens".into(),
    ));
    net(&mut app, conn, event);
    assert_eq!(last_text(&app), "23:30 !! devagar: muitas mensagens");
}

#[test]
fn a_nickname_with_a_dot_is_not_a_mention_but_a_full_stop_is() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..40);
    press(&mut app, KeyCode::PageUp);
    line(
        &mut app,
        conn,
        "MSG 50 2026-11-24T23:32:00Z bob :oi ana.maria, tudo bem?",
    );
    assert!(!app.history.mention_pending(), "ana.maria is someone else");
    line(
        &mut app,
        conn,
        "MSG 51 2026-11-24T23:32:00Z bob :até amanhã, ana.",
    );
    assert!(app.history.mention_pending());
}

#[test]
fn the_help_overlay_scrolls_and_closes() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.help, Some(0));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::PageDown);
    assert!(app.help.unwrap_or(0) > 1);
    assert!(
        type_text(&mut app, "x").is_empty(),
        "letters do nothing in the help"
    );
    assert_eq!(app.input.value(), "");
    ctrl(&mut app, 'g');
    assert_eq!(app.help, None);
}
