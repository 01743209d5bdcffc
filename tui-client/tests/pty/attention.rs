//! The real binary in a pseudo-terminal: what reaches a reader who is not looking (the title's
//! unread count, the bell, the read marker, with focus reported by the terminal) and the mouse
//! wheel (SGR reports while capture is on; F7 turns capture off).

use crate::harness::{Papo, Raw, Server, lock};

const F7: &str = "\x1b[18~";
const F10: &str = "\x1b[21~";
const FOCUS_OUT: &str = "\x1b[O";
const FOCUS_IN: &str = "\x1b[I";
/// The wheel turned up once over column 10, row 5 (SGR encoding, 1-based).
const WHEEL_UP: &str = "\x1b[<64;10;5M";

fn titles(papo: &Papo) -> Vec<String> {
    let s = lock(&papo.screen);
    s.0.callbacks()
        .titles
        .iter()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect()
}

fn wait_title(papo: &Papo, title: &str) {
    papo.wait_for(&format!("the title {title:?}"), |_| {
        titles(papo).last().is_some_and(|t| t == title)
    });
}

#[test]
fn unread_count_in_the_title_bell_on_a_mention_and_a_read_marker() {
    let server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start("attention", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text("conectado a");
    wait_title(&papo, "papo");
    let mut bob = Raw::join(server.port, "bob");
    papo.wait_text("bob entrou");

    papo.send(FOCUS_OUT);
    bob.send("alguém aí?");
    wait_title(&papo, "(1) papo");
    bob.send("ana, olha isso");
    wait_title(&papo, "(2) papo");
    papo.wait_for("a bell for the mention", |_| {
        lock(&papo.screen).0.callbacks().bells >= 1
    });

    papo.send(FOCUS_IN);
    wait_title(&papo, "papo");
    let contents = papo.contents();
    let rows: Vec<&str> = contents.lines().collect();
    let marker = rows
        .iter()
        .position(|r| r.contains("novas mensagens"))
        .unwrap_or_else(|| panic!("no read marker:\n{contents}"));
    assert!(
        rows.get(marker + 1)
            .is_some_and(|r| r.contains("bob: alguém aí?")),
        "the marker stands above the first unread line:\n{contents}"
    );
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn the_mouse_wheel_scrolls_the_history_and_f7_gives_the_mouse_back() {
    let server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start("mouse", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text("conectado a");
    papo.wait_for("mouse reporting on", |s| {
        s.mouse_protocol_mode() == vt100::MouseProtocolMode::PressRelease
            && s.mouse_protocol_encoding() == vt100::MouseProtocolEncoding::Sgr
    });
    let mut bob = Raw::join(server.port, "bob");
    // Within the server's burst of 25 lines, so nothing waits for flood control.
    for i in 1..=24 {
        bob.send(&format!("linha {i}"));
    }
    papo.wait_text("linha 24");
    papo.resize(12, 100);
    papo.wait_for("the smaller screen", |s| s.size() == (12, 100));
    papo.send(WHEEL_UP);
    papo.wait_text("rolado ↑");
    let contents = papo.contents();
    assert!(
        !contents.contains("linha 24"),
        "three rows up, the newest line is out of view:\n{contents}"
    );
    assert!(
        Papo::input_row(lock(&papo.screen).0.screen()).trim() == ">",
        "the message line was not touched"
    );
    papo.send(F7);
    papo.wait_for("mouse reporting off", |s| {
        s.mouse_protocol_mode() == vt100::MouseProtocolMode::None
    });
    // The notice lands below the view, which stays where the reader scrolled it.
    papo.send("\x1b");
    papo.wait_text("mouse desligado");
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}
