//! Flood control and backpressure through real sockets: `yes | nc` costs the others nothing, a
//! paste goes out at once, a fast paste waits its turn, and a client that pipelines thousands of
//! commands is slowed, not dropped.

mod common;

use std::time::Instant;

use common::{TestServer, WAIT};
use papo_protocol::{LeaveKind, ServerLine};
use papo_server::Config;
use papo_server::flood::FloodConfig;
use tokio::io::AsyncWriteExt;

fn config(burst: u32, per_second: u32) -> Config {
    Config {
        flood: Some(FloodConfig { burst, per_second }),
        ..Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yes_into_nc_is_cut_off_and_costs_the_readers_nothing() {
    // The default burst, at the slowest rate: the paste below must go out on the burst alone
    // (joining spent one line of it).
    let burst = FloodConfig::default().burst;
    let server = TestServer::with_config(config(burst, 1)).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    let mut flooder = server.join("yes").await;
    assert_eq!(ana.recv_join().await.1, "yes");
    assert_eq!(bob.recv_join().await.1, "yes");
    let started = Instant::now();
    // What `yes spam | nc` sends: far more than the backlog, as fast as the socket takes it.
    let flood = "spam\n".repeat(200_000);
    let _ = flooder.send_raw_lenient(flood.as_bytes()).await;
    for reader in [&mut ana, &mut bob] {
        let (spam, part) = reader
            .recv_until(|l| matches!(l, ServerLine::Left { nick, .. } if nick.as_str() == "yes"))
            .await;
        let elapsed = started.elapsed().as_secs();
        assert!(
            spam.iter()
                .all(|l| matches!(l, ServerLine::Message { text, .. } if text == "spam")),
            "{}: only the flooder's lines before its departure",
            reader.label
        );
        assert!(
            spam.len() as u64 <= u64::from(burst) + elapsed + 1,
            "{}: {} lines from the flooder in {elapsed} s (burst {burst}, 1/s)",
            reader.label,
            spam.len()
        );
        match part {
            ServerLine::Left { kind, reason, .. } => {
                assert_eq!(kind, LeaveKind::Dropped);
                assert!(reason.contains("inundou"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    // Both readers are still in the room, and a 20-line paste from one of them goes out at
    // once: at 1 line/s after the burst, anything slower would outlast the wait.
    let paste: String = (0..20).map(|i| format!("linha colada {i:02}\n")).collect();
    ana.send_raw(paste.as_bytes()).await;
    for i in 0..20 {
        let want = format!("linha colada {i:02}");
        assert_eq!(ana.recv_msg().await.text, want);
        assert_eq!(bob.recv_msg().await.text, want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_longer_than_the_burst_waits_its_turn_and_nothing_is_lost() {
    let server = TestServer::with_config(config(10, 50)).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    let paste: String = (0..150).map(|i| format!("log {i:03}\n")).collect();
    ana.send_raw(paste.as_bytes()).await;
    let mut told = 0;
    for i in 0..150 {
        let want = format!("log {i:03}");
        loop {
            match ana.recv().await {
                ServerLine::Message { text, .. } => {
                    assert_eq!(text, want);
                    break;
                }
                ServerLine::Notice { text } if text.contains("aos poucos") => told += 1,
                other => panic!("ana: unexpected {other:?}"),
            }
        }
        assert_eq!(bob.recv_msg().await.text, want);
    }
    assert_eq!(told, 1, "ana is told once that her lines are held back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_pipelines_thousands_of_commands_is_answered_not_dropped() {
    const COMMANDS: usize = 6_000;
    let server = TestServer::with_config(Config {
        max_queue_bytes: 64 * 1024,
        ..Config::default()
    })
    .await;
    let ana = server.join("ana").await;
    let (mut lines, mut writer) = ana.into_split();
    // Each /AJUDA is answered with about 700 bytes: 4 MB in all, 64 times the reply queue.
    let sending = tokio::spawn(async move {
        let batch = "/AJUDA\n".repeat(COMMANDS);
        tokio::time::timeout(WAIT * 6, writer.write_all(batch.as_bytes()))
            .await
            .expect("the server keeps reading, at its pace")
            .expect("write");
        writer
    });
    let help_lines = papo_server::replies::help().len();
    for _ in 0..COMMANDS * help_lines {
        match lines.recv().await {
            ServerLine::Help { .. } => {}
            other => panic!("expected HELP, got {other:?}"),
        }
    }
    sending.await.expect("sender");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_waiting_their_turn_still_go_out_after_the_sender_hangs_up() {
    let server = TestServer::with_config(config(10, 50)).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    // As `cat notas.txt | nc -N`: 40 lines, then the end of input at once.
    let paste: String = (0..40).map(|i| format!("nota {i:02}\n")).collect();
    bob.send_raw(paste.as_bytes()).await;
    bob.shutdown_write().await;
    for i in 0..40 {
        assert_eq!(ana.recv_msg().await.text, format!("nota {i:02}"));
    }
    let (_, nick, kind, _) = ana.recv_part().await;
    assert_eq!((nick.as_str(), kind), ("bob", LeaveKind::Lost));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sair_cancels_the_lines_still_waiting_and_says_how_many() {
    let server = TestServer::with_config(config(5, 1)).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    // Ten lines at 1/s after a burst of 5, then /SAIR right behind them.
    let paste: String = (0..10).map(|i| format!("item {i}\n")).collect();
    bob.send_raw(format!("{paste}/sair chega\n").as_bytes())
        .await;
    let (said, part) = ana
        .recv_until(|l| matches!(l, ServerLine::Left { .. }))
        .await;
    assert!(said.len() < 10, "not all ten were sent: {said:?}");
    match part {
        ServerLine::Left { kind, reason, .. } => {
            assert_eq!((kind, reason.as_str()), (LeaveKind::Quit, "chega"));
        }
        other => panic!("{other:?}"),
    }
    let (before_bye, _) = bob
        .recv_until(|l| matches!(l, ServerLine::Bye { .. }))
        .await;
    assert!(
        before_bye.iter().any(
            |l| matches!(l, ServerLine::Notice { text } if text.contains("não foram enviadas"))
        ),
        "{before_bye:?}"
    );
}
