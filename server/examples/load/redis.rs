//! Redis pub/sub in RESP2: receivers `SUBSCRIBE papo`; messages arrive as the push
//! `*3 $7 message $4 papo $<len> <payload>`, one element per CRLF line. A subscribed connection
//! cannot publish, so senders are extra connections sending `PUBLISH papo <payload>`.

use anyhow::{Context, bail};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

use crate::lines::{LineReader, push_decimal};

/// Subscribes to `papo` and waits for the confirmation (`*3 $9 subscribe $4 papo :1`).
pub async fn join(reader: &mut LineReader, writer: &mut OwnedWriteHalf) -> anyhow::Result<()> {
    writer
        .write_all(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\npapo\r\n")
        .await?;
    let mut confirming = false;
    loop {
        let line = reader
            .next_line()
            .await?
            .context("closed while subscribing")?;
        if line.starts_with(b"-") {
            bail!("refused: {}", String::from_utf8_lossy(line));
        }
        if line == b"subscribe" {
            confirming = true;
        } else if confirming && line.starts_with(b":") {
            return Ok(());
        }
    }
}

/// Appends `PUBLISH papo <payload>` as a RESP array.
pub fn push_message(buf: &mut Vec<u8>, payload: &[u8]) {
    buf.extend_from_slice(b"*3\r\n$7\r\nPUBLISH\r\n$4\r\npapo\r\n$");
    push_decimal(buf, payload.len() as u64);
    buf.extend_from_slice(b"\r\n");
    buf.extend_from_slice(payload);
    buf.extend_from_slice(b"\r\n");
}

/// Finds message pushes in a subscriber's lines: each line moves one step through
/// `*3`, `$7`, `message`, `$4`, `papo`, `$<len>`, and the next line is the payload. Anything
/// else (the subscribe confirmation) starts over.
#[derive(Debug, Default)]
pub struct Pushes {
    step: u8,
}

impl Pushes {
    /// Feeds one line; returns the payload when the line completes a message push.
    pub fn feed<'a>(&mut self, line: &'a [u8]) -> Option<&'a [u8]> {
        let expected: &[u8] = match self.step {
            0 => b"*3",
            1 => b"$7",
            2 => b"message",
            3 => b"$4",
            4 => b"papo",
            5 => {
                return if line.first() == Some(&b'$') {
                    self.step = 6;
                    None
                } else {
                    self.restart(line)
                };
            }
            _ => {
                self.step = 0;
                return Some(line);
            }
        };
        if line == expected {
            self.step += 1;
            None
        } else {
            self.restart(line)
        }
    }

    fn restart(&mut self, line: &[u8]) -> Option<&'static [u8]> {
        self.step = u8::from(line == b"*3");
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_messages_but_not_confirmations() {
        let stream: &[&[u8]] = &[
            b"*3",
            b"$9",
            b"subscribe",
            b"$4",
            b"papo",
            b":1",
            b"*3",
            b"$7",
            b"message",
            b"$4",
            b"papo",
            b"$5",
            b"1 2 3",
            b"*3",
            b"$7",
            b"*3",
            b"$7",
            b"message",
            b"$4",
            b"papo",
            b"$5",
            b"4 5 6",
        ];
        let mut pushes = Pushes::default();
        let found: Vec<&[u8]> = stream.iter().filter_map(|l| pushes.feed(l)).collect();
        assert_eq!(found, [&b"1 2 3"[..], b"4 5 6"]);
    }
}
