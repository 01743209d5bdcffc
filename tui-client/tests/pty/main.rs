//! End to end in a pseudo-terminal: the real `papo` binary, drawn into a vt100 parser, talking to
//! the real `papo-server` (or to a hostile fake server). Every wait polls a condition until a
//! generous deadline; nothing sleeps to synchronise.

mod attention;
mod harness;
mod input;
mod paste;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::thread;

use harness::{COLS, Papo, ROWS, Raw, Server, lock, papo_binary};

const CTRL_U: &str = "\x15";
const F10: &str = "\x1b[21~";
const F2: &str = "\x1bOQ";
const ESC: &str = "\x1b";

#[test]
fn connect_through_the_dialog_chat_and_leave_with_sair() {
    let server = Server::start();
    let mut papo = Papo::start("dialog", &[], &[]);
    papo.wait_text("desconectado — /ENTRAR ou F2 para conectar");
    papo.send("/ENTRAR\r");
    papo.wait_text("Conectar a um servidor");
    papo.send(&format!(
        "{CTRL_U}127.0.0.1\t{CTRL_U}{}\t{CTRL_U}ana\r",
        server.port
    ));
    papo.wait_text(&format!("conectado a 127.0.0.1:{} como ana", server.port));

    let mut bob = Raw::join(server.port, "bob");
    bob.send("oi ana, aqui é o bob");
    papo.wait_text("bob: oi ana, aqui é o bob");
    papo.wait_for("both in the users panel", |s| {
        let c = s.contents();
        c.contains("Pessoas (2)")
            && c.contains("ana (você)")
            && s.contents_between(2, 78, 3, 100).contains("bob")
    });
    papo.send("olá bob\r");
    bob.expect_line(|l| l.starts_with("MSG ") && l.ends_with(" ana :olá bob"));

    let saved = std::fs::read_to_string(&papo.config).expect("config saved on join");
    assert!(
        saved.contains("nick = \"ana\"") && saved.contains(&format!("port = {}", server.port)),
        "{saved}"
    );

    papo.send("/sair tchau\r");
    assert_eq!(papo.wait_exit(), 0);
    bob.expect_line(|l| l.starts_with("PART ") && l.ends_with(" ana quit :tchau"));
    papo.assert_restored();
}

/// Connects through the command line, then sends `signal` to papo: it must leave with `/SAIR`,
/// exit 0 and restore the terminal.
fn quit_by_signal(signal: &str, nick: &str) {
    let server = Server::start();
    let mut bob = Raw::join(server.port, "bob");
    let port = server.port.to_string();
    let mut papo = Papo::start(nick, &["127.0.0.1", &port, "--nick", nick], &[]);
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como {nick}"));
    bob.expect_line(|l| l.starts_with("JOIN ") && l.ends_with(&format!(" {nick}")));
    let pid = papo.child.process_id().expect("pid");
    let killed = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    bob.expect_line(|l| l.starts_with("PART ") && l.contains(&format!(" {nick} quit")));
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn sigterm_sends_sair_and_restores_the_terminal() {
    quit_by_signal("-TERM", "carla");
}

#[test]
fn sighup_sends_sair_and_exits() {
    quit_by_signal("-HUP", "davi");
}

/// The input box's line as the screen shows it.
fn input_line(papo: &Papo) -> String {
    let screen = lock(&papo.screen);
    let row = screen
        .0
        .screen()
        .contents_between(ROWS - 1, 0, ROWS - 1, COLS);
    row.trim_end().to_owned()
}

#[test]
fn papo_reconnects_by_itself_after_a_server_crash() {
    let mut server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start("reconnect", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como ana"));
    papo.send("rascunho guardado");
    papo.wait_text("> rascunho guardado");

    server.kill();
    papo.wait_text("reconectando em");
    papo.wait_for("a failed attempt", |s| {
        s.contents().contains("reconexão falhou")
    });
    server.start_again();
    // Nobody presses anything: papo comes back by itself, and its draft is still there.
    papo.wait_for("reconnected", |s| {
        s.contents()
            .matches(&format!("conectado a 127.0.0.1:{port} como ana"))
            .count()
            == 1
            && s.contents()
                .contains("— nada novo enquanto você estava fora —")
    });
    let mut bob = Raw::join(server.port, "bob");
    bob.send("de volta");
    papo.wait_text("bob: de volta");
    assert_eq!(input_line(&papo), "> rascunho guardado");
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn after_a_server_crash_papo_shows_what_it_missed_once() {
    let mut server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start("missed", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como ana"));
    let mut bob = Raw::join(server.port, "bob");
    bob.send("antes da queda");
    papo.wait_text("bob: antes da queda");
    papo.send("rascunho guardado");
    papo.wait_text("> rascunho guardado");
    drop(bob);

    server.kill();
    papo.wait_text("reconectando em");
    // Esc stops the automatic attempts, so the room can talk before papo comes back.
    papo.send(ESC);
    papo.wait_text("reconexão cancelada");
    server.start_again();
    let mut bob = Raw::join(server.port, "bob");
    let missed = ["perdida um", "perdida dois", "perdida três"];
    for text in missed {
        bob.send(text);
        bob.expect_line(|l| l.starts_with("MSG ") && l.ends_with(&format!(" bob :{text}")));
    }
    // F2 opens the dialog with the same server and nickname; Enter connects and resumes.
    papo.send(F2);
    papo.wait_text("Conectar a um servidor");
    papo.send("\r");
    papo.wait_for("the missed lines and the live separator", |s| {
        let c = s.contents();
        missed.iter().all(|m| c.contains(&format!("bob: {m}"))) && c.contains("— ao vivo —")
    });
    let contents = papo.contents();
    for text in missed {
        let shown = contents.matches(&format!("bob: {text}")).count();
        assert_eq!(shown, 1, "{text:?} shown {shown} times:\n{contents}");
    }
    assert_eq!(
        contents.matches("bob: antes da queda").count(),
        1,
        "{contents}"
    );
    // They came in the replay: after its marker, before the live separator.
    let marker = contents
        .find("enquanto você estava fora —")
        .unwrap_or_else(|| panic!("no replay marker:\n{contents}"));
    let live = contents.find("— ao vivo —").unwrap_or(0);
    for text in missed {
        let at = contents.find(&format!("bob: {text}")).unwrap_or(0);
        assert!(
            marker < at && at < live,
            "{text:?} not replayed:\n{contents}"
        );
    }
    papo.wait_for("bob in the users panel", |s| {
        s.contents_between(2, 78, 3, 100).contains("bob")
    });
    assert_eq!(input_line(&papo), "> rascunho guardado");

    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn no_color_keeps_the_reversed_status_bar_and_f10_quits() {
    let mut papo = Papo::start("nocolor", &[], &[("NO_COLOR", "1")]);
    papo.wait_text("desconectado");
    papo.wait_for("a reversed, colourless status bar", |s| {
        let row = ROWS - 2;
        let cell = |col| s.cell(row, col).expect("cell");
        (0..COLS).all(|col| cell(col).inverse() && cell(col).fgcolor() == vt100::Color::Default)
    });
    let screen = lock(&papo.screen).0.screen().clone();
    for row in 0..ROWS {
        for col in 0..COLS {
            let cell = screen.cell(row, col).expect("cell");
            assert_eq!(
                cell.fgcolor(),
                vt100::Color::Default,
                "colour at {row},{col}"
            );
            assert_eq!(
                cell.bgcolor(),
                vt100::Color::Default,
                "colour at {row},{col}"
            );
        }
    }
    // The key names of the hints are bold inside the reversed bar.
    let hint = screen.contents_between(ROWS - 2, 0, ROWS - 2, COLS);
    let at = hint.find("F1 ajuda").expect("hint shown");
    let col = u16::try_from(hint[..at].chars().count()).expect("column");
    assert!(screen.cell(ROWS - 2, col).expect("cell").bold());
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn hostile_bytes_from_a_server_never_reach_the_terminal() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let fake = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut out = stream;
        out.write_all(b"HELLO papo 1 :\x1b]0;PWNED\x07oi\n")
            .expect("write");
        let mut nick = String::new();
        reader.read_line(&mut nick).expect("nick");
        out.write_all(b"WELCOME ana :entrou\nJOIN 1 2026-11-24T23:30:05Z ana\n")
            .expect("write");
        out.write_all(
            b"MSG 2 2026-11-24T23:30:06Z ana :\x1b[2J\x1b[?1049l\x1b[31mvermelho\xe2\x80\xae fim\n",
        )
        .expect("write");
        // The greeting above is not drawn (papo sends the nickname itself), so the title escape
        // comes again in a line that is.
        out.write_all(b"ACTION 3 2026-11-24T23:30:07Z ana :\x1b]0;PWNED\x07oi\n")
            .expect("write");
        out.write_all(b"BYE :\x1b[?25l\x1bc tchau\n")
            .expect("write");
        nick
    });
    let port = port.to_string();
    let mut papo = Papo::start("hostile", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text("PWNED");
    assert_eq!(fake.join().expect("fake server").trim(), "/NICK ana");
    papo.wait_text("desconectado:");
    {
        let s = lock(&papo.screen);
        let screen = s.0.screen();
        assert!(
            screen.alternate_screen(),
            "an escape from the network left the alternate screen"
        );
        assert!(
            !screen.hide_cursor(),
            "an escape from the network hid the cursor"
        );
        let contents = screen.contents();
        // vt100 does not draw U+FFFD (real terminals show �), so the escapes read as plain text
        // with the replacement characters counted apart.
        assert!(contents.contains("[2J[?1049l[31mvermelho"), "{contents}");
        assert!(contents.contains("]0;PWNEDoi"), "{contents}");
        assert!(contents.contains("[?25lc tchau"), "{contents}");
        let callbacks = s.0.callbacks();
        assert!(
            callbacks.titles.iter().all(|t| t == b"papo"),
            "the window title was set by the network: {:?}",
            callbacks.titles
        );
        assert_eq!(callbacks.bells, 0, "a bell rang");
        assert!(
            callbacks.undrawn.iter().all(|&c| c == '\u{FFFD}'),
            "{:?}",
            callbacks.undrawn
        );
        assert!(callbacks.undrawn.len() >= 8, "{:?}", callbacks.undrawn);
        let raw = String::from_utf8_lossy(&s.1);
        assert!(
            raw.contains("\u{FFFD}[2J") && raw.contains("\u{FFFD}]0;PWNED"),
            "drawn cleaned"
        );
        assert!(
            !raw.contains("\x1b]0;PWNED"),
            "the title escape reached the terminal"
        );
        assert!(
            !raw.contains('\u{202E}'),
            "the bidi override reached the terminal"
        );
        assert!(
            !raw.contains("\x1bc"),
            "the reset escape reached the terminal"
        );
    }
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

/// A fake server that logs `ana` in, then floods MSG lines until papo hangs up; it never
/// answers `/SAIR`. Returns the port.
fn flooding_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut out = stream;
        out.write_all(b"HELLO papo 1 :oi\n").expect("write");
        let mut nick = String::new();
        reader.read_line(&mut nick).expect("nick");
        out.write_all(b"WELCOME ana :entrou\nJOIN 1 2026-11-24T23:30:05Z ana\n")
            .expect("write");
        // Long lines: each costs papo more to lay out than to read.
        let long = "palavra ".repeat(400);
        let mut id = 2u64;
        loop {
            let mut batch = String::new();
            for _ in 0..100 {
                batch.push_str(&format!(
                    "MSG {id} 2026-11-24T23:30:06Z bob :enchente {id} {long}\n"
                ));
                id += 1;
            }
            if out.write_all(batch.as_bytes()).is_err() {
                return;
            }
        }
    });
    port
}

#[test]
fn a_flooding_server_cannot_keep_papo_from_quitting() {
    let port = flooding_server().to_string();
    let mut papo = Papo::start("flood", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text("palavra palavra");
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
// The switch that makes the connection task panic exists in debug builds only.
#[cfg_attr(not(debug_assertions), ignore)]
fn a_panic_in_the_connection_task_ends_papo_and_restores_the_terminal() {
    let server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start(
        "panic",
        &["127.0.0.1", &port, "--nick", "ana"],
        &[("PAPO_DEBUG_PANIC_IN_NET", "1"), ("RUST_BACKTRACE", "0")],
    );
    assert_eq!(papo.wait_exit(), 101);
    // Restored first, then the panic printed on the normal screen.
    papo.wait_for("the panic on the restored screen", |s| {
        !s.alternate_screen() && !s.hide_cursor() && s.contents().contains("pânico provocado")
    });
    let raw = String::from_utf8_lossy(&lock(&papo.screen).1).into_owned();
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(raw[left..].contains("pânico provocado"), "{raw:?}");
}

#[test]
fn a_broken_config_file_is_reported_and_left_alone() {
    let server = Server::start();
    let port = server.port.to_string();
    let broken = "host = \"exemplo.org\"\nnick = ana\n";
    let mut papo = Papo::start_with_config(
        "broken",
        &["127.0.0.1", &port, "--nick", "ana"],
        &[],
        Some(broken),
    );
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como ana"));
    papo.wait_text("configuração ignorada");
    papo.wait_text("a configuração não será salva");
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    let after = std::fs::read_to_string(&papo.config).expect("still there");
    assert_eq!(after, broken, "the file was written over");
}

#[test]
fn invalid_command_lines_exit_with_code_2() {
    for args in [
        &["--port", "0"][..],
        &["--nick", "ana maria"],
        &["exemplo.org", "7667", "--host", "outro.org"],
        &["exemplo.org", "porta"],
    ] {
        let out = Command::new(papo_binary())
            .args(args)
            .output()
            .expect("papo runs");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
    let out = Command::new(papo_binary())
        .arg("--help")
        .output()
        .expect("papo runs");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--nick") && help.contains("/ENTRAR"),
        "{help}"
    );
}

#[test]
fn tls_with_trust_on_first_use_and_a_room_password() {
    let dir = harness::TempDir::new("tls");
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("certificate");
    let file = |name: &str, text: &str| {
        let path = dir.path.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("UTF-8 temp path").to_owned()
    };
    let (cert_path, key_path) = (
        file("cert.pem", &cert.pem()),
        file("key.pem", &signing_key.serialize_pem()),
    );
    let password = file("senha", "segredo\n");
    let (_server, printed) = Server::start_with(
        &[
            "--tls-port",
            "0",
            "--tls-cert",
            &cert_path,
            "--tls-key",
            &key_path,
            "--password-file",
            &password,
        ],
        3,
    );
    let tls_port = printed[1]
        .strip_prefix("listening on 127.0.0.1:")
        .and_then(|rest| rest.strip_suffix(" (TLS)"))
        .expect("the TLS address is printed second")
        .to_owned();
    let fingerprint = printed[2]
        .rsplit(' ')
        .next()
        .expect("the fingerprint is printed third")
        .to_owned();
    let config = dir.path.join("config.toml");
    let config_env = config.to_str().expect("UTF-8").to_owned();
    let mut papo = Papo::start(
        "tls",
        &["--tls", "127.0.0.1", &tls_port, "--nick", "ana"],
        &[("PAPO_CONFIG", &config_env)],
    );
    // First contact: the certificate is shown with the fingerprint the server printed.
    papo.wait_text("não pôde ser verificado");
    papo.wait_text(&fingerprint[..23]);
    papo.send("\r");
    // Trusted and pinned; the room wants its password, asked for in the dialog.
    papo.wait_text("este servidor pede senha");
    papo.send("segredo\r");
    papo.wait_text(&format!("conectado a 127.0.0.1:{tls_port} (TLS) como ana"));
    assert!(
        !papo.contents().contains("digite /ENTRAR"),
        "no hint to connect when the command line did:\n{}",
        papo.contents()
    );
    let pinned = std::fs::read_to_string(dir.path.join("known_hosts")).expect("known_hosts");
    assert!(
        pinned.contains(&format!("127.0.0.1 {tls_port} {fingerprint}")),
        "{pinned}"
    );
    let saved = std::fs::read_to_string(&config).expect("config saved on join");
    assert!(saved.contains("tls = true"), "{saved}");
    assert!(
        !saved.contains("segredo"),
        "not remembered unless asked: {saved}"
    );
    papo.send("/sair\r");
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn help_is_in_portuguese_and_names_the_keys_and_the_environment() {
    let out = Command::new(papo_binary())
        .arg("--help")
        .output()
        .expect("papo --help runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for said in [
        "Uso: papo",
        "Opções:",
        "Mostra esta ajuda",
        "F1",
        "NO_COLOR",
        "PAPO_CONFIG",
        "7667",
        "--tls",
    ] {
        assert!(help.contains(said), "--help says {said:?}:\n{help}");
    }
    for english in [
        "Usage:",
        "Options:",
        "Arguments:",
        "Print help",
        "[default:",
    ] {
        assert!(!help.contains(english), "--help says {english:?}:\n{help}");
    }
}
