//! `update` on values and `TestBackend` screens, the reading side: folded joins and leaves, the
//! smart filter, search, the read marker, the unread count in the title, the bell, the mouse
//! wheel, and a history bounded in bytes whose scrolling and resizing never re-wrap it all.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};
use papo::app::entry::Entry;
use papo::app::history::History;
use papo::app::{App, Effect, Event, update};
use papo::config::Config;

fn mouse(app: &mut App, kind: MouseEventKind) -> Vec<Effect> {
    let event = MouseEvent {
        kind,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    update(app, Event::Mouse(event))
}

fn titles(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Title(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn consecutive_joins_and_leaves_fold_into_one_line() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    let before = texts(&app).len();
    for (i, n) in ["carla", "davi", "edu", "fabi"].iter().enumerate() {
        line(
            &mut app,
            conn,
            &format!("JOIN {} 2026-11-24T23:31:0{i}Z {n}", 10 + i),
        );
    }
    line(
        &mut app,
        conn,
        "PART 20 2026-11-24T23:31:09Z bob quit :tchau",
    );
    assert_eq!(texts(&app).len(), before + 1, "{:#?}", texts(&app));
    assert_eq!(
        last_text(&app),
        "23:31 <-> carla, davi e mais 2 entraram; bob saiu"
    );
    assert_eq!(app.users.len(), 5, "the panel still follows every event");
    // A message ends the fold; the next join starts a line of its own.
    line(&mut app, conn, "MSG 21 2026-11-24T23:32:00Z carla :oi");
    line(&mut app, conn, "JOIN 22 2026-11-24T23:32:01Z gil");
    assert_eq!(last_text(&app), "23:32 --> gil entrou");
    // A folded event's id still counts as seen: a replay of it shows nothing new.
    let shown = texts(&app).len();
    line(&mut app, conn, "JOIN 11 2026-11-24T23:31:01Z davi");
    assert_eq!(texts(&app).len(), shown);
}

#[test]
fn the_smart_filter_hides_joins_and_leaves_of_the_quiet() {
    let config = Config {
        smart_filter: true,
        ..config()
    };
    let mut app = App::new(config, options(80, 24, false));
    let conn = online(&mut app);
    let before = texts(&app).len();
    line(&mut app, conn, "JOIN 10 2026-11-24T23:31:00Z carla");
    line(&mut app, conn, "MSG 11 2026-11-24T23:31:10Z bob :oi");
    line(&mut app, conn, "PART 12 2026-11-24T23:35:00Z carla quit :");
    line(&mut app, conn, "PART 13 2026-11-24T23:36:00Z bob quit :até");
    assert_eq!(
        texts(&app)[before..],
        [
            "23:31 bob: oi".to_owned(),
            "23:36 <-- bob saiu: até".to_owned()
        ],
        "carla never spoke; bob did, 5 minutes before leaving"
    );
    assert_eq!(app.users.len(), 1, "hidden, but the panel follows");
    // Quiet for longer than the filter's window: hidden.
    line(&mut app, conn, "JOIN 14 2026-11-24T23:37:00Z bob");
    line(&mut app, conn, "PART 15 2026-11-24T23:50:00Z bob quit :");
    assert_eq!(
        last_text(&app),
        "23:36 <-> bob saiu; bob entrou",
        "bob's rejoin 6 minutes after speaking shows (folded, in order); his leave 19 minutes after does not"
    );
}

#[test]
fn search_jumps_to_matches_and_n_moves_between_them() {
    let mut app = new_app(60, 12);
    let conn = online(&mut app);
    for id in 10..200 {
        let text = if id % 50 == 0 {
            format!("o Deploy {id} saiu")
        } else {
            format!("linha {id}")
        };
        line(
            &mut app,
            conn,
            &format!("MSG {id} 2026-11-24T23:31:00Z bob :{text}"),
        );
    }
    ctrl(&mut app, 'f');
    type_text(&mut app, "deploy");
    assert!(!app.history.is_live(), "jumped to the newest match");
    let t = draw(&app);
    let screen = rows(t.backend().buffer());
    assert!(
        screen.iter().any(|r| r.contains("o Deploy 150 saiu")),
        "{screen:#?}"
    );
    assert!(
        screen[11].starts_with("buscar: deploy") && screen[11].contains("1/3"),
        "{:?}",
        screen[11]
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    let screen = rows(draw(&app).backend().buffer());
    assert!(screen.iter().any(|r| r.contains("o Deploy 100 saiu")));
    assert!(screen[11].contains("2/3"), "{:?}", screen[11]);
    // Matches are highlighted: reversed.
    let t = draw(&app);
    let buf = t.backend().buffer();
    let (x, y) = (0..buf.area.height)
        .find_map(|y| {
            let row = &screen[usize::from(y)];
            row.find("Deploy 100").map(|x| (x as u16 + 2, y))
        })
        .expect("the match on screen");
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED),
        "the match is drawn reversed"
    );
    press(&mut app, KeyCode::Char('N'));
    press(&mut app, KeyCode::Char('N'));
    let screen = rows(draw(&app).backend().buffer());
    assert!(screen[11].contains("1/3"), "stops at the newest");
    // Esc closes the search and leaves the view; Esc again goes live.
    press(&mut app, KeyCode::Esc);
    assert!(app.search.is_none());
    assert!(!app.history.is_live());
    press(&mut app, KeyCode::Esc);
    assert!(app.history.is_live());
    // `/BUSCAR` does the same from the message line; nothing found says so.
    submit(&mut app, "/buscar DEPLOY 50");
    assert_eq!(
        app.search
            .as_ref()
            .and_then(papo::app::search::Search::position),
        Some((1, 1))
    );
    press(&mut app, KeyCode::Esc);
    submit(&mut app, "/buscar xyzzy");
    assert!(last_text(&app).contains("nada encontrado"));
}

#[test]
fn the_title_counts_unread_messages_while_away_and_a_marker_shows_where_you_stopped() {
    let mut app = new_app(60, 12);
    let conn = online(&mut app);
    assert_eq!(
        titles(&update(&mut app, Event::Focus(false))),
        [] as [String; 0]
    );
    let fx = line(&mut app, conn, "MSG 10 2026-11-24T23:31:00Z bob :um");
    assert_eq!(titles(&fx), ["(1) papo"]);
    line(&mut app, conn, "JOIN 11 2026-11-24T23:31:00Z carla");
    let fx = line(&mut app, conn, "MSG 12 2026-11-24T23:31:00Z carla :dois");
    assert_eq!(titles(&fx), ["(2) papo"], "joins are not unread messages");
    let fx = update(&mut app, Event::Focus(true));
    assert_eq!(titles(&fx), ["papo"], "back, at the newest lines: read");
    let screen = rows(draw(&app).backend().buffer());
    let marker = screen
        .iter()
        .position(|r| r.contains("novas mensagens"))
        .expect("the read marker");
    assert!(screen[marker + 1].contains("bob: um"), "{screen:#?}");
    // Scrolled up while focused also counts.
    fill(&mut app, conn, 20..40);
    press(&mut app, KeyCode::PageUp);
    let fx = line(&mut app, conn, "MSG 50 2026-11-24T23:31:00Z bob :três");
    assert_eq!(titles(&fx), ["(1) papo"]);
    let fx = press(&mut app, KeyCode::Esc);
    assert_eq!(titles(&fx), ["papo"]);
    // Leaving again moves the marker to what arrives next.
    update(&mut app, Event::Focus(false));
    line(&mut app, conn, "MSG 51 2026-11-24T23:31:00Z bob :quatro");
    let marked = app.history.marker().and_then(|s| app.history.get(s));
    assert!(marked.is_some_and(|e| e.text().ends_with("quatro")));
    // Sending a line says you have read: the marker goes.
    update(&mut app, Event::Focus(true));
    submit(&mut app, "li tudo");
    assert_eq!(app.history.marker(), None);
}

#[test]
fn a_mention_or_a_private_message_rings_the_bell_once_per_burst() {
    let mut app = new_app(60, 12);
    let conn = online(&mut app);
    let bells = |fx: &[Effect]| fx.iter().filter(|e| **e == Effect::Bell).count();
    assert_eq!(
        bells(&line(&mut app, conn, "MSG 10 2026-11-24T23:31:00Z bob :oi")),
        0
    );
    assert_eq!(
        bells(&line(
            &mut app,
            conn,
            "MSG 11 2026-11-24T23:31:00Z bob :ana?"
        )),
        1
    );
    assert_eq!(
        bells(&line(
            &mut app,
            conn,
            "PRIV 12 2026-11-24T23:31:00Z bob ana :psiu"
        )),
        0,
        "the clock did not move: one ring per second"
    );
    let config = Config {
        bell: false,
        ..config()
    };
    let mut quiet = App::new(config, options(60, 12, false));
    let conn = online(&mut quiet);
    assert_eq!(
        bells(&line(
            &mut quiet,
            conn,
            "PRIV 12 2026-11-24T23:31:00Z bob ana :psiu"
        )),
        0
    );
}

#[test]
fn the_wheel_scrolls_the_history_and_a_key_turns_the_mouse_off() {
    let mut app = new_app(60, 12);
    assert_eq!(
        papo::app::initial_effects(&mut app),
        [Effect::MouseCapture(true), Effect::Title("papo".to_owned())]
    );
    let conn = online(&mut app);
    fill(&mut app, conn, 10..60);
    mouse(&mut app, MouseEventKind::ScrollUp);
    assert_eq!(app.history.scroll(), 3);
    mouse(&mut app, MouseEventKind::ScrollDown);
    assert!(app.history.is_live());
    assert_eq!(app.input.value(), "", "the input history was not touched");
    let fx = press(&mut app, KeyCode::F(7));
    assert!(fx.contains(&Effect::MouseCapture(false)));
    assert!(last_text(&app).contains("mouse desligado"));

    // Over the users panel, the wheel scrolls the panel.
    let mut app = new_app(80, 12);
    let others: Vec<String> = (0..50).map(|i| format!("p{i:02}")).collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let conn = online_as(&mut app, "ana", &others);
    fill(&mut app, conn, 10..60);
    let over_panel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 70,
        row: 3,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Event::Mouse(over_panel));
    assert_eq!(app.users.scroll(), 3);
    assert!(app.history.is_live(), "the history did not move");
}

/// An entry of `bytes` bytes of text.
fn big(i: usize, bytes: usize) -> Entry {
    let body = format!("{i} {}", "palavra ".repeat(bytes / 8));
    Entry::notice("12:00", &body, false)
}

#[test]
fn the_history_is_bounded_in_bytes_and_scrolls_without_rewrapping_it_all() {
    let mut h = History::with_caps(100_000, 1 << 20);
    h.set_geometry(50, 20);
    for i in 0..1000 {
        h.push(big(i, 8 * 1024), false);
    }
    assert!(h.bytes() <= 1 << 20, "{}", h.bytes());
    assert!(h.entries().len() < 130, "{}", h.entries().len());
    assert!(
        h.entries()
            .back()
            .is_some_and(|e| e.text().contains("999 "))
    );
    // Scroll to the top, resize, scroll back down: the view stays put and always full.
    for _ in 0..10_000 {
        h.scroll_up(h.page());
    }
    let top = h.scroll();
    assert_eq!(top, h.max_scroll());
    h.set_geometry(80, 20);
    assert_eq!(h.bottom().map(|(s, _)| s), Some(h.first_serial()));
    assert_eq!(
        h.scroll(),
        h.max_scroll(),
        "still at the top after a resize"
    );
    for _ in 0..10_000 {
        h.scroll_down(h.page());
        if h.is_live() {
            break;
        }
    }
    assert!(h.is_live());
}

#[test]
fn a_resize_keeps_the_entry_at_the_bottom_of_the_view() {
    let mut app = new_app(80, 12);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..100);
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::PageUp);
    let before = rows(draw(&app).backend().buffer())[9].clone();
    update(
        &mut app,
        Event::Resize {
            width: 60,
            height: 12,
        },
    );
    let after = rows(draw(&app).backend().buffer())[9].clone();
    assert_eq!(before[..20], after[..20], "{before:?} / {after:?}");
    key_with(&mut app, KeyCode::End, KeyModifiers::CONTROL);
    assert!(app.history.is_live());
}
