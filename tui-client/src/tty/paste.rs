//! The body of a bracketed paste as it is read: kept up to [`MAX_PASTE_BYTES`], ended by
//! `ESC [ 201 ~`, in one pass over the bytes (text is copied in runs up to the next ESC, and
//! only an ESC is looked at twice).

/// Most bytes one bracketed paste delivers; the rest of that paste, up to its end marker, is
/// dropped. 1 MiB is 64 times what the message line keeps of a paste (16 Ki chars) and
/// hundreds of screens of text, so no real paste is cut here, while a runaway one (a binary
/// `cat`, a lost end marker) costs at most a megabyte and a few milliseconds.
pub const MAX_PASTE_BYTES: usize = 1024 * 1024;

/// What ends a bracketed paste.
const END: &[u8] = b"\x1b[201~";

const ESC: u8 = 0x1b;

/// A paste being read.
#[derive(Debug, Default)]
pub(super) struct Paste {
    /// The text so far, at most [`MAX_PASTE_BYTES`].
    bytes: Vec<u8>,
    /// Bytes were dropped past the limit.
    cut: bool,
    /// How much of [`END`] the last bytes matched.
    matched: usize,
}

impl Paste {
    /// Reads `input` as the paste's body, up to and including its end marker. Returns how
    /// many bytes were taken (all of `input` unless the marker was found) and whether the
    /// marker ended the paste.
    pub(super) fn read(&mut self, input: &[u8]) -> (usize, bool) {
        let mut at = 0;
        while let Some(&byte) = input.get(at) {
            if self.matched == 0 {
                let rest = &input[at..];
                let run = rest.iter().position(|&b| b == ESC).unwrap_or(rest.len());
                self.keep(&rest[..run]);
                at += run;
                if at < input.len() {
                    // The ESC that may start the end marker.
                    self.matched = 1;
                    at += 1;
                }
            } else if byte == END[self.matched] {
                self.matched += 1;
                at += 1;
                if self.matched == END.len() {
                    self.matched = 0;
                    return (at, true);
                }
            } else {
                // Not the end marker after all: what looked like it is text, and `byte` is
                // read again (it may be an ESC).
                let matched = std::mem::take(&mut self.matched);
                self.keep(&END[..matched]);
            }
        }
        (at, false)
    }

    /// The text read (bytes that are not UTF-8 as U+FFFD, line breaks as the terminal sent
    /// them, as crossterm delivers a paste), including a partial end marker if the paste is
    /// given up in the middle of one; the paste is empty again after it.
    pub(super) fn take(&mut self) -> String {
        let matched = std::mem::take(&mut self.matched);
        self.keep(&END[..matched]);
        let mut bytes = std::mem::take(&mut self.bytes);
        if std::mem::take(&mut self.cut) {
            // The cut may have split a character: end at the last whole one.
            bytes.truncate(whole_chars(&bytes));
        }
        match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Bytes kept so far.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Keeps what fits under [`MAX_PASTE_BYTES`].
    fn keep(&mut self, bytes: &[u8]) {
        let room = MAX_PASTE_BYTES - self.bytes.len();
        if bytes.len() > room {
            self.cut = true;
        }
        self.bytes
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

/// How many leading bytes of `bytes` remain once an unfinished UTF-8 character at its end is
/// taken off.
fn whole_chars(bytes: &[u8]) -> usize {
    // A character is at most 4 bytes: look back at most 3 for the lead of the last one.
    for back in 1..=bytes.len().min(4) {
        let i = bytes.len() - back;
        let len = match bytes[i] {
            0x80..=0xbf => continue,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        return if back < len { i } else { bytes.len() };
    }
    bytes.len()
}
