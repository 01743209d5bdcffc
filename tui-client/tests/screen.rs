//! Whole screens drawn into ratatui's `TestBackend` and compared with literal screens.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::keys::{self, BINDINGS};
use papo_protocol::{COMMANDS, CommandKind};
use ratatui::layout::Position;

#[test]
fn empty_disconnected_room() {
    let app = new_app(60, 8);
    let mut t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR  │Pessoas (0)    ",
            "         (ou F2) para conectar a um servidor│               ",
            "                                            │               ",
            "                                            │               ",
            "                                            │               ",
            "                                            │               ",
            " desconectado — /ENTRAR ou F2 para conectar       F1 ajuda  ",
            ">                                                           ",
        ],
    );
    t.backend_mut().assert_cursor_position(Position::new(2, 7));
}

#[test]
fn wide_characters_wrap_by_display_width() {
    let mut app = new_app(40, 10);
    let conn = online(&mut app);
    line(
        &mut app,
        conn,
        "MSG 5 2026-11-24T23:31:00Z bob :日本語のテキストと絵文字😀😀を折り返す",
    );
    line(
        &mut app,
        conn,
        "MSG 6 2026-11-24T23:31:00Z ana :oi bob, tudo bem com você?",
    );
    type_text(&mut app, "olá 世界");
    let mut t = draw(&app);
    assert_screen(
        &t,
        &[
            "         /ENTRAR (ou F2) para conectar a",
            "         um servidor                    ",
            "23:30 -- conectando a 127.0.0.1:7667…   ",
            "23:30 -- você entrou na sala como ana   ",
            "23:30 --> ana entrou                    ",
            "23:31 bob: 日本語のテキストと絵文字😀😀 ",
            "           を折り返す                   ",
            "23:31 ana: oi bob, tudo bem com você?   ",
            " conectado a 127.0.0.1:7667 como ana · 2",
            "> olá 世界                              ",
        ],
    );
    t.backend_mut().assert_cursor_position(Position::new(10, 9));
}

#[test]
fn users_panel_lists_everyone_sorted_with_you_marked() {
    let mut app = new_app(80, 10);
    let conn = online_as(&mut app, "ana", &["bob", "Carla", "davi"]);
    line(&mut app, conn, "JOIN 7 2026-11-24T23:31:00Z Beto");
    line(
        &mut app,
        conn,
        "PART 8 2026-11-24T23:31:30Z davi quit :até amanhã",
    );
    line(&mut app, conn, "NICK 9 2026-11-24T23:32:00Z bob roberto");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR (ou F2) para   │Pessoas (4)          ",
            "         conectar a um servidor                           │ana (você)           ",
            "23:30 -- conectando a 127.0.0.1:7667…                     │Beto                 ",
            "23:30 -- você entrou na sala como ana                     │Carla                ",
            "23:30 --> ana entrou                                      │roberto              ",
            "23:31 <-> Beto entrou; davi saiu                          │                     ",
            "23:32 -- bob agora é roberto                              │                     ",
            "                                                          │                     ",
            " conectado a 127.0.0.1:7667 como ana · 4 pessoas            F1 ajuda  F10 sair  ",
            ">                                                                               ",
        ],
    );
}

#[test]
fn the_users_panel_says_how_many_it_cannot_show() {
    let mut app = new_app(60, 7);
    online_as(
        &mut app,
        "ana",
        &["bia", "caio", "dora", "enzo", "fábio", "gil"],
    );
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR  │Pessoas (7)    ",
            "         (ou F2) para conectar a um servidor│ana (você)     ",
            "23:30 -- conectando a 127.0.0.1:7667…       │bia            ",
            "23:30 -- você entrou na sala como ana       │caio           ",
            "23:30 --> ana entrou                        │↓ 4 mais       ",
            " conectado a 127.0.0.1:7667 como ana · 7 pessoas  F1 ajuda  ",
            ">                                                           ",
        ],
    );
}

#[test]
fn the_dialog_shows_fields_errors_and_keys() {
    let mut app = new_app(60, 16);
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "9x");
    press(&mut app, KeyCode::Enter);
    let mut t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR  │Pessoas (0)    ",
            "┌ Conectar a um servidor ──────────────────────────────────┐",
            "│ Servidor: 127.0.0.1                                      │",
            "│ Porta:    76679x                                         │",
            "│ Apelido:  ana                                            │",
            "│ Senha:                                                   │",
            "│           [ ] TLS (conexão cifrada)                      │",
            "│           [ ] lembrar a senha neste computador           │",
            "│                                                          │",
            "│ porta inválida: \"76679x\" (use um número de 1 a 65535)    │",
            "│                                                          │",
            "│                                                          │",
            "│                                                          │",
            "│ Enter conecta · Tab próximo campo · Esc cancela          │",
            "└──────────────────────────────────────────────────────────┘",
            ">                                                           ",
        ],
    );
    t.backend_mut().assert_cursor_position(Position::new(18, 3));
}

#[test]
fn the_help_overlay_lists_every_key_and_command() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(1));
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR (ou F2) para   │Pessoas (0)          ",
            "  ┌ Ajuda do papo — Esc fecha ───────────────────────────────────────────────┐  ",
            "  │Em qualquer lugar                                                         │  ",
            "  │ F1 / Ctrl+G                   abre/fecha esta ajuda                      │  ",
            "  │ F10 / Ctrl+Q / Ctrl+C         sai (envia /SAIR se conectado)             │  ",
            "  │ F2 / Ctrl+N                   conectar (/ENTRAR); reconectando: tenta já │  ",
            "  │ F5 / Ctrl+R                   atualiza a lista de pessoas (/USUARIOS)    │  ",
            "  │ F7 / Alt+M                    mouse liga/desliga (roda rola o histórico) │  ",
            "  │                                                                          │  ",
            "  │Na sala                                                                   │  ",
            "  │ Ctrl+F / F3                   busca no histórico (/BUSCAR texto)         │  ",
            "  │ Enter / Ctrl+J                envia a mensagem ou o comando              │  ",
            "  │ Tab                           completa comando ou apelido (de novo: próxi│  ",
            "  │ Shift+Tab                     completa, voltando ao anterior             │  ",
            "  │ ↑                             linha enviada anterior                     │  ",
            "  │ ↓                             linha enviada seguinte                     │  ",
            "  │ PgUp                          rola o histórico uma página acima          │  ",
            "  │ PgDn                          rola o histórico uma página abaixo         │  ",
            "  │ Shift+↑ / Ctrl+↑              rola uma linha acima                       │  ",
            "  │ Shift+↓ / Ctrl+↓              rola uma linha abaixo                      │  ",
            "  │ Esc / Ctrl+End                volta às mensagens novas; cancela conexão  │  ",
            "  │ End                           cursor no fim; no fim: mensagens novas     │  ",
            " d└──────────────────────────────────────────────────────────────────────────┘  ",
            ">                                                                               ",
        ],
    );
    // On a tall screen, every binding and every command shows.
    let mut app = new_app(110, 80);
    press(&mut app, KeyCode::F(1));
    let text = rows(draw(&app).backend().buffer()).join("\n");
    for b in BINDINGS {
        assert!(text.contains(&keys::labels(b)), "{}", keys::labels(b));
        assert!(text.contains(b.help), "{}", b.help);
    }
    for c in &COMMANDS {
        // papo sends /RETOMAR and /SENHA by itself when it connects; nobody types them.
        let typed = !matches!(c.kind, CommandKind::Resume | CommandKind::Password);
        assert_eq!(
            text.contains(c.usage) && text.contains(c.summary),
            typed,
            "{}",
            c.usage
        );
    }
}

#[test]
fn the_caret_follows_wide_characters_and_the_line_scrolls() {
    let mut app = new_app(20, 5);
    type_text(&mut app, "abc 日本語のテキスト end");
    let mut t = draw(&app);
    // 18 columns for the text, 24 typed: scrolled by 8 (whole characters: "abc 日本"), so the
    // caret after "end" shows.
    assert_eq!(rows(t.backend().buffer())[4], "> 語のテキスト end  ");
    t.backend_mut().assert_cursor_position(Position::new(18, 4));
    press(&mut app, KeyCode::Home);
    let mut t = draw(&app);
    assert_eq!(rows(t.backend().buffer())[4], "> abc 日本語のテキス");
    t.backend_mut().assert_cursor_position(Position::new(2, 4));
    for _ in 0..6 {
        press(&mut app, KeyCode::Right);
    }
    let mut t = draw(&app);
    // "abc 日本" is 4 + 4 = 8 columns.
    t.backend_mut().assert_cursor_position(Position::new(10, 4));
}
