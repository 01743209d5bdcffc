use std::time::{Duration, Instant};

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers as M, MouseButton, MouseEvent,
    MouseEventKind,
};
use proptest::prelude::*;

use super::{MAX_PASTE_BYTES, PASTE_TIMEOUT, Parser, SEQUENCE_TIMEOUT};
use crate::keys::{BINDINGS, Key};

/// Everything `bytes` parses to, fed whole with nothing more waiting.
fn parse(bytes: &[u8]) -> Vec<Event> {
    parse_chunks(&[bytes])
}

/// Everything the chunks parse to, fed one after another (more waiting after all but the last).
fn parse_chunks(chunks: &[&[u8]]) -> Vec<Event> {
    let mut parser = Parser::new();
    let now = Instant::now();
    for (i, chunk) in chunks.iter().enumerate() {
        parser.feed(now, chunk, i + 1 < chunks.len());
    }
    drain(&mut parser)
}

fn drain(parser: &mut Parser) -> Vec<Event> {
    std::iter::from_fn(|| parser.next_event()).collect()
}

fn key(code: KeyCode, mods: M) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

fn plain(code: KeyCode) -> Event {
    key(code, M::NONE)
}

fn ch(c: char) -> Event {
    plain(KeyCode::Char(c))
}

fn text(s: &str) -> Vec<Event> {
    s.chars()
        .map(|c| {
            let mods = if c.is_uppercase() { M::SHIFT } else { M::NONE };
            key(KeyCode::Char(c), mods)
        })
        .collect()
}

fn mouse(kind: MouseEventKind, column: u16, row: u16, modifiers: M) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers,
    })
}

/// Every sequence papo reads, with what it means.
fn table() -> Vec<(&'static [u8], Vec<Event>)> {
    let f = |n| plain(KeyCode::F(n));
    vec![
        (b"a", vec![ch('a')]),
        (b"A", vec![key(KeyCode::Char('A'), M::SHIFT)]),
        ("é".as_bytes(), vec![ch('é')]),
        ("語".as_bytes(), vec![ch('語')]),
        ("👍".as_bytes(), vec![ch('👍')]),
        (b"\r", vec![plain(KeyCode::Enter)]),
        (b"\n", vec![key(KeyCode::Char('j'), M::CONTROL)]),
        (b"\t", vec![plain(KeyCode::Tab)]),
        (b"\x7f", vec![plain(KeyCode::Backspace)]),
        (b"\x08", vec![key(KeyCode::Char('h'), M::CONTROL)]),
        (b"\x00", vec![key(KeyCode::Char(' '), M::CONTROL)]),
        (b"\x01", vec![key(KeyCode::Char('a'), M::CONTROL)]),
        (b"\x11", vec![key(KeyCode::Char('q'), M::CONTROL)]),
        (b"\x1a", vec![key(KeyCode::Char('z'), M::CONTROL)]),
        (b"\x1c", vec![key(KeyCode::Char('4'), M::CONTROL)]),
        (b"\x1f", vec![key(KeyCode::Char('7'), M::CONTROL)]),
        (b"\x1b", vec![plain(KeyCode::Esc)]),
        (b"\x1b\x1b", vec![plain(KeyCode::Esc)]),
        (b"\x1ba", vec![key(KeyCode::Char('a'), M::ALT)]),
        (b"\x1bB", vec![key(KeyCode::Char('B'), M::ALT | M::SHIFT)]),
        ("\x1bé".as_bytes(), vec![key(KeyCode::Char('é'), M::ALT)]),
        (b"\x1b\x7f", vec![key(KeyCode::Backspace, M::ALT)]),
        (b"\x1b\r", vec![key(KeyCode::Enter, M::ALT)]),
        (
            b"\x1b\x17",
            vec![key(KeyCode::Char('w'), M::CONTROL | M::ALT)],
        ),
        (b"\x1b[A", vec![plain(KeyCode::Up)]),
        (b"\x1b[B", vec![plain(KeyCode::Down)]),
        (b"\x1b[C", vec![plain(KeyCode::Right)]),
        (b"\x1b[D", vec![plain(KeyCode::Left)]),
        (b"\x1b[H", vec![plain(KeyCode::Home)]),
        (b"\x1b[F", vec![plain(KeyCode::End)]),
        (b"\x1b[1;2A", vec![key(KeyCode::Up, M::SHIFT)]),
        (b"\x1b[1;5A", vec![key(KeyCode::Up, M::CONTROL)]),
        (b"\x1b[1;3D", vec![key(KeyCode::Left, M::ALT)]),
        (b"\x1b[1;5F", vec![key(KeyCode::End, M::CONTROL)]),
        (
            b"\x1b[1;6C",
            vec![key(KeyCode::Right, M::CONTROL | M::SHIFT)],
        ),
        (b"\x1b[5A", vec![key(KeyCode::Up, M::CONTROL)]),
        (b"\x1b\x1b[A", vec![key(KeyCode::Up, M::ALT)]),
        (b"\x1b[2~", vec![plain(KeyCode::Insert)]),
        (b"\x1b[3~", vec![plain(KeyCode::Delete)]),
        (b"\x1b[3;5~", vec![key(KeyCode::Delete, M::CONTROL)]),
        (b"\x1b[5~", vec![plain(KeyCode::PageUp)]),
        (b"\x1b[6~", vec![plain(KeyCode::PageDown)]),
        (b"\x1b[5;2~", vec![key(KeyCode::PageUp, M::SHIFT)]),
        (b"\x1b[1~", vec![plain(KeyCode::Home)]),
        (b"\x1b[4~", vec![plain(KeyCode::End)]),
        (b"\x1b[7~", vec![plain(KeyCode::Home)]),
        (b"\x1b[8~", vec![plain(KeyCode::End)]),
        (b"\x1b[15~", vec![f(5)]),
        (b"\x1b[17~", vec![f(6)]),
        (b"\x1b[21~", vec![f(10)]),
        (b"\x1b[23~", vec![f(11)]),
        (b"\x1b[24~", vec![f(12)]),
        (b"\x1b[24;5~", vec![key(KeyCode::F(12), M::CONTROL)]),
        (b"\x1bOP", vec![f(1)]),
        (b"\x1bOQ", vec![f(2)]),
        (b"\x1bOR", vec![f(3)]),
        (b"\x1bOS", vec![f(4)]),
        (b"\x1bO5P", vec![key(KeyCode::F(1), M::CONTROL)]),
        (b"\x1b[1;2P", vec![key(KeyCode::F(1), M::SHIFT)]),
        (b"\x1b[P", vec![f(1)]),
        (b"\x1bOA", vec![plain(KeyCode::Up)]),
        (b"\x1bOB", vec![plain(KeyCode::Down)]),
        (b"\x1bOC", vec![plain(KeyCode::Right)]),
        (b"\x1bOD", vec![plain(KeyCode::Left)]),
        (b"\x1bOH", vec![plain(KeyCode::Home)]),
        (b"\x1bOF", vec![plain(KeyCode::End)]),
        (b"\x1bOM", vec![plain(KeyCode::Enter)]),
        (b"\x1bOk", vec![ch('+')]),
        (b"\x1bOp", vec![ch('0')]),
        // rxvt.
        (b"\x1b[11~", vec![f(1)]),
        (b"\x1b[12~", vec![f(2)]),
        (b"\x1b[13~", vec![f(3)]),
        (b"\x1b[14~", vec![f(4)]),
        (b"\x1b[a", vec![key(KeyCode::Up, M::SHIFT)]),
        (b"\x1bOa", vec![key(KeyCode::Up, M::CONTROL)]),
        (b"\x1bOd", vec![key(KeyCode::Left, M::CONTROL)]),
        (b"\x1b[3$", vec![key(KeyCode::Delete, M::SHIFT)]),
        (b"\x1b[3^", vec![key(KeyCode::Delete, M::CONTROL)]),
        (b"\x1b[8^", vec![key(KeyCode::End, M::CONTROL)]),
        (
            b"\x1b[5@",
            vec![key(KeyCode::PageUp, M::CONTROL | M::SHIFT)],
        ),
        // The linux console.
        (b"\x1b[[A", vec![f(1)]),
        (b"\x1b[[E", vec![f(5)]),
        (b"\x1b[Z", vec![key(KeyCode::BackTab, M::SHIFT)]),
        // CSI u (fixterms, kitty) and xterm's modifyOtherKeys.
        (b"\x1b[13;5u", vec![key(KeyCode::Enter, M::CONTROL)]),
        (b"\x1b[97;5u", vec![key(KeyCode::Char('a'), M::CONTROL)]),
        (b"\x1b[97:65;2u", vec![ch('A')]),
        (
            b"\x1b[97;1:3u",
            vec![Event::Key(KeyEvent::new_with_kind(
                KeyCode::Char('a'),
                M::NONE,
                KeyEventKind::Release,
            ))],
        ),
        (b"\x1b[27;5;13~", vec![key(KeyCode::Enter, M::CONTROL)]),
        // Focus.
        (b"\x1b[I", vec![Event::FocusGained]),
        (b"\x1b[O", vec![Event::FocusLost]),
        // Mouse: SGR (1-based on the wire), rxvt and X10.
        (
            b"\x1b[<0;1;1M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Left),
                0,
                0,
                M::NONE,
            )],
        ),
        (
            b"\x1b[<0;10;5m",
            vec![mouse(MouseEventKind::Up(MouseButton::Left), 9, 4, M::NONE)],
        ),
        (
            b"\x1b[<2;3;4M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Right),
                2,
                3,
                M::NONE,
            )],
        ),
        (
            b"\x1b[<64;20;7M",
            vec![mouse(MouseEventKind::ScrollUp, 19, 6, M::NONE)],
        ),
        (
            b"\x1b[<65;20;7M",
            vec![mouse(MouseEventKind::ScrollDown, 19, 6, M::NONE)],
        ),
        (
            b"\x1b[<80;2;2M",
            vec![mouse(MouseEventKind::ScrollUp, 1, 1, M::CONTROL)],
        ),
        (
            b"\x1b[<4;2;2M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Left),
                1,
                1,
                M::SHIFT,
            )],
        ),
        (
            b"\x1b[<0;0;0M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Left),
                0,
                0,
                M::NONE,
            )],
        ),
        (
            b"\x1b[32;5;6M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Left),
                4,
                5,
                M::NONE,
            )],
        ),
        (
            b"\x1b[M`!!",
            vec![mouse(MouseEventKind::ScrollUp, 0, 0, M::NONE)],
        ),
        // Bracketed paste: line breaks as sent, ESC inside kept.
        (
            b"\x1b[200~um\r\ndois\rtr\x1bes\x1b[201~",
            vec![Event::Paste("um\r\ndois\rtr\x1bes".into())],
        ),
        (b"\x1b[200~\x1b[201~", vec![Event::Paste(String::new())]),
        (
            b"\x1b[200~a\x1b\x1b[201~",
            vec![Event::Paste("a\x1b".into())],
        ),
        (
            b"\x1b[200~\x1b[20\x1b[201~",
            vec![Event::Paste("\x1b[20".into())],
        ),
        (
            "\x1b[200~olá\x1b[201~".as_bytes(),
            vec![Event::Paste("olá".into())],
        ),
    ]
}

#[test]
fn every_sequence_means_what_terminals_mean() {
    for (bytes, want) in table() {
        assert_eq!(parse(bytes), want, "{:?}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn every_sequence_split_at_every_byte_decodes_the_same() {
    for (bytes, want) in table() {
        for at in 1..bytes.len() {
            let (a, b) = bytes.split_at(at);
            assert_eq!(
                parse_chunks(&[a, b]),
                want,
                "{:?} split at {at}",
                String::from_utf8_lossy(bytes)
            );
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(parse_chunks(&bytewise), want);
    }
}

#[test]
fn all_sequences_in_one_stream_split_anywhere() {
    // A lone ESC is Esc only at the end of a read; in a stream it prefixes the next key.
    let table: Vec<_> = table()
        .into_iter()
        .filter(|(b, _)| *b != b"\x1b" && *b != b"\x1b\x1b")
        .collect();
    let stream: Vec<u8> = table.iter().flat_map(|(b, _)| b.to_vec()).collect();
    let want: Vec<Event> = table.into_iter().flat_map(|(_, e)| e).collect();
    assert_eq!(parse(&stream), want);
    for at in 0..=stream.len() {
        let (a, b) = stream.split_at(at);
        assert_eq!(parse_chunks(&[a, b]), want, "split at {at}");
    }
}

/// Bytes an xterm-like terminal sends for `key`, to check that the key table's keys arrive.
fn xterm_bytes(key: Key) -> Vec<u8> {
    let mods = key.mods;
    let param = 1
        + u8::from(mods.contains(M::SHIFT))
        + 2 * u8::from(mods.contains(M::ALT))
        + 4 * u8::from(mods.contains(M::CONTROL));
    let csi = |tail: &str| format!("\x1b[{tail}").into_bytes();
    let letter = |l: char| {
        if param == 1 {
            csi(&l.to_string())
        } else {
            csi(&format!("1;{param}{l}"))
        }
    };
    let tilde = |n: u8| {
        if param == 1 {
            csi(&format!("{n}~"))
        } else {
            csi(&format!("{n};{param}~"))
        }
    };
    match key.code {
        KeyCode::Char(c) if mods == M::CONTROL && c.is_ascii_lowercase() => {
            vec![c as u8 - b'a' + 1]
        }
        KeyCode::Char(c) if mods == M::ALT => format!("\x1b{c}").into_bytes(),
        KeyCode::Char(c) if mods.is_empty() => c.to_string().into_bytes(),
        KeyCode::Enter => b"\r".to_vec(),
        KeyCode::Esc => b"\x1b".to_vec(),
        KeyCode::Tab => b"\t".to_vec(),
        KeyCode::BackTab => csi("Z"),
        KeyCode::Backspace if mods == M::ALT => b"\x1b\x7f".to_vec(),
        KeyCode::Backspace => b"\x7f".to_vec(),
        KeyCode::Up => letter('A'),
        KeyCode::Down => letter('B'),
        KeyCode::Right => letter('C'),
        KeyCode::Left => letter('D'),
        KeyCode::Home => letter('H'),
        KeyCode::End => letter('F'),
        KeyCode::F(n @ 1..=4) => format!("\x1bO{}", char::from(b'P' + n - 1)).into_bytes(),
        KeyCode::F(n @ 5) => tilde(n + 10),
        KeyCode::F(n @ 6..=10) => tilde(n + 11),
        KeyCode::F(n @ 11..=12) => tilde(n + 12),
        KeyCode::Insert => tilde(2),
        KeyCode::Delete => tilde(3),
        KeyCode::PageUp => tilde(5),
        KeyCode::PageDown => tilde(6),
        other => panic!("no xterm bytes for {other:?} with {mods:?}"),
    }
}

#[test]
fn every_key_the_key_table_binds_arrives() {
    for binding in BINDINGS {
        for &want in binding.keys {
            let bytes = xterm_bytes(want);
            let events = parse(&bytes);
            let [Event::Key(event)] = events[..] else {
                panic!("{want:?}: {events:?}");
            };
            assert_eq!(Key::from_event(&event), Some(want), "{bytes:?}");
        }
    }
}

#[test]
fn invalid_utf8_is_replacement_characters_and_text_goes_on() {
    let r = || ch('\u{FFFD}');
    assert_eq!(parse(b"a\xffb"), vec![ch('a'), r(), ch('b')]);
    assert_eq!(parse(b"\x80\xbf"), vec![r(), r()]);
    // A character cut short: U+FFFD, and the byte that cut it is read afresh.
    assert_eq!(parse(b"\xc3a"), vec![r(), ch('a')]);
    assert_eq!(parse(b"\xe2\x82\x1b[A"), vec![r(), plain(KeyCode::Up)]);
    // Overlong forms and surrogates.
    assert_eq!(parse(b"\xc0\xaf"), vec![r(), r()]);
    assert_eq!(parse(b"\xed\xa0\x80x"), vec![r(), ch('x')]);
}

#[test]
fn garbled_sequences_are_dropped_without_the_text_after_them() {
    // Unknown final byte, unknown private reply, a key number nobody sends.
    assert_eq!(parse(b"\x1b[99Xok"), text("ok"));
    assert_eq!(parse(b"\x1b[?1;2cok"), text("ok"));
    assert_eq!(parse(b"\x1b[99~ok"), text("ok"));
    assert_eq!(parse(b"\x1b[1;5\"pok"), text("ok"));
    // A sequence cut by a byte that cannot be in it: the byte and what follows survive.
    assert_eq!(parse("\x1b[1;5é!".as_bytes()), text("é!"));
    assert_eq!(
        parse(b"\x1b[12\rok"),
        [vec![plain(KeyCode::Enter)], text("ok")].concat()
    );
    assert_eq!(
        parse(b"\x1bO\x7fok"),
        [vec![plain(KeyCode::Backspace)], text("ok")].concat()
    );
    assert_eq!(
        parse(b"\x1b[[\x01"),
        vec![key(KeyCode::Char('a'), M::CONTROL)]
    );
    // A new ESC inside a sequence starts the next one.
    assert_eq!(parse(b"\x1b[1;\x1b[B"), vec![plain(KeyCode::Down)]);
    // A mouse report with coordinates too large, a wrong count of fields.
    assert_eq!(parse(b"\x1b[<0;99999;1Mok"), text("ok"));
    assert_eq!(parse(b"\x1b[<0;1Mok"), text("ok"));
    // An endless parameter list is read to its end and dropped, keeping nothing.
    let mut long = b"\x1b[".to_vec();
    long.extend(std::iter::repeat_n(b'1', 100_000));
    long.extend(b"Aok");
    assert_eq!(parse(&long), text("ok"));
    // A stray paste end marker is nothing.
    assert_eq!(parse(b"\x1b[201~ok"), text("ok"));
}

#[test]
fn a_lone_esc_waits_only_while_more_input_is_known_to_come() {
    let now = Instant::now();
    let mut p = Parser::new();
    p.feed(now, b"\x1b", true);
    assert_eq!(drain(&mut p), vec![]);
    p.feed(now, b"[A", false);
    assert_eq!(drain(&mut p), vec![plain(KeyCode::Up)]);
    assert_eq!(p.deadline(), None);

    // More was promised but never came: Esc after the sequence timeout.
    p.feed(now, b"\x1b", true);
    assert_eq!(p.deadline(), Some(now + SEQUENCE_TIMEOUT));
    p.handle_timeout(now + SEQUENCE_TIMEOUT / 2);
    assert_eq!(drain(&mut p), vec![]);
    p.handle_timeout(now + SEQUENCE_TIMEOUT);
    assert_eq!(drain(&mut p), vec![plain(KeyCode::Esc)]);
    assert_eq!(p.deadline(), None);
}

#[test]
fn unfinished_sequences_are_settled_at_their_deadline() {
    let now = Instant::now();
    let later = now + SEQUENCE_TIMEOUT;
    let settle = |bytes: &[u8]| {
        let mut p = Parser::new();
        p.feed(now, bytes, false);
        assert_eq!(drain(&mut p), vec![], "{bytes:?} waits");
        p.handle_timeout(later);
        let settled = drain(&mut p);
        p.feed(later, b"k", false);
        assert_eq!(
            drain(&mut p),
            vec![ch('k')],
            "{bytes:?} left the parser between keys"
        );
        settled
    };
    assert_eq!(settle(b"\x1b["), vec![key(KeyCode::Char('['), M::ALT)]);
    assert_eq!(
        settle(b"\x1bO"),
        vec![key(KeyCode::Char('O'), M::ALT | M::SHIFT)]
    );
    assert_eq!(settle(b"\x1b[1;5"), vec![]);
    assert_eq!(settle(b"\x1b[M a"), vec![]);
    assert_eq!(settle(b"\xe2\x82"), vec![ch('\u{FFFD}')]);
}

#[test]
fn an_unterminated_paste_is_delivered_after_its_deadline_and_keys_work_again() {
    let t0 = Instant::now();
    let mut p = Parser::new();
    p.feed(t0, b"\x1b[200~primeira parte", false);
    assert_eq!(drain(&mut p), vec![]);
    assert_eq!(p.deadline(), Some(t0 + PASTE_TIMEOUT));
    // More of the paste moves the deadline: it counts from the last byte.
    let t1 = t0 + Duration::from_secs(1);
    p.feed(t1, b", segunda\x1b[20", false);
    assert_eq!(p.deadline(), Some(t1 + PASTE_TIMEOUT));
    p.handle_timeout(t0 + PASTE_TIMEOUT);
    assert_eq!(drain(&mut p), vec![]);
    p.handle_timeout(t1 + PASTE_TIMEOUT);
    assert_eq!(
        drain(&mut p),
        vec![Event::Paste("primeira parte, segunda\x1b[20".into())]
    );
    assert_eq!(p.deadline(), None);
    p.feed(t1 + PASTE_TIMEOUT, b"ok\r", false);
    assert_eq!(
        drain(&mut p),
        [text("ok"), vec![plain(KeyCode::Enter)]].concat()
    );
}

#[test]
fn a_paste_over_the_limit_is_cut_and_the_rest_dropped_up_to_its_end() {
    let mut bytes = b"\x1b[200~".to_vec();
    // Ends in a two-byte character that straddles the limit.
    bytes.extend(std::iter::repeat_n(b'x', MAX_PASTE_BYTES - 1));
    bytes.extend("é".as_bytes());
    bytes.extend(std::iter::repeat_n(b'y', 5000));
    bytes.extend(b"\x1b[201~ok");
    let want_paste = "x".repeat(MAX_PASTE_BYTES - 1);
    let want = [vec![Event::Paste(want_paste)], text("ok")].concat();
    assert_eq!(parse(&bytes), want);
    // Through small reads too.
    let chunks: Vec<&[u8]> = bytes.chunks(4093).collect();
    assert_eq!(parse_chunks(&chunks), want);

    // An endless paste keeps at most the limit.
    let mut p = Parser::new();
    let now = Instant::now();
    p.feed(now, b"\x1b[200~", true);
    let block = vec![b'z'; 64 * 1024];
    for _ in 0..40 {
        p.feed(now, &block, true);
        assert!(p.paste.len() <= MAX_PASTE_BYTES);
    }
    p.handle_timeout(now + PASTE_TIMEOUT);
    let Some(Event::Paste(kept)) = p.next_event() else {
        panic!("no paste");
    };
    assert_eq!(kept.len(), MAX_PASTE_BYTES);
}

#[test]
fn a_burst_of_plain_text_is_one_event_per_character_in_order() {
    let line = "palavra ".repeat(1280);
    let mut bytes = line.clone().into_bytes();
    bytes.push(b'\r');
    let chunks: Vec<&[u8]> = bytes.chunks(4095).collect();
    let want = [text(&line), vec![plain(KeyCode::Enter)]].concat();
    assert_eq!(parse_chunks(&chunks), want);
}

/// Random bytes, weighted towards those that start and shape sequences.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => any::<u8>(),
        2 => Just(0x1b_u8),
        1 => Just(b'['),
        1 => Just(b'O'),
        1 => Just(b';'),
        1 => Just(b'<'),
        1 => Just(b'~'),
        1 => b'0'..=b'9',
        1 => 0x80_u8..=0xff,
    ];
    let markers = prop_oneof![
        Just(b"\x1b[200~".to_vec()),
        Just(b"\x1b[201~".to_vec()),
        prop::collection::vec(byte, 1..8),
    ];
    prop::collection::vec(markers, 0..120).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes, split anywhere: no panic, and the same events as read whole.
    #[test]
    fn hostile_input_never_panics_and_splits_do_not_matter(
        bytes in hostile_bytes(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let now = Instant::now();
        let mut whole = Parser::new();
        whole.feed(now, &bytes, false);
        whole.handle_timeout(now + PASTE_TIMEOUT);
        let want = drain(&mut whole);

        let mut at: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        at.push(0);
        at.push(bytes.len());
        at.sort_unstable();
        let mut split = Parser::new();
        for (i, pair) in at.windows(2).enumerate() {
            split.feed(now, &bytes[pair[0]..pair[1]], i + 2 < at.len());
        }
        split.handle_timeout(now + PASTE_TIMEOUT);
        prop_assert_eq!(drain(&mut split), want);
        prop_assert_eq!(split.deadline(), None);
        prop_assert!(split.seq.len() <= super::MAX_SEQUENCE_BYTES);
    }
}
