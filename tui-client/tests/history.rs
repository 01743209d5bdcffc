//! `update` on values, the history side: scrolling, markers, event ids, the cap, reconnecting,
//! the users panel.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use papo::app::{App, ConnId, Effect, Link, NetEvent};
use papo_protocol::{ClientLine, Command};

fn send(cmd: Command) -> Effect {
    Effect::Send(ClientLine::Command(cmd))
}

fn fill(app: &mut App, conn: ConnId, from: u64, count: u64) {
    for id in from..from + count {
        line(
            app,
            conn,
            &format!("MSG {id} 2026-11-24T23:31:00Z bob :mensagem {id}"),
        );
    }
}

#[test]
fn scrolling_keeps_the_view_and_marks_new_messages() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    fill(&mut app, conn, 10, 60);
    assert_eq!(app.history.scroll(), 0);
    press(&mut app, KeyCode::PageUp);
    // 24 rows: 22 for the history; a page is 21.
    assert_eq!(app.history.scroll(), 21);
    key_with(&mut app, KeyCode::Up, KeyModifiers::SHIFT);
    assert_eq!(app.history.scroll(), 22);
    key_with(&mut app, KeyCode::Down, KeyModifiers::CONTROL);
    assert_eq!(app.history.scroll(), 21);
    assert!(!app.history.unseen());
    fill(&mut app, conn, 100, 1);
    assert_eq!(
        app.history.scroll(),
        22,
        "the view stays on what was being read"
    );
    assert!(app.history.unseen());
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.history.scroll(), 1);
    assert!(app.history.unseen());
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.history.scroll(), 0);
    assert!(!app.history.unseen(), "back at the bottom, the marker goes");
    // Esc and Ctrl+End go back to live from anywhere.
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.history.scroll(), 0);
    press(&mut app, KeyCode::PageUp);
    key_with(&mut app, KeyCode::End, KeyModifiers::CONTROL);
    assert_eq!(app.history.scroll(), 0);
    // Scrolling stops at the oldest row.
    for _ in 0..20 {
        press(&mut app, KeyCode::PageUp);
    }
    assert_eq!(app.history.scroll(), app.history.max_scroll());
}

#[test]
fn a_mention_while_scrolled_up_is_marked() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    fill(&mut app, conn, 10, 40);
    press(&mut app, KeyCode::PageUp);
    line(
        &mut app,
        conn,
        "MSG 60 2026-11-24T23:32:00Z ana :eu, ana, falando",
    );
    assert!(
        !app.history.mention_pending(),
        "your own line is no mention"
    );
    line(&mut app, conn, "MSG 61 2026-11-24T23:32:00Z bob :banana");
    assert!(!app.history.mention_pending());
    line(
        &mut app,
        conn,
        "MSG 62 2026-11-24T23:32:00Z bob :ANA, olha isso",
    );
    assert!(app.history.mention_pending());
    press(&mut app, KeyCode::Esc);
    assert!(!app.history.mention_pending());
    press(&mut app, KeyCode::PageUp);
    line(&mut app, conn, "PRIV 63 2026-11-24T23:32:00Z bob ana :psiu");
    assert!(
        app.history.mention_pending(),
        "a private message to you counts"
    );
}

#[test]
fn an_event_id_seen_before_is_dropped() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let before = texts(&app).len();
    line(&mut app, conn, "MSG 5 2026-11-24T23:31:00Z bob :uma vez");
    line(&mut app, conn, "MSG 5 2026-11-24T23:31:00Z bob :uma vez");
    line(&mut app, conn, "JOIN 6 2026-11-24T23:31:00Z carla");
    line(&mut app, conn, "JOIN 6 2026-11-24T23:31:00Z carla");
    line(&mut app, conn, "PART 6 2026-11-24T23:31:00Z carla quit :");
    assert_eq!(texts(&app).len(), before + 2);
    assert_eq!(
        app.users.len(),
        3,
        "the repeated PART id did not remove carla"
    );
}

#[test]
fn a_lost_connection_keeps_the_history_and_f2_reconnects_at_once() {
    let mut app = new_app(80, 24);
    let old = online(&mut app);
    line(
        &mut app,
        old,
        "MSG 5 2026-11-24T23:31:00Z bob :antes da queda",
    );
    type_text(&mut app, "meio digitado");
    line(&mut app, old, "BYE :servidor encerrando");
    net(
        &mut app,
        old,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    assert!(
        matches!(&app.link, Link::Waiting { reason, .. } if reason == "servidor encerrando"),
        "{:?}",
        app.link
    );
    assert!(app.users.is_empty());
    assert!(
        texts(&app)
            .iter()
            .any(|t| t.ends_with("bob: antes da queda"))
    );
    assert_eq!(app.input.value(), "meio digitado");
    let fx = press(&mut app, KeyCode::F(2));
    assert!(app.dialog.is_none(), "waiting, F2 reconnects instead");
    let new = connect_id(&fx);
    assert_ne!(new, old);
    // Anything late from the old connection is ignored.
    line(&mut app, old, "MSG 6 2026-11-24T23:31:00Z bob :fantasma");
    assert!(!texts(&app).iter().any(|t| t.contains("fantasma")));
    net(&mut app, new, NetEvent::Connected);
    // A version 1 server names no log: the ids seen say nothing about its ids.
    assert_eq!(
        line(&mut app, new, "HELLO papo 1 :oi"),
        [send(Command::Nick { nick: "ana".into() })]
    );
    line(&mut app, new, "WELCOME ana :entrou");
    line(&mut app, new, "JOIN 1 2026-11-24T23:40:00Z ana");
    line(
        &mut app,
        new,
        "MSG 5 2026-11-24T23:40:01Z bob :depois da volta",
    );
    assert!(
        texts(&app)
            .iter()
            .any(|t| t.ends_with("bob: depois da volta"))
    );
    assert_eq!(app.input.value(), "meio digitado");
}

#[test]
fn membership_changes_update_the_panel_without_asking_the_server() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    // Each change is applied from the event itself: nothing is sent (in a room of 1 000, a
    // /USUARIOS per join made the server send megabytes).
    for event in [
        "JOIN 5 2026-11-24T23:31:00Z carla",
        "JOIN 6 2026-11-24T23:31:00Z davi",
        "NICK 7 2026-11-24T23:31:00Z bob roberto",
    ] {
        assert!(
            without_liveness(line(&mut app, conn, event)).is_empty(),
            "{event}"
        );
    }
    let names: Vec<&str> = app.users.list().map(|n| n.as_str()).collect();
    assert_eq!(names, ["ana", "carla", "davi", "roberto"]);
    line(&mut app, conn, "PART 8 2026-11-24T23:31:00Z davi lost :");
    assert_eq!(app.users.len(), 3);
    assert!(last_text(&app).contains("davi caiu"));
    // F5 refreshes on demand.
    line(&mut app, conn, "USERS 3 :ana carla roberto");
    assert_eq!(press(&mut app, KeyCode::F(5)), [send(Command::Users)]);
}

#[test]
fn your_own_rename_is_followed_and_saved() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let fx = line(&mut app, conn, "NICK 5 2026-11-24T23:31:00Z ana Ana_2");
    assert!(matches!(&fx[0], Effect::SaveConfig(c) if c.nick == "Ana_2"));
    assert!(matches!(&app.link, Link::Online { nick, .. } if nick.as_str() == "Ana_2"));
    assert_eq!(last_text(&app), "23:31 -- você agora é Ana_2");
}

#[test]
fn history_is_capped() {
    let mut config = config();
    config.history_lines = 100;
    let mut app = App::new(config, options(80, 24, false));
    let conn = online(&mut app);
    fill(&mut app, conn, 10, 300);
    assert_eq!(app.history.entries().len(), 100);
    // Ids older than what was kept still count as seen.
    line(
        &mut app,
        conn,
        "MSG 10 2026-11-24T23:31:00Z bob :mensagem 10",
    );
    assert!(last_text(&app).ends_with("mensagem 309"));
}

/// Drops `old` as a lost connection would, reconnects at once (F2) and logs in to a server
/// greeting with `hello`; returns the new id.
fn reconnect(app: &mut App, old: ConnId, hello: &str) -> ConnId {
    net(
        app,
        old,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    let new = connect_id(&press(app, KeyCode::F(2)));
    net(app, new, NetEvent::Connected);
    line(app, new, hello);
    line(app, new, "WELCOME ana tok2 :entrou");
    new
}

#[test]
fn a_restarted_server_is_a_new_epoch_even_after_the_cap_drops_old_entries() {
    let mut config = config();
    config.history_lines = 100;
    let mut app = App::new(config, options(80, 24, false));
    let old = online(&mut app);
    fill(&mut app, old, 1000, 151);
    // The server started over with a new log: a new epoch, counting from 1 again.
    let new = reconnect(&mut app, old, "HELLO papo 2 e2 :oi");
    line(&mut app, new, "LIVE 0 :ao vivo");
    line(&mut app, new, "JOIN 1 2026-11-24T23:40:00Z ana");
    for id in 2..152 {
        line(
            &mut app,
            new,
            &format!("MSG {id} 2026-11-24T23:41:00Z bob :nova {id}"),
        );
        assert!(
            last_text(&app).ends_with(&format!("bob: nova {id}")),
            "message {id} of the new epoch was dropped"
        );
    }
}

#[test]
fn one_absurd_id_cannot_silence_the_room() {
    let mut config = config();
    config.history_lines = 100;
    let mut app = App::new(config, options(80, 24, false));
    let conn = online(&mut app);
    line(
        &mut app,
        conn,
        "MSG 18446744073709551615 2026-11-24T23:31:00Z bob :id absurdo",
    );
    // Enough ordinary events to push the absurd one out of the capped history.
    fill(&mut app, conn, 10, 150);
    assert!(!texts(&app).iter().any(|t| t.contains("id absurdo")));
    line(
        &mut app,
        conn,
        "MSG 500 2026-11-24T23:31:00Z bob :ainda se ouve",
    );
    assert!(
        last_text(&app).ends_with("ainda se ouve"),
        "{:?}",
        last_text(&app)
    );
    // Real repeats are still dropped.
    line(
        &mut app,
        conn,
        "MSG 500 2026-11-24T23:31:00Z bob :ainda se ouve",
    );
    line(&mut app, conn, "MSG 20 2026-11-24T23:31:00Z bob :velha");
    assert!(last_text(&app).ends_with("ainda se ouve"));
    // A resume picks up after the newest event, not after the absurd one.
    assert_eq!(app.history.max_seen(), Some(papo_protocol::EventId(500)));
}

#[test]
fn odd_server_lines_change_nothing() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let before = texts(&app).len();
    // A blank line is ignored, as the protocol says.
    net(&mut app, conn, NetEvent::Malformed(String::new()));
    net(&mut app, conn, NetEvent::Malformed("   ".into()));
    assert_eq!(texts(&app).len(), before, "{:?}", texts(&app));
    // A second WELCOME neither renames you nor touches the config.
    let fx = line(&mut app, conn, "WELCOME intruso tok2 :oi de novo");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::SaveConfig(_))),
        "{fx:?}"
    );
    assert!(matches!(&app.link, Link::Online { nick, .. } if nick.as_str() == "ana"));
    // A member list that names someone twice shows them once.
    line(&mut app, conn, "USERS 3 :ana ana ANA");
    assert_eq!(app.users.len(), 1);
}
