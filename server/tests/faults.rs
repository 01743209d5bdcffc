//! Faults at scale through the real binary: a burst of connections at once, and thousands of
//! join/leave cycles after which memory is back where it was.

mod common;

use std::time::Duration;

use common::Client;
use common::binary::ServerProcess;
use papo_protocol::ServerLine;
use tokio::task::JoinSet;
use tokio::time::timeout;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_two_thousand_connections_is_greeted_and_the_room_still_works() {
    const BURST: usize = 2_000;
    let server = ServerProcess::start(&[
        "--port",
        "0",
        "--max-clients",
        "3000",
        "--max-unjoined",
        "3000",
    ])
    .await;
    let addr = server.addr;
    let mut burst = JoinSet::new();
    for _ in 0..BURST {
        burst.spawn(async move {
            let mut client = Client::connect(addr).await;
            client.expect_hello().await;
            client
        });
    }
    let mut clients = Vec::with_capacity(BURST);
    while let Some(client) = burst.join_next().await {
        clients.push(client.expect("every connection is greeted"));
    }
    drop(clients);
    // Still serving: two members chat.
    let mut ana = Client::join(addr, "ana").await;
    let mut bob = Client::join(addr, "bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    common::marker(&mut ana, &mut [&mut bob], "depois da avalanche").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_join_leave_cycles_leave_memory_where_it_was() {
    const CYCLES: usize = 10_000;
    const AT_ONCE: usize = 20;
    const MAX_GROWTH_KIB: u64 = 8 * 1024;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("history.db").to_string_lossy().into_owned();
    let server = ServerProcess::start(&[
        "--port",
        "0",
        "--history-db",
        &db,
        "--window-bytes",
        "65536",
        "--history-keep",
        "1000",
        "--no-flood-limit",
    ])
    .await;
    let addr = server.addr;
    let cycle = move |i: usize| async move {
        let mut client = Client::connect(addr).await;
        client.expect_hello().await;
        client.send_raw(format!("u{i}\n/sair\n").as_bytes()).await;
        client
            .recv_until(|l| matches!(l, ServerLine::Bye { .. }))
            .await;
        client.expect_closed().await;
    };
    // Warm up, then measure.
    for i in 0..AT_ONCE {
        cycle(i).await;
    }
    let before = server.status_kib("VmRSS");
    let mut running = JoinSet::new();
    for i in AT_ONCE..CYCLES {
        if running.len() == AT_ONCE {
            running
                .join_next()
                .await
                .expect("a cycle")
                .expect("cycle ok");
        }
        running.spawn(cycle(i));
    }
    while let Some(done) = running.join_next().await {
        done.expect("cycle ok");
    }
    let after = server.status_kib("VmRSS");
    println!("{CYCLES} join/leave cycles: server VmRSS {before} KiB before, {after} KiB after");
    assert!(
        after.saturating_sub(before) < MAX_GROWTH_KIB,
        "memory grew by {} KiB over {CYCLES} cycles",
        after.saturating_sub(before)
    );
    // And the room still works.
    let ana = timeout(Duration::from_secs(10), Client::join(addr, "ana"))
        .await
        .expect("joins");
    assert_eq!(ana.nick, "ana");
}
