//! Leaving the room: every departure is announced exactly once, whatever its cause; shutdown
//! says goodbye to everyone instead.

mod common;

use common::{Client, TestServer, join_all, marker};
use papo_protocol::LeaveKind;

/// Joins ana, bob and carla and returns them in that order.
async fn trio(server: &TestServer) -> (Client, Client, Client) {
    let mut room = join_all(server.addr, &["ana", "bob", "carla"]).await;
    let carla = room.pop().expect("carla");
    let bob = room.pop().expect("bob");
    let ana = room.pop().expect("ana");
    (ana, bob, carla)
}

/// ana and bob each receive one PART for carla of `kind`; then nothing else before a marker.
async fn expect_one_part(
    ana: &mut Client,
    bob: &mut Client,
    kind: LeaveKind,
    reason: Option<&str>,
) -> u64 {
    let seen = ana.recv_part().await;
    assert_eq!(bob.recv_part().await, seen, "both see the same PART");
    let (id, nick, got_kind, got_reason) = seen;
    assert_eq!((nick.as_str(), got_kind), ("carla", kind));
    if let Some(reason) = reason {
        assert_eq!(got_reason, reason);
    }
    marker(ana, &mut [bob], "e agora?").await;
    id
}

#[tokio::test]
async fn quit_with_a_reason_is_announced_once_then_bye_and_close() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    carla.send("/SAIR  motivo: tenho aula ").await;
    let bye = carla.recv_bye().await;
    assert!(
        bye.contains("carla"),
        "the goodbye names the leaver: {bye:?}"
    );
    carla.expect_closed().await;
    expect_one_part(
        &mut ana,
        &mut bob,
        LeaveKind::Quit,
        Some("motivo: tenho aula"),
    )
    .await;
}

#[tokio::test]
async fn quit_alias_without_a_reason_has_an_empty_reason() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    carla.send("/quit").await;
    carla.recv_bye().await;
    carla.expect_closed().await;
    expect_one_part(&mut ana, &mut bob, LeaveKind::Quit, Some("")).await;
}

#[tokio::test]
async fn dropped_socket_is_announced_once_as_lost() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, carla) = trio(&server).await;
    drop(carla);
    expect_one_part(&mut ana, &mut bob, LeaveKind::Lost, None).await;
}

#[tokio::test]
async fn half_a_line_at_disconnect_is_never_relayed() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    carla.send_raw(b"half line").await;
    drop(carla);
    // The very next line is the PART (a relayed "half line" would come first), then the marker.
    expect_one_part(&mut ana, &mut bob, LeaveKind::Lost, None).await;
}

#[tokio::test]
async fn end_of_input_flushes_what_is_queued_then_closes() {
    // `printf 'carla\noi\n' | nc -N host port`: the lines are handled, the answers still
    // arrive, then the server closes its side too.
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    carla.send("até já").await;
    carla.shutdown_write().await;
    assert_eq!(carla.recv_msg().await.text, "até já");
    carla.expect_closed().await;
    for member in [&mut ana, &mut bob] {
        assert_eq!(member.recv_msg().await.text, "até já");
    }
    expect_one_part(&mut ana, &mut bob, LeaveKind::Lost, None).await;
}

#[tokio::test]
async fn quit_then_close_is_announced_once() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    carla.send("/SAIR tchau").await;
    carla.recv_bye().await;
    carla.expect_closed().await;
    drop(carla);
    expect_one_part(&mut ana, &mut bob, LeaveKind::Quit, Some("tchau")).await;
    // A newcomer's JOIN is ordered after anything the old connection could still cause.
    let mut dora = server.join("dora").await;
    assert_eq!(ana.recv_join().await.1, "dora");
    assert_eq!(bob.recv_join().await.1, "dora");
    marker(&mut dora, &mut [&mut ana, &mut bob], "sem PART repetido").await;
}

#[tokio::test]
async fn quit_and_close_in_one_go_is_announced_once() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    // The line and the close arrive together; the server sees /SAIR first.
    carla.send("/SAIR já fui").await;
    drop(carla);
    expect_one_part(&mut ana, &mut bob, LeaveKind::Quit, Some("já fui")).await;
}

#[tokio::test]
async fn shutdown_says_bye_to_everyone_after_what_was_queued_and_closes() {
    let server = TestServer::start().await;
    let (mut ana, mut bob, mut carla) = trio(&server).await;
    let mut newcomer = server.connect().await;
    newcomer.expect_hello().await;
    ana.send("antes do fim").await;
    for member in [&mut ana, &mut bob, &mut carla] {
        assert_eq!(member.recv_msg().await.text, "antes do fim");
    }
    server.shutdown().await;
    for client in [&mut ana, &mut bob, &mut carla, &mut newcomer] {
        // No PART for the others: BYE means the whole room is gone.
        assert_eq!(
            client.recv_bye().await,
            "servidor encerrando",
            "{}",
            client.label
        );
        client.expect_closed().await;
    }
}
