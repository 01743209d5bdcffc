//! The terminal's input end to end: bursts and pastes written to the pseudo-terminal at once
//! arrive whole without waiting for another key, an unterminated bracketed paste is given up,
//! focus and mouse reports never become text, and a resize redraws at the new size.

use super::harness::{Papo, Raw, Server, lock};

const F10: &str = "\x1b[21~";
const HOME: &str = "\x1b[H";
/// The last bytes of every burst: seen on screen, the whole burst was read.
const END: &str = "fim-da-rajada";

/// About `bytes` bytes of words starting with `start` and ending with [`END`].
fn burst(bytes: usize, start: &str) -> String {
    let mut text = format!("{start} ");
    while text.len() + END.len() < bytes {
        text.push_str("palavra ");
    }
    text.push_str(END);
    text
}

fn quit(mut papo: Papo) {
    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}

#[test]
fn a_10_kb_burst_fills_the_input_box_without_another_key() {
    let mut papo = Papo::start("burst", &[], &[]);
    papo.wait_text("desconectado");
    // A plain (unbracketed) paste: 10 KB written to the terminal at once, nothing after it.
    papo.send(&burst(10 * 1024, "início-da-rajada"));
    papo.wait_for("the end of the burst in the input box", |s| {
        Papo::input_row(s).contains(END)
    });
    papo.send(HOME);
    papo.wait_for("the start of the burst", |s| {
        Papo::input_row(s).contains("início-da-rajada palavra")
    });
    quit(papo);
}

#[test]
fn an_enter_right_after_a_10_kb_burst_is_not_swallowed() {
    let (server, _) = Server::start_with(&["--no-flood-limit"], 1);
    let port = server.port.to_string();
    let mut papo = Papo::start("enter", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como ana"));
    let mut bob = Raw::join(server.port, "bob");
    // 100 lines of 100 bytes typed as keys (Enter between them), the last one without its
    // Enter, which comes in a write of its own right after.
    let lines: Vec<String> = (0..100)
        .map(|i| format!("linha {i:03} {}", "palavra ".repeat(11).trim_end()))
        .collect();
    papo.send(&lines.join("\r"));
    papo.send("\r");
    for line in &lines {
        bob.expect_line(|l| l.starts_with("MSG ") && l.ends_with(&format!(" ana :{line}")));
    }
    papo.wait_for("the message line empty again", |s| {
        !Papo::input_row(s).contains("palavra")
    });
    quit(papo);
}

#[test]
fn a_10_kb_bracketed_paste_arrives_whole() {
    let mut papo = Papo::start("paste", &[], &[]);
    papo.wait_text("desconectado");
    let text = burst(10 * 1024, "início-da-colagem");
    papo.send(&format!("\x1b[200~{text}\x1b[201~"));
    papo.wait_for("the end of the paste in the input box", |s| {
        Papo::input_row(s).contains(END)
    });
    papo.send(HOME);
    papo.wait_for("the start of the paste", |s| {
        Papo::input_row(s).contains("início-da-colagem palavra")
    });
    quit(papo);
}

#[test]
fn an_unterminated_bracketed_paste_is_given_up_and_typing_works_again() {
    let mut papo = Papo::start("unterminated", &[], &[]);
    papo.wait_text("desconectado");
    // The end marker never comes: after its deadline the paste is delivered as it is.
    papo.send("\x1b[200~colado sem fim");
    papo.wait_for("the paste given up", |s| {
        Papo::input_row(s).contains("colado sem fim")
    });
    papo.send(" e digitado depois");
    papo.wait_for("typing after it", |s| {
        Papo::input_row(s).contains("colado sem fim e digitado depois")
    });
    quit(papo);
}

#[test]
fn focus_and_mouse_reports_never_become_text() {
    let mut papo = Papo::start("focus", &[], &[]);
    papo.wait_text("desconectado");
    assert!(
        lock(&papo.screen).1.windows(8).any(|w| w == b"\x1b[?1004h"),
        "focus reporting was not turned on"
    );
    // Focus in and out, a wheel turn, a click and its release, the X10 form, garbage.
    papo.send("a\x1b[Ib\x1b[Oc\x1b[<64;10;5Md\x1b[<0;3;3M\x1b[<0;3;3me\x1b[M !!f\x1b[99Xg");
    papo.wait_for("only the typed letters", |s| {
        Papo::input_row(s).ends_with("abcdefg")
    });
    quit(papo);
}

#[test]
fn a_resize_redraws_at_the_new_size() {
    let mut papo = Papo::start("resize", &[], &[]);
    papo.wait_text("desconectado");
    papo.send("rascunho");
    papo.wait_for("the draft", |s| Papo::input_row(s).contains("rascunho"));
    // Two resizes in a row: the screen ends up drawn for the last one.
    papo.resize(20, 80);
    papo.resize(24, 70);
    papo.wait_for("the status bar on the new second-to-last row", |s| {
        s.contents_between(22, 0, 22, 70).contains("F1") && Papo::input_row(s).contains("rascunho")
    });
    quit(papo);
}
