//! The room log through real sockets: replay on join, catch-up by id with no gap and no
//! duplicate while the room is busy, private messages only for the session that proves itself,
//! the replay bound, pruning, and a store that fails mid-run.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Client, TestServer, WAIT, unthrottled};
use papo_protocol::{EventId, ServerLine};
use papo_server::Config;
use papo_server::log::event::{LoggedEvent, SessionChange, SessionId};
use papo_server::log::sqlite::SqliteStore;
use papo_server::log::store::{LogStore, StoreError};
use papo_server::log::{LogConfig, RoomLog, Storage};
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

/// The inner event of each replayed line.
fn replayed_events(client: &Client) -> Vec<ServerLine> {
    client
        .replayed
        .iter()
        .filter_map(|line| match line {
            ServerLine::Replayed(event) => Some((**event).clone()),
            _ => None,
        })
        .collect()
}

fn skipped_counts(client: &Client) -> Vec<u64> {
    client
        .replayed
        .iter()
        .filter_map(|line| match line {
            ServerLine::Skipped { count, .. } => Some(*count),
            _ => None,
        })
        .collect()
}

fn msg_texts(events: &[ServerLine]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerLine::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Sends `count` numbered lines as one write (`prefix 0000`, …) and reads its own echoes.
async fn say_many(client: &mut Client, prefix: &str, count: usize) {
    let mut batch = String::new();
    for i in 0..count {
        batch.push_str(&format!("{prefix} {i:05}\n"));
    }
    client.send_raw(batch.as_bytes()).await;
    for i in 0..count {
        assert_eq!(client.recv_msg().await.text, format!("{prefix} {i:05}"));
    }
}

/// Connects and sends `/RETOMAR`; returns the client after its own JOIN.
async fn resume(server: &TestServer, nick: &str, after: u64, token: Option<&str>) -> Client {
    let mut client = server.connect().await;
    let epoch = client.expect_hello().await;
    let token = token.map(|t| format!(" {t}")).unwrap_or_default();
    client
        .send(&format!("/RETOMAR {nick} {epoch} {after}{token}"))
        .await;
    client.welcomed(nick).await;
    client
}

#[tokio::test]
async fn a_newcomer_gets_the_last_events_marked_as_history_then_live() {
    let server = TestServer::with_config(Config {
        history_on_join: 3,
        ..unthrottled()
    })
    .await;
    let mut ana = server.join("ana").await;
    assert!(ana.replayed.is_empty(), "an empty room replays nothing");
    say_many(&mut ana, "linha", 5).await;
    let bob = server.join("bob").await;
    assert_eq!(
        msg_texts(&replayed_events(&bob)),
        ["linha 00002", "linha 00003", "linha 00004"],
        "the last three events, oldest first"
    );
    assert!(skipped_counts(&bob).is_empty());
    // Live again for ana: bob's JOIN, not history.
    assert_eq!(ana.recv_join().await.1, "bob");
}

#[tokio::test]
async fn history_on_join_zero_replays_nothing() {
    let server = TestServer::with_config(Config {
        history_on_join: 0,
        ..unthrottled()
    })
    .await;
    let mut ana = server.join("ana").await;
    say_many(&mut ana, "x", 3).await;
    let bob = server.join("bob").await;
    assert!(bob.replayed.is_empty(), "{:?}", bob.replayed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_member_gets_every_event_after_its_last_id_once_while_the_room_is_busy() {
    const LINES: usize = 3_000;
    let server = TestServer::with_config(unthrottled()).await;
    let mut ana = server.join("ana").await;
    let mut carla = server.join("carla").await;
    let bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "carla");
    assert_eq!(ana.recv_join().await.1, "bob");
    assert_eq!(carla.recv_join().await.1, "bob");
    let (mut bob_lines, mut bob_writer) = bob.into_split();
    // bob talks without pause for the whole test.
    let talking = tokio::spawn(async move {
        for i in 0..LINES {
            let line = format!("bob {i:05}\n");
            timeout(WAIT, bob_writer.write_all(line.as_bytes()))
                .await
                .expect("write promptly")
                .expect("write");
        }
        bob_writer
    });
    let echoes = tokio::spawn(async move {
        let mut echoed = 0;
        while echoed < LINES {
            // carla's departure and return come in between.
            if let ServerLine::Message { .. } = bob_lines.recv().await {
                echoed += 1;
            }
        }
    });
    // carla reads a few hundred lines, then her connection drops in the middle of the flow.
    let mut seen = Vec::new();
    for _ in 0..300 {
        seen.push(carla.recv_msg().await);
    }
    let last = seen.last().map(|m| m.id).expect("read some");
    let token = carla.token.clone();
    drop(carla);
    // She comes back, resuming after the last id she read.
    let mut carla = resume(&server, "carla", last, Some(&token)).await;
    let replayed = replayed_events(&carla);
    let mut texts: Vec<String> = seen.iter().map(|m| m.text.clone()).collect();
    texts.extend(msg_texts(&replayed));
    while texts.len() < LINES {
        match carla.recv().await {
            ServerLine::Message { text, .. } => texts.push(text),
            other => panic!("carla: unexpected live line {other:?}"),
        }
    }
    let expected: Vec<String> = (0..LINES).map(|i| format!("bob {i:05}")).collect();
    assert_eq!(
        texts, expected,
        "every line once, in order, across the resume"
    );
    // ana, who never left, saw carla's departure once, before her return (bob may have
    // finished talking before or after either: the order against his lines is not fixed).
    let carla_left =
        |l: &ServerLine| matches!(l, ServerLine::Left { nick, .. } if nick.as_str() == "carla");
    let last_line =
        |l: &ServerLine| matches!(l, ServerLine::Message { text, .. } if text == "bob 02999");
    let (before_return, _) = ana
        .recv_until(|l| matches!(l, ServerLine::Joined { nick, .. } if nick.as_str() == "carla"))
        .await;
    assert_eq!(
        before_return.iter().filter(|l| carla_left(l)).count(),
        1,
        "carla's departure announced once, before her return"
    );
    if !before_return.iter().any(last_line) {
        let (after_return, _) = ana.recv_until(last_line).await;
        assert!(!after_return.iter().any(carla_left), "no second departure");
    }
    talking.await.expect("bob's writer");
    echoes.await.expect("bob's reader");
}

#[tokio::test]
async fn private_messages_are_replayed_only_to_the_session_that_proves_itself() {
    let server = TestServer::with_config(unthrottled()).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    bob.send("/msg ana segredo").await;
    assert!(matches!(bob.recv().await, ServerLine::Private { .. }));
    assert!(matches!(ana.recv().await, ServerLine::Private { .. }));
    let token = ana.token.clone();
    ana.send("/sair").await;
    ana.recv_bye().await;
    assert_eq!(bob.recv_part().await.1, "ana");

    let private = |c: &Client| {
        replayed_events(c)
            .iter()
            .any(|e| matches!(e, ServerLine::Private { text, .. } if text == "segredo"))
    };
    // Someone else takes the freed nickname: a fresh join, a resume without a token, or with a
    // made-up one, never shows ana's private message.
    let eve = server.join("ana").await;
    assert!(
        !eve.replayed.is_empty() && !private(&eve),
        "{:?}",
        eve.replayed
    );
    drop(eve);
    let eve = resume(&server, "ana", 0, None).await;
    assert!(!private(&eve), "{:?}", eve.replayed);
    drop(eve);
    let eve = resume(&server, "ana", 0, Some("0123456789abcdef")).await;
    assert!(!private(&eve), "{:?}", eve.replayed);
    drop(eve);
    // ana, with her token, gets it back (under any nickname).
    let ana = resume(&server, "ana_", 0, Some(&token)).await;
    assert!(private(&ana), "{:?}", ana.replayed);
}

#[tokio::test]
async fn a_session_resumed_while_its_old_connection_lingers_takes_its_place() {
    let server = TestServer::with_config(unthrottled()).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    // ana's old connection is still open (the server has not noticed it is dead) when she
    // comes back with her token: the old one leaves, the new one joins under her nickname.
    let token = ana.token.clone();
    let _again = resume(&server, "ana", bob.join_id, Some(&token)).await;
    let (_, nick, _, reason) = bob.recv_part().await;
    assert_eq!(
        (nick.as_str(), reason.contains("reconectou")),
        ("ana", true)
    );
    assert_eq!(bob.recv_join().await.1, "ana");
    assert!(ana.recv_bye().await.contains("reconectou"));
    ana.expect_closed().await;
    // Without the token, the nickname is simply in use.
    let mut eve = server.connect().await;
    let epoch = eve.expect_hello().await;
    eve.send(&format!("/RETOMAR ana {epoch} 0")).await;
    eve.recv_error(papo_protocol::ErrorCode::NickInUse).await;
}

#[tokio::test]
async fn a_resume_from_another_epoch_is_a_fresh_join() {
    let server = TestServer::with_config(Config {
        history_on_join: 2,
        ..unthrottled()
    })
    .await;
    let mut ana = server.join("ana").await;
    say_many(&mut ana, "y", 4).await;
    let mut bob = server.connect().await;
    bob.expect_hello().await;
    bob.send("/RETOMAR bob 00ff00ff 1").await;
    bob.welcomed("bob").await;
    assert_eq!(msg_texts(&replayed_events(&bob)), ["y 00002", "y 00003"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_past_the_replay_limit_says_how_many_were_skipped() {
    let server = TestServer::with_config(unthrottled()).await;
    let mut ana = server.join("ana").await;
    let lines = 10_050;
    say_many(&mut ana, "z", lines).await;
    let bob = resume(&server, "bob", 0, None).await;
    let events = replayed_events(&bob);
    assert_eq!(events.len(), 10_000, "the replay limit");
    assert_eq!(skipped_counts(&bob), [ana.join_id + lines as u64 - 10_000]);
    assert!(matches!(
        bob.replayed.first(),
        Some(ServerLine::Skipped { .. })
    ));
    assert_eq!(
        msg_texts(&events).last().map(String::as_str),
        Some("z 10049")
    );
}

#[tokio::test]
async fn events_pruned_from_the_history_are_reported_where_the_gap_is() {
    let mut config = unthrottled();
    config.history.keep = 100;
    let server = TestServer::with_config(config).await;
    let mut ana = server.join("ana").await;
    // Pruning runs after commits once 1/8 more than kept has accumulated. In steps, so ana
    // herself never falls 100 events behind (she would be told of a gap too).
    for step in 0..20 {
        say_many(&mut ana, &format!("p{step:02}"), 20).await;
    }
    let bob = resume(&server, "bob", 0, None).await;
    let skipped = skipped_counts(&bob);
    assert_eq!(skipped.len(), 1, "{:?}", bob.replayed.first());
    let events = replayed_events(&bob);
    let first = events.first().and_then(ServerLine::event_id).expect("some");
    assert_eq!(skipped[0], first.0 - 1, "the gap is counted in ids");
    assert!(
        events.len() >= 100 && events.len() < 150,
        "{}",
        events.len()
    );
}

/// A real SQLite store that starts failing when told, as a full disk or a file made read-only
/// would.
struct FailingStore {
    inner: SqliteStore,
    failing: Arc<AtomicBool>,
}

impl LogStore for FailingStore {
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[SessionChange],
    ) -> Result<(), StoreError> {
        if self.failing.load(Ordering::Relaxed) {
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("attempt to write a readonly database".into()),
            )));
        }
        self.inner.append(events, sessions)
    }
    fn read_after(
        &self,
        after: EventId,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
        self.inner.read_after(after, limit, max_bytes)
    }
    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError> {
        self.inner.find_session(token)
    }
    fn prune(&self, upto: EventId, max_rows: usize) -> Result<Option<EventId>, StoreError> {
        self.inner.prune(upto, max_rows)
    }
    fn oldest(&self) -> Result<Option<EventId>, StoreError> {
        self.inner.oldest()
    }
    fn close(&self, clean: bool) -> Result<(), StoreError> {
        self.inner.close(clean)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_store_fails_chat_goes_on_and_members_are_told() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("history.db");
    let (inner, stored) = SqliteStore::open(&path, "e1").expect("opens");
    let failing = Arc::new(AtomicBool::new(false));
    let store = FailingStore {
        inner,
        failing: Arc::clone(&failing),
    };
    let config = Config {
        history: LogConfig {
            storage: Storage::File(path.clone()),
            keep: 100_000,
            window_bytes: 64 * 1024,
        },
        ..unthrottled()
    };
    let log = RoomLog::with_store(
        Some(Arc::new(store)),
        stored,
        "test".into(),
        &config.history,
    )
    .expect("log");
    let server = TestServer::with_log(config, log).await;
    let mut ana = server.join("ana").await;
    let mut bob = server.join("bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    say_many(&mut ana, "antes", 3).await;
    for _ in 0..3 {
        bob.recv_msg().await;
    }
    failing.store(true, Ordering::Relaxed);
    ana.send("durante").await;
    // The event is still delivered, and everyone is told once that history is not kept.
    let mut told = HashSet::new();
    for client in [&mut ana, &mut bob] {
        let mut got_msg = false;
        for _ in 0..2 {
            match client.recv().await {
                ServerLine::Message { text, .. } if text == "durante" => got_msg = true,
                ServerLine::Notice { text } if text.contains("histórico") => {
                    told.insert(client.nick.clone());
                }
                other => panic!("{}: unexpected {other:?}", client.nick),
            }
        }
        assert!(got_msg, "{}: the message got through", client.nick);
    }
    assert_eq!(told.len(), 2, "both members told");
    // Chat goes on, and a newcomer is told too, its replay served from memory and the file.
    say_many(&mut ana, "depois", 2).await;
    ana.send("depois 00002").await;
    let last_seen = ana.recv_msg().await.id;
    let mut carla = server.connect().await;
    carla.expect_hello().await;
    carla.send("carla").await;
    assert!(matches!(carla.recv().await, ServerLine::Welcome { .. }));
    let (replay, _) = carla
        .recv_until(|l| matches!(l, ServerLine::Live { .. }))
        .await;
    let texts: Vec<String> = replay
        .iter()
        .filter_map(|l| match l {
            ServerLine::Replayed(e) => Some(msg_texts(&[(**e).clone()])),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        texts.ends_with(&[
            "antes 00002".to_owned(),
            "durante".to_owned(),
            "depois 00000".to_owned(),
            "depois 00001".to_owned(),
            "depois 00002".to_owned()
        ]),
        "{texts:?}"
    );
    let notice = carla.recv().await;
    assert!(matches!(notice, ServerLine::Notice { .. }), "{notice:?}");
    assert_eq!(carla.recv_join().await.1, "carla");
    timeout(WAIT, server.shutdown()).await.expect("shuts down");
    // Nothing after the failure reached the file; what came before is all there.
    let (reopened, stored) = SqliteStore::open(&path, "e2").expect("reopens");
    assert_eq!(stored.epoch, "e1");
    assert!(
        stored.newest.0 > last_seen,
        "ids handed out while the store failed are never handed out again ({} ≤ {last_seen})",
        stored.newest
    );
    let kept = reopened
        .read_after(EventId(0), 100, usize::MAX)
        .expect("reads");
    let texts: Vec<String> = kept
        .iter()
        .filter_map(|e| match &e.line {
            ServerLine::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["antes 00000", "antes 00001", "antes 00002"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_messages_stay_with_their_session_across_pruning_and_restarts() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = Config {
        history: LogConfig {
            storage: Storage::File(dir.path().join("history.db")),
            keep: 100,
            window_bytes: 64 * 1024,
        },
        ..unthrottled()
    };
    let server = TestServer::with_config(config.clone()).await;
    let mut alice = server.join("alice").await;
    let mut bob = server.join("bob").await;
    assert_eq!(alice.recv_join().await.1, "bob");
    let token = alice.token.clone();
    // Enough to prune the oldest events (and sessions nothing is addressed to).
    for step in 0..7 {
        say_many(&mut alice, &format!("s{step}"), 20).await;
        for _ in 0..20 {
            bob.recv_msg().await;
        }
    }
    bob.send("/msg alice segredo").await;
    assert!(matches!(bob.recv().await, ServerLine::Private { .. }));
    assert!(matches!(alice.recv().await, ServerLine::Private { .. }));
    drop((alice, bob));
    server.shutdown().await;

    let server = TestServer::with_config(config).await;
    let private = |c: &Client| {
        replayed_events(c)
            .iter()
            .any(|e| matches!(e, ServerLine::Private { text, .. } if text == "segredo"))
    };
    let mallory = server.join("mallory").await;
    assert!(
        !mallory.replayed.is_empty() && !private(&mallory),
        "a new session never reads an old one's private messages: {:?}",
        mallory.replayed.last()
    );
    let alice = resume(&server, "alice", 0, Some(&token)).await;
    assert!(
        private(&alice),
        "alice's token still works after the restart"
    );
}
