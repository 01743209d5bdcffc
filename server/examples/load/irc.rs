//! IRC as ngIRCd speaks it: `NICK`/`USER`, numeric `001`, `JOIN #papo`, numeric `366` (end of
//! NAMES); channel messages arrive as `:<prefix> PRIVMSG #papo :<text>`; IRC does not echo a
//! sender's own messages back to it. `PING` must be answered at any time.

use anyhow::{Context, bail};
use memchr::memchr;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

use crate::lines::LineReader;

/// The one channel every client joins.
const CHANNEL: &str = "#papo";

/// Registers as `l{index}` (IRC nicknames are at most 9 characters), joins the channel and waits
/// for the end of its NAMES list.
pub async fn join(
    reader: &mut LineReader,
    writer: &mut OwnedWriteHalf,
    index: usize,
) -> anyhow::Result<()> {
    writer
        .write_all(format!("NICK l{index}\r\nUSER l{index} 0 * :load\r\n").as_bytes())
        .await?;
    loop {
        let line = reader.next_line().await?.context("closed while joining")?;
        if let Some(token) = line.strip_prefix(b"PING ") {
            writer.write_all(&pong(token)).await?;
            continue;
        }
        let command = command(line);
        match command {
            b"001" => {
                writer
                    .write_all(format!("JOIN {CHANNEL}\r\n").as_bytes())
                    .await?;
            }
            b"366" => return Ok(()),
            // 4xx numerics are errors (nickname taken, cannot join…); 422 only says "no MOTD".
            [b'4', _, _] if command != b"422" => {
                bail!("refused: {}", String::from_utf8_lossy(line));
            }
            b"ERROR" => bail!("closed: {}", String::from_utf8_lossy(line)),
            _ => {}
        }
    }
}

/// The command or numeric of a line, after its optional `:prefix`.
fn command(line: &[u8]) -> &[u8] {
    let rest = match line.strip_prefix(b":") {
        Some(prefixed) => memchr(b' ', prefixed).map_or(&[][..], |space| &prefixed[space + 1..]),
        None => line,
    };
    memchr(b' ', rest).map_or(rest, |space| &rest[..space])
}

/// The answer to `PING <token>`.
pub fn pong(token: &[u8]) -> Vec<u8> {
    [&b"PONG "[..], token, b"\r\n"].concat()
}

/// What a line from the server asks of a receiver.
pub enum Line<'a> {
    /// A channel message's text.
    Message(&'a [u8]),
    /// `PING`: answer with `pong(token)`.
    Ping(&'a [u8]),
    /// Anything else (joins, notices).
    Other,
}

/// Sorts one line from the server.
pub fn classify(line: &[u8]) -> Line<'_> {
    if let Some(token) = line.strip_prefix(b"PING ") {
        return Line::Ping(token);
    }
    let Some(prefixed) = line.strip_prefix(b":") else {
        return Line::Other;
    };
    let Some(space) = memchr(b' ', prefixed) else {
        return Line::Other;
    };
    let Some(args) = prefixed[space + 1..].strip_prefix(b"PRIVMSG ") else {
        return Line::Other;
    };
    // `<target> :<text>`
    match memchr(b' ', args) {
        Some(space) => args[space + 1..]
            .strip_prefix(b":")
            .map_or(Line::Other, Line::Message),
        None => Line::Other,
    }
}

/// Appends one channel message carrying `payload`.
pub fn push_message(buf: &mut Vec<u8>, payload: &[u8]) {
    buf.extend_from_slice(b"PRIVMSG ");
    buf.extend_from_slice(CHANNEL.as_bytes());
    buf.extend_from_slice(b" :");
    buf.extend_from_slice(payload);
    buf.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_lines() {
        let msg = b":l0!~l0@127.0.0.1 PRIVMSG #papo :0 1 2";
        assert!(matches!(classify(msg), Line::Message(b"0 1 2")));
        assert!(matches!(classify(b"PING :bench"), Line::Ping(b":bench")));
        assert!(matches!(
            classify(b":l1!~l1@127.0.0.1 JOIN :#papo"),
            Line::Other
        ));
        assert!(matches!(
            classify(b":x NOTICE l0 :PRIVMSG #papo :1 2 3"),
            Line::Other
        ));
        assert_eq!(command(b":bench.papo.local 366 l0 #papo :End"), b"366");
        assert_eq!(command(b"ERROR :Closing"), b"ERROR");
    }
}
