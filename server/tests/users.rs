//! `/USUARIOS` in a room whose list does not fit in one line: the reply comes in parts, each
//! within the line limit, back to back, and adds up to the room.

mod common;

use common::{Client, TestServer, join_all, unthrottled};
use papo_protocol::ServerLine;
use papo_server::Config;

/// A small line limit, so a few dozen members need several lines (and the test stays fast).
const MAX_LINE: usize = 256;

/// One `USERS` reply as read: the room events that came before its first part, its raw parts
/// and the names they add up to.
struct Reply {
    before: Vec<String>,
    parts: Vec<String>,
    names: Vec<String>,
}

/// Reads up to the part that completes a `USERS` reply. Room events may come before the
/// first part; anything between two parts fails the test, as does a part over [`MAX_LINE`]
/// bytes or one that does not start where the previous ended.
async fn read_reply(client: &mut Client) -> Reply {
    let mut reply = Reply {
        before: Vec::new(),
        parts: Vec::new(),
        names: Vec::new(),
    };
    // Bounded: a room event or a part per line, and the test sends a handful of each.
    for _ in 0..1000 {
        let line = client.recv_raw().await;
        let Ok(ServerLine::Users {
            count,
            offset,
            nicks,
        }) = ServerLine::parse(&line)
        else {
            assert!(
                reply.parts.is_empty(),
                "a line between the parts of a USERS list: {line:?}"
            );
            reply.before.push(line);
            continue;
        };
        assert!(
            line.len() <= MAX_LINE,
            "{} bytes, over the {MAX_LINE}-byte limit: {line}",
            line.len()
        );
        assert_eq!(offset, reply.names.len(), "parts follow each other: {line}");
        assert!(!nicks.is_empty(), "no empty part: {line}");
        reply.names.extend(nicks.iter().map(ToString::to_string));
        reply.parts.push(line);
        assert!(reply.names.len() <= count, "more names than the count");
        if reply.names.len() == count {
            return reply;
        }
    }
    panic!("no complete USERS reply in 1000 lines");
}

#[tokio::test]
async fn a_big_room_is_listed_in_parts_back_to_back_within_the_line_limit() {
    let server = TestServer::with_config(Config {
        max_line_bytes: MAX_LINE,
        ..unthrottled()
    })
    .await;
    // 30 names of 20 bytes: ~630 bytes as one line, so at least three parts of 256.
    let nicks: Vec<String> = (0..30).map(|i| format!("pessoa_{i:02}_da_sala_")).collect();
    let refs: Vec<&str> = nicks.iter().map(String::as_str).collect();
    let mut room = join_all(server.addr, &refs).await;
    let mut asker = room.remove(0);
    let mut talker = room.remove(0);

    asker.send("/USUARIOS").await;
    // A room event sent while the list is made lands before or after the whole list, never
    // between its parts (read_reply fails on that).
    talker.send("no meio?").await;
    let reply = read_reply(&mut asker).await;
    assert!(reply.parts.len() >= 3, "several parts: {:#?}", reply.parts);
    assert!(
        reply.parts[0].starts_with("USERS 30 0 :"),
        "the first part says the count and offset 0: {}",
        reply.parts[0]
    );
    let mut expected = nicks.clone();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(reply.names, expected);
    if reply.before.is_empty() {
        assert_eq!(asker.recv_msg().await.text, "no meio?");
    } else {
        assert_eq!(reply.before.len(), 1, "{:?}", reply.before);
        assert!(reply.before[0].ends_with(":no meio?"), "{:?}", reply.before);
    }

    // Members who leave and join in between are in the next reply, not a stale one.
    drop(talker);
    let (_, gone, ..) = asker.recv_part().await;
    assert_eq!(gone, nicks[1]);
    asker.send("/USUARIOS").await;
    let reply = read_reply(&mut asker).await;
    assert!(reply.before.is_empty(), "{:?}", reply.before);
    expected.retain(|n| n != &nicks[1]);
    assert_eq!(reply.names, expected);
    assert!(
        reply.parts[0].starts_with("USERS 29 0 :"),
        "{}",
        reply.parts[0]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_list_that_fits_keeps_the_one_line_form() {
    let server = TestServer::with_config(Config {
        max_line_bytes: MAX_LINE,
        ..unthrottled()
    })
    .await;
    let mut room = join_all(server.addr, &["bob", "Ana"]).await;
    room[0].send("/USUARIOS").await;
    assert_eq!(room[0].recv_raw().await, "USERS 2 :Ana bob");
    server.shutdown().await;
}
