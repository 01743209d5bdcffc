//! Screens under stress: every size, resizes while scrolled, NO_COLOR, hostile text, markers.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{App, Event, NetEvent, update};
use papo::wrap::text_width;
use papo_protocol::{EventId, Nickname, ServerLine, Timestamp};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

#[test]
fn resizes_never_panic_and_keep_the_essentials() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    for id in 10..80 {
        let raw =
            format!("MSG {id} 2026-11-24T23:31:00Z bob :mensagem número {id} com 日本語 e 😀");
        line(&mut app, conn, &raw);
    }
    type_text(&mut app, "texto sendo digitado com 世界 no meio");
    let sizes = [
        (120, 40),
        (80, 24),
        (40, 10),
        (20, 5),
        (10, 3),
        (5, 2),
        (1, 1),
        (0, 0),
        (80, 24),
    ];
    for overlay in 0..3 {
        for (width, height) in sizes {
            update(&mut app, Event::Resize { width, height });
            if overlay == 1 && app.dialog.is_none() {
                press(&mut app, KeyCode::F(2));
            }
            if overlay == 2 && app.help.is_none() {
                press(&mut app, KeyCode::Esc);
                press(&mut app, KeyCode::F(1));
            }
            let screen = rows(draw(&app).backend().buffer());
            let (w, h) = (usize::from(width), usize::from(height));
            assert_eq!(screen.len(), h);
            assert!(
                screen.iter().all(|r| text_width(r) == w),
                "{width}x{height}: {screen:?}"
            );
            let all = screen.join("");
            match overlay {
                0 if h > 0 => assert!(
                    screen[h - 1].starts_with('>'),
                    "{width}x{height}: {screen:?}"
                ),
                1 if w >= 20 && h >= 5 => assert!(all.contains("Servidor:"), "{screen:?}"),
                2 if w >= 20 && h >= 5 => assert!(all.contains("Ajuda"), "{screen:?}"),
                _ => {}
            }
            if overlay == 0 && h >= 3 && w >= 20 {
                assert!(screen[h - 2].starts_with(" conectado a"), "{screen:?}");
                let newest = &screen[h - 3];
                assert!(newest.contains("79") || newest.contains("😀"), "{screen:?}");
            }
        }
    }
}

#[test]
fn the_reading_position_survives_a_resize() {
    let mut app = new_app(80, 12);
    let conn = online(&mut app);
    for id in 10..60 {
        let raw = format!(
            "MSG {id} 2026-11-24T23:31:00Z bob :linha {id} com um texto que quebra em telas estreitas"
        );
        line(&mut app, conn, &raw);
    }
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::PageUp);
    // The message numbers in view, top to bottom.
    let shown = |app: &App| -> Vec<u32> {
        let screen = rows(draw(app).backend().buffer()).join(" ");
        screen
            .split("linha ")
            .skip(1)
            .filter_map(|rest| rest.split(' ').next()?.parse().ok())
            .collect()
    };
    let before = shown(&app);
    let newest = *before.last().expect("messages in view");
    assert!(newest < 59, "scrolled up: {before:?}");
    update(
        &mut app,
        Event::Resize {
            width: 30,
            height: 12,
        },
    );
    let after = shown(&app);
    assert_eq!(
        after.last(),
        Some(&newest),
        "same message at the bottom: {before:?} → {after:?}"
    );
    assert!(
        after.len() < before.len(),
        "narrower: fewer messages fit: {before:?} → {after:?}"
    );
    update(
        &mut app,
        Event::Resize {
            width: 80,
            height: 12,
        },
    );
    assert_eq!(shown(&app), before, "and back");
}

#[test]
fn scrolled_up_the_status_bar_marks_new_messages_and_mentions() {
    let mut app = new_app(80, 8);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..30);
    press(&mut app, KeyCode::PageUp);
    line(
        &mut app,
        conn,
        "MSG 40 2026-11-24T23:33:00Z bob :ei ana, olha",
    );
    let t = draw(&app);
    let screen = rows(t.backend().buffer());
    assert_eq!(
        screen[6],
        " conectado a 127.0.0.1:7667 como ana · 2 pessoas  menção ↓   novas mensagens ↓  "
    );
    assert!(
        screen[5].contains("mensagem 24"),
        "the view did not move: {screen:?}"
    );
    // The markers break out of the reversed bar: normal video, bold.
    let buf = t.backend().buffer();
    assert!(
        buf[(0, 6)]
            .style()
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    let at = screen[6].chars().take_while(|&c| c != 'ç').count() - 3;
    let x = u16::try_from(at).expect("column");
    assert_eq!(buf[(x, 6)].symbol(), "m");
    let marker = buf[(x, 6)].style();
    assert!(!marker.add_modifier.contains(Modifier::REVERSED));
    assert!(marker.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn no_color_keeps_reverse_and_bold() {
    let mut app = App::new(config(), options(50, 6, true));
    let conn = online(&mut app);
    line(&mut app, conn, "MSG 5 2026-11-24T23:31:00Z bob :oi ana!");
    line(&mut app, conn, "MSG 6 2026-11-24T23:31:00Z ana :oi bob");
    let t = draw(&app);
    let lines = [
        "         ana                      │Pessoas (2)    ",
        "23:30 --> ana entrou              │ana (você)     ",
        "23:31 bob: oi ana!                │bob            ",
        "23:31 ana: oi bob                 │               ",
        " conectado a 127.0.0.1:7667 como ana · 2 pessoas  ",
        ">                                                 ",
    ];
    let mut expected = Buffer::with_lines(lines);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    expected.set_style(
        Rect::new(0, 4, 50, 1),
        Style::new().add_modifier(Modifier::REVERSED),
    );
    expected.set_style(Rect::new(35, 0, 11, 1), bold); // the panel's title
    expected.set_style(Rect::new(35, 1, 10, 1), bold); // "ana (você)"
    expected.set_style(Rect::new(10, 1, 3, 1), bold); // your own join
    expected.set_style(Rect::new(6, 2, 3, 1), bold.add_modifier(Modifier::REVERSED)); // the mention
    expected.set_style(Rect::new(6, 3, 3, 1), bold); // your own message
    t.backend().assert_buffer(&expected);
    for cell in t.backend().buffer().content() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "no colour anywhere"
        );
    }
}

#[test]
fn hostile_text_from_the_network_never_reaches_the_screen() {
    let mut app = new_app(100, 20);
    let conn = online(&mut app);
    let hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[31mvermelho\u{202E}otrevni\u{2066}\r\0\u{9b}31m\x7f";
    let time = Timestamp::from_unix_seconds(1_795_995_100);
    let bob = Nickname::parse("bob").expect("valid");
    // Values built directly, as if the network layer had not cleaned them.
    let lines = [
        ServerLine::Message {
            id: EventId(10),
            time,
            nick: bob.clone(),
            text: hostile.into(),
        },
        ServerLine::Action {
            id: EventId(11),
            time,
            nick: bob.clone(),
            text: hostile.into(),
        },
        ServerLine::Help {
            text: hostile.into(),
        },
        ServerLine::Bye {
            text: hostile.into(),
        },
    ];
    for l in lines {
        update(
            &mut app,
            Event::Net {
                conn,
                event: NetEvent::Line(l),
            },
        );
    }
    update(
        &mut app,
        Event::Net {
            conn,
            event: NetEvent::Malformed(hostile.into()),
        },
    );
    update(
        &mut app,
        Event::Net {
            conn,
            event: NetEvent::Closed(hostile.into()),
        },
    );
    // Esc stops reconnecting, so the status bar says why the link ended.
    press(&mut app, KeyCode::Esc);
    let t = draw(&app);
    let screen = rows(t.backend().buffer());
    let all = screen.join("\n");
    assert!(all.contains("vermelho"), "{all}");
    assert!(
        all.contains("desconectado: �[2J"),
        "the status bar shows the cleaned reason: {all}"
    );
    for cell in t.backend().buffer().content() {
        for c in cell.symbol().chars() {
            assert!(
                !papo_protocol::is_forbidden_char(c) && c != '\t',
                "{c:?} reached the screen"
            );
        }
    }
}

#[test]
fn on_a_narrow_screen_the_markers_push_the_state_text_aside() {
    let mut app = new_app(40, 8);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..30);
    press(&mut app, KeyCode::PageUp);
    line(&mut app, conn, "MSG 40 2026-11-24T23:33:00Z bob :mais uma");
    let screen = rows(draw(&app).backend().buffer());
    assert_eq!(screen[6], " conectado a 127.0.0  novas mensagens ↓ ");
}
