//! Choosing a nickname: refusals keep the connection waiting for another, uniqueness ignores
//! case and Unicode composition, a freed nickname is reusable at once.

mod common;

use common::{Client, TestServer, marker};
use papo_protocol::ErrorCode;

#[tokio::test]
async fn refused_nicknames_leave_the_connection_waiting_for_another() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut newcomer = server.connect().await;
    newcomer.expect_hello().await;

    for taken in ["ana", "ANA", "  Ana  "] {
        newcomer.send(taken).await;
        newcomer.recv_error(ErrorCode::NickInUse).await;
    }
    let too_long = "a".repeat(33);
    for invalid in [
        "ana maria",
        too_long.as_str(),
        "servidor",
        "SERVIDOR",
        "papo",
        "ana!",
        "//barra",
    ] {
        newcomer.send(invalid).await;
        let why = newcomer.recv_error(ErrorCode::NickInvalid).await;
        assert!(!why.is_empty(), "{invalid:?}: the error says which rule");
    }
    // The longest valid nickname, on the same connection.
    let longest = "b".repeat(32);
    newcomer.login(&longest, &longest).await;
    // ana saw none of the refused attempts: just the one JOIN, then the marker.
    assert_eq!(ana.recv_join().await, (newcomer.join_id, longest.clone()));
    marker(&mut newcomer, &mut [&mut ana], "enfim").await;
}

#[tokio::test]
async fn nicknames_are_compared_after_nfc_normalisation() {
    let server = TestServer::start().await;
    let mut decomposed = server.connect().await;
    decomposed.expect_hello().await;
    // "Jose" + COMBINING ACUTE ACCENT is recorded as the precomposed "José".
    decomposed.login("Jose\u{301}", "José").await;

    let mut other = server.connect().await;
    other.expect_hello().await;
    for same in ["José", "JOSÉ", "jose\u{301}"] {
        other.send(same).await;
        other.recv_error(ErrorCode::NickInUse).await;
    }
    other.login("Jose", "Jose").await;
    assert_eq!(decomposed.recv_join().await.1, "Jose");
}

#[tokio::test]
async fn a_nickname_is_free_again_the_moment_its_owner_leaves() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut carla = server.join("carla").await;
    ana.recv_join().await;

    carla.send("/SAIR").await;
    carla.recv_bye().await;
    // The departure happened before BYE was sent: the name is free now, no waiting.
    let mut again = server.connect().await;
    again.expect_hello().await;
    again.login("Carla", "Carla").await;
    assert_eq!(ana.recv_part().await.1, "carla");
    assert_eq!(ana.recv_join().await.1, "Carla");

    // After a lost connection, the name is free once the room was told.
    drop(again);
    assert_eq!(ana.recv_part().await.1, "Carla");
    let mut third = Client::join(server.addr, "carla").await;
    assert_eq!(ana.recv_join().await.1, "carla");
    marker(&mut third, &mut [&mut ana], "voltei").await;
}

#[tokio::test]
async fn lookalike_and_invisible_nicknames_are_refused_and_blank_messages_ignored() {
    let server = TestServer::start().await;
    let mut evan = server.join("evan").await;
    let mut guest = server.connect().await;
    guest.expect_hello().await;
    // A Cyrillic е: the same nickname to the eye, so the same nickname.
    guest.send("\u{435}van").await;
    guest.recv_error(ErrorCode::NickInUse).await;
    // Passing for the server, or for nobody at all.
    for wanted in ["s\u{435}rver", "ｓｅｒｖｅｒ", "a\u{3164}", "ana\u{200B}"] {
        guest.send(wanted).await;
        let why = guest.recv_error(ErrorCode::NickInvalid).await;
        assert!(!why.is_empty(), "{wanted:?}");
    }
    // A line of nothing but an invisible filler is blank: ignored, like an empty line.
    guest.send("\u{3164}").await;
    guest.login("visitante", "visitante").await;
    assert_eq!(evan.recv_join().await.1, "visitante");
    // A message of nothing but invisible characters is not relayed.
    guest.send("\u{3164}\u{3164}").await;
    marker(&mut guest, &mut [&mut evan], "depois do vazio").await;
}
