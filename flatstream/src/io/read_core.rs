//! The buffer of the readers that read from an input (`Read`,
//! `AsyncRead`), over the [`FrameScanner`] every reader shares, and the
//! token that lets a verified payload be viewed without verifying it twice.
//! [`StreamReader`](crate::StreamReader) drives it with a `Read`,
//! `AsyncStreamReader` with an `AsyncRead`; neither holds any framing or
//! recovery logic of its own.

use std::ops::Range;

use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::{Error, FrameDefect, Result};
use crate::framing::Deframer;
pub(crate) use crate::io::scan::{FrameScanner, Step};
use crate::io::unpack::{explain_rejection, UnpackBuffer};

/// The first buffer, and the smallest step it grows by.
const MIN_BUFFER_LEN: usize = 8 * 1024;

/// Proof that a range of the buffer passed `T`'s verification, while the
/// buffer was as `generation` says. It cannot borrow the buffer (the
/// readers verify in a loop that reads on after a rejection, and return
/// the view after it), so [`ReadCore::view`] checks instead that the buffer
/// has not been written since.
pub(crate) struct Verified<T> {
    range: Range<usize>,
    generation: u64,
    _type: std::marker::PhantomData<fn() -> T>,
}

/// The buffer of a reader that reads from an `io::Read` or `AsyncRead`,
/// and the [`FrameScanner`] walking it.
#[derive(Debug)]
pub(crate) struct ReadCore<D> {
    pub(crate) scan: FrameScanner<D>,
    /// Initialised storage; bytes `start..end` are read but not consumed.
    buffer: Vec<u8>,
    /// Counts the times `buffer` was handed out for writing (or moved): a
    /// [`Verified`] token is good only for the generation it was made in.
    generation: u64,
    start: usize,
    end: usize,
    /// The stream offset of `buffer[0]` as of the last [`step`](Self::step)
    /// (which every refill is followed by), so that the fast path sets the
    /// scanner's position from the cursor rather than adding to it: an
    /// addition in memory made every frame wait for the store of the one
    /// before.
    base: u64,
    /// For a packing deframer: the messages of the last frame, unpacked.
    unpacked: UnpackBuffer,
}

impl<D: Deframer> ReadCore<D> {
    pub(crate) fn new(deframer: D) -> Self {
        ReadCore {
            scan: FrameScanner::new(deframer),
            buffer: Vec::new(),
            generation: 0,
            start: 0,
            end: 0,
            base: 0,
            unpacked: UnpackBuffer::default(),
        }
    }

    /// Advances to the next frame over the bytes buffered. `at_end`: the
    /// input has no more bytes. `Ok(None)` is a clean end.
    #[inline(always)]
    pub(crate) fn step(&mut self, at_end: bool) -> Result<Option<Step>> {
        let step = self.scan.step(&self.buffer[..self.end], &mut self.start, at_end);
        // The scanner moves its position and the cursor together.
        debug_assert!(self.scan.position >= self.start as u64);
        self.base = self.scan.position.wrapping_sub(self.start as u64);
        step
    }

    /// The whole verified frame at the cursor, taken, when the scanner's
    /// fast path applies ([`FrameScanner::clean_frame`]): its payload's
    /// range in the buffer. The position is kept as [`step`](Self::step)
    /// keeps it.
    #[inline(always)]
    pub(crate) fn clean_frame(&mut self) -> Option<Range<usize>> {
        let at = self.start;
        let (payload, frame_len) = self.scan.clean_frame_range(self.buffer.get(..self.end)?, at)?;
        self.start = at + frame_len;
        self.scan.frame_start = self.base + at as u64;
        self.scan.position = self.base + self.start as u64;
        Some(at + payload.start..at + payload.end)
    }

    /// Room to read into, for a frame of `needed` bytes starting at the
    /// current position. Grows the buffer towards `needed` at most doubling,
    /// so memory follows the bytes that arrive, not what a header claims.
    pub(crate) fn spare(&mut self, needed: usize) -> &mut [u8] {
        self.generation += 1;
        if self.buffer.len() - self.start < needed && self.start > 0 {
            // Move the partial frame to the front to make room behind it.
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buffer.len() {
            let doubled = self.buffer.len().saturating_mul(2);
            let target = needed.min(doubled).max(MIN_BUFFER_LEN).max(self.end + 1);
            self.buffer.resize(target, 0);
        }
        &mut self.buffer[self.end..]
    }

    /// Records that `n` bytes were read into [`spare`](Self::spare).
    pub(crate) fn filled(&mut self, n: usize) {
        // A misbehaving reader may claim more than it was given.
        self.end = (self.end + n).min(self.buffer.len());
    }

    /// What message ranges index: the read buffer, or for a packing
    /// deframer the unpacked messages.
    #[inline(always)]
    fn messages(&self) -> &[u8] {
        if D::PACKED {
            self.unpacked.bytes()
        } else {
            &self.buffer
        }
    }

    /// The message at `range` (from [`Step::Frame`], or
    /// [`next_unpacked`](Self::next_unpacked)).
    pub(crate) fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.messages()[range]
    }

    /// For a packing deframer: unpacks the frame whose payload is at
    /// `range` of the read buffer (the last one stepped over). A frame that
    /// does not unpack is an error at its offset, or under `SkipCorrupt`
    /// skipped and reported.
    pub(crate) fn load(&mut self, range: Range<usize>) -> Result<()> {
        // The unpacked bytes change: tokens for the old ones are void.
        self.generation += 1;
        let frame = (self.scan.frame_start, self.scan.position - self.scan.frame_start);
        self.scan
            .unpack(&mut self.unpacked, &self.buffer[range], frame)
            .map(|_| ())
    }

    /// For a packing deframer: the next message of the frame unpacked
    /// last, `Ok(None)` once they are out (a damaged block entry is
    /// handled as [`load`](Self::load) handles a frame).
    pub(crate) fn next_unpacked(&mut self) -> Result<Option<Range<usize>>> {
        match self.unpacked.next() {
            Ok(next) => Ok(next),
            Err(e) => self.scan.reject(e).map(|()| None),
        }
    }

    /// Verifies the frame at `range` (the last one stepped over) as a `T`.
    /// Under `SkipCorrupt` a rejection is recorded as a skipped region and
    /// `Ok(None)` returned.
    pub(crate) fn verify<T: StreamDeserialize>(
        &mut self,
        range: Range<usize>,
    ) -> Result<Option<Verified<T>>> {
        // The view is dropped here: `view` makes it again from the token.
        let payload = &self.messages()[range.clone()];
        let verified = T::view_with(payload, self.scan.limits_for::<T>())
            .map(|_| ())
            .map_err(|e| explain_rejection::<D>(payload, e));
        match verified {
            Ok(()) => Ok(Some(Verified {
                range,
                generation: self.generation,
                _type: std::marker::PhantomData,
            })),
            Err(e) => self.scan.reject(e).map(|()| None),
        }
    }

    /// Decodes the frame at `range` (the last one stepped over) as an owned
    /// `T`; a rejection as in [`verify`](Self::verify).
    pub(crate) fn decode<T: FromPayload>(&mut self, range: Range<usize>) -> Result<Option<T>> {
        let payload = &self.messages()[range];
        match T::from_payload(payload, self.scan.limits) {
            Ok(value) => Ok(Some(value)),
            Err(e) => {
                let e = explain_rejection::<D>(payload, e);
                self.scan.reject(e).map(|()| None)
            }
        }
    }

    /// The view of a verified frame. Should the buffer have been written
    /// since the token was made (the drivers never do that), the bytes are
    /// verified again rather than trusted.
    #[inline(always)]
    pub(crate) fn view<T: StreamDeserialize>(&self, verified: Verified<T>) -> Result<T::View<'_>> {
        let Some(bytes) = self.messages().get(verified.range) else {
            return Err(stale_token());
        };
        if verified.generation != self.generation {
            // The limits `verify` used: they cannot change between the two.
            return verify_again::<T>(bytes, self.scan.limits_for::<T>());
        }
        // SAFETY: `Verified` is only made by `verify::<T>`, after
        // `T::view_with` accepted these bytes (with the reader's limits); the
        // generation is the one it was made in, and every write to (or move
        // of) the buffer goes through `spare`, and of the unpacked messages
        // through `load`, each of which starts a new one. So
        // the bytes are the ones `view_with` accepted: `view_unchecked`'s
        // contract.
        Ok(unsafe { T::view_unchecked(bytes) })
    }

    /// Grows the buffer to `bytes` now (it never shrinks): each read from
    /// the input then asks for up to that much.
    pub(crate) fn grow_to(&mut self, bytes: usize) {
        if bytes > self.buffer.len() {
            self.generation += 1;
            self.buffer.resize(bytes, 0);
        }
    }

    /// Bytes of buffer held.
    pub(crate) fn capacity(&self) -> usize {
        self.buffer.len()
    }

    /// Bytes read but not consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buffer[self.start..self.end]
    }
}

/// [`ReadCore::view`] for a token from an older generation (never made by
/// the drivers): kept out of line, so `view`, inlined into every typed
/// read, does not carry a second copy of the verifier.
#[cold]
#[inline(never)]
fn verify_again<T: StreamDeserialize>(bytes: &[u8], limits: VerifyLimits) -> Result<T::View<'_>> {
    T::view_with(bytes, limits)
}

/// A token for bytes the buffer no longer holds (never made by the drivers).
#[cold]
fn stale_token() -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: FrameDefect::Other("a verified frame is no longer in the reader's buffer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::DefaultDeframer;
    use crate::io::writer::StreamWriter;
    use crate::DefaultFramer;

    #[derive(crate::StreamSerialize, crate::StreamDeserialize, Debug, PartialEq)]
    #[frame(len = u32)]
    struct Note {
        text: String,
    }

    /// The core with one whole frame of `Note { text }` buffered, its
    /// payload's range, and a token verifying it.
    fn verified_note(text: &str) -> (ReadCore<DefaultDeframer>, Verified<Note>) {
        let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
        w.write(&Note { text: text.into() }).unwrap();
        let frame = w.into_inner();
        let mut core = ReadCore::new(DefaultDeframer::new());
        core.spare(frame.len())[..frame.len()].copy_from_slice(&frame);
        core.filled(frame.len());
        let Ok(Some(Step::Frame(range))) = core.step(true) else {
            panic!("one whole frame")
        };
        let verified = core.verify::<Note>(range).unwrap().unwrap();
        (core, verified)
    }

    #[test]
    fn a_token_views_the_bytes_it_verified() {
        let (core, verified) = verified_note("kept");
        assert_eq!(core.view(verified).unwrap().text(), "kept");
    }

    /// The edge the unsafe block rests on: once the buffer was handed out
    /// for writing, a token no longer vouches for it. Bytes overwritten
    /// with garbage are verified again and refused, never viewed unchecked;
    /// bytes left as they were are verified again and viewed.
    #[test]
    fn a_token_from_before_a_write_is_verified_again() {
        let (mut core, verified) = verified_note("kept");
        let range = verified.range.clone();
        core.spare(1); // a new generation; the frame's bytes stay
        assert_eq!(core.view(verified).unwrap().text(), "kept");

        let (mut core, verified) = verified_note("overwritten");
        core.buffer[range.start..range.end].fill(0xFF);
        core.spare(1);
        assert!(matches!(
            core.view(verified),
            Err(Error::InvalidFlatBuffer { .. })
        ));
    }
}
