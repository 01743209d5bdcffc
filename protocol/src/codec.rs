//! The thin tokio-util [`Decoder`] over the sans-IO [`LineSplitter`] (feature `codec`): overlong and
//! non-UTF-8 lines come out as frames, so `FramedRead` never ends the stream over bad input.

use crate::framing::{Frame, LineSplitter};
use bytes::{Buf, BytesMut};
use tokio_util::codec::Decoder;

/// Decodes [`Frame`]s of at most a given line length.
#[derive(Debug)]
pub struct LineDecoder {
    splitter: LineSplitter,
}

impl LineDecoder {
    /// A decoder for lines of at most `max_line_bytes` bytes.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            splitter: LineSplitter::new(max_line_bytes),
        }
    }
}

impl Decoder for LineDecoder {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        let split = self.splitter.split(src);
        src.advance(split.consumed);
        Ok(split.frame)
    }

    /// At end of input an unterminated line is discarded: a peer killed mid-line must not have
    /// half a line relayed.
    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        let frame = self.decode(src)?;
        if frame.is_none() {
            src.clear();
        }
        Ok(frame)
    }
}
