//! `update` on values: keys and server lines in, state and effects out. No terminal, no socket.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{ConnId, Effect, Event, Field, Focus, Link, NetEvent, update};
use papo_protocol::{ClientLine, Command};

fn send(cmd: Command) -> Effect {
    Effect::Send(ClientLine::Command(cmd))
}

fn text(t: &str) -> Effect {
    Effect::Send(ClientLine::Text(t.into()))
}

#[test]
fn starts_disconnected_with_a_hint() {
    let app = new_app(80, 24);
    assert_eq!(app.link, Link::Offline { reason: None });
    assert!(
        last_text(&app).contains("/ENTRAR (ou F2)"),
        "{:?}",
        texts(&app)
    );
    assert!(app.dialog.is_none());
}

#[test]
fn dialog_validates_fields_then_connects() {
    let mut app = new_app(80, 24);
    assert!(press(&mut app, KeyCode::F(2)).is_empty());
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(d.focus(), Field::Host);
    assert_eq!(d.field(Field::Host).value(), "127.0.0.1");
    assert_eq!(d.field(Field::Port).value(), "7667");
    assert_eq!(d.field(Field::Nick).value(), "ana");

    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "sete");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let d = app.dialog.as_ref().expect("still open");
    assert_eq!(d.focus(), Field::Port);
    assert!(
        d.error.as_deref().unwrap_or("").contains("porta inválida"),
        "{:?}",
        d.error
    );

    ctrl(&mut app, 'u');
    type_text(&mut app, "7000");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "ana maria");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let d = app.dialog.as_ref().expect("still open");
    assert_eq!(d.focus(), Field::Nick);
    assert!(
        d.error
            .as_deref()
            .unwrap_or("")
            .contains("não pode conter ' '"),
        "{:?}",
        d.error
    );

    // Shift+Tab goes back a field, wrapping around.
    press(&mut app, KeyCode::BackTab);
    assert_eq!(
        app.dialog.as_ref().map(|d| d.focus()),
        Some(Focus::Field(Field::Port))
    );
    press(&mut app, KeyCode::Tab);
    for _ in 0..6 {
        press(&mut app, KeyCode::Backspace);
    }
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(
        fx,
        [Effect::Connect {
            conn: ConnId(1),
            host: "127.0.0.1".into(),
            port: 7000,
            tls: false
        }]
    );
    assert!(app.dialog.is_none());
    assert!(matches!(app.link, Link::Connecting { .. }));
    assert_eq!(app.config.port, 7000);
    assert_eq!(app.config.nick, "ana");
}

#[test]
fn esc_cancels_the_dialog_and_entrar_join_open_it() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.dialog.is_none());
    for cmd in ["/ENTRAR", "/join", "/entrar"] {
        assert!(submit(&mut app, cmd).is_empty());
        assert!(app.dialog.is_some(), "{cmd}");
        press(&mut app, KeyCode::Esc);
    }
    ctrl(&mut app, 'n');
    assert!(app.dialog.is_some());
}

#[test]
fn login_sends_the_nickname_on_hello_and_joins_on_welcome() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    // Connected: only the wait for the greeting starts (tests/greeting.rs).
    assert!(matches!(
        net(&mut app, conn, NetEvent::Connected)[..],
        [Effect::Timer { .. }]
    ));
    assert!(matches!(app.link, Link::LoggingIn { .. }));
    let fx = line(&mut app, conn, HELLO);
    assert_eq!(fx, [send(Command::Nick { nick: "ana".into() })]);
    assert!(
        !texts(&app).iter().any(|t| t.contains("diga seu apelido")),
        "the greeting for nc users is not shown: {:?}",
        texts(&app)
    );
    let fx = line(&mut app, conn, "WELCOME ana :você entrou");
    assert!(matches!(&app.link, Link::Online { nick: n, .. } if n.as_str() == "ana"));
    assert!(matches!(&fx[0], Effect::SaveConfig(c) if c.nick == "ana" && c.port == 7667));
    assert_eq!(fx[1], send(Command::Users));
    line(&mut app, conn, "JOIN 1 2026-11-24T23:30:05Z ana");
    assert_eq!(app.users.len(), 1);
    // The USERS reply to an automatic refresh updates the panel without a history line.
    let before = texts(&app).len();
    let fx = without_liveness(line(&mut app, conn, "USERS 2 :ana bob"));
    assert!(fx.is_empty(), "nothing asked again: {fx:?}");
    assert_eq!(texts(&app).len(), before);
    let names: Vec<&str> = app.users.list().map(|n| n.as_str()).collect();
    assert_eq!(names, ["ana", "bob"]);
}

#[test]
fn a_refused_nickname_reopens_the_dialog_and_retries_on_the_same_connection() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, conn, NetEvent::Connected);
    line(&mut app, conn, "HELLO papo 1 :oi");
    line(
        &mut app,
        conn,
        "ERR NICK_IN_USE :o apelido ana já está em uso; escolha outro",
    );
    let d = app.dialog.as_ref().expect("dialog back");
    assert_eq!(d.focus(), Field::Nick);
    assert_eq!(
        d.error.as_deref(),
        Some("o apelido ana já está em uso; escolha outro")
    );
    type_text(&mut app, "_2");
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(
        fx,
        [send(Command::Nick {
            nick: "ana_2".into()
        })],
        "no reconnect"
    );
    line(&mut app, conn, "WELCOME ana_2 :entrou");
    assert!(
        matches!(&app.link, Link::Online { nick, conn: c, .. } if nick.as_str() == "ana_2" && *c == conn)
    );

    // Esc after a refusal gives the half-open login up.
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, conn, NetEvent::Connected);
    line(&mut app, conn, "HELLO papo 1 :oi");
    line(&mut app, conn, "ERR NICK_INVALID :o apelido é reservado");
    assert_eq!(press(&mut app, KeyCode::Esc), [Effect::Disconnect]);
    assert!(matches!(app.link, Link::Offline { .. }));
}

#[test]
fn a_failed_connection_shows_its_error_in_the_dialog() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(
        &mut app,
        conn,
        NetEvent::ConnectFailed("conexão recusada".into()),
    );
    let d = app.dialog.as_ref().expect("dialog back");
    assert_eq!(
        d.error.as_deref(),
        Some("não foi possível conectar a 127.0.0.1:7667: conexão recusada")
    );
    assert!(matches!(app.link, Link::Offline { reason: Some(_) }));
}

#[test]
fn commands_and_their_aliases_become_lines() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    for cmd in ["/USUARIOS", "/users", "/WHO"] {
        assert_eq!(submit(&mut app, cmd), [send(Command::Users)], "{cmd}");
        line(&mut app, conn, "USERS 2 :ana bob");
        assert_eq!(last_text(&app), "23:30 -- na sala (2): ana, bob");
    }
    let private = send(Command::Private {
        to: "bob".into(),
        text: "psiu".into(),
    });
    assert_eq!(
        submit(&mut app, "/msg bob psiu"),
        std::slice::from_ref(&private)
    );
    assert_eq!(submit(&mut app, "/PRIVADO bob psiu"), [private]);
    assert_eq!(
        submit(&mut app, "/nick ana_"),
        [send(Command::Nick {
            nick: "ana_".into()
        })]
    );
    assert_eq!(
        submit(&mut app, "/me acena"),
        [send(Command::Me {
            text: "acena".into()
        })]
    );
    assert_eq!(submit(&mut app, "oi gente"), [text("oi gente")]);
    assert_eq!(submit(&mut app, "//etc"), [text("/etc")]);
    for cmd in ["/AJUDA", "/help"] {
        assert_eq!(submit(&mut app, cmd), [send(Command::Help)]);
        assert_eq!(app.help, Some(0), "the key map opens too");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.help, None);
    }
    // Unknown commands go to the server, which answers.
    assert_eq!(
        submit(&mut app, "/dance agora"),
        [Effect::SendRaw("/dance agora".into())]
    );
    // A missing argument is answered locally with the usage, and the line comes back to be
    // finished.
    assert!(submit(&mut app, "/msg bob").is_empty());
    assert!(last_text(&app).contains("uso: /MSG apelido texto"));
    assert_eq!(app.input.value(), "/msg bob");
    assert_eq!(
        submit(&mut app, " psiu"),
        [send(Command::Private {
            to: "bob".into(),
            text: "psiu".into()
        })]
    );
    let fx = submit(&mut app, "/sair até amanhã");
    assert_eq!(
        fx,
        [
            send(Command::Quit {
                reason: "até amanhã".into()
            }),
            Effect::Quit {
                wait_for_close: true
            }
        ]
    );
    line(&mut app, conn, "BYE :até logo, ana!");
    let fx = net(
        &mut app,
        conn,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    assert_eq!(
        fx,
        [Effect::Quit {
            wait_for_close: false
        }]
    );
}

#[test]
fn offline_commands_are_answered_locally_and_keep_the_text() {
    let mut app = new_app(80, 24);
    assert!(submit(&mut app, "oi").is_empty());
    assert!(last_text(&app).contains("não conectado"));
    assert_eq!(app.input.value(), "oi", "text is kept for later");
    ctrl(&mut app, 'u');
    assert!(submit(&mut app, "/dance").is_empty());
    assert!(last_text(&app).contains("comando desconhecido: /dance"));
    assert_eq!(app.input.value(), "/dance", "a typo is fixed, not retyped");
    ctrl(&mut app, 'u');
    assert_eq!(
        submit(&mut app, "/sair"),
        [Effect::Quit {
            wait_for_close: false
        }]
    );
}

#[test]
fn quitting_by_key_or_signal_sends_sair_first_when_connected() {
    let mut app = new_app(80, 24);
    assert_eq!(
        ctrl(&mut app, 'c'),
        [Effect::Quit {
            wait_for_close: false
        }]
    );
    let mut app = new_app(80, 24);
    online(&mut app);
    let fx = press(&mut app, KeyCode::F(10));
    assert_eq!(
        fx[0],
        send(Command::Quit {
            reason: String::new()
        })
    );
    assert_eq!(
        fx[1],
        Effect::Quit {
            wait_for_close: true
        }
    );
    // Asking again while waiting leaves at once.
    assert_eq!(
        ctrl(&mut app, 'q'),
        [Effect::Quit {
            wait_for_close: false
        }]
    );
    let mut app = new_app(80, 24);
    online(&mut app);
    let fx = update(&mut app, Event::Terminate);
    assert_eq!(fx.len(), 2);
    assert_eq!(
        fx[0],
        send(Command::Quit {
            reason: String::new()
        })
    );
}

#[test]
fn up_and_down_recall_lines_sent_and_typed_text_survives_messages() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    submit(&mut app, "primeira");
    submit(&mut app, "segunda");
    type_text(&mut app, "rascun");
    line(
        &mut app,
        conn,
        "MSG 7 2026-11-24T23:31:00Z bob :interrompendo",
    );
    type_text(&mut app, "ho");
    assert_eq!(app.input.value(), "rascunho");
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "segunda");
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "primeira");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.input.value(), "rascunho");
}

#[test]
fn tab_completes_commands_and_nicknames_cycling() {
    let mut app = new_app(80, 24);
    online_as(&mut app, "ana", &["bob", "Bruna", "carla"]);
    // The Portuguese name first, then the English alias.
    type_text(&mut app, "/us");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/usuarios ");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/users ");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/usuarios ");
    ctrl(&mut app, 'u');
    type_text(&mut app, "/EN");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/ENTRAR ");
    ctrl(&mut app, 'u');
    type_text(&mut app, "/jo");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "/join ");
    ctrl(&mut app, 'u');

    type_text(&mut app, "b");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "bob: ");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "Bruna: ");
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.input.value(), "bob: ");
    type_text(&mut app, "oi c");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "bob: oi carla ");
    // Your own nickname is not offered.
    ctrl(&mut app, 'u');
    type_text(&mut app, "an");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.input.value(), "an");
}

#[test]
fn a_multi_line_paste_edited_as_one_line_is_one_message() {
    // Esc on the confirmation joins the lines, as papo did before pastes went out as lines
    // (tests/paste.rs has the rest).
    let mut app = new_app(80, 24);
    online(&mut app);
    update(
        &mut app,
        Event::Paste("linha um\nlinha dois\r\nlinha três\n".into()),
    );
    assert_eq!(app.pasting.pending().map(|p| p.count()), Some(3));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.input.value(), "linha um linha dois linha três");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        [text("linha um linha dois linha três")]
    );
}

#[test]
fn a_full_server_says_why_in_the_dialog() {
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, conn, NetEvent::Connected);
    line(
        &mut app,
        conn,
        "ERR SERVER_FULL :o servidor está cheio (1000 conexões)",
    );
    net(
        &mut app,
        conn,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    );
    let d = app.dialog.as_ref().expect("dialog back");
    assert_eq!(
        d.error.as_deref(),
        Some("desconectado: o servidor está cheio (1000 conexões)")
    );
}

#[test]
fn the_dialog_confirmed_on_the_room_you_are_in_does_not_rejoin_it() {
    let mut app = new_app(80, 24);
    online(&mut app);
    press(&mut app, KeyCode::F(2));
    let fx = press(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "no /SAIR, no reconnect: {fx:?}");
    assert!(matches!(app.link, Link::Online { .. }));
    assert!(last_text(&app).contains("você já está em 127.0.0.1:7667 como ana"));
}

#[test]
fn no_hint_to_connect_when_the_command_line_connects() {
    let mut options = options(80, 24, false);
    options.connect_hint = false;
    let app = papo::app::App::new(config(), options);
    assert!(texts(&app).is_empty(), "{:?}", texts(&app));
}
