//! Hostile and awkward input: lines split anywhere, batched, CRLF, overlong, runaway, not UTF-8,
//! control characters. Refused lines answer the sender only and keep the connection usable.

mod common;

use common::{Client, TestServer, WAIT, join_all, marker};
use papo_protocol::{ErrorCode, LeaveKind};
use papo_server::Config;

/// Joins ana and bob on `server`.
async fn pair(server: &TestServer) -> (Client, Client) {
    let mut room = join_all(server.addr, &["ana", "bob"]).await;
    let bob = room.pop().expect("bob");
    let ana = room.pop().expect("ana");
    (ana, bob)
}

/// Both receive the `MSG` from `from` with exactly `text` as their next line.
async fn both_get(ana: &mut Client, bob: &mut Client, from: &str, text: &str) {
    for member in [ana, bob] {
        let msg = member.recv_msg().await;
        assert_eq!(
            (msg.nick.as_str(), msg.text.as_str()),
            (from, text),
            "{}",
            member.label
        );
    }
}

#[tokio::test]
async fn a_line_sent_one_byte_at_a_time_arrives_whole() {
    let server = TestServer::start().await;
    let (mut ana, mut bob) = pair(&server).await;
    // Every multi-byte character is split between writes (TCP_NODELAY: one segment per byte).
    let text = "ação 日本 😀 byte a byte";
    let mut line = text.as_bytes().to_vec();
    line.extend_from_slice(b"\r\n");
    for byte in &line {
        ana.send_raw(std::slice::from_ref(byte)).await;
        tokio::task::yield_now().await;
    }
    both_get(&mut ana, &mut bob, "ana", text).await;
}

#[tokio::test]
async fn many_lines_in_one_write_with_lf_and_crlf_all_arrive_in_order() {
    let server = TestServer::start().await;
    let (mut ana, mut bob) = pair(&server).await;
    ana.send_raw("um\ndois\r\ntrês\n\n   \n\t\r\nquatro\r\n".as_bytes())
        .await;
    for text in ["um", "dois", "três", "quatro"] {
        both_get(&mut ana, &mut bob, "ana", text).await;
    }
    // Blank lines were ignored silently: no error, no message.
    marker(&mut bob, &mut [&mut ana], "fim do lote").await;
}

/// `ana` sends `line` (no LF); it is refused with `LINE_TOO_LONG`, bob sees nothing, and ana's
/// next line is relayed normally.
async fn refused_as_too_long(ana: &mut Client, bob: &mut Client, line: &[u8]) {
    let mut bytes = line.to_vec();
    bytes.push(b'\n');
    ana.send_raw(&bytes).await;
    ana.recv_error(ErrorCode::LineTooLong).await;
    ana.send("ainda aqui").await;
    both_get(ana, bob, "ana", "ainda aqui").await;
}

#[tokio::test]
async fn overlong_line_is_refused_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let (mut ana, mut bob) = pair(&server).await;
    let limit = Config::default().max_line_bytes;
    assert_eq!(limit, 4096, "the documented default");

    refused_as_too_long(&mut ana, &mut bob, "x".repeat(limit + 1).as_bytes()).await;
    refused_as_too_long(&mut ana, &mut bob, "é".repeat(limit / 2 + 1).as_bytes()).await;
    refused_as_too_long(&mut ana, &mut bob, "y".repeat(limit * 3).as_bytes()).await;
    // The CR of a CRLF does not count; any other CR does.
    refused_as_too_long(
        &mut ana,
        &mut bob,
        format!("{}\r\r", "z".repeat(limit)).as_bytes(),
    )
    .await;

    // The rest of a write after an overlong line's LF is read normally.
    let mut both = vec![b'w'; limit + 500];
    both.extend_from_slice("\njunto\n".as_bytes());
    ana.send_raw(&both).await;
    ana.recv_error(ErrorCode::LineTooLong).await;
    both_get(&mut ana, &mut bob, "ana", "junto").await;

    // Exactly the limit passes, with LF or CRLF, in one or several bytes per character.
    for text in ["x".repeat(limit), "é".repeat(limit / 2)] {
        ana.send(&text).await;
        both_get(&mut ana, &mut bob, "ana", &text).await;
        ana.send_raw(format!("{text}\r\n").as_bytes()).await;
        both_get(&mut ana, &mut bob, "ana", &text).await;
    }
}

#[tokio::test]
async fn configured_line_limit_is_enforced_exactly() {
    let limit = 100;
    let server = TestServer::with_config(Config {
        max_line_bytes: limit,
        ..Config::default()
    })
    .await;
    let (mut ana, mut bob) = pair(&server).await;
    refused_as_too_long(&mut ana, &mut bob, "x".repeat(limit + 1).as_bytes()).await;
    let exact = "x".repeat(limit);
    ana.send(&exact).await;
    both_get(&mut ana, &mut bob, "ana", &exact).await;
}

/// ana streams `total` bytes without LF; she gets `ERR LINE_TOO_LONG`, then `BYE`, then the
/// close; bob gets one `PART ana dropped`.
async fn runaway(config: Config, total: usize) {
    let limit = config.max_line_bytes;
    let server = TestServer::with_config(config).await;
    let (mut ana, mut bob) = pair(&server).await;
    // The server may stop reading part way through: a failed write is expected then. The FIN
    // after it is what a real peer sends when done; it lets a server that drains input before
    // closing finish at once.
    let _ = ana.send_raw_lenient(&vec![b'z'; total]).await;
    let _ = ana.shutdown_write_lenient().await;
    ana.recv_error(ErrorCode::LineTooLong).await;
    let bye = match ana.next_line().await {
        Ok(Some(raw)) if raw.starts_with("BYE :") => raw["BYE :".len()..].to_owned(),
        other => panic!(
            "after {total} bytes without LF ({:.2} × the {limit}-byte limit): expected BYE, \
             got {other:?}",
            total as f64 / limit as f64
        ),
    };
    assert!(!bye.is_empty(), "BYE says why");
    ana.expect_closed().await;
    let (_, nick, kind, reason) = bob.recv_part().await;
    assert_eq!((nick.as_str(), kind), ("ana", LeaveKind::Dropped));
    assert_eq!(reason, bye, "the room is told the same reason");
    let mut carla = server.join("carla").await;
    assert_eq!(bob.recv_join().await.1, "carla");
    marker(&mut carla, &mut [&mut bob], "um PART só").await;
}

#[tokio::test]
async fn runaway_line_without_lf_ends_in_bye_and_part_dropped() {
    // Well past 16 × the limit, as a binary or TLS handshake on the plain port would send.
    let limit = 256;
    runaway(
        Config {
            max_line_bytes: limit,
            ..Config::default()
        },
        64 * limit,
    )
    .await;
}

#[tokio::test]
async fn runaway_before_joining_ends_in_bye_and_nobody_hears_of_it() {
    let limit = 256;
    let server = TestServer::with_config(Config {
        max_line_bytes: limit,
        ..Config::default()
    })
    .await;
    let mut ana = server.join("ana").await;
    let mut guest = server.connect().await;
    guest.expect_hello().await;
    let _ = guest.send_raw_lenient(&vec![b'z'; 64 * limit]).await;
    let _ = guest.shutdown_write_lenient().await;
    guest.recv_error(ErrorCode::LineTooLong).await;
    guest.recv_bye().await;
    guest.expect_closed().await;
    marker(&mut ana, &mut [], "nada de PART").await;
}

#[tokio::test]
async fn runaway_peer_that_reads_late_still_gets_what_was_queued_then_bye() {
    // lento's window is closed (tiny receive buffer, not reading), so what the server sends it
    // waits in the server's kernel send buffer. Then lento streams bytes without LF past the
    // runaway limit and only afterwards reads. docs/protocol.md: it "gets BYE and is
    // disconnected"; everything queued before the BYE must reach it too.
    const LINES: usize = 1_000;
    let server = TestServer::with_config(common::unthrottled()).await;
    let limit = Config::default().max_line_bytes;
    let mut lento = Client::connect_with_recv_buffer(server.addr, 4096).await;
    lento.expect_hello().await;
    lento.login("lento", "lento").await;
    let mut ana = server.join("ana").await;
    let text = |i: usize| format!("{i:04} {}", "x".repeat(995));
    for i in 0..LINES {
        ana.send(&text(i)).await;
    }
    for i in 0..LINES {
        assert_eq!(ana.recv_msg().await.text, text(i));
    }

    let (mut lines, mut writer) = lento.into_split();
    let streaming = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        // Past the runaway limit, then more (the server stops reading part way), then FIN.
        let _ = writer.write_all(&vec![b'z'; 40 * limit]).await;
        let _ = writer.shutdown().await;
    });
    let (_, nick, kind, _) = ana.recv_part().await;
    assert_eq!((nick.as_str(), kind), ("lento", LeaveKind::Dropped));

    assert_eq!(lines.recv_join().await.1, "ana");
    for i in 0..LINES {
        // A reset here means the server closed with lento's input unread: Linux then sends
        // RST and drops everything not yet transmitted, the BYE included.
        let raw = match lines.next_line().await {
            Ok(Some(raw)) => raw,
            other => panic!("lento: after {i} of {LINES} queued MSG lines, got {other:?}"),
        };
        assert!(raw.ends_with(&text(i)), "line {i}: {raw:?}");
    }
    lines.recv_error(ErrorCode::LineTooLong).await;
    lines.recv_bye().await;
    lines.expect_closed().await;
    streaming.abort();
}

#[tokio::test]
async fn runaway_is_cut_once_sixteen_times_the_limit_has_arrived() {
    // docs/protocol.md: "A peer that sends 16 × the line limit (64 KiB by default) of one
    // overlong line with still no LF […] gets BYE and is disconnected." One byte more than that.
    let limit = Config::default().max_line_bytes;
    runaway(Config::default(), 16 * limit + 1).await;
}

#[tokio::test]
async fn invalid_utf8_is_refused_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let (mut ana, mut bob) = pair(&server).await;
    for bytes in [
        &b"\xff\xfe\n"[..],
        b"meio \xc3 caractere\n",
        b"overlong \xc0\xaf\n",
        b"surrogate \xed\xa0\x80\n",
    ] {
        ana.send_raw(bytes).await;
        ana.recv_error(ErrorCode::InvalidUtf8).await;
    }
    ana.send("válido").await;
    both_get(&mut ana, &mut bob, "ana", "válido").await;
}

#[tokio::test]
async fn control_characters_and_bidi_overrides_are_refused_not_relayed() {
    let server = TestServer::start().await;
    let (mut ana, mut bob) = pair(&server).await;
    for line in [
        "\u{1b}[31mvermelho\u{1b}[0m",
        "seta \u{1b}[D",
        "nul\0aqui",
        "cr\rdentro",
        "del\u{7f}",
        "c1 \u{9b}31m",
        "sino \u{7}",
        "bidi \u{202E}odaslaf",
        "isolado \u{2066}x\u{2069}",
        "/ME \u{1b}]0;título\u{7}",
        "/MSG bob \u{1b}[2J",
    ] {
        ana.send(line).await;
        let text = ana.recv_error(ErrorCode::ForbiddenCharacter).await;
        assert!(
            text.contains("U+"),
            "{line:?}: the error names the character: {text}"
        );
    }
    // Before joining too: a nickname with an escape is refused the same way.
    let mut guest = server.connect().await;
    guest.expect_hello().await;
    guest.send("\u{1b}[1mcarla").await;
    guest.recv_error(ErrorCode::ForbiddenCharacter).await;

    // TAB and the direction marks are allowed.
    for text in ["a\tb", "RTL \u{200F}mark\u{200E}"] {
        ana.send(text).await;
        both_get(&mut ana, &mut bob, "ana", text).await;
    }
}

#[tokio::test]
async fn an_http_request_gets_an_http_error_and_nothing_reaches_the_room() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut browser = server.connect().await;
    browser.expect_hello().await;
    // What a web page's fetch() to the chat port would send: a nickname and a message in
    // the body must never get in.
    let request = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 22\r\n\r\nmallory\r\noi, sou um site\r\n";
    let _ = browser.send_raw_lenient(request.as_bytes()).await;
    let mut response = Vec::new();
    while let Some(line) = browser.next_complete_line().await {
        response.push(line);
    }
    assert_eq!(
        response.first().map(String::as_str),
        Some("HTTP/1.1 400 Bad Request\r"),
        "{response:?}"
    );
    assert!(
        response.iter().any(|l| l.contains("não um servidor HTTP")),
        "{response:?}"
    );
    marker(&mut ana, &mut [], "nada do site").await;
}

#[tokio::test]
async fn a_tls_handshake_on_the_plain_port_is_closed_at_once() {
    let server = TestServer::start().await;
    let mut ana = server.join("ana").await;
    let mut tls = server.connect().await;
    // The start of a TLS 1.2/1.3 ClientHello: record type handshake, version 3.1.
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    hello.extend_from_slice(&[0xab; 300]);
    let _ = tls.send_raw_lenient(&hello).await;
    // Whatever greeting went out before, the server closes without waiting for more.
    let closed = tokio::time::timeout(WAIT, async {
        loop {
            match tls.next_complete_line().await {
                Some(line) if line.starts_with("HELLO ") => {}
                Some(other) => panic!("unexpected {other:?}"),
                None => break,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "closed at once");
    marker(&mut ana, &mut [], "nada de TLS").await;
}

#[tokio::test]
async fn a_connection_that_never_joins_is_closed_at_the_registration_timeout() {
    let server = TestServer::with_config(Config {
        register_timeout: std::time::Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let mut idle = server.connect().await;
    idle.expect_hello().await;
    // Not a word: the server says why and closes (within the test's wait).
    assert!(idle.recv_bye().await.contains("tempo esgotado"));
    idle.expect_closed().await;
    // Sending lines that are not a nickname does not keep a connection either.
    let mut chatty = server.connect().await;
    chatty.expect_hello().await;
    chatty.send("/AJUDA").await;
    let (_, bye) = chatty
        .recv_until(|l| matches!(l, papo_protocol::ServerLine::Bye { .. }))
        .await;
    assert!(
        matches!(bye, papo_protocol::ServerLine::Bye { text } if text.contains("tempo esgotado"))
    );
}

#[tokio::test]
async fn one_refused_nickname_too_many_closes_the_connection() {
    let server = TestServer::with_config(Config {
        max_nick_attempts: 3,
        ..Config::default()
    })
    .await;
    let _ana = server.join("ana").await;
    let mut guest = server.connect().await;
    guest.expect_hello().await;
    for wanted in ["ana", "a b", "ANA", "servidor"] {
        guest.send(wanted).await;
        let code = match guest.recv().await {
            papo_protocol::ServerLine::Error { code, .. } => code,
            other => panic!("{other:?}"),
        };
        assert!(matches!(
            code,
            ErrorCode::NickInUse | ErrorCode::NickInvalid
        ));
    }
    assert!(guest.recv_bye().await.contains("recusados demais"));
    guest.expect_closed().await;
}

#[tokio::test]
async fn ping_is_answered_with_pong_before_and_after_joining() {
    let server = TestServer::start().await;
    let mut ana = server.connect().await;
    ana.expect_hello().await;
    ana.send("/PING antes").await;
    assert_eq!(ana.recv_raw().await, "PONG :antes");
    ana.login("ana", "ana").await;
    ana.send("/ping").await;
    assert_eq!(ana.recv_raw().await, "PONG :");
}

#[tokio::test]
async fn connections_without_a_nickname_have_their_own_cap() {
    let server = TestServer::with_config(Config {
        max_unjoined: 2,
        ..Config::default()
    })
    .await;
    let mut ana = server.join("ana").await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut client = server.connect().await;
        client.expect_hello().await;
        idle.push(client);
    }
    // A third connection without a nickname is told to come back, and closed.
    let mut third = server.connect().await;
    let why = third.recv_error(ErrorCode::ServerFull).await;
    assert!(why.contains("sem apelido"), "{why}");
    third.expect_closed().await;
    // One of the idle ones joins: a place frees, and members were never locked out.
    idle[0].login("bob", "bob").await;
    assert_eq!(ana.recv_join().await.1, "bob");
    let mut carla = server.connect().await;
    carla.expect_hello().await;
    carla.login("carla", "carla").await;
}
