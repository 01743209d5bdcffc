//! The history file through the real binary: nothing anyone received is lost to `kill -9`,
//! ids continue after a restart, and a file that is not papo's is refused by name, untouched.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use common::binary::{ServerProcess, run_to_exit};
use common::{Client, WAIT, join_all};
use papo_protocol::ServerLine;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

fn start_args(db: &Path) -> Vec<String> {
    vec![
        "--port".into(),
        "0".into(),
        "--no-flood-limit".into(),
        "--history-db".into(),
        db.to_string_lossy().into_owned(),
    ]
}

async fn start(db: &Path) -> ServerProcess {
    let args = start_args(db);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ServerProcess::start(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_nothing_anyone_received_and_ids_continue() {
    // 3 × 3 000 lines and 3 joins: the whole log fits in one replay (10 000 events at most).
    const LINES: usize = 3_000;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("history.db");
    let mut server = start(&db).await;
    let mut first = Client::connect(server.addr).await;
    let epoch = first.expect_hello().await;
    drop(first);
    let members = join_all(server.addr, &["ana", "bob", "carla"]).await;

    // Everyone talks as fast as it can and records every room event it receives.
    // One permit per event received, so the test can wait for "busy enough".
    let received = Arc::new(Semaphore::new(0));
    let mut tasks = Vec::new();
    for member in members {
        let nick = member.nick.clone();
        let (mut lines, mut writer) = member.into_split();
        tokio::spawn(async move {
            for i in 0..LINES {
                let line = format!("{nick} {i:05}\n");
                if writer.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let counter = Arc::clone(&received);
        tasks.push(tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(raw) = lines.next_complete_line().await {
                let line = ServerLine::parse(&raw).expect("a server line");
                if line.event_id().is_some() {
                    counter.add_permits(1);
                    events.push(line);
                }
            }
            events
        }));
    }
    // Mid-flow: kill -9 once a good part has been delivered (senders are still sending).
    tokio::time::timeout(WAIT, received.acquire_many(3 * 1_500))
        .await
        .expect("the room gets busy")
        .expect("never closed")
        .forget();
    server.signal("KILL").await;
    server.wait_exit().await;
    let mut seen: HashMap<u64, ServerLine> = HashMap::new();
    for task in tasks {
        for line in task.await.expect("reader task") {
            let id = line.event_id().expect("an event").0;
            if let Some(other) = seen.insert(id, line.clone()) {
                assert_eq!(other, line, "one id, one event, for everyone");
            }
        }
    }
    let newest_seen = seen.keys().max().copied().expect("events were received");

    // Restarted on the same file: the replay from id 0 holds every event anyone received.
    let server = start(&db).await;
    let mut check = Client::connect(server.addr).await;
    assert_eq!(check.expect_hello().await, epoch, "the same log");
    check.send(&format!("/RETOMAR check {epoch} 0")).await;
    check.welcomed("check").await;
    let mut replay: HashMap<u64, ServerLine> = HashMap::new();
    for line in &check.replayed {
        if let ServerLine::Replayed(event) = line {
            let id = event.event_id().expect("an event").0;
            assert!(
                replay.insert(id, (**event).clone()).is_none(),
                "id {id} replayed twice"
            );
        }
    }
    let lost: Vec<u64> = seen
        .iter()
        .filter(|(id, line)| replay.get(id) != Some(line))
        .map(|(id, _)| *id)
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} received events missing after the restart (e.g. {:?})",
        lost.len(),
        seen.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(
        check.join_id > newest_seen,
        "ids continue: JOIN {} after {newest_seen}",
        check.join_id
    );
    println!(
        "kill -9 after {} events received; {} stored and replayed; the next id was {}",
        seen.len(),
        replay.len(),
        check.join_id
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_papo_history_is_refused_by_name_and_left_alone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let garbage = dir.path().join("notes.txt");
    let bytes = b"minhas notas, nada de SQLite aqui\n".repeat(200);
    std::fs::write(&garbage, &bytes).expect("write");
    let foreign = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&foreign).expect("create");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .expect("fill");
    }
    let foreign_bytes = std::fs::read(&foreign).expect("read");
    for (path, before) in [(&garbage, bytes.clone()), (&foreign, foreign_bytes)] {
        let arg = path.to_string_lossy().into_owned();
        let (status, stdout, stderr) = run_to_exit(&["--port", "0", "--history-db", &arg]).await;
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert!(!stdout.contains("listening"), "never started: {stdout}");
        assert!(stderr.contains(&arg), "names the file: {stderr}");
        assert!(
            stderr.contains("not a papo history file") || stderr.contains("not an SQLite"),
            "{stderr}"
        );
        assert_eq!(std::fs::read(path).expect("read"), before, "left untouched");
    }
}
