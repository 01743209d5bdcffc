//! The real `papo-server` binary: its command line, a raw session as `nc` would have it, IPv6,
//! shutdown on SIGTERM and SIGINT, and its memory while a member stops reading.

mod common;

use std::time::{Duration, Instant};

use common::binary::{ServerProcess, run_to_exit};
use common::flood::{FloodRoom, SENDERS, SLOW, kernel_send_buffer_max, lines_to_pass_the_window};
use common::{Client, join_all};
use papo_protocol::ServerLine;
use tokio::net::TcpListener;
use tokio::time::timeout;

/// A raw session, checked byte for byte where the server's text is fixed.
async fn raw_session(client: &mut Client) {
    let hello = client.recv_raw().await;
    assert!(hello.starts_with("HELLO papo 2 "), "{hello:?}");
    client.send_raw(b"ana\n").await;
    let welcome = client.recv_raw().await;
    assert!(welcome.starts_with("WELCOME ana "), "{welcome:?}");
    let live = client.recv_raw().await;
    assert!(
        live.starts_with("LIVE 0 :"),
        "an empty room replays nothing: {live:?}"
    );
    let join: Vec<String> = client
        .recv_raw()
        .await
        .split(' ')
        .map(str::to_owned)
        .collect();
    assert!(
        join.len() == 4 && join[0] == "JOIN" && join[3] == "ana",
        "{join:?}"
    );
    client.send_raw("oi do nc: ação\r\n".as_bytes()).await;
    let msg = client.recv_raw().await;
    let fields: Vec<&str> = msg.splitn(5, ' ').collect();
    assert_eq!(fields.len(), 5, "{msg:?}");
    assert_eq!(
        (fields[0], fields[3], fields[4]),
        ("MSG", "ana", ":oi do nc: ação")
    );
    assert!(fields[1].parse::<u64>().expect("numeric id") > join[1].parse().expect("id"));
    client.send_raw(b"/sair\n").await;
    assert_eq!(client.recv_raw().await, "BYE :até logo, ana!");
    client.expect_closed().await;
}

#[tokio::test]
async fn port_zero_prints_the_address_first_and_serves_a_raw_session() {
    let server = ServerProcess::start(&["--port", "0"]).await;
    assert_eq!(
        server.listening,
        format!("listening on 127.0.0.1:{}", server.addr.port())
    );
    assert_ne!(server.addr.port(), 0, "the port actually bound is printed");
    let mut nc = Client::connect(server.addr).await;
    raw_session(&mut nc).await;
}

#[tokio::test]
async fn a_password_file_and_a_certificate_lock_the_room_and_open_the_tls_port() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = dir.path().join("senha");
    std::fs::write(&password, "segredo\n").expect("write");
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).expect("write");
    std::fs::write(&key_path, signing_key.serialize_pem()).expect("write");
    let path = |p: &std::path::Path| p.to_str().expect("a UTF-8 temp path").to_owned();
    let (password, cert_path, key_path) = (path(&password), path(&cert_path), path(&key_path));
    let mut server = ServerProcess::start(&[
        "--port",
        "0",
        "--tls-port",
        "0",
        "--password-file",
        &password,
        "--tls-cert",
        &cert_path,
        "--tls-key",
        &key_path,
    ])
    .await;
    let tls = server.next_stdout().await;
    assert!(
        tls.starts_with("listening on 127.0.0.1:") && tls.ends_with(" (TLS)"),
        "{tls}"
    );
    let fingerprint = server.next_stdout().await;
    assert_eq!(
        fingerprint,
        format!(
            "TLS certificate SHA-256 fingerprint: {}",
            papo_server::tls::fingerprint(cert.der())
        )
    );
    let mut nc = Client::connect(server.addr).await;
    let hello = nc.recv_raw().await;
    assert!(hello.contains(" password 4096 25 5 :"), "{hello}");
    nc.send_raw(b"ana\n").await;
    assert!(nc.recv_raw().await.starts_with("ERR PASSWORD_REQUIRED :"));
    nc.send_raw(b"/senha segredo\nana\n").await;
    assert!(nc.recv_raw().await.starts_with("NOTICE :senha aceita"));
    assert!(nc.recv_raw().await.starts_with("WELCOME ana "));
    server.signal("TERM").await;
    assert!(server.wait_exit().await.success());
}

#[tokio::test]
async fn an_unusable_password_file_or_certificate_stops_the_start_with_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("vazia");
    std::fs::write(&empty, "\n").expect("write");
    let missing = dir.path().join("nada.pem");
    let (empty, missing) = (
        empty.to_str().expect("UTF-8").to_owned(),
        missing.to_str().expect("UTF-8").to_owned(),
    );
    for args in [
        vec!["--password-file", &empty],
        vec!["--password-file", &missing],
        vec!["--tls-cert", &missing, "--tls-key", &missing],
    ] {
        let mut all = vec!["--port", "0"];
        all.extend(args.iter().copied());
        let (status, stdout, stderr) = run_to_exit(&all).await;
        assert!(!status.success(), "{args:?}: refused");
        assert!(
            stderr.contains(args[1]),
            "{args:?}: names the file:\n{stderr}"
        );
        assert!(!stdout.contains("listening"), "{args:?}: never started");
    }
    let (status, _, stderr) = run_to_exit(&["--port", "0", "--tls-cert", &missing]).await;
    assert!(
        !status.success() && stderr.contains("--tls-key"),
        "{stderr}"
    );
}

#[tokio::test]
async fn help_documents_every_flag() {
    let (status, stdout, _) = run_to_exit(&["--help"]).await;
    assert!(status.success(), "--help exits 0: {status}");
    for flag in [
        "--host",
        "--port",
        "--max-line-bytes",
        "--max-clients",
        "--max-queue-bytes",
        "--shutdown-grace-secs",
        "--keepalive-secs",
        "--history-db",
        "--no-history",
        "--history-keep",
        "--history-on-join",
        "--window-bytes",
        "--flood-burst",
        "--flood-rate",
        "--max-backlog-bytes",
        "--no-flood-limit",
        "--register-timeout-secs",
        "--max-nick-attempts",
        "--max-unjoined",
        "--password-file",
        "--tls-cert",
        "--tls-key",
        "--tls-port",
    ] {
        assert!(stdout.contains(flag), "--help mentions {flag}:\n{stdout}");
    }
    // In Portuguese, like the rest of what papo says to people.
    for said in [
        "Uso: papo-server",
        "Opções:",
        "Mostra esta ajuda",
        "[padrão: 7667]",
    ] {
        assert!(stdout.contains(said), "--help says {said:?}:\n{stdout}");
    }
    for english in ["Usage:", "Options:", "Print help", "[default:"] {
        assert!(
            !stdout.contains(english),
            "--help says {english:?}:\n{stdout}"
        );
    }
}

#[tokio::test]
async fn invalid_flag_values_exit_non_zero_with_a_clear_message() {
    for (flag, value) in [
        ("--port", "70000"),
        ("--port", "abc"),
        ("--max-clients", "0"),
        ("--max-line-bytes", "10"),
        ("--max-queue-bytes", "100"),
        ("--shutdown-grace-secs", "x"),
        ("--history-keep", "5"),
        ("--history-on-join", "20000"),
        ("--window-bytes", "1000"),
        ("--flood-rate", "0"),
        ("--max-backlog-bytes", "10"),
    ] {
        // Everything else valid (an ephemeral port), so only the flag under test can fail.
        let args = if flag == "--port" {
            vec![flag, value]
        } else {
            vec!["--port", "0", flag, value]
        };
        let (status, stdout, stderr) = run_to_exit(&args).await;
        assert!(!status.success(), "{flag} {value}: refused, got {status}");
        assert!(
            stderr.contains(flag) && stderr.contains(value),
            "{flag} {value}: the message names the flag and the value:\n{stderr}"
        );
        assert!(
            !stdout.contains("listening"),
            "{flag} {value}: never started"
        );
    }
}

#[tokio::test]
async fn listens_on_ipv6_loopback_when_available() {
    let ipv6 = TcpListener::bind("[::1]:0").await.is_ok();
    let host = if ipv6 {
        "::1"
    } else {
        println!("note: cannot bind [::1] here; checking --host 127.0.0.1 instead");
        "127.0.0.1"
    };
    let server = ServerProcess::start(&["--host", host, "--port", "0"]).await;
    assert_eq!(server.addr.is_ipv6(), ipv6, "{}", server.listening);
    assert!(server.addr.ip().is_loopback(), "{}", server.listening);
    let mut nc = Client::connect(server.addr).await;
    raw_session(&mut nc).await;
}

/// Two members; bob stops reading while ana sends 200 lines and reads them all back (so the
/// server owes them to bob), then one more line is in flight when `signal` arrives. Both must
/// receive everything owed, then `BYE :servidor encerrando`, then the close; the process exits 0.
async fn signal_says_bye_to_everyone_then_exits_zero(signal: &str) {
    let mut server = ServerProcess::start(&[
        "--port",
        "0",
        "--no-flood-limit",
        "--shutdown-grace-secs",
        "5",
    ])
    .await;
    let mut room = join_all(server.addr, &["ana", "bob"]).await;
    let (ana, bob) = room.split_at_mut(1);
    let (ana, bob) = (&mut ana[0], &mut bob[0]);
    let owed: Vec<String> = (0..200).map(|i| format!("linha {i:03}")).collect();
    for line in &owed {
        ana.send(line).await;
    }
    for line in &owed {
        assert_eq!(&ana.recv_msg().await.text, line);
    }
    ana.send("em voo").await;
    server.signal(signal).await;
    let signalled = Instant::now();

    for line in &owed {
        assert_eq!(&bob.recv_msg().await.text, line, "bob gets what was owed");
    }
    let mut tails = Vec::new();
    for member in [&mut *ana, &mut *bob] {
        let (before_bye, bye) = member
            .recv_until(|line| matches!(line, ServerLine::Bye { .. }))
            .await;
        assert_eq!(
            bye,
            ServerLine::Bye {
                text: "servidor encerrando".into()
            },
            "{}",
            member.label
        );
        member.expect_closed().await;
        tails.push(before_bye);
    }
    // The line in flight was either relayed to both before BYE, or to neither.
    assert_eq!(tails[0], tails[1], "same lines before BYE");
    assert!(
        tails[0].len() <= 1
            && tails[0].iter().all(|line| matches!(line,
                ServerLine::Message { text, .. } if text == "em voo")),
        "only the in-flight message may precede BYE: {:?}",
        tails[0]
    );

    let status = server.wait_exit().await;
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "SIG{signal}: exits 0, got {status}");
    assert!(
        took < Duration::from_secs(5),
        "SIG{signal}: exited within a few seconds (took {took:?})"
    );
}

#[tokio::test]
async fn sigterm_says_bye_to_everyone_then_exits_zero() {
    signal_says_bye_to_everyone_then_exits_zero("TERM").await;
}

#[tokio::test]
async fn sigint_says_bye_to_everyone_then_exits_zero() {
    signal_says_bye_to_everyone_then_exits_zero("INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_grace_bounds_the_exit_when_a_member_never_reads() {
    const TEXT_BYTES: usize = 1_000;
    // A queue big enough that lento is never dropped: its lines wait, unflushable.
    let mut server = ServerProcess::start(&[
        "--port",
        "0",
        "--no-flood-limit",
        "--max-queue-bytes",
        "67108864",
        "--shutdown-grace-secs",
        "1",
    ])
    .await;
    let mut lento = Client::connect_with_recv_buffer(server.addr, 4096).await;
    lento.expect_hello().await;
    lento.login("lento", "lento").await;
    let ana = Client::join(server.addr, "ana").await;
    // Twice what the kernel can buffer for lento: the rest stays in lento's queue.
    let lines = 2 * kernel_send_buffer_max() / TEXT_BYTES + 1;
    let text = |i: usize| format!("{i:07} {}", "y".repeat(TEXT_BYTES - 8));
    let (nick, join_id) = (ana.nick.clone(), ana.join_id);
    let (mut echoes, mut writer) = ana.into_split();
    let sending = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for i in 0..lines {
            let line = format!("{}\n", text(i));
            timeout(common::WAIT, writer.write_all(line.as_bytes()))
                .await
                .expect("write promptly")
                .expect("write");
        }
        writer
    });
    for i in 0..lines {
        assert_eq!(echoes.recv_msg().await.text, text(i));
    }
    let mut ana = Client::from_parts(echoes, sending.await.expect("sender"), nick, join_id);

    server.signal("TERM").await;
    let signalled = Instant::now();
    assert_eq!(ana.recv_bye().await, "servidor encerrando");
    ana.expect_closed().await;
    let status = server.wait_exit().await;
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "exits 0 after the grace: {status}");
    assert!(
        took < Duration::from_secs(4),
        "a 1 s grace bounds the exit even with {SLOW} unflushed (took {took:?})"
    );
    drop(lento);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_memory_stays_bounded_while_a_member_stops_reading() {
    const WINDOW: usize = 64 * 1024;
    const TEXT_BYTES: usize = 1_000;
    const MAX_GROWTH_KIB: u64 = 64 * 1024;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("history.db");
    let window = WINDOW.to_string();
    let db_arg = db.to_string_lossy().into_owned();
    let args = [
        "--port",
        "0",
        "--no-flood-limit",
        "--window-bytes",
        &window,
        "--history-db",
        &db_arg,
    ];
    let server = ServerProcess::start(&args).await;
    let room = FloodRoom::join(server.addr).await;
    let before = server.status_kib("VmRSS");
    let lines = lines_to_pass_the_window(TEXT_BYTES, WINDOW, 2_000);
    let report = timeout(Duration::from_secs(120), room.flood(lines, TEXT_BYTES))
        .await
        .expect("the flood finishes in bounded time");
    let after = server.status_kib("VmRSS");
    let peak = server.status_kib("VmHWM");
    println!(
        "papo-server binary, --window-bytes {WINDOW}, history in SQLite: {} members ({}) each \
         sent {} lines of {TEXT_BYTES} bytes; each received all {} MSG lines in {:.1?} while \
         {SLOW} read nothing; then {SLOW} received all {} in order in {:.1?}. Server VmRSS \
         {before} KiB before, {after} KiB after, peak (VmHWM) {peak} KiB.",
        SENDERS.len(),
        SENDERS.join(", "),
        report.lines_each,
        report.delivered_each,
        report.elapsed,
        report.slow_received,
        report.catch_up,
    );
    assert!(
        peak.saturating_sub(before) < MAX_GROWTH_KIB,
        "server memory grew by {} KiB (limit {MAX_GROWTH_KIB} KiB)",
        peak.saturating_sub(before)
    );
    // Still serving after all that. (The flooding members are leaving meanwhile: their PART
    // lines may come before the message.)
    let mut late = Client::join(server.addr, "depois").await;
    late.send("ainda de pé").await;
    let (skipped, _) = late
        .recv_until(
            |line| matches!(line, ServerLine::Message { text, .. } if text == "ainda de pé"),
        )
        .await;
    assert!(
        skipped
            .iter()
            .all(|line| matches!(line, ServerLine::Left { .. })),
        "{skipped:?}"
    );
}
