//! The properties the fuzz targets check, one function per target, each taking the fuzzer's raw
//! bytes. Shared by the cargo-fuzz targets (`fuzz_targets/*.rs`) and by the corpus replay test
//! (`protocol/tests/fuzz_corpus.rs`), so a plain `cargo test` on stable re-checks every kept
//! input. A property that fails panics with a message saying which one and on what input.

// Each fuzz target uses one of these checks; the replay test uses them all.
#![allow(dead_code)]

use papo_protocol::limits::{MAX_NICK_CHARS, RUNAWAY_FACTOR};
use papo_protocol::{
    ClientLine, EncodeError, EventId, Frame, LineSplitter, Nickname, NicknameError, ParseError,
    ServerLine, Split, Timestamp, check_text, is_forbidden_char,
};

/// The line splitter on arbitrary bytes cut into arbitrary reads.
///
/// Input: byte 0 picks the line limit (0–63: small, so overlong lines and runaways are cheap to
/// reach), byte 1 how many of the next bytes are read sizes (0–7; none means a single read),
/// then those sizes, used in turn (0 is a read that brought nothing), then the stream.
///
/// Checks: no panic; every line within the limit and free of LF; the bytes held waiting for an
/// LF never exceed the limit plus a CR; the frames equal a model computed from the whole stream
/// (see [`expected_frames`]), so they are the same however the stream is cut, except for
/// [`Frame::Runaway`], which by design depends on how much of a line arrived before its LF; end
/// of input as `LineDecoder::decode_eof` handles it yields nothing more.
pub fn splitter(data: &[u8]) {
    let Some((&limit, rest)) = data.split_first() else {
        return;
    };
    let max = usize::from(limit % 64);
    let (sizes, stream) = match rest.split_first() {
        Some((&count, rest)) => rest.split_at(usize::from(count % 8).min(rest.len())),
        None => (rest, rest),
    };
    let reads = cut(stream, sizes);
    let whole = feed(max, &[stream]);
    let pieces = feed(max, &reads);

    for frame in whole.frames.iter().chain(&pieces.frames) {
        if let Frame::Line(line) = frame {
            assert!(
                line.len() <= max && !line.contains('\n'),
                "line {line:?} breaks the limit of {max} bytes or holds an LF"
            );
        }
    }
    let not_runaway = |f: &&Frame| **f != Frame::Runaway;
    assert!(
        whole
            .frames
            .iter()
            .filter(not_runaway)
            .eq(pieces.frames.iter().filter(not_runaway)),
        "cutting the stream changed the frames (limit {max}, reads {:?}):\n  whole:  {:?}\n  pieces: {:?}",
        reads.iter().map(|r| r.len()).collect::<Vec<_>>(),
        whole.frames,
        pieces.frames
    );
    let mut ends = Vec::with_capacity(reads.len());
    let mut end = 0;
    for read in &reads {
        end += read.len();
        ends.push(end);
    }
    for (fed, ends) in [(&whole, &[stream.len()][..]), (&pieces, &ends[..])] {
        assert_eq!(
            fed.frames,
            expected_frames(stream, max, ends),
            "frames differ from the model (limit {max}, reads ending at {ends:?})"
        );
    }
    // What is still held at the end is the unterminated tail, unless it was already too long
    // (then its bytes were discarded as they came).
    let tail_start = stream
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |lf| lf + 1);
    let tail = &stream[tail_start..];
    let held: &[u8] = if tail.len() <= max + 1 { tail } else { &[] };
    for fed in [&whole, &pieces] {
        assert_eq!(
            fed.leftover, held,
            "bytes held at end of input (limit {max})"
        );
    }
}

/// Cuts `stream` into reads of the given sizes, taken in turn; one read if no size moves on.
fn cut<'a>(stream: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    if sizes.iter().all(|&s| s == 0) {
        return vec![stream];
    }
    let mut reads = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at == stream.len() {
            break;
        }
        let end = (at + usize::from(size)).min(stream.len());
        reads.push(&stream[at..end]);
        at = end;
    }
    reads
}

/// What a reader fed to the splitter saw.
struct Fed {
    frames: Vec<Frame>,
    /// The bytes still buffered at end of input, which `decode_eof` drops.
    leftover: Vec<u8>,
}

/// Feeds `reads` through a splitter the way `LineDecoder` under `FramedRead` does: after each
/// read, split until no frame comes; at end of input, split once more, then drop the rest.
fn feed(max: usize, reads: &[&[u8]]) -> Fed {
    let mut splitter = LineSplitter::new(max);
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for read in reads {
        buf.extend_from_slice(read);
        split_all(&mut splitter, &mut buf, &mut frames);
        assert!(
            buf.len() <= max + 1,
            "{} bytes held waiting for an LF, more than a line of {max} bytes and its CR",
            buf.len()
        );
    }
    let at_eof = splitter.split(&buf);
    assert_eq!(
        at_eof,
        Split {
            consumed: 0,
            frame: None
        },
        "splitting again with no new input changed something"
    );
    Fed {
        frames,
        leftover: buf,
    }
}

/// Splits `buf` until the splitter needs more input.
fn split_all(splitter: &mut LineSplitter, buf: &mut Vec<u8>, frames: &mut Vec<Frame>) {
    let mut idle_frames = 0;
    loop {
        let Split { consumed, frame } = splitter.split(buf);
        assert!(
            consumed <= buf.len(),
            "consumed {consumed} of {} bytes",
            buf.len()
        );
        buf.drain(..consumed);
        let Some(frame) = frame else {
            return;
        };
        if consumed == 0 {
            idle_frames += 1;
            assert!(
                frame == Frame::Runaway && idle_frames == 1,
                "{frame:?} out of no input (#{idle_frames} in a row)"
            );
        } else {
            idle_frames = 0;
        }
        frames.push(frame);
    }
}

/// The frames `stream` must give when read in pieces ending at `read_ends`, worked out line by
/// line from the whole stream: a line over `max` bytes (CR of a CRLF not counted) is one
/// `TooLong`; an unterminated tail is `TooLong` once it cannot fit (`max` + 2 bytes), and nothing
/// otherwise; a line is a `Runaway` too if some read ended inside it with more than
/// `max × RUNAWAY_FACTOR` of its bytes and its LF not yet read.
fn expected_frames(stream: &[u8], max: usize, read_ends: &[usize]) -> Vec<Frame> {
    let runaway_at = (max + 2).max(max * RUNAWAY_FACTOR + 1);
    let mut frames = Vec::new();
    let mut start = 0;
    while start < stream.len() {
        let lf = stream[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| start + i);
        let end = lf.unwrap_or(stream.len());
        let line = &stream[start..end];
        let too_long = match lf {
            Some(_) => line.strip_suffix(b"\r").unwrap_or(line).len() > max,
            None => line.len() >= max + 2,
        };
        if too_long {
            frames.push(Frame::TooLong);
            if read_ends
                .iter()
                .any(|&p| p >= start + runaway_at && p <= end)
            {
                frames.push(Frame::Runaway);
            }
        } else if lf.is_some() {
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            frames.push(match std::str::from_utf8(body) {
                Ok(text) => Frame::Line(text.to_owned()),
                Err(_) => Frame::InvalidUtf8,
            });
        }
        match lf {
            Some(lf) => start = lf + 1,
            None => break,
        }
    }
    frames
}

/// `ClientLine::parse` on arbitrary UTF-8 (other input is skipped).
///
/// Checks: no panic; a line is refused as `Forbidden` exactly when it holds a forbidden
/// character; whatever parses encodes to one clean wire line that parses back to the same value;
/// any text a person types, sent as chat, arrives exactly as typed (or is ignored as blank), or
/// is refused on encoding for a forbidden character it holds.
pub fn client_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = ClientLine::parse(line);
    assert_eq!(
        matches!(parsed, Err(ParseError::Forbidden(_))),
        check_text(line).is_err(),
        "{line:?} parsed as {parsed:?}"
    );
    if let Ok(Some(value)) = &parsed {
        let wire = match value.encode() {
            Ok(wire) => wire,
            Err(e) => panic!("{line:?} parsed as {value:?}, which does not encode: {e}"),
        };
        let body = wire_body(&wire);
        assert_eq!(
            ClientLine::parse(body),
            Ok(Some(value.clone())),
            "{line:?} parsed as {value:?}, encoded as {wire:?}"
        );
    }

    let typed = ClientLine::Text(line.to_owned());
    match typed.encode() {
        Ok(wire) => {
            let back = ClientLine::parse(wire_body(&wire));
            let blank = back == Ok(None) && !line.bytes().any(|b| b.is_ascii_graphic());
            assert!(
                back == Ok(Some(typed.clone())) || blank,
                "chat text {line:?} sent as {wire:?} arrives as {back:?}"
            );
        }
        Err(EncodeError(c)) => assert!(
            is_forbidden_char(c) && line.contains(c),
            "chat text {line:?} refused for U+{:04X}",
            u32::from(c)
        ),
    }
}

/// `ServerLine::parse` on arbitrary UTF-8 (other input is skipped), alone and as the text of a
/// line of every tag that carries text.
///
/// Checks: no panic; any text after a valid head parses; the text of a line is everything after
/// its first ` :` (no field holds a space or starts with `:`), never lost; whatever parses
/// encodes back to a line that parses to the same value, unless the input held a forbidden
/// character, which encoding then refuses by name.
pub fn server_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = ServerLine::parse(line) {
        check_parsed(&value, line);
    }
    for head in TEXT_HEADS {
        let with_text = format!("{head}{line}");
        match ServerLine::parse(&with_text) {
            Ok(value) => check_parsed(&value, &with_text),
            Err(e) => panic!("{with_text:?} does not parse: {e}"),
        }
    }
}

/// A line of each tag that carries text, up to the `:` where the text begins.
const TEXT_HEADS: [&str; 16] = [
    "HELLO papo 4294967295 9f3a password :",
    "HELLO papo 2 9f3a open 18446744073709551615 4294967295 1 :",
    "HELLO papo 2 9f3a password 4096 0 0 :",
    "WELCOME ana c0ffee :",
    "MSG 18446744073709551615 9999-12-31T23:59:59Z ana :",
    "MSG 1 1970-01-01T00:00:00Z ana hist :",
    "ACTION 1 1970-01-01T00:00:00Z ana :",
    "PRIV 1 1970-01-01T00:00:00Z ana bob :",
    "PART 1 1970-01-01T00:00:00Z ana dropped :",
    "HELP :",
    "ERR NICK_IN_USE :",
    "BYE :",
    "PONG :",
    "NOTICE :",
    "SKIPPED 18446744073709551615 :",
    "LIVE 0 :",
];

/// Checks the text and the round trip of `value`, parsed from `line`.
fn check_parsed(value: &ServerLine, line: &str) {
    if let Some(text) = free_text(value) {
        let trailing = line.split_once(" :").map_or("", |(_, text)| text);
        assert_eq!(
            text, trailing,
            "{line:?} parsed as {value:?}: its text is not what follows the first \" :\""
        );
    }
    if let ServerLine::Users {
        count,
        offset,
        nicks,
    } = value
    {
        // A part of a list never claims more names than the room holds.
        assert!(
            offset
                .checked_add(nicks.len())
                .is_some_and(|end| end <= *count),
            "{line:?} parsed as {value:?}: more names than its count"
        );
    }
    round_trip(value, line);
}

/// Encodes `value` (made from `input`) and parses it back.
fn round_trip(value: &ServerLine, input: &str) {
    match value.encode() {
        Ok(wire) => {
            let body = wire_body(&wire);
            assert_eq!(
                ServerLine::parse(body).as_ref(),
                Ok(value),
                "{value:?} (from {input:?}) encoded as {wire:?}"
            );
        }
        Err(EncodeError(c)) => assert!(
            is_forbidden_char(c) && input.contains(c),
            "{value:?} (from {input:?}) refused for U+{:04X}",
            u32::from(c)
        ),
    }
}

/// The free text of a line whose tag carries one (`USERS` carries a list, not text).
fn free_text(line: &ServerLine) -> Option<&str> {
    match line {
        ServerLine::Hello { text, .. }
        | ServerLine::Welcome { text, .. }
        | ServerLine::Message { text, .. }
        | ServerLine::Action { text, .. }
        | ServerLine::Private { text, .. }
        | ServerLine::Help { text, .. }
        | ServerLine::Error { text, .. }
        | ServerLine::Bye { text, .. }
        | ServerLine::Pong { text, .. }
        | ServerLine::Notice { text, .. }
        | ServerLine::Skipped { text, .. }
        | ServerLine::Live { text, .. } => Some(text),
        ServerLine::Left { reason, .. } => Some(reason),
        ServerLine::Replayed(event) => free_text(event),
        _ => None,
    }
}

/// Checks that `wire` is one line as it goes on the wire, and returns it without its LF.
fn wire_body(wire: &str) -> &str {
    let Some(body) = wire.strip_suffix('\n') else {
        panic!("{wire:?} does not end in LF");
    };
    assert!(
        check_text(body).is_ok(),
        "{wire:?} holds a line break or a forbidden character"
    );
    body
}

/// `Nickname::parse` on arbitrary UTF-8 (other input is skipped).
///
/// Checks: no panic; `Empty` and `TooLong` only when true; a valid nickname is 1–32 characters,
/// none of them space, `:`, `/` or forbidden, parses to itself (so its key is stable), fits a
/// server line as a field, and has the same key as every valid spelling that differs from it only
/// in case.
pub fn nickname(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let nick = match Nickname::parse(raw) {
        Ok(nick) => nick,
        Err(NicknameError::Empty) => {
            assert!(raw.trim().is_empty(), "{raw:?} called empty");
            return;
        }
        Err(NicknameError::TooLong(n)) => {
            assert!(n > MAX_NICK_CHARS, "{raw:?} too long at {n} characters");
            return;
        }
        Err(_) => return,
    };
    let s = nick.as_str();
    let chars = s.chars().count();
    assert!(
        (1..=MAX_NICK_CHARS).contains(&chars),
        "{raw:?} accepted as {s:?}, {chars} characters"
    );
    assert!(
        !s.chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '/' || is_forbidden_char(c)),
        "{raw:?} accepted as {s:?}, which cannot be a field of a line"
    );
    let again = Nickname::parse(s);
    assert_eq!(again.as_ref(), Ok(&nick), "{raw:?} accepted as {s:?}");
    assert_eq!(
        again.map(|n| n.key()),
        Ok(nick.key()),
        "the key of {s:?} changed"
    );

    let flipped: String = s
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_lowercase().collect()
            }
        })
        .collect();
    let folded = s.to_lowercase();
    for variant in [folded.clone(), s.to_uppercase(), flipped] {
        // "ß" and "SS" differ by more than case: they fold to different strings.
        if variant.to_lowercase() != folded {
            continue;
        }
        if let Ok(other) = Nickname::parse(&variant) {
            assert_eq!(
                other.key(),
                nick.key(),
                "{s:?} and {variant:?} differ only in case but are different users"
            );
        }
    }

    let joined = ServerLine::Joined {
        id: EventId(1),
        time: Timestamp::from_unix_seconds(0),
        nick: nick.clone(),
    };
    round_trip(&joined, raw);
}
