//! A multi-line bracketed paste end to end: the confirmation shows, Enter sends the lines in
//! order to a real server, each a message of its own, and a line starting with `/` stays text.

use super::harness::{Papo, Raw, Server};

const F10: &str = "\x1b[21~";
const PASTE_START: &str = "\x1b[200~";
const PASTE_END: &str = "\x1b[201~";

#[test]
fn a_bracketed_paste_of_several_lines_goes_out_as_lines_after_enter() {
    let server = Server::start();
    let port = server.port.to_string();
    let mut papo = Papo::start("paste", &["127.0.0.1", &port, "--nick", "ana"], &[]);
    papo.wait_text(&format!("conectado a 127.0.0.1:{port} como ana"));
    let mut bob = Raw::join(server.port, "bob");
    papo.wait_text("Pessoas (2)");

    // Terminals paste line breaks as CR; a trailing one is dropped.
    let lines: Vec<String> = (1..=30).map(|i| format!("linha {i} do log")).collect();
    let mut pasted = lines.join("\r");
    pasted.push_str("\r/usr/bin/foo --versão\r");
    papo.send(&format!("{PASTE_START}{pasted}{PASTE_END}"));
    papo.wait_text("colar 31 linhas? Enter envia · Esc edita como uma linha");
    assert!(
        !papo.contents().contains("ana: linha 1 do log"),
        "nothing goes out before Enter"
    );

    papo.send("\r");
    for line in &lines {
        let want = format!(" ana :{line}");
        bob.expect_line(|l| l.starts_with("MSG ") && l.ends_with(&want));
    }
    // Sent escaped as `//usr/bin/foo`, relayed as the text it is.
    bob.expect_line(|l| l.starts_with("MSG ") && l.ends_with(" ana :/usr/bin/foo --versão"));
    papo.wait_text("ana: /usr/bin/foo --versão");
    // Paced to the allowance: the server never had to hold a line back.
    assert!(
        !papo.contents().contains("saindo aos poucos"),
        "{}",
        papo.contents()
    );

    papo.send(F10);
    assert_eq!(papo.wait_exit(), 0);
    papo.assert_restored();
}
