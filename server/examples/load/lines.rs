//! Line framing shared by the three protocols (all end lines in LF or CRLF), and the payload
//! every sender writes: `<sender> <seq> <sent_us>`.

use memchr::{memchr, memchr_iter};
use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedReadHalf;

/// Bytes read at once; also the longest line kept (a longer one is cut into garbage lines).
const BUFFER_BYTES: usize = 64 * 1024;

/// A buffered reader that hands out whole lines without their `\n` and trailing `\r`.
pub struct LineReader {
    read: OwnedReadHalf,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl LineReader {
    /// Wraps the read half of a connection.
    pub fn new(read: OwnedReadHalf) -> Self {
        Self {
            read,
            buf: vec![0; BUFFER_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// Reads once from the socket; `false` at end of stream. Cancel-safe.
    pub async fn fill(&mut self) -> std::io::Result<bool> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // One line fills the whole buffer: no server under test sends that; drop it.
            self.end = 0;
        }
        let n = self.read.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n > 0)
    }

    /// Calls `f` with every complete line already buffered, consuming them.
    pub fn for_each_line(&mut self, mut f: impl FnMut(&[u8])) {
        let data = &self.buf[self.start..self.end];
        let mut consumed = 0;
        for newline in memchr_iter(b'\n', data) {
            f(trim_cr(&data[consumed..newline]));
            consumed = newline + 1;
        }
        self.start += consumed;
    }

    /// The next line, reading as needed; `None` at end of stream. For the join phase.
    pub async fn next_line(&mut self) -> std::io::Result<Option<&[u8]>> {
        loop {
            if let Some(newline) = memchr(b'\n', &self.buf[self.start..self.end]) {
                let start = self.start;
                self.start += newline + 1;
                return Ok(Some(trim_cr(&self.buf[start..start + newline])));
            }
            if !self.fill().await? {
                return Ok(None);
            }
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Appends `<sender> <seq> <sent_us>`.
pub fn push_payload(buf: &mut Vec<u8>, sender: usize, seq: u64, sent_us: u64) {
    push_decimal(buf, sender as u64);
    buf.push(b' ');
    push_decimal(buf, seq);
    buf.push(b' ');
    push_decimal(buf, sent_us);
}

/// Appends `value` in decimal.
pub fn push_decimal(buf: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// A payload as sent: which sender, its sequence number, when it was sent (µs since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload {
    pub sender: usize,
    pub seq: u64,
    pub sent_us: u64,
}

/// Parses `<sender> <seq> <sent_us>`; `None` for anything else.
pub fn parse_payload(text: &[u8]) -> Option<Payload> {
    let mut fields = text.split(|&b| b == b' ');
    let sender = parse_decimal(fields.next()?)?;
    let seq = parse_decimal(fields.next()?)?;
    let sent_us = parse_decimal(fields.next()?)?;
    if fields.next().is_some() {
        return None;
    }
    Some(Payload {
        sender: usize::try_from(sender).ok()?,
        seq,
        sent_us,
    })
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + u64::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_rejects_junk() {
        let mut buf = Vec::new();
        push_payload(&mut buf, 7, 0, 18_446_744_073);
        assert_eq!(buf, b"7 0 18446744073");
        assert_eq!(
            parse_payload(&buf),
            Some(Payload {
                sender: 7,
                seq: 0,
                sent_us: 18_446_744_073
            })
        );
        for junk in [&b""[..], b"1 2", b"1 2 3 4", b"a 2 3", b"1  3", b"-1 2 3"] {
            assert_eq!(parse_payload(junk), None, "{junk:?}");
        }
    }
}
