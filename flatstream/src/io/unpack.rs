//! The unpacking stage of the readers, for a packing deframer
//! ([`Deframer::PACKED`]: compressed frames): the payload of each frame the
//! scanner finds is unpacked once into a buffer the reader owns, and the
//! messages are then lent from that buffer one by one, without a copy each.

use std::ops::Range;

use crate::compress::{block_entry, looks_packed};
use crate::error::{Error, FrameDefect, Result};
use crate::framing::{Deframer, Packing};

/// The unpacked messages of the last packed frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct UnpackBuffer {
    /// The unpacked bytes at the start; the rest is stale (the buffer is
    /// reused, not cleared, per frame).
    bytes: Vec<u8>,
    /// Bytes of the last frame unpacked.
    len: usize,
    /// Where the next block entry starts.
    at: usize,
    /// A frame holding one message, not yet handed out.
    single: bool,
}

impl UnpackBuffer {
    /// Unpacks `payload` (a verified frame's) with `deframer`, replacing
    /// what the buffer held. Errors have offset 0: the frame's own.
    pub(crate) fn load<D: Deframer>(&mut self, deframer: &D, payload: &[u8]) -> Result<()> {
        (self.len, self.at, self.single) = (0, 0, false);
        let unpacked = deframer.unpack(payload, &mut self.bytes)?;
        if unpacked.len > self.bytes.len() {
            return Err(Error::InvalidFrame {
                offset: 0,
                reason: FrameDefect::Other("the deframer unpacked more bytes than its buffer holds".into()),
            });
        }
        self.len = unpacked.len;
        self.single = unpacked.packing == Packing::Message;
        Ok(())
    }

    /// The next message of the frame unpacked last: its range in
    /// [`bytes`](Self::bytes); `Ok(None)` once they are all out. A damaged
    /// block entry is an error (offset 0), and ends the block.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Option<Range<usize>>> {
        if self.single {
            self.single = false;
            self.at = self.len;
            return Ok(Some(0..self.len));
        }
        match block_entry(&self.bytes[..self.len], self.at) {
            Ok(Some((range, next))) => {
                self.at = next;
                Ok(Some(range))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.at = self.len;
                Err(e)
            }
        }
    }

    /// The bytes of the last frame unpacked.
    #[cfg(feature = "tokio")]
    pub(crate) fn unpacked(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Whether messages of the last frame unpacked are still to come.
    #[cfg(feature = "tokio")]
    pub(crate) fn has_more(&self) -> bool {
        self.single || self.at < self.len
    }

    /// The buffer the ranges of [`next`](Self::next) are in.
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The error for `payload`, which a typed read by a reader that does not
/// unpack refused with `e`: when it starts with the compression marker,
/// one that says the stream is compressed.
#[cold]
pub(crate) fn explain_rejection<D: Deframer>(payload: &[u8], e: Error) -> Error {
    if !D::PACKED && looks_packed(payload) {
        return Error::InvalidFrame {
            offset: e.offset().unwrap_or(0),
            reason: FrameDefect::CompressedPayload,
        };
    }
    e
}
