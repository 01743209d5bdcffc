//! Commands: each answers the right people and nobody else.

mod common;

use common::{Client, TestServer, join_all, marker};
use papo_protocol::{ErrorCode, ServerLine};

/// Joins ana, bob and carla and returns them in that order.
async fn trio(server: &TestServer) -> (Client, Client, Client) {
    let mut room = join_all(server.addr, &["ana", "bob", "carla"]).await;
    let carla = room.pop().expect("carla");
    let bob = room.pop().expect("bob");
    let ana = room.pop().expect("ana");
    (ana, bob, carla)
}

/// Reads `HELP` lines up to the first other line, which is returned with their joined text.
async fn read_help(client: &mut Client) -> (Vec<String>, ServerLine) {
    let (skipped, end) = client
        .recv_until(|line| !matches!(line, ServerLine::Help { .. }))
        .await;
    let help = skipped
        .into_iter()
        .map(|line| match line {
            ServerLine::Help { text } => text,
            other => unreachable!("only HELP lines are skipped: {other:?}"),
        })
        .collect();
    (help, end)
}

fn assert_lists_every_command(help: &[String]) {
    assert!(help.len() >= 3, "several HELP lines: {help:?}");
    let all = help.join("\n");
    for command in [
        "/ENTRAR",
        "/USUARIOS",
        "/MSG",
        "/NICK",
        "/ME",
        "/AJUDA",
        "/SAIR",
    ] {
        assert!(all.contains(command), "help mentions {command}: {all}");
    }
}

#[tokio::test]
async fn unknown_command_is_refused_to_the_sender_only() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    for unknown in ["/dance", "/", "/SAIRR agora", "/usuários"] {
        ana.send(unknown).await;
        let text = ana.recv_error(ErrorCode::UnknownCommand).await;
        assert!(
            text.contains("/AJUDA"),
            "{unknown:?}: points to /AJUDA: {text}"
        );
    }
    marker(&mut bob, &mut [&mut ana, &mut carla], "ninguém viu").await;
}

#[tokio::test]
async fn private_message_reaches_sender_and_recipient_only() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    for (command, text) in [
        ("/MSG bob oi, só pra você", "oi, só pra você"),
        ("/privado BOB   segredo: 42  ", "segredo: 42"),
    ] {
        ana.send(command).await;
        let sent = ana.recv().await;
        match &sent {
            ServerLine::Private {
                from, to, text: t, ..
            } => {
                assert_eq!(
                    (from.as_str(), to.as_str(), t.as_str()),
                    ("ana", "bob", text)
                );
            }
            other => panic!("{command}: expected PRIV, got {other:?}"),
        }
        assert_eq!(bob.recv().await, sent, "{command}: the recipient's copy");
    }
    ana.send("/MSG ninguem oi").await;
    ana.recv_error(ErrorCode::NoSuchNick).await;
    ana.send("/MSG bob").await;
    ana.recv_error(ErrorCode::MissingArgument).await;
    // To oneself: one copy, not two.
    ana.send("/MSG ana lembrete").await;
    assert!(matches!(
        ana.recv().await,
        ServerLine::Private { ref text, .. } if text == "lembrete"
    ));
    marker(&mut bob, &mut [&mut ana, &mut carla], "carla não viu nada").await;
}

#[tokio::test]
async fn nick_change_is_announced_to_everyone_and_taken_names_are_refused() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    let renamed = |line: ServerLine| match line {
        ServerLine::Renamed { id, old, new, .. } => (id.0, old.to_string(), new.to_string()),
        other => panic!("expected NICK, got {other:?}"),
    };

    bob.send("/NICK roberto").await;
    let seen = renamed(bob.recv().await);
    assert_eq!((seen.1.as_str(), seen.2.as_str()), ("bob", "roberto"));
    assert_eq!(renamed(ana.recv().await), seen);
    assert_eq!(renamed(carla.recv().await), seen);
    bob.nick = "roberto".into();

    for taken in ["/NICK roberto", "/nick ROBERTO", "/NICK ana"] {
        carla.send(taken).await;
        carla.recv_error(ErrorCode::NickInUse).await;
    }
    carla.send("/NICK com espaço").await;
    carla.recv_error(ErrorCode::NickInvalid).await;
    carla.send("/NICK").await;
    carla.recv_error(ErrorCode::MissingArgument).await;

    // A change of case only is a rename like any other, announced once.
    ana.send("/NICK Ana").await;
    let seen = renamed(ana.recv().await);
    assert_eq!((seen.1.as_str(), seen.2.as_str()), ("ana", "Ana"));
    assert_eq!(renamed(bob.recv().await), seen);
    assert_eq!(renamed(carla.recv().await), seen);
    ana.nick = "Ana".into();
    ana.send("/NICK Ana").await;
    ana.recv_error(ErrorCode::NickInUse).await;

    // The failed attempts changed nothing; the new names are used from now on.
    marker(&mut bob, &mut [&mut ana, &mut carla], "agora sou roberto").await;
    // bob's old name is free at once.
    let mut new_bob = server.join("bob").await;
    for member in [&mut ana, &mut bob, &mut carla] {
        assert_eq!(member.recv_join().await.1, "bob");
    }
    marker(
        &mut new_bob,
        &mut [&mut ana, &mut bob, &mut carla],
        "outro bob",
    )
    .await;
}

#[tokio::test]
async fn me_sends_an_action_to_everyone() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    ana.send("/ME acena para todos").await;
    let action = ana.recv().await;
    assert!(
        matches!(&action, ServerLine::Action { nick, text, .. }
            if nick.as_str() == "ana" && text == "acena para todos"),
        "{action:?}"
    );
    assert_eq!(bob.recv().await, action);
    assert_eq!(carla.recv().await, action);
    ana.send("/me").await;
    ana.recv_error(ErrorCode::MissingArgument).await;
    marker(&mut ana, &mut [&mut bob, &mut carla], "só uma ação").await;
}

#[tokio::test]
async fn help_lists_every_command_to_the_requester_only() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    for command in ["/AJUDA", "/HELP", "/ajuda"] {
        ana.send(command).await;
        // A message sent after the request ends ana's HELP lines and shows the others got none.
        ana.send(&format!("depois de {command}")).await;
        let (help, end) = read_help(&mut ana).await;
        assert_lists_every_command(&help);
        assert!(
            matches!(&end, ServerLine::Message { text, .. } if *text == format!("depois de {command}")),
            "{command}: HELP lines, then the next message: {end:?}"
        );
        for other in [&mut bob, &mut carla] {
            let msg = other.recv_msg().await;
            assert_eq!(msg.text, format!("depois de {command}"), "{}", other.label);
        }
    }
}

#[tokio::test]
async fn entrar_after_joining_is_refused() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, _carla) = trio(&server).await;
    for command in ["/ENTRAR", "/join"] {
        ana.send(command).await;
        ana.recv_error(ErrorCode::AlreadyJoined).await;
    }
    marker(&mut ana, &mut [&mut bob], "continuo aqui").await;
}

#[tokio::test]
async fn before_joining_only_help_users_and_quit_work() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut guest = server.connect().await;
    guest.expect_hello().await;
    for command in ["/ME x", "/ENTRAR", "/MSG ana oi"] {
        guest.send(command).await;
        guest.recv_error(ErrorCode::NotJoined).await;
    }
    guest.send("/USUARIOS").await;
    assert_eq!(guest.recv_users().await, ["ana"]);
    guest.send("/AJUDA").await;
    guest.send("/WHO").await;
    let (help, end) = read_help(&mut guest).await;
    assert_lists_every_command(&help);
    assert!(matches!(end, ServerLine::Users { .. }), "{end:?}");
    guest.send("/SAIR").await;
    guest.recv_bye().await;
    guest.expect_closed().await;
    // ana heard nothing of the guest: no JOIN, no PART.
    marker(&mut ana, &mut [], "sozinha").await;
}

#[tokio::test]
async fn nick_command_as_the_first_line_joins() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut dora = server.connect().await;
    dora.expect_hello().await;
    dora.login("/NICK dora", "dora").await;
    assert_eq!(ana.recv_join().await.1, "dora");
    marker(&mut dora, &mut [&mut ana], "entrei com /NICK").await;
}
