//! Screens of reconnecting: the countdown in the status bar, and the replay after a resume —
//! a marker, the missed events dimmed, a separator, then live lines.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{App, ConnId, NetEvent};
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

/// Online as ana with bob, the link lost; returns the old connection.
fn lost(app: &mut App) -> ConnId {
    let conn = online(app);
    line(app, conn, "MSG 7 2026-11-24T23:31:00Z bob :já volto");
    line(app, conn, "BYE :servidor encerrando");
    net(
        app,
        conn,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    conn
}

/// Whether every drawn cell of row `y` (up to the users panel) is dim.
fn row_dim(buf: &Buffer, y: u16, width: u16) -> Option<bool> {
    let cells: Vec<bool> = (0..width)
        .filter(|&x| buf[(x, y)].symbol() != " ")
        .map(|x| buf[(x, y)].style().add_modifier.contains(Modifier::DIM))
        .collect();
    if cells.is_empty() {
        None
    } else if cells.iter().all(|&d| d) {
        Some(true)
    } else if cells.iter().all(|&d| !d) {
        Some(false)
    } else {
        panic!("row {y} is partly dim")
    }
}

#[test]
fn waiting_to_reconnect_shows_the_countdown_and_the_keys() {
    let mut app = new_app(80, 6);
    lost(&mut app);
    type_text(&mut app, "rascunho");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 --> ana entrou                                      │Pessoas (0)          ",
            "23:31 bob: já volto                                       │                     ",
            "23:30 -- servidor: servidor encerrando                    │                     ",
            "23:30 !! desconectado: servidor encerrando — reconectando…│                     ",
            " reconectando em 1 s… F2 agora, Esc cancela    F1 ajuda  F10 sair  F2 conectar  ",
            "> rascunho                                                                      ",
        ],
    );
}

#[test]
fn a_resume_shows_the_missed_events_dim_between_a_marker_and_a_separator() {
    let mut app = new_app(80, 12);
    lost(&mut app);
    type_text(&mut app, "rascunho");
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(
        &mut app,
        c,
        "WELCOME ana tok2 :você entrou na sala como ana",
    );
    line(&mut app, c, "MSG 7 2026-11-24T23:31:00Z bob hist :já volto");
    line(
        &mut app,
        c,
        "MSG 8 2026-11-24T23:32:00Z bob hist :ana, cadê você?",
    );
    line(
        &mut app,
        c,
        "ACTION 9 2026-11-24T23:33:00Z bob hist :espera",
    );
    line(&mut app, c, "USERS 2 :ana bob");
    line(&mut app, c, "LIVE 9 :ao vivo");
    line(&mut app, c, "JOIN 10 2026-11-24T23:35:00Z ana");
    line(&mut app, c, "MSG 11 2026-11-24T23:35:10Z bob :oi de novo");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:31 bob: já volto                                       │Pessoas (2)          ",
            "23:30 -- servidor: servidor encerrando                    │ana (você)           ",
            "23:30 !! desconectado: servidor encerrando — reconectando…│bob                  ",
            "23:30 -- você entrou na sala como ana                     │                     ",
            "      — 2 mensagens enquanto você estava fora —           │                     ",
            "23:32 bob: ana, cadê você?                                │                     ",
            "23:33 * bob espera                                        │                     ",
            "      — ao vivo —                                         │                     ",
            "23:35 --> ana entrou                                      │                     ",
            "23:35 bob: oi de novo                                     │                     ",
            " conectado a 127.0.0.1:7667 como ana · 2 pessoas            F1 ajuda  F10 sair  ",
            "> rascunho                                                                      ",
        ],
    );
    let buf = t.backend().buffer();
    let dim: Vec<Option<bool>> = (0..10).map(|y| row_dim(buf, y, 58)).collect();
    assert_eq!(
        dim,
        [
            Some(false),
            Some(false),
            Some(false),
            Some(false),
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            Some(false),
            Some(false),
        ]
    );
    // The mention in the replayed line still shows, dimmed: the sender reversed.
    let sender = buf[(6, 5)].style();
    assert!(
        sender
            .add_modifier
            .contains(Modifier::REVERSED | Modifier::DIM)
    );
}
