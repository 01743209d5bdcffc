//! Other protocols knocking on the chat port. A TLS handshake is recognised by its first byte
//! (a record of type handshake, 0x16: no nickname or command starts with a control character);
//! an HTTP request by its first line. Neither ever reaches the room.

use bytes::BytesMut;
use papo_protocol::{Frame, LineDecoder};
use tokio_util::codec::Decoder;

/// What the plain port reads: papo's lines, or a TLS handshake.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A frame of the line protocol.
    Frame(Frame),
    /// The connection opened with a TLS handshake.
    Tls,
}

/// The line decoder, watching the connection's first byte.
#[derive(Debug)]
pub struct PlainDecoder {
    lines: LineDecoder,
    started: bool,
}

/// The first byte of a TLS record carrying a handshake (a ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

impl PlainDecoder {
    /// A decoder for lines of at most `max_line_bytes` bytes.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            lines: LineDecoder::new(max_line_bytes),
            started: false,
        }
    }
}

impl Decoder for PlainDecoder {
    type Item = Incoming;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Incoming>, Self::Error> {
        if !self.started && !src.is_empty() {
            self.started = true;
            if src[0] == TLS_HANDSHAKE {
                src.clear();
                return Ok(Some(Incoming::Tls));
            }
        }
        Ok(self.lines.decode(src)?.map(Incoming::Frame))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Incoming>, Self::Error> {
        Ok(self.lines.decode_eof(src)?.map(Incoming::Frame))
    }
}

/// Whether `line` is an HTTP request line (`GET / HTTP/1.1`): a method, a target, a version.
pub fn is_http_request(line: &str) -> bool {
    const METHODS: [&str; 9] = [
        "GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "CONNECT", "TRACE",
    ];
    let mut words = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return false;
    };
    METHODS.contains(&method) && !target.is_empty() && version.starts_with("HTTP/")
}

/// The answer to an HTTP request on the chat port: one short error saying what this is.
pub fn http_refusal() -> String {
    let body = "papo: este é um servidor de bate-papo (papo), não um servidor HTTP.\n\
                Use o cliente papo, ou: nc HOST PORTA\n";
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_handshake_is_known_by_its_first_byte_and_lines_are_lines() {
        let mut decoder = PlainDecoder::new(64);
        let mut hello = BytesMut::from(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01][..]);
        assert_eq!(
            decoder.decode(&mut hello).ok().flatten(),
            Some(Incoming::Tls)
        );
        let mut decoder = PlainDecoder::new(64);
        let mut line = BytesMut::from(&b"ana\n\x16x\n"[..]);
        assert_eq!(
            decoder.decode(&mut line).ok().flatten(),
            Some(Incoming::Frame(Frame::Line("ana".into())))
        );
        // Only the very first byte counts.
        assert!(matches!(
            decoder.decode(&mut line).ok().flatten(),
            Some(Incoming::Frame(_))
        ));
    }

    #[test]
    fn http_request_lines_are_recognised_and_chat_is_not() {
        for line in ["GET / HTTP/1.1", "POST /api HTTP/1.0", "OPTIONS * HTTP/2"] {
            assert!(is_http_request(line), "{line}");
        }
        for line in [
            "ana",
            "GET",
            "GET me a coffee",
            "get / HTTP/1.1",
            "GET / HTTP/1.1 x",
        ] {
            assert!(!is_http_request(line), "{line}");
        }
        let response = http_refusal();
        assert!(response.starts_with("HTTP/1.1 400 "));
        let (head, body) = response.split_once("\r\n\r\n").expect("head and body");
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
