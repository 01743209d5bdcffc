//! Screens for the room's events and states: private messages, actions, your own rename in the
//! panel, the scrolled-up marker, the server's help in the overlay, short dialogs, connecting.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{Effect, Link};

#[test]
fn private_messages_and_actions() {
    let mut app = new_app(60, 8);
    let conn = online(&mut app);
    line(
        &mut app,
        conn,
        "PRIV 5 2026-11-24T23:31:00Z bob ana :psiu, só pra você",
    );
    line(
        &mut app,
        conn,
        "PRIV 6 2026-11-24T23:31:30Z ana bob :oi bob",
    );
    line(&mut app, conn, "ACTION 7 2026-11-24T23:32:00Z bob :acena");
    line(&mut app, conn, "ACTION 8 2026-11-24T23:32:00Z ana :sorri");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- você entrou na sala como ana       │Pessoas (2)    ",
            "23:30 --> ana entrou                        │ana (você)     ",
            "23:31 [privado] bob → ana: psiu, só pra você│bob            ",
            "23:31 [privado] ana → bob: oi bob           │               ",
            "23:32 * bob acena                           │               ",
            "23:32 * ana sorri                           │               ",
            " conectado a 127.0.0.1:7667 como ana · 2 pessoas  F1 ajuda  ",
            ">                                                           ",
        ],
    );
}

#[test]
fn your_own_rename_moves_the_you_mark_in_the_panel() {
    let mut app = new_app(60, 8);
    let conn = online_as(&mut app, "ana", &["bob", "carla"]);
    submit(&mut app, "/nick zeca");
    line(&mut app, conn, "NICK 5 2026-11-24T23:31:00Z ana zeca");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR  │Pessoas (3)    ",
            "         (ou F2) para conectar a um servidor│bob            ",
            "23:30 -- conectando a 127.0.0.1:7667…       │carla          ",
            "23:30 -- você entrou na sala como ana       │zeca (você)    ",
            "23:30 --> ana entrou                        │               ",
            "23:31 -- você agora é zeca                  │               ",
            " conectado a 127.0.0.1:7667 como zeca · 3 pessoas           ",
            ">                                                           ",
        ],
    );
}

#[test]
fn scrolled_up_with_nothing_new_the_status_bar_says_so() {
    let mut app = new_app(80, 8);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..30);
    press(&mut app, KeyCode::PageUp);
    let screen = rows(draw(&app).backend().buffer());
    assert_eq!(
        screen[6],
        " conectado a 127.0.0.1:7667 como ana · 2 pessoas  rolado ↑ · Esc volta          "
    );
    press(&mut app, KeyCode::Esc);
    let screen = rows(draw(&app).backend().buffer());
    assert_eq!(
        screen[6],
        " conectado a 127.0.0.1:7667 como ana · 2 pessoas            F1 ajuda  F10 sair  "
    );
}

#[test]
fn the_help_overlay_adds_only_the_commands_papo_does_not_know() {
    let mut app = new_app(80, 14);
    let conn = online(&mut app);
    submit(&mut app, "/ajuda");
    let before = texts(&app).len();
    for help in [
        "HELP :comandos (maiúsculas ou minúsculas tanto faz):",
        "HELP :  /MSG apelido texto   mensagem privada, só para essa pessoa (também /PRIVADO)",
        "HELP :  /DADO [lados]        rola um dado e conta à sala o resultado, que todos veem",
        "HELP :texto sem / vai para a sala; //texto envia uma linha que começa com /",
    ] {
        line(&mut app, conn, help);
    }
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- bem-vindo ao papo! digite /ENTRAR (ou F2) para   │Pessoas (2)          ",
            "  ┌ Ajuda do papo — Esc fecha ───────────────────────────────────────────────┐  ",
            "23│Comandos só deste servidor                                                │  ",
            "23│   /DADO [lados]        rola um dado e conta à sala o resultado, que todos│  ",
            "23│   veem                                                                   │  ",
            "23│                                                                          │  ",
            "23│Em qualquer lugar                                                         │  ",
            "  │ F1 / Ctrl+G                   abre/fecha esta ajuda                      │  ",
            "23│ F10 / Ctrl+Q / Ctrl+C         sai (envia /SAIR se conectado)             │  ",
            "  │ F2 / Ctrl+N                   conectar (/ENTRAR); reconectando: tenta já │  ",
            "23│ F5 / Ctrl+R                   atualiza a lista de pessoas (/USUARIOS)    │  ",
            "  │ F7 / Alt+M                    mouse liga/desliga (roda rola o histórico) │  ",
            " c└──────────────────────────────────────────────────────────────────────────┘  ",
            ">                                                                               ",
        ],
    );
    // The whole answer is in the history.
    assert_eq!(texts(&app).len(), before + 4);
    // A new /AJUDA replaces the old answer.
    press(&mut app, KeyCode::Esc);
    submit(&mut app, "/ajuda");
    line(&mut app, conn, "HELP :lista nova");
    assert_eq!(app.server_help, ["lista nova"]);
}

#[test]
fn on_a_short_screen_the_dialog_keeps_its_error() {
    let dialog_with_error = |height| {
        let mut app = new_app(60, height);
        press(&mut app, KeyCode::F(2));
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "x");
        press(&mut app, KeyCode::Enter);
        draw(&app)
    };
    // Seven rows: no room for the blank row; the error comes before the keys.
    assert_screen(
        &dialog_with_error(7),
        &[
            "┌ Conectar a um servidor ──────────────────────────────────┐",
            "│ Servidor: 127.0.0.1                                      │",
            "│ Porta:    7667x                                          │",
            "│ Apelido:  ana                                            │",
            "│ porta inválida: \"7667x\" (use um número de 1 a 65535)     │",
            "│ Enter conecta · Tab próximo campo · Esc cancela          │",
            "└──────────────────────────────────────────────────────────┘",
        ],
    );
    // Six: the error stays, the keys go.
    assert_screen(
        &dialog_with_error(6),
        &[
            "┌ Conectar a um servidor ──────────────────────────────────┐",
            "│ Servidor: 127.0.0.1                                      │",
            "│ Porta:    7667x                                          │",
            "│ Apelido:  ana                                            │",
            "│ porta inválida: \"7667x\" (use um número de 1 a 65535)     │",
            "└──────────────────────────────────────────────────────────┘",
        ],
    );
}

#[test]
fn connecting_says_esc_cancels_and_it_does() {
    let mut app = new_app(80, 6);
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    let screen = rows(draw(&app).backend().buffer());
    assert_eq!(
        screen[4],
        " conectando a 127.0.0.1:7667… (Esc cancela)    F1 ajuda  F10 sair  F2 conectar  "
    );
    assert_eq!(press(&mut app, KeyCode::Esc), [Effect::Disconnect]);
    assert_eq!(
        app.link,
        Link::Offline {
            reason: Some("conexão cancelada".into())
        }
    );
}
