//! The three protocols behind one interface: how to join, how to send a payload, how to find
//! payloads in what arrives, and how many each receiver should get.

use anyhow::Context;
use clap::ValueEnum;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

use crate::lines::LineReader;
use crate::{irc, papo, redis};

/// The server under load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// papo-server.
    Papo,
    /// An IRC server (ngIRCd), channel `#papo`.
    Irc,
    /// Redis pub/sub, channel `papo`.
    Redis,
}

/// What a receiver does with one line.
pub enum Line<'a> {
    /// A room message: the payload a sender wrote.
    Message(&'a [u8]),
    /// Bytes to write back at once (IRC `PONG`).
    Reply(Vec<u8>),
    /// Nothing (joins, notices, replies).
    Other,
}

/// Per-connection state for finding payloads in the incoming lines.
pub enum Classifier {
    Papo,
    Irc,
    Redis(redis::Pushes),
}

impl Classifier {
    /// Sorts one line (without its line ending).
    pub fn classify<'a>(&mut self, line: &'a [u8]) -> Line<'a> {
        match self {
            Classifier::Papo => papo::payload(line).map_or(Line::Other, Line::Message),
            Classifier::Irc => match irc::classify(line) {
                irc::Line::Message(text) => Line::Message(text),
                irc::Line::Ping(token) => Line::Reply(irc::pong(token)),
                irc::Line::Other => Line::Other,
            },
            Classifier::Redis(pushes) => pushes.feed(line).map_or(Line::Other, Line::Message),
        }
    }
}

/// Connects with Nagle off (latency is measured per line).
pub async fn connect(addr: &str) -> anyhow::Result<(LineReader, OwnedWriteHalf)> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    Ok((LineReader::new(read), write))
}

impl Protocol {
    /// Lower-case name, as in the result line.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Papo => "papo",
            Protocol::Irc => "irc",
            Protocol::Redis => "redis",
        }
    }

    /// Connects receiver `index` and waits until it is in the room.
    pub async fn join(
        self,
        addr: &str,
        index: usize,
    ) -> anyhow::Result<(LineReader, OwnedWriteHalf)> {
        let (mut reader, mut writer) = connect(addr).await?;
        match self {
            Protocol::Papo => papo::join(&mut reader, &mut writer, index).await?,
            Protocol::Irc => irc::join(&mut reader, &mut writer, index).await?,
            Protocol::Redis => redis::join(&mut reader, &mut writer).await?,
        }
        Ok((reader, writer))
    }

    /// A fresh classifier for one receiver.
    pub fn classifier(self) -> Classifier {
        match self {
            Protocol::Papo => Classifier::Papo,
            Protocol::Irc => Classifier::Irc,
            Protocol::Redis => Classifier::Redis(redis::Pushes::default()),
        }
    }

    /// Appends one message carrying `payload`, framed for this protocol.
    pub fn push_message(self, buf: &mut Vec<u8>, payload: &[u8]) {
        match self {
            Protocol::Papo => papo::push_message(buf, payload),
            Protocol::Irc => irc::push_message(buf, payload),
            Protocol::Redis => redis::push_message(buf, payload),
        }
    }

    /// Whether senders are receivers too (papo, IRC) or extra connections (Redis cannot
    /// publish on a subscribed connection).
    pub fn senders_are_members(self) -> bool {
        self != Protocol::Redis
    }

    /// Lines receiver `index` should get: every sender's, except that IRC does not echo a
    /// sender's own lines.
    pub fn expected(self, index: usize, senders: usize, messages: u64) -> u64 {
        let from = if self == Protocol::Irc && index < senders {
            senders - 1
        } else {
            senders
        };
        from as u64 * messages
    }
}
