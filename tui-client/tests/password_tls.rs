//! The room's password and TLS in the client's model: the dialog's masked field and check
//! boxes, `/SENHA` sent before the nickname, a missing or wrong password asked for again, and a
//! certificate nobody vouches for shown with its fingerprint until the user trusts it.

mod common;

use common::*;
use crossterm::event::KeyCode;
use papo::app::{App, Effect, Field, Focus, Link, NetEvent, TimerKind, Toggle};
use papo_protocol::{ClientLine, Command, Secret};

const FINGERPRINT: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:\
                           AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

/// Opens the dialog, types `password` in its field and ticks the boxes asked for.
fn fill_dialog(app: &mut App, password: &str, tls: bool, remember: bool) {
    press(app, KeyCode::F(2));
    for _ in 0..3 {
        press(app, KeyCode::Tab);
    }
    type_text(app, password);
    press(app, KeyCode::Tab);
    if tls {
        press(app, KeyCode::Char(' '));
    }
    press(app, KeyCode::Tab);
    if remember {
        press(app, KeyCode::Char(' '));
    }
}

/// Whether an automatic reconnect is scheduled.
fn retrying(app: &App) -> bool {
    app.timers().pending(TimerKind::Reconnect).is_some()
}

fn sent(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(line) => line.encode().ok(),
            _ => None,
        })
        .collect()
}

#[test]
fn the_password_is_masked_and_tls_moves_the_default_port() {
    let mut app = new_app(60, 18);
    fill_dialog(&mut app, "abre-te", true, true);
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(d.focus(), Focus::Toggle(Toggle::Remember));
    assert!(d.ticked(Toggle::Tls) && d.ticked(Toggle::Remember));
    assert_eq!(d.field(Field::Port).value(), "7668");
    let screen = rows(draw(&app).backend().buffer()).join("\n");
    assert!(screen.contains("Senha:    •••••••"), "{screen}");
    assert!(!screen.contains("abre-te"), "{screen}");
    assert!(screen.contains("[x] TLS"), "{screen}");
    assert!(screen.contains("Espaço marca"), "{screen}");
    let fx = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            &fx[..],
            [Effect::Connect {
                port: 7668,
                tls: true,
                ..
            }]
        ),
        "{fx:?}"
    );
}

#[test]
fn the_password_goes_before_the_nickname_and_is_saved_only_if_asked() {
    for remember in [false, true] {
        let mut app = new_app(60, 18);
        fill_dialog(&mut app, "abre-te", false, remember);
        let conn = connect_id(&press(&mut app, KeyCode::Enter));
        net(&mut app, conn, NetEvent::Connected);
        let fx = line(&mut app, conn, "HELLO papo 2 e1 password :diga a senha");
        assert_eq!(sent(&fx), ["/SENHA abre-te\n", "/NICK ana\n"]);
        line(
            &mut app,
            conn,
            "NOTICE :senha aceita; agora envie seu apelido",
        );
        assert!(
            !texts(&app).iter().any(|t| t.contains("senha aceita")),
            "the answer to papo's own /SENHA is not shown"
        );
        let fx = line(&mut app, conn, "WELCOME ana tok :você entrou");
        let saved = fx
            .iter()
            .find_map(|e| match e {
                Effect::SaveConfig(config) => Some(config.password.clone()),
                _ => None,
            })
            .expect("the config is saved on joining");
        assert_eq!(saved, remember.then(|| "abre-te".to_owned()));
    }
}

#[test]
fn a_server_that_wants_a_password_gets_the_dialog_back_not_a_retry() {
    let mut app = new_app(60, 18);
    let conn = online(&mut app);
    // The server restarts with a password: the reconnect finds it locked.
    net(&mut app, conn, NetEvent::Closed("caiu".into()));
    let fx = reconnect_attempt(&mut app);
    let conn = connect_id(&fx);
    net(&mut app, conn, NetEvent::Connected);
    let fx = line(&mut app, conn, "HELLO papo 2 e1 password :diga a senha");
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    assert!(sent(&fx).is_empty(), "nothing sent without a password");
    assert!(matches!(app.link, Link::Offline { .. }));
    assert!(!retrying(&app), "no retry is scheduled");
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(d.focus(), Field::Password);
    assert!(
        d.error.as_deref().is_some_and(|e| e.contains("pede senha")),
        "{:?}",
        d.error
    );
}

#[test]
fn a_wrong_password_is_forgotten_and_asked_for_again() {
    let mut app = new_app(60, 18);
    fill_dialog(&mut app, "errada", false, false);
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, conn, NetEvent::Connected);
    line(&mut app, conn, "HELLO papo 2 e1 password :diga a senha");
    let fx = line(
        &mut app,
        conn,
        "ERR PASSWORD_INCORRECT :senha incorreta; restam 2 tentativas",
    );
    assert!(fx.contains(&Effect::Disconnect), "{fx:?}");
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(d.focus(), Field::Password);
    assert_eq!(
        d.field(Field::Password).value(),
        "",
        "the wrong one is gone"
    );
    assert_eq!(d.error.as_deref(), Some("senha incorreta"));
}

#[test]
fn an_untrusted_certificate_shows_its_fingerprint_and_enter_trusts_it() {
    let mut app = new_app(70, 20);
    fill_dialog(&mut app, "", true, false);
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    let fx = net(
        &mut app,
        conn,
        NetEvent::Untrusted {
            fingerprint: FINGERPRINT.into(),
            reason: "certificado autoassinado".into(),
        },
    );
    assert!(!retrying(&app), "no retry: the user decides");
    assert!(fx.contains(&Effect::Disconnect) || app.link.conn().is_none());
    let screen = rows(draw(&app).backend().buffer()).join("\n");
    assert!(screen.contains("autoassinado"), "{screen}");
    assert!(screen.contains("AB:CD:EF:01"), "{screen}");
    assert!(screen.contains("Enter confia e conecta"), "{screen}");
    let fx = press(&mut app, KeyCode::Enter);
    match &fx[..] {
        [
            Effect::TrustCertificate {
                host,
                port: 7668,
                fingerprint,
            },
            Effect::Connect { tls: true, .. },
        ] => {
            assert_eq!(host, "127.0.0.1");
            assert_eq!(fingerprint, FINGERPRINT);
        }
        other => panic!("expected trust then connect, got {other:?}"),
    }
}

#[test]
fn a_changed_certificate_stops_reconnecting_and_says_so() {
    let mut app = new_app(60, 18);
    let conn = online(&mut app);
    net(&mut app, conn, NetEvent::Closed("caiu".into()));
    let conn = connect_id(&reconnect_attempt(&mut app));
    net(
        &mut app,
        conn,
        NetEvent::Refused {
            why: "ATENÇÃO: o certificado de 127.0.0.1:7667 mudou! fixado …".into(),
            summary: "ATENÇÃO: o certificado mudou".into(),
        },
    );
    assert!(!retrying(&app), "no more retries");
    assert!(matches!(app.link, Link::Offline { .. }));
    assert!(last_text(&app).contains("ATENÇÃO"), "{:?}", texts(&app));
    assert!(app.dialog.is_some());
}

#[test]
fn a_typed_password_is_never_sent_nor_kept() {
    let mut app = new_app(60, 18);
    online(&mut app);
    let fx = submit(&mut app, "/senha segredo");
    assert!(sent(&fx).is_empty(), "{fx:?}");
    assert_eq!(app.input.value(), "");
    assert!(last_text(&app).contains("diálogo de conexão"));
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "", "not in the lines sent before");
    // The model never shows a password, even in its debug form.
    let line = ClientLine::Command(Command::Password {
        password: Secret::new("segredo"),
    });
    assert!(!format!("{line:?}").contains("segredo"));
}

#[test]
fn on_a_short_screen_the_focused_box_stays_in_view() {
    let mut app = new_app(60, 6);
    fill_dialog(&mut app, "x", false, false);
    let screen = rows(draw(&app).backend().buffer()).join("\n");
    assert!(screen.contains("[ ] lembrar a senha"), "{screen}");
    assert!(
        !screen.contains("Servidor:"),
        "scrolled to the focus:\n{screen}"
    );
}

/// An app whose config remembers `abre-te` for 127.0.0.1:7667.
fn app_remembering() -> App {
    let config = papo::config::Config {
        password: Some("abre-te".into()),
        ..config()
    };
    App::new(config, options(60, 18, false))
}

#[test]
fn a_remembered_password_goes_only_to_its_own_server() {
    // To its own server: sent.
    let mut app = app_remembering();
    let server = |host: &str| papo::app::Server {
        host: host.into(),
        port: 7667,
        tls: false,
    };
    let conn = connect_id(&papo::app::connect_now(
        &mut app,
        server("127.0.0.1"),
        nick("ana"),
    ));
    net(&mut app, conn, NetEvent::Connected);
    let fx = line(&mut app, conn, "HELLO papo 2 e1 password :diga a senha");
    assert_eq!(sent(&fx), ["/SENHA abre-te\n", "/NICK ana\n"]);
    // To another host: never sent; the dialog asks instead.
    let mut app = app_remembering();
    let conn = connect_id(&papo::app::connect_now(
        &mut app,
        server("outro.example"),
        nick("ana"),
    ));
    net(&mut app, conn, NetEvent::Connected);
    let fx = line(&mut app, conn, "HELLO papo 2 e1 password :diga a senha");
    assert!(sent(&fx).is_empty(), "{fx:?}");
    assert!(app.dialog.is_some());
}

#[test]
fn the_dialog_drops_a_remembered_password_when_the_server_changes() {
    let mut app = app_remembering();
    press(&mut app, KeyCode::F(2));
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(d.field(Field::Password).value(), "abre-te");
    assert!(d.ticked(Toggle::Remember), "the box says it is remembered");
    type_text(&mut app, "x");
    let d = app.dialog.as_ref().expect("dialog open");
    assert_eq!(
        d.field(Field::Password).value(),
        "",
        "another host, no password"
    );
}

#[test]
fn a_certificate_is_trusted_only_for_the_server_that_showed_it() {
    let mut app = new_app(70, 20);
    fill_dialog(&mut app, "", true, false);
    let conn = connect_id(&press(&mut app, KeyCode::Enter));
    net(
        &mut app,
        conn,
        NetEvent::Untrusted {
            fingerprint: FINGERPRINT.into(),
            reason: "certificado autoassinado".into(),
        },
    );
    // The user aims the dialog elsewhere before pressing Enter: nothing is pinned.
    press(&mut app, KeyCode::End);
    type_text(&mut app, ".example");
    let fx = press(&mut app, KeyCode::Enter);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::TrustCertificate { .. })),
        "{fx:?}"
    );
}
