//! papo (docs/protocol.md): the nickname as the first line, `WELCOME` back; room messages arrive
//! as `MSG <id> <time> <nick> :<text>`, and replayed ones as `MSG <id> <time> <nick> hist :<text>`.

use anyhow::{Context, bail};
use memchr::memchr;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

use crate::lines::LineReader;

/// Joins as `load{index}` and waits for `WELCOME`.
pub async fn join(
    reader: &mut LineReader,
    writer: &mut OwnedWriteHalf,
    index: usize,
) -> anyhow::Result<()> {
    writer
        .write_all(format!("load{index}\n").as_bytes())
        .await?;
    loop {
        let line = reader.next_line().await?.context("closed while joining")?;
        if line.starts_with(b"WELCOME ") {
            return Ok(());
        }
        if line.starts_with(b"ERR ") || line.starts_with(b"BYE ") {
            bail!("refused: {}", String::from_utf8_lossy(line));
        }
    }
}

/// The text of a live `MSG` line; `None` for anything else (replays included).
pub fn payload(line: &[u8]) -> Option<&[u8]> {
    // Skip the three space-free fields after the tag: id, time, nick.
    let mut rest = line.strip_prefix(b"MSG ")?;
    for _ in 0..3 {
        rest = &rest[memchr(b' ', rest)? + 1..];
    }
    rest.strip_prefix(b":")
}

/// Appends one chat line carrying `payload`.
pub fn push_message(buf: &mut Vec<u8>, payload: &[u8]) {
    buf.extend_from_slice(payload);
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_messages_only() {
        let live = b"MSG 9 2026-11-24T23:30:10Z load3 :1 2 3";
        assert_eq!(payload(live), Some(&b"1 2 3"[..]));
        assert_eq!(payload(b"MSG 7 2026-11-24T23:30:10Z ana hist :1 2 3"), None);
        assert_eq!(payload(b"JOIN 3 2026-11-24T23:30:10Z bob"), None);
        assert_eq!(payload(b"MSG 3 x"), None);
    }
}
