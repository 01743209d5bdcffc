//! Line framing, sans-IO: finds LF-terminated lines in buffered bytes with a bounded look-ahead.
//!
//! Unlike tokio-util's `LinesCodec`, an overlong or non-UTF-8 line is a *value* ([`Frame::TooLong`],
//! [`Frame::InvalidUtf8`]), never an error, so a `FramedRead` built on it keeps the connection
//! usable. Bytes of an overlong line are discarded as they arrive, so memory stays bounded.

use crate::limits::RUNAWAY_FACTOR;

/// One unit of input found by the [`LineSplitter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, without its LF or CRLF terminator.
    Line(String),
    /// A line longer than the limit. Reported once, as soon as the limit is passed; the rest of
    /// the line is discarded up to its LF.
    TooLong,
    /// A complete line that is not valid UTF-8. It is dropped.
    InvalidUtf8,
    /// An overlong line reached [`RUNAWAY_FACTOR`] times the limit with still no LF: the peer is
    /// not speaking this protocol. Reported once; the caller should close the connection.
    Runaway,
}

/// What one call to [`LineSplitter::split`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// How many bytes at the front of the buffer were used up and must be dropped by the caller.
    pub consumed: usize,
    /// The frame found, or `None` when more input is needed.
    pub frame: Option<Frame>,
}

/// Splits a byte stream into lines of at most `max_line_bytes` bytes (terminator excluded).
///
/// LF ends a line; a CR right before it is dropped, so CRLF works too. A CR anywhere else stays
/// in the line (and the text rules then refuse it).
#[derive(Debug, Clone)]
pub struct LineSplitter {
    max_line_bytes: usize,
    runaway_bytes: usize,
    /// Bytes at the front of the buffer already known to hold no LF.
    scanned: usize,
    /// While discarding an overlong line: how many of its bytes were seen so far.
    discarded: Option<usize>,
    /// Whether [`Frame::Runaway`] was reported for the line being discarded.
    runaway_reported: bool,
}

impl LineSplitter {
    /// A splitter for lines of at most `max_line_bytes` bytes.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            max_line_bytes,
            runaway_bytes: max_line_bytes.saturating_mul(RUNAWAY_FACTOR),
            scanned: 0,
            discarded: None,
            runaway_reported: false,
        }
    }

    /// Looks for the next frame in `buf`, which holds the unconsumed input (everything since the
    /// previous call's `consumed` bytes). Call again after dropping `consumed` bytes: one call
    /// yields at most one frame.
    pub fn split(&mut self, buf: &[u8]) -> Split {
        let mut consumed = 0;
        if let Some(seen) = self.discarded {
            let rest = &buf[consumed..];
            match find_lf(rest) {
                Some(lf) => {
                    consumed += lf + 1;
                    self.discarded = None;
                    self.runaway_reported = false;
                }
                None => {
                    let total = seen.saturating_add(rest.len());
                    self.discarded = Some(total);
                    // Reported once, on the first call that finds the threshold passed.
                    let runaway = !self.runaway_reported && total > self.runaway_bytes;
                    self.runaway_reported |= runaway;
                    return Split {
                        consumed: buf.len(),
                        frame: runaway.then_some(Frame::Runaway),
                    };
                }
            }
        }

        let rest = &buf[consumed..];
        // A line of the maximum length may be followed by CR and LF.
        let window = rest.len().min(self.max_line_bytes.saturating_add(2));
        let start = self.scanned.min(window);
        match find_lf(&rest[start..window]).map(|i| start + i) {
            Some(lf) => {
                self.scanned = 0;
                let line = strip_cr(&rest[..lf]);
                let frame = if line.len() > self.max_line_bytes {
                    Frame::TooLong
                } else {
                    match std::str::from_utf8(line) {
                        Ok(text) => Frame::Line(text.to_owned()),
                        Err(_) => Frame::InvalidUtf8,
                    }
                };
                Split {
                    consumed: consumed + lf + 1,
                    frame: Some(frame),
                }
            }
            None if window > self.max_line_bytes.saturating_add(1) => {
                // Over the limit with no LF in sight: report it now, discard what is here.
                self.scanned = 0;
                match find_lf(&rest[window..]) {
                    Some(i) => Split {
                        consumed: consumed + window + i + 1,
                        frame: Some(Frame::TooLong),
                    },
                    None => {
                        // Counted from here; if this alone passes the runaway threshold, the
                        // next call (even on an empty buffer) reports it.
                        self.discarded = Some(rest.len());
                        Split {
                            consumed: buf.len(),
                            frame: Some(Frame::TooLong),
                        }
                    }
                }
            }
            None => {
                self.scanned = window;
                Split {
                    consumed,
                    frame: None,
                }
            }
        }
    }
}

fn find_lf(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `chunks` one after another, as a reader would, and collects every frame.
    fn feed(splitter: &mut LineSplitter, chunks: &[&[u8]]) -> Vec<Frame> {
        let mut buf = Vec::new();
        let mut frames = Vec::new();
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            loop {
                let Split { consumed, frame } = splitter.split(&buf);
                buf.drain(..consumed);
                match frame {
                    Some(f) => frames.push(f),
                    None => break,
                }
            }
        }
        frames
    }

    fn line(s: &str) -> Frame {
        Frame::Line(s.to_owned())
    }

    #[test]
    fn splits_merged_lines_and_strips_crlf() {
        let mut s = LineSplitter::new(64);
        let frames = feed(&mut s, &[b"oi\nola\r\n\ntchau\n"]);
        assert_eq!(frames, [line("oi"), line("ola"), line(""), line("tchau")]);
    }

    #[test]
    fn keeps_a_bare_cr_inside_the_line() {
        let mut s = LineSplitter::new(64);
        assert_eq!(feed(&mut s, &[b"a\rb\n"]), [line("a\rb")]);
    }

    #[test]
    fn reassembles_a_character_split_across_reads() {
        let mut s = LineSplitter::new(64);
        let bytes = "ação\n".as_bytes();
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(feed(&mut s, &chunks), [line("ação")]);
    }

    #[test]
    fn a_line_of_exactly_the_limit_passes_with_crlf() {
        let mut s = LineSplitter::new(4);
        assert_eq!(
            feed(&mut s, &[b"abcd\r\nabcd\n"]),
            [line("abcd"), line("abcd")]
        );
    }

    #[test]
    fn overlong_line_is_reported_once_and_the_next_line_survives() {
        let mut s = LineSplitter::new(4);
        let frames = feed(&mut s, &[b"abcdef", b"ghij", b"kl\nok\n"]);
        assert_eq!(frames, [Frame::TooLong, line("ok")]);
        let mut s = LineSplitter::new(4);
        assert_eq!(
            feed(&mut s, &[b"abcdefgh\nok\n"]),
            [Frame::TooLong, line("ok")]
        );
        let mut s = LineSplitter::new(4);
        assert_eq!(feed(&mut s, &[b"abcde\n"]), [Frame::TooLong]);
    }

    #[test]
    fn invalid_utf8_is_a_value_and_the_next_line_survives() {
        let mut s = LineSplitter::new(64);
        let frames = feed(&mut s, &[b"\xff\xfe\nok\n"]);
        assert_eq!(frames, [Frame::InvalidUtf8, line("ok")]);
    }

    #[test]
    fn endless_bytes_without_lf_are_a_runaway_reported_once() {
        let mut s = LineSplitter::new(4);
        let chunk = [b'x'; 10];
        let chunks = vec![&chunk[..]; 20];
        assert_eq!(feed(&mut s, &chunks), [Frame::TooLong, Frame::Runaway]);
        let mut s = LineSplitter::new(4);
        let huge = [b'x'; 1000];
        let frames = feed(&mut s, &[&huge[..], b"x", &huge[..]]);
        assert_eq!(frames, [Frame::TooLong, Frame::Runaway]);
    }

    #[test]
    fn runaway_counts_every_byte_of_the_line() {
        // Limit 4, threshold 64: the 65th byte without LF is the runaway, however it is cut.
        let mut s = LineSplitter::new(4);
        assert_eq!(feed(&mut s, &[&[b'x'; 64][..]]), [Frame::TooLong]);
        assert_eq!(feed(&mut s, &[b"x"]), [Frame::Runaway]);
        let mut s = LineSplitter::new(4);
        assert_eq!(
            feed(&mut s, &[&[b'x'; 65][..]]),
            [Frame::TooLong, Frame::Runaway]
        );
        // After the line finally ends, the next overlong line is reported afresh.
        assert_eq!(
            feed(&mut s, &[b"\nok\n", &[b'y'; 70][..]]),
            [line("ok"), Frame::TooLong, Frame::Runaway]
        );
    }

    #[test]
    fn an_unterminated_tail_waits_for_more_input() {
        let mut s = LineSplitter::new(64);
        let split = s.split(b"half");
        assert_eq!(
            split,
            Split {
                consumed: 0,
                frame: None
            }
        );
        assert_eq!(s.split(b"half line\n").frame, Some(line("half line")));
    }

    proptest! {
        /// However the bytes are cut into reads, the frames are the same.
        #[test]
        fn segmentation_does_not_change_frames(
            lines in proptest::collection::vec("[a-zé日😀 \r]{0,12}", 0..8),
            cuts in proptest::collection::vec(0usize..200, 0..12),
            crlf in any::<bool>(),
        ) {
            let mut bytes = Vec::new();
            for l in &lines {
                bytes.extend_from_slice(l.as_bytes());
                bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            let whole = feed(&mut LineSplitter::new(16), &[&bytes]);
            let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for p in points {
                chunks.push(&bytes[last..p]);
                last = p;
            }
            chunks.push(&bytes[last..]);
            let pieces = feed(&mut LineSplitter::new(16), &chunks);
            prop_assert_eq!(&whole, &pieces);
            prop_assert_eq!(whole.len(), lines.len());
        }

        /// Arbitrary bytes never panic, and every frame is within the limit.
        #[test]
        fn arbitrary_bytes_stay_within_limits(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..10),
        ) {
            let mut s = LineSplitter::new(8);
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            for frame in feed(&mut s, &refs) {
                if let Frame::Line(l) = frame {
                    prop_assert!(l.len() <= 8);
                    prop_assert!(!l.contains('\n'));
                }
            }
        }
    }
}
