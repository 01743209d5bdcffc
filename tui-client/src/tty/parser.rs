//! Terminal input, bytes in and crossterm [`Event`]s out: a sans-IO parser in the manner of
//! quinn-proto. It never reads, sleeps or looks at a clock: bytes come in through
//! [`Parser::feed`] with the time they arrived, events go out through [`Parser::next_event`],
//! and the one thing that needs time (giving up on something unfinished) is asked for through
//! [`Parser::deadline`] and done in [`Parser::handle_timeout`].
//!
//! Every byte is looked at once, in order, whatever the chunks are: a sequence split across
//! reads decodes as if it came whole, and the work is linear in the input (a paste is copied in
//! runs up to the next ESC, never rescanned; see [`super::paste`]). Nothing waits forever and
//! nothing grows without bound: an escape sequence keeps at most [`MAX_SEQUENCE_BYTES`]
//! parameter bytes, a paste at most [`MAX_PASTE_BYTES`], an unterminated paste is delivered
//! [`PASTE_TIMEOUT`] after its last byte and any other unfinished sequence [`SEQUENCE_TIMEOUT`]
//! after its last byte.
//!
//! Keys come out as crossterm 0.29 reads them (`event/sys/unix/parse.rs`), so the key table
//! sees what it saw before: CR is Enter, LF is Ctrl+J, 0x7F Backspace, 0x08 Ctrl+H, NUL
//! Ctrl+Space, 0x01–0x1A Ctrl+letters, an upper-case letter carries Shift, ESC before a key is
//! Alt. Unlike crossterm, bytes that are not UTF-8 become U+FFFD instead of vanishing, a garbled
//! sequence is dropped without the text after it, and an unterminated paste ends.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

pub use super::paste::MAX_PASTE_BYTES;
use super::paste::Paste;
use super::sequence::{self, Decoded};

/// How long after its last byte a paste without its end marker (`ESC [ 201 ~`) is given up:
/// what arrived is delivered as the paste, and what follows is keys again. Terminals send a
/// paste in one go, so two seconds of silence inside one means the end marker was lost (or
/// never sent), and two seconds is still short enough for a person to wonder only briefly
/// why typing does nothing.
pub const PASTE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long an unfinished escape sequence or UTF-8 character waits for its next byte before it
/// is settled (a lone `ESC [` is Alt+[, a broken character U+FFFD, anything else dropped).
/// A terminal writes a whole key at once, so only a read split in a burst leaves one
/// unfinished, and its rest follows within microseconds.
pub const SEQUENCE_TIMEOUT: Duration = Duration::from_millis(100);

/// Most parameter bytes kept for one escape sequence (the longest real one, an SGR mouse
/// report, is under 20). A longer one is read to its final byte and dropped.
pub const MAX_SEQUENCE_BYTES: usize = 64;

const ESC: u8 = 0x1b;

/// Where the parser is in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between keys.
    Ground,
    /// After ESC.
    Escape,
    /// After `ESC [`, collecting parameters.
    Csi,
    /// After `ESC O`, collecting a modifier.
    Ss3,
    /// After `ESC [ [` (the linux console's F1–F5).
    LinuxFunction,
    /// After `ESC [ M`, collecting three raw bytes (X10 mouse).
    X10Mouse,
    /// Inside a UTF-8 character, `need` more bytes to come.
    Utf8 {
        /// Continuation bytes still expected.
        need: u8,
    },
    /// Inside a bracketed paste.
    Paste,
}

/// The input parser; see the module documentation.
#[derive(Debug)]
pub struct Parser {
    state: State,
    /// An ESC came before the key being read: it gets Alt.
    alt: bool,
    /// The sequence's bytes so far: parameters, X10 mouse bytes or a character's bytes.
    seq: Vec<u8>,
    /// The sequence outgrew [`MAX_SEQUENCE_BYTES`]: it is dropped when it ends.
    seq_overflow: bool,
    /// The paste being read.
    paste: Paste,
    /// When what is unfinished is given up.
    deadline: Option<Instant>,
    events: VecDeque<Event>,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A parser between keys.
    pub fn new() -> Self {
        Self {
            state: State::Ground,
            alt: false,
            seq: Vec::with_capacity(MAX_SEQUENCE_BYTES),
            seq_overflow: false,
            paste: Paste::default(),
            deadline: None,
            events: VecDeque::new(),
        }
    }

    /// Parses `bytes`, read at `now`. `more` says whether more input is known to be waiting
    /// (the read filled its buffer): only when it is not does an ESC ending the bytes count as
    /// the Esc key at once, crossterm's rule, since a terminal sends an escape sequence whole.
    pub fn feed(&mut self, now: Instant, bytes: &[u8], more: bool) {
        if bytes.is_empty() {
            return;
        }
        let mut rest = bytes;
        while let Some((&byte, tail)) = rest.split_first() {
            if self.state == State::Paste {
                let (taken, ended) = self.paste.read(rest);
                rest = &rest[taken..];
                if ended {
                    self.state = State::Ground;
                    let text = self.paste.take();
                    self.events.push_back(Event::Paste(text));
                }
                continue;
            }
            self.byte(byte);
            rest = tail;
        }
        if !more && self.state == State::Escape {
            // ESC ESC alone is Esc too, as crossterm reads it.
            self.alt = false;
            self.state = State::Ground;
            self.key(KeyCode::Esc, KeyModifiers::NONE);
        }
        self.deadline = match self.state {
            State::Ground => None,
            State::Paste => Some(now + PASTE_TIMEOUT),
            _ => Some(now + SEQUENCE_TIMEOUT),
        };
    }

    /// The next event parsed, oldest first.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Parser::handle_timeout`] should be called: something is unfinished (a paste
    /// without its end marker, a sequence without its final byte).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Gives up on what is unfinished if its deadline has passed at `now`: a paste is delivered
    /// as far as it got, a lone `ESC [` / `ESC O` is Alt+[ / Alt+O, a broken character U+FFFD;
    /// anything else is dropped. Then the parser is between keys again.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_none_or(|d| now < d) {
            return;
        }
        self.deadline = None;
        match self.state {
            State::Ground => {}
            State::Escape => {
                self.alt = false;
                self.key(KeyCode::Esc, KeyModifiers::NONE);
            }
            State::Csi | State::Ss3 if self.seq.is_empty() && !self.seq_overflow => {
                let (c, mods) = if self.state == State::Csi {
                    ('[', KeyModifiers::ALT)
                } else {
                    ('O', KeyModifiers::ALT | KeyModifiers::SHIFT)
                };
                self.alt = false;
                self.key(KeyCode::Char(c), mods);
            }
            State::Utf8 { .. } => self.char('\u{FFFD}'),
            State::Paste => {
                let text = self.paste.take();
                self.events.push_back(Event::Paste(text));
            }
            State::Csi | State::Ss3 | State::LinuxFunction | State::X10Mouse => {}
        }
        self.reset();
    }

    /// Back between keys, forgetting any unfinished sequence.
    fn reset(&mut self) {
        self.state = State::Ground;
        self.alt = false;
        self.seq.clear();
        self.seq_overflow = false;
    }

    /// Starts collecting a sequence in `state`.
    fn start(&mut self, state: State) {
        self.state = state;
        self.seq.clear();
        self.seq_overflow = false;
    }

    fn push_seq(&mut self, byte: u8) {
        if self.seq.len() < MAX_SEQUENCE_BYTES {
            self.seq.push(byte);
        } else {
            self.seq_overflow = true;
        }
    }

    /// One byte outside a paste's body.
    fn byte(&mut self, byte: u8) {
        match self.state {
            State::Ground => self.ground(byte),
            State::Escape => match byte {
                // ESC ESC: the second starts a sequence that gets Alt (rxvt's Alt+↑ is
                // `ESC ESC [ A`); a third settles the first two as Esc.
                ESC if !self.alt => self.alt = true,
                ESC => {
                    self.alt = false;
                    self.key(KeyCode::Esc, KeyModifiers::NONE);
                }
                b'[' => self.start(State::Csi),
                b'O' => self.start(State::Ss3),
                _ => {
                    self.state = State::Ground;
                    self.alt = true;
                    self.ground(byte);
                }
            },
            State::Csi => match byte {
                b'[' if self.seq.is_empty() => self.start(State::LinuxFunction),
                b'M' if self.seq.is_empty() => self.start(State::X10Mouse),
                // rxvt ends Shift+Delete and friends with `$`, an intermediate byte in
                // ECMA-48; after a plain number it can only be that.
                b'$' if !self.seq.is_empty() && self.seq.iter().all(u8::is_ascii_digit) => {
                    self.finish(byte);
                }
                0x20..=0x3f => self.push_seq(byte),
                0x40..=0x7e => self.finish(byte),
                _ => self.abort(byte),
            },
            State::Ss3 => match byte {
                0x30..=0x3f => self.push_seq(byte),
                0x40..=0x7e => self.finish(byte),
                _ => self.abort(byte),
            },
            State::LinuxFunction => match byte {
                0x40..=0x7e => self.finish(byte),
                _ => self.abort(byte),
            },
            State::X10Mouse => {
                self.seq.push(byte);
                if let [b, x, y] = self.seq[..] {
                    let decoded = sequence::x10_mouse([b, x, y]);
                    self.deliver(decoded);
                }
            }
            State::Utf8 { need } => {
                if byte & 0xc0 != 0x80 {
                    // Cut short: the broken character is U+FFFD and the byte starts afresh.
                    self.char('\u{FFFD}');
                    self.reset();
                    self.ground(byte);
                } else if need > 1 {
                    self.seq.push(byte);
                    self.state = State::Utf8 { need: need - 1 };
                } else {
                    self.seq.push(byte);
                    let c = std::str::from_utf8(&self.seq)
                        .ok()
                        .and_then(|s| s.chars().next())
                        .unwrap_or('\u{FFFD}');
                    self.char(c);
                    self.reset();
                }
            }
            // Read in runs by `feed`.
            State::Paste => {}
        }
    }

    /// A byte between keys: a control key, a character, or the start of one.
    fn ground(&mut self, byte: u8) {
        match byte {
            ESC => self.state = State::Escape,
            b'\r' => self.key(KeyCode::Enter, KeyModifiers::NONE),
            b'\t' => self.key(KeyCode::Tab, KeyModifiers::NONE),
            0x7f => self.key(KeyCode::Backspace, KeyModifiers::NONE),
            0x00 => self.key(KeyCode::Char(' '), KeyModifiers::CONTROL),
            // In raw mode LF is Ctrl+J (crossterm issue #371), and 0x08 Ctrl+H.
            0x01..=0x1a => {
                let c = char::from(b'a' + byte - 1);
                self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
            }
            0x1c..=0x1f => {
                let c = char::from(b'4' + byte - 0x1c);
                self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
            }
            0x20..=0x7e => self.char(char::from(byte)),
            0xc2..=0xdf => self.start_char(byte, 1),
            0xe0..=0xef => self.start_char(byte, 2),
            0xf0..=0xf4 => self.start_char(byte, 3),
            // A continuation byte alone, or one that never starts UTF-8.
            _ => self.char('\u{FFFD}'),
        }
    }

    fn start_char(&mut self, lead: u8, need: u8) {
        self.seq.clear();
        self.seq.push(lead);
        self.state = State::Utf8 { need };
    }

    /// A sequence cut short by `byte`, which cannot be part of it: the sequence is dropped and
    /// `byte` read afresh, so garbage never swallows the text after it.
    fn abort(&mut self, byte: u8) {
        self.reset();
        self.ground(byte);
    }

    /// The final byte of the sequence being collected.
    fn finish(&mut self, final_byte: u8) {
        let decoded = if self.seq_overflow {
            Decoded::Unknown
        } else {
            match self.state {
                State::Csi => sequence::csi(&self.seq, final_byte),
                State::Ss3 => sequence::ss3(&self.seq, final_byte),
                State::LinuxFunction => sequence::linux_function(final_byte),
                _ => Decoded::Unknown,
            }
        };
        self.deliver(decoded);
    }

    /// Acts on a decoded sequence; the parser is between keys (or in a paste) after it.
    fn deliver(&mut self, decoded: Decoded) {
        let alt = self.alt;
        self.reset();
        match decoded {
            Decoded::Event(Event::Key(mut key)) => {
                if alt {
                    key.modifiers |= KeyModifiers::ALT;
                }
                self.events.push_back(Event::Key(key));
            }
            Decoded::Event(event) => self.events.push_back(event),
            Decoded::PasteStart => self.state = State::Paste,
            Decoded::Unknown => {}
        }
    }

    /// A typed character (Shift with an upper-case letter, as crossterm reports it).
    fn char(&mut self, c: char) {
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.key(KeyCode::Char(c), mods);
    }

    /// A key, with Alt if an ESC came before it.
    fn key(&mut self, code: KeyCode, mut mods: KeyModifiers) {
        if std::mem::take(&mut self.alt) {
            mods |= KeyModifiers::ALT;
        }
        self.events.push_back(Event::Key(KeyEvent::new(code, mods)));
    }
}

#[cfg(test)]
mod tests;
