//! Many members and a member that stops reading: nobody waits for a slow reader, the slow reader
//! is caught up rather than dropped, and every member sees the same events in the same order.

mod common;

use std::time::Duration;

use common::flood::{FloodRoom, lines_to_pass_the_window};
use common::{Client, TestServer, WAIT, marker};
use papo_protocol::{ErrorCode, ServerLine};
use papo_server::Config;
use tokio::time::timeout;

/// The server's in-memory window of recent events, small so the slow reader falls far behind it.
const WINDOW: usize = 64 * 1024;
/// Bytes of each flooding chat line. The number of lines is sized from the kernel's buffers
/// (see `lines_to_pass_the_window`): at least 2 000 per sender; 3 234 with Linux's default 4 MiB.
const FLOOD_TEXT_BYTES: usize = 1_000;

/// Bound on a whole scenario (each single read is bounded by `WAIT` as well).
const SCENARIO: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_stops_reading_is_caught_up_and_nobody_else_waits() {
    let mut config = common::unthrottled();
    config.history.window_bytes = WINDOW;
    let server = TestServer::with_config(config).await;
    let lines = lines_to_pass_the_window(FLOOD_TEXT_BYTES, WINDOW, 2_000);
    let report = timeout(SCENARIO, async {
        FloodRoom::join(server.addr)
            .await
            .flood(lines, FLOOD_TEXT_BYTES)
            .await
    })
    .await
    .expect("the slow-reader flood finishes in bounded time");
    println!("in-process slow reader: {report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_members_see_concurrent_messages_in_the_same_order() {
    const MEMBERS: usize = 200;
    const SENDERS: usize = 5;
    const EACH: usize = 20;
    let server = TestServer::start().await;
    timeout(SCENARIO, async {
        let mut members = Vec::with_capacity(MEMBERS);
        for i in 0..MEMBERS {
            members.push(server.join(&format!("m{i:03}")).await);
        }
        // Five members send at once, each from its own task.
        let mut sending = Vec::new();
        for mut sender in members.drain(..SENDERS) {
            sending.push(tokio::spawn(async move {
                for j in 0..EACH {
                    sender.send(&format!("{} diz {j:02}", sender.nick)).await;
                }
                sender
            }));
        }
        let mut senders = Vec::new();
        for task in sending {
            senders.push(task.await.expect("sender task"));
        }
        members.splice(0..0, senders);

        let mut reference: Option<Vec<u64>> = None;
        for (i, member) in members.iter_mut().enumerate() {
            // Everyone who joined after this member, then the 100 messages.
            for later in i + 1..MEMBERS {
                assert_eq!(member.recv_join().await.1, format!("m{later:03}"));
            }
            let mut msgs = Vec::with_capacity(SENDERS * EACH);
            for _ in 0..SENDERS * EACH {
                msgs.push(member.recv_msg().await);
            }
            for s in 0..SENDERS {
                let nick = format!("m{s:03}");
                let texts: Vec<&str> = msgs
                    .iter()
                    .filter(|m| m.nick == nick)
                    .map(|m| m.text.as_str())
                    .collect();
                let expected: Vec<String> =
                    (0..EACH).map(|j| format!("{nick} diz {j:02}")).collect();
                assert_eq!(texts, expected, "{}: {nick}'s lines in order", member.nick);
            }
            let ids: Vec<u64> = msgs.iter().map(|m| m.id).collect();
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids strictly increase");
            match &reference {
                None => reference = Some(ids),
                Some(reference) => assert_eq!(&ids, reference, "{}: same order", member.nick),
            }
        }
        // Nothing more was queued for anyone.
        let (first, rest) = members.split_at_mut(1);
        let mut observers: Vec<&mut Client> = rest.iter_mut().collect();
        marker(&mut first[0], &mut observers, "todos juntos").await;
    })
    .await
    .expect("200 members finish in bounded time");
}

#[tokio::test]
async fn a_full_server_says_so_and_closes_until_a_slot_frees() {
    let server = TestServer::with_config(Config {
        max_clients: 3,
        ..Config::default()
    })
    .await;
    let mut ana = server.join("ana").await;
    let _bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    // A connection still choosing its nickname counts too.
    let mut guest = server.connect().await;
    guest.expect_hello().await;

    let mut fourth = server.connect().await;
    fourth.recv_error(ErrorCode::ServerFull).await;
    fourth.expect_closed().await;

    ana.send("/SAIR").await;
    ana.recv_bye().await;
    ana.expect_closed().await;
    // ana's slot was freed when she left: the next connection is greeted.
    let mut fifth = server.connect().await;
    fifth.expect_hello().await;
    fifth.send("/USUARIOS").await;
    assert!(matches!(fifth.recv().await, ServerLine::Users { nicks, .. } if nicks.len() == 1));

    let mut sixth = timeout(WAIT, server.connect())
        .await
        .expect("connect promptly");
    sixth.recv_error(ErrorCode::ServerFull).await;
    sixth.expect_closed().await;
}
