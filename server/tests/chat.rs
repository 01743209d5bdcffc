//! Chatting in the room over loopback: messages, joins, the member list.

mod common;

use common::{Client, TestServer, join_all, marker};
use papo_protocol::Timestamp;
use papo_server::Config;
use tokio::net::TcpListener;

#[tokio::test]
async fn every_message_reaches_everyone_with_one_id_in_order_and_exact_text() {
    let server = TestServer::start().await;
    let mut room = join_all(server.addr, &["ana", "bob", "carla"]).await;
    let cases = [
        ("oi", "oi"),
        ("  espaços nas pontas  ", "  espaços nas pontas  "),
        ("//x", "/x"),
        ("//", "/"),
        ("ação 日本 😀", "ação 日本 😀"),
        ("tab\tdentro", "tab\tdentro"),
        ("dois: pontos :) e : sozinho", "dois: pontos :) e : sozinho"),
        ("שלום \u{200F}!", "שלום \u{200F}!"),
    ];
    let mut last_id = room.iter().map(|c| c.join_id).max().unwrap_or_default();
    for (i, (sent, relayed)) in cases.into_iter().enumerate() {
        let before = Timestamp::now();
        let sender = i % room.len();
        let sender_nick = room[sender].nick.clone();
        room[sender].send(sent).await;
        let mut seen = Vec::new();
        for member in &mut room {
            seen.push(member.recv_msg().await);
        }
        let after = Timestamp::now();
        let first = &seen[0];
        assert_eq!(first.nick, sender_nick, "{sent:?}: sender named");
        assert_eq!(first.text, relayed, "{sent:?}: text relayed exactly");
        assert!(first.id > last_id, "{sent:?}: ids increase");
        assert!(
            before <= first.time && first.time <= after,
            "{sent:?}: stamped with the server's current time"
        );
        assert!(
            seen.iter().all(|m| m == first),
            "{sent:?}: all three (sender included) got the same line: {seen:?}"
        );
        last_id = first.id;
    }
}

#[tokio::test]
async fn each_member_gets_exactly_one_join_per_newcomer() {
    let server = TestServer::start().await;
    // Client::join checks the joiner's side: HELLO, then WELCOME, then its own JOIN.
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await, (bob.join_id, "bob".into()));
    let mut carla = server.join("carla").await;
    for member in [&mut ana, &mut bob] {
        assert_eq!(
            member.recv_join().await,
            (carla.join_id, "carla".into()),
            "{}",
            member.label
        );
    }
    assert!(ana.join_id < bob.join_id && bob.join_id < carla.join_id);
    // No second JOIN (nor anything else) is queued before the next message.
    marker(&mut carla, &mut [&mut ana, &mut bob], "cheguei").await;
}

#[tokio::test]
async fn users_list_goes_only_to_the_requester_sorted_case_insensitively() {
    let server = TestServer::start().await;
    let mut room = join_all(server.addr, &["carla", "Bob", "ana", "Dora"]).await;
    let expected = ["ana", "Bob", "carla", "Dora"];
    for (asker, command) in [(0, "/USUARIOS"), (1, "/users"), (2, "/WHO")] {
        room[asker].send(command).await;
        assert_eq!(room[asker].recv_users().await, expected, "{command}");
        // The others got nothing: the next line anyone receives is the marker.
        let (from, rest) = room.split_at_mut(3);
        let mut observers: Vec<&mut Client> = from.iter_mut().collect();
        marker(
            &mut rest[0],
            &mut observers,
            &format!("depois de {command}"),
        )
        .await;
    }
}

#[tokio::test]
async fn chat_over_ipv6_loopback_when_available() {
    let (listener, family) = match TcpListener::bind("[::1]:0").await {
        Ok(listener) => (listener, "IPv6 ::1"),
        Err(err) => {
            println!("note: cannot bind [::1] ({err}); checking IPv4 loopback only");
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind 127.0.0.1");
            (listener, "IPv4 127.0.0.1")
        }
    };
    let server = TestServer::on(listener, Config::default());
    let mut room = join_all(server.addr, &["ana", "bob"]).await;
    let (ana, bob) = room.split_at_mut(1);
    marker(&mut ana[0], &mut [&mut bob[0]], &format!("oi via {family}")).await;
}
