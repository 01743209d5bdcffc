//! A room with a password: before `/SENHA`, nothing of the room is reachable (no joining, no
//! member list, no history, no resumed session); wrong guesses are counted and slowed.

mod common;

use common::{Client, TestServer, marker};
use papo_protocol::{Access, ErrorCode, ServerLine};
use papo_server::Config;
use papo_server::password::RoomPassword;

const PASSWORD: &str = "abre-te sésamo";

async fn locked_room() -> TestServer {
    let config = Config {
        password: Some(RoomPassword::new(PASSWORD).expect("a valid password")),
        ..Config::default()
    };
    TestServer::with_config(config).await
}

/// Connects and reads `HELLO`, which must announce `access`.
async fn hello(server: &TestServer, access: Access) -> Client {
    let mut client = server.connect().await;
    match client.recv().await {
        ServerLine::Hello {
            access: Some(got), ..
        } if got == access => {}
        other => panic!("expected HELLO … {}, got {other:?}", access.as_str()),
    }
    client
}

/// Gives the password and joins as `nick`.
async fn join(server: &TestServer, nick: &str) -> Client {
    let mut client = hello(server, Access::Password).await;
    client.send(&format!("/SENHA {PASSWORD}")).await;
    assert!(matches!(client.recv().await, ServerLine::Notice { .. }));
    client.login(nick, nick).await;
    client
}

#[tokio::test]
async fn without_the_password_nothing_of_the_room_is_reachable() {
    let server = locked_room().await;
    let mut ana = join(&server, "ana").await;
    marker(&mut ana, &mut [], "segredo da sala").await;

    let mut intruder = hello(&server, Access::Password).await;
    for line in [
        "bob",
        "/NICK bob",
        "/USUARIOS",
        "/MSG ana oi",
        "oi",
        &format!("/RETOMAR ana e1 0 {}", ana.token),
    ] {
        intruder.send(line).await;
        let text = intruder.recv_error(ErrorCode::PasswordRequired).await;
        assert!(text.contains("/SENHA"), "{line}: {text}");
    }
    // What is harmless still works: the command list and a ping.
    intruder.send("/PING vivo?").await;
    assert_eq!(
        intruder.recv().await,
        ServerLine::Pong {
            text: "vivo?".into()
        }
    );
    intruder.send("/AJUDA").await;
    let (_, last) = intruder
        .recv_until(|l| matches!(l, ServerLine::Help { text } if text.contains("/SENHA")))
        .await;
    assert!(matches!(last, ServerLine::Help { .. }));
    // The room saw none of it: ana's next line is her own next message.
    marker(&mut ana, &mut [], "ainda só eu").await;
    intruder.send("/SAIR").await;
    intruder
        .recv_until(|l| matches!(l, ServerLine::Bye { .. }))
        .await;
    intruder.expect_closed().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_answered_and_the_right_one_then_lets_in() {
    let server = locked_room().await;
    let mut ana = join(&server, "ana").await;
    let mut bob = hello(&server, Access::Password).await;
    bob.send("/SENHA abre-te").await;
    let text = bob.recv_error(ErrorCode::PasswordIncorrect).await;
    assert!(text.contains("2 tentativas"), "{text}");
    bob.send(&format!("/PASS {PASSWORD}")).await;
    assert_eq!(
        bob.recv().await,
        ServerLine::Notice {
            text: "senha aceita; agora envie seu apelido".into()
        }
    );
    bob.login("bob", "bob").await;
    let (_, joined) = ana.recv_join().await;
    assert_eq!(joined, "bob");
    // After joining, /SENHA is an error like /ENTRAR.
    bob.send(&format!("/SENHA {PASSWORD}")).await;
    bob.recv_error(ErrorCode::AlreadyJoined).await;
    server.shutdown().await;
}

#[tokio::test]
async fn three_wrong_passwords_close_the_connection() {
    let server = locked_room().await;
    let mut guesser = hello(&server, Access::Password).await;
    // Sent at once: the server still answers them one by one, a pause after each wrong one.
    guesser.send("/SENHA a\n/SENHA b\n/SENHA c\n/SENHA d").await;
    guesser.recv_error(ErrorCode::PasswordIncorrect).await;
    guesser.recv_error(ErrorCode::PasswordIncorrect).await;
    let bye = guesser.recv_bye().await;
    assert!(bye.contains("tentativas de senha esgotadas"), "{bye}");
    guesser.expect_closed().await;
    server.shutdown().await;
}

#[tokio::test]
async fn an_open_room_says_so_and_takes_a_password_harmlessly() {
    let server = TestServer::start().await;
    let mut ana = hello(&server, Access::Open).await;
    ana.send("/SENHA qualquer").await;
    assert!(matches!(
        ana.recv().await,
        ServerLine::Notice { text } if text.contains("não tem senha")
    ));
    ana.login("ana", "ana").await;
    server.shutdown().await;
}
