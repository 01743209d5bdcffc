//! `update` on values, the defensive side: what a hostile or broken server (or a huge paste)
//! can make papo keep, and the bookkeeping that must not get stuck.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::entry::MAX_TEXT_BYTES;
use papo::app::input::MAX_PASTE_CHARS;
use papo::app::{App, Effect, Event, NetEvent, update};
use papo_protocol::{ClientLine, Command};

fn users() -> Effect {
    Effect::Send(ClientLine::Command(Command::Users))
}

#[test]
fn long_server_text_is_cut_on_arrival() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let long = "x".repeat(200_000);
    let raws = [
        format!("MSG 5 2026-11-24T23:31:00Z bob :{long}"),
        format!("ACTION 6 2026-11-24T23:31:00Z bob :{long}"),
        format!("PRIV 7 2026-11-24T23:31:00Z bob ana :{long}"),
        format!("HELP :{long}"),
        format!("ERR UNKNOWN_COMMAND :{long}"),
        format!("BYE :{long}"),
    ];
    for raw in &raws {
        line(&mut app, conn, raw);
        let shown = last_text(&app);
        assert!(shown.ends_with("x…"), "{}", &raw[..10]);
        // The time, the markers and the sender come on top of the capped text.
        assert!(
            shown.len() <= MAX_TEXT_BYTES + 64,
            "{}: {}",
            &raw[..10],
            shown.len()
        );
    }
    net(&mut app, conn, NetEvent::Malformed(format!("NOPE {long}")));
    assert!(last_text(&app).len() <= MAX_TEXT_BYTES + 64);
    assert!(app.server_help.iter().all(|l| l.len() <= MAX_TEXT_BYTES));
}

/// Whether the history shows a `USERS` answer (what `/USUARIOS` typed asks for).
fn list_shown(app: &App) -> bool {
    texts(app).iter().any(|t| t.contains("na sala ("))
}

#[test]
fn a_malformed_users_reply_still_answers_the_request_in_flight() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    assert_eq!(without_liveness(submit(&mut app, "/usuarios")), [users()]);
    // The count does not match the list: the protocol crate refuses the line. It answers the
    // typed /USUARIOS all the same, so F5's answer below is not taken for it.
    net(
        &mut app,
        conn,
        NetEvent::Malformed("USERS 9 :ana bob".into()),
    );
    assert_eq!(without_liveness(press(&mut app, KeyCode::F(5))), [users()]);
    line(&mut app, conn, "USERS 2 :ana bob");
    assert!(!list_shown(&app), "F5 only refreshes the panel");
    assert_eq!(app.users.len(), 2);
}

#[test]
fn a_users_request_that_could_not_be_sent_is_forgotten() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    assert_eq!(without_liveness(submit(&mut app, "/usuarios")), [users()]);
    let why = "fila de envio cheia".to_owned();
    let line_sent = ClientLine::Command(Command::Users);
    assert!(
        update(
            &mut app,
            Event::SendFailed {
                line: line_sent,
                why
            }
        )
        .is_empty()
    );
    assert_eq!(last_text(&app), "23:30 !! não enviado: fila de envio cheia");
    assert_eq!(without_liveness(press(&mut app, KeyCode::F(5))), [users()]);
    line(&mut app, conn, "USERS 2 :ana bob");
    assert!(
        !list_shown(&app),
        "the answer is F5's, not the lost /USUARIOS's"
    );
}

#[test]
fn a_config_file_that_could_not_be_read_is_never_written_over() {
    let mut app = new_app(80, 24);
    app.config_load_failed("configuração ignorada: config.toml: expected `=`");
    let conn = online(&mut app);
    let notices = |app: &App| {
        texts(app)
            .iter()
            .filter(|t| t.contains("a configuração não será salva"))
            .count()
    };
    assert_eq!(notices(&app), 1, "{:?}", texts(&app));
    let fx = line(&mut app, conn, "NICK 5 2026-11-24T23:31:00Z ana ana_2");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::SaveConfig(_))),
        "{fx:?}"
    );
    assert_eq!(notices(&app), 1, "said once");
    // A readable (or missing) file is saved as before.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let fx = line(&mut app, conn, "NICK 5 2026-11-24T23:31:00Z ana ana_2");
    assert!(matches!(&fx[0], Effect::SaveConfig(c) if c.nick == "ana_2"));
}

#[test]
fn a_huge_paste_is_cut_with_a_notice() {
    let mut app = new_app(80, 24);
    type_text(&mut app, "ab");
    press(&mut app, crossterm::event::KeyCode::Left);
    update(&mut app, Event::Paste("é".repeat(MAX_PASTE_CHARS * 4)));
    let value = app.input.value();
    assert_eq!(value.chars().count(), MAX_PASTE_CHARS + 2);
    assert!(value.starts_with("aé") && value.ends_with("éb"));
    assert_eq!(app.input.field().cursor(), MAX_PASTE_CHARS + 1);
    assert!(last_text(&app).contains("texto colado longo demais"));
}
