//! The users panel in a room bigger than it: it scrolls (keys, and `Users::scroll_by` for the
//! mouse wheel), says how many names are out of view, marks cut names with `…`, and takes a
//! `USERS` reply in parts only once it is complete.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{Event, NetEvent, update};

/// Thirty people besides ana: `pessoa00` … `pessoa29`.
fn crowd() -> Vec<String> {
    (0..30).map(|i| format!("pessoa{i:02}")).collect()
}

/// ana online in a 60 × 10 terminal with the crowd: the panel has 7 rows for names.
fn crowded() -> (papo::app::App, papo::app::ConnId) {
    let mut app = new_app(60, 10);
    let crowd = crowd();
    let others: Vec<&str> = crowd.iter().map(String::as_str).collect();
    let conn = online_as(&mut app, "ana", &others);
    (app, conn)
}

/// The panel's column of the screen (its border and 15 columns), row by row.
fn panel(app: &papo::app::App) -> Vec<String> {
    let t = draw(app);
    rows(t.backend().buffer())
        .iter()
        .take(8)
        .map(|r| r.chars().skip(44).collect())
        .collect()
}

#[test]
fn a_long_list_says_how_many_names_are_below_then_above() {
    let (mut app, _) = crowded();
    assert_eq!(
        panel(&app),
        [
            "│Pessoas (31)   ",
            "│ana (você)     ",
            "│pessoa00       ",
            "│pessoa01       ",
            "│pessoa02       ",
            "│pessoa03       ",
            "│pessoa04       ",
            "│↓ 25 mais      ",
        ]
    );
    // F12 (Ctrl+O) pages down: the name after the last shown comes first.
    press(&mut app, KeyCode::F(12));
    assert_eq!(
        panel(&app),
        [
            "│Pessoas (31)   ",
            "│↑ 6 mais       ",
            "│pessoa05       ",
            "│pessoa06       ",
            "│pessoa07       ",
            "│pessoa08       ",
            "│pessoa09       ",
            "│↓ 20 mais      ",
        ]
    );
    ctrl(&mut app, 'o');
    ctrl(&mut app, 'o');
    ctrl(&mut app, 'o');
    ctrl(&mut app, 'o');
    ctrl(&mut app, 'o');
    // At the end: the ↑ row and the last six names; more presses change nothing.
    let end = [
        "│Pessoas (31)   ",
        "│↑ 25 mais      ",
        "│pessoa24       ",
        "│pessoa25       ",
        "│pessoa26       ",
        "│pessoa27       ",
        "│pessoa28       ",
        "│pessoa29       ",
    ];
    assert_eq!(panel(&app), end);
    // F11 (Ctrl+P) pages back up, one press per page even after pressing past the end.
    press(&mut app, KeyCode::F(11));
    assert_eq!(panel(&app)[1], "│↑ 20 mais      ");
    for _ in 0..10 {
        ctrl(&mut app, 'p');
    }
    assert_eq!(panel(&app)[1], "│ana (você)     ");
}

#[test]
fn the_mouse_wheel_api_scrolls_by_names_within_the_list() {
    let (mut app, _) = crowded();
    app.users.scroll_by(3);
    assert_eq!(&panel(&app)[1..3], ["│↑ 3 mais       ", "│pessoa02       "]);
    app.users.scroll_by(-1);
    assert_eq!(&panel(&app)[1..3], ["│↑ 2 mais       ", "│pessoa01       "]);
    app.users.scroll_by(-100);
    assert_eq!(app.users.scroll(), 0);
    app.users.scroll_by(1000);
    assert_eq!(app.users.scroll(), 25, "the last six names and the ↑ row");
}

#[test]
fn the_scroll_follows_the_room_and_the_terminal_size() {
    let (mut app, conn) = crowded();
    app.users.scroll_by(1000);
    // People leaving while you look at the end: the view stays at the end.
    for (id, i) in (20..25).enumerate() {
        line(
            &mut app,
            conn,
            &format!("PART {} 2026-11-24T23:40:00Z pessoa{i:02} quit :", 10 + id),
        );
    }
    assert_eq!(
        panel(&app),
        [
            "│Pessoas (26)   ",
            "│↑ 20 mais      ",
            "│pessoa19       ",
            "│pessoa25       ",
            "│pessoa26       ",
            "│pessoa27       ",
            "│pessoa28       ",
            "│pessoa29       ",
        ]
    );
    // A taller terminal shows more, and the scroll shrinks to what is still needed.
    update(
        &mut app,
        Event::Resize {
            width: 60,
            height: 40,
        },
    );
    assert_eq!(app.users.scroll(), 0, "everyone fits in 37 rows");
    update(
        &mut app,
        Event::Resize {
            width: 60,
            height: 10,
        },
    );
    assert_eq!(panel(&app)[1], "│ana (você)     ");
}

#[test]
fn a_cut_name_ends_in_an_ellipsis() {
    let mut app = new_app(60, 8);
    online_as(
        &mut app,
        "ana_de_sobrenome_longo",
        &["bob", "carlota_maria_da_silva", "日本語の名前がとても長い"],
    );
    assert_eq!(
        panel(&app)[..5],
        [
            "│Pessoas (4)    ",
            "│ana_de_sobreno…",
            "│bob            ",
            "│carlota_maria_…",
            "│日本語の名前が…",
        ]
    );
    // Room for the name but not for "(você)": that is cut too.
    let mut app = new_app(60, 8);
    online_as(&mut app, "ana_maria", &["bob"]);
    assert_eq!(panel(&app)[1], "│ana_maria (voc…");
}

#[test]
fn a_reply_in_parts_replaces_the_panel_once_complete() {
    let (mut app, conn) = crowded();
    // F5 asks again; the answer comes in three parts.
    let fx = press(&mut app, KeyCode::F(5));
    assert!(!fx.is_empty());
    let names: Vec<String> = ["ana", "bia", "caio", "dora", "edu"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    line(
        &mut app,
        conn,
        &format!("USERS 5 0 :{} {}", names[0], names[1]),
    );
    line(&mut app, conn, &format!("USERS 5 2 :{}", names[2]));
    assert_eq!(app.users.len(), 31, "nothing replaced before the last part");
    line(
        &mut app,
        conn,
        &format!("USERS 5 3 :{} {}", names[3], names[4]),
    );
    let listed: Vec<&str> = app.users.list().map(|n| n.as_str()).collect();
    assert_eq!(listed, names);
    // A refresh by key is not shown in the history; /USUARIOS is, once, when complete.
    assert!(!last_text(&app).contains("na sala"));
    submit(&mut app, "/usuarios");
    line(&mut app, conn, "USERS 3 0 :ana bia");
    assert!(!last_text(&app).contains("na sala"));
    line(&mut app, conn, "USERS 3 2 :caio");
    assert_eq!(last_text(&app), "23:30 -- na sala (3): ana, bia, caio");
}

#[test]
fn a_broken_reply_leaves_the_panel_and_later_replies_still_work() {
    let (mut app, conn) = crowded();
    press(&mut app, KeyCode::F(5));
    line(&mut app, conn, "USERS 5 0 :ana bia");
    // A part that cannot be read spoils this reply, and only this one.
    update(
        &mut app,
        Event::Net {
            conn,
            event: NetEvent::Malformed("USERS 5 2 :/caio".into()),
        },
    );
    line(&mut app, conn, "USERS 5 3 :dora edu");
    assert_eq!(
        app.users.len(),
        31,
        "the panel keeps the last complete list"
    );
    submit(&mut app, "/usuarios");
    line(&mut app, conn, "USERS 2 :ana bia");
    assert_eq!(app.users.len(), 2);
    assert_eq!(last_text(&app), "23:30 -- na sala (2): ana, bia");
}
