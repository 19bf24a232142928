//! The sans-IO core of every reader: buffer management and the recovery
//! state machine. [`StreamReader`](crate::StreamReader) drives it with a
//! `Read`, `AsyncStreamReader` with an `AsyncRead`; neither holds any
//! framing or recovery logic of its own.

use std::ops::Range;

use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::{Error, FrameDefect, Result};
use crate::framing::{Decoded, Deframer};
use crate::recovery::{find_valid_frame, RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

/// The first buffer, and the smallest step it grows by.
const MIN_BUFFER_LEN: usize = 8 * 1024;

/// What the core needs next.
pub(crate) enum Step {
    /// A verified frame's payload, at this range of the buffer.
    Frame(Range<usize>),
    /// More input: the current frame needs this many bytes in all.
    Need(usize),
}

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

/// Buffer, position and recovery state of a reader.
#[derive(Debug)]
pub(crate) struct ReadCore<D> {
    pub(crate) deframer: D,
    /// Initialised storage; bytes `start..end` are read but not consumed.
    buffer: Vec<u8>,
    /// Counts the times `buffer` was handed out for writing (or moved): a
    /// [`Verified`] token is good only for the generation it was made in.
    generation: u64,
    start: usize,
    end: usize,
    /// Stream offset of `buffer[start]`: where the next frame begins.
    pub(crate) position: u64,
    /// Set after an iterator yielded an error, so it stops there.
    pub(crate) failed: bool,
    /// Verification limits for typed reads; `None`: each type's own.
    pub(crate) limits: Option<VerifyLimits>,
    pub(crate) mode: RecoveryMode,
    /// Regions skipped under `SkipCorrupt`, until taken.
    pub(crate) skipped: Vec<SkippedRegion>,
    /// The region being skipped now: where it started and why. Under
    /// `TolerateTornTail`, a run of zeros being consumed (see
    /// `consume_zeros`). One field for both, so the fast path in `step`
    /// tests one thing.
    skipping: Option<(u64, Error)>,
    pub(crate) torn_tail: Option<TornTail>,
}

impl<D: Deframer> ReadCore<D> {
    pub(crate) fn new(deframer: D) -> Self {
        ReadCore {
            deframer,
            buffer: Vec::new(),
            generation: 0,
            start: 0,
            end: 0,
            position: 0,
            failed: false,
            limits: None,
            mode: RecoveryMode::Strict,
            skipped: Vec::new(),
            skipping: None,
            torn_tail: None,
        }
    }

    /// Sets the recovery policy, refusing `SkipCorrupt` for a deframer that
    /// cannot validate a header.
    pub(crate) fn set_recovery<P: RecoveryPolicy<D>>(&mut self) -> Result<()> {
        if P::MODE == RecoveryMode::SkipCorrupt && !self.deframer.validates_header() {
            return Err(Error::InvalidConfig {
                reason: "SkipCorrupt needs a framing that can validate a header on its own: use \
                         ChecksumDeframer::with_protected_header() (and the matching framer), or a magic"
                    .into(),
            });
        }
        self.mode = P::MODE;
        Ok(())
    }

    /// Advances to the next frame. `at_end`: the input has no more bytes.
    /// `Ok(None)` is a clean end.
    ///
    /// The common case, a whole frame buffered and no skip under way, is
    /// kept this small so that both drivers inline it (the async reader's
    /// state machine did not inline the whole step, and paid a call and a
    /// large return value per frame: 13 ns against 5 for the sync reader).
    #[inline(always)]
    pub(crate) fn step(&mut self, at_end: bool) -> Result<Option<Step>> {
        match self.deframer.decode_frame(&self.buffer[self.start..self.end]) {
            Ok(Decoded::Frame { payload, frame_len }) if self.skipping.is_none() => {
                Ok(Some(self.take_frame(payload, frame_len)))
            }
            // Moved on whole, so nothing is left here to drop per frame.
            other => self.step_slow(other, at_end),
        }
    }

    /// [`step`](Self::step) for every other case (more bytes needed, the
    /// end, an error, recovery), from what the deframer said.
    #[inline(never)]
    fn step_slow(&mut self, mut decoded: Result<Decoded>, at_end: bool) -> Result<Option<Step>> {
        loop {
            if self.mode == RecoveryMode::TolerateTornTail && self.skipping.is_some() {
                return self.consume_zeros(at_end);
            }
            match decoded {
                Ok(Decoded::Frame { payload, frame_len }) => {
                    self.finish_skip();
                    return Ok(Some(self.take_frame(payload, frame_len)));
                }
                Ok(Decoded::Incomplete { needed }) => {
                    if !at_end {
                        return Ok(Some(Step::Need(needed)));
                    }
                    let available = self.end - self.start;
                    if available == 0 {
                        self.finish_skip();
                        return Ok(None);
                    }
                    let eof = Error::UnexpectedEof {
                        offset: self.position,
                        needed: needed as u64,
                        available: available as u64,
                    };
                    match self.mode {
                        RecoveryMode::Strict => return Err(eof),
                        RecoveryMode::TolerateTornTail => {
                            return self.end_at_torn_tail(needed).map(|()| None)
                        }
                        RecoveryMode::SkipCorrupt => self.skip_byte(eof),
                    }
                }
                Err(e) => {
                    let e = e.shifted(self.position);
                    match self.mode {
                        RecoveryMode::Strict => return Err(e),
                        RecoveryMode::TolerateTornTail => {
                            if !self.at_zeroed_header() {
                                return Err(e);
                            }
                            // Perhaps the unwritten end of a preallocated
                            // file: consume_zeros decides.
                            self.skipping = Some((self.position, e));
                        }
                        RecoveryMode::SkipCorrupt => self.skip_byte(e),
                    }
                }
            }
            decoded = self.deframer.decode_frame(&self.buffer[self.start..self.end]);
        }
    }

    /// Consumes the frame `decode_frame` found at `start`; the payload's
    /// range in the buffer.
    #[inline(always)]
    fn take_frame(&mut self, payload: Range<usize>, frame_len: usize) -> Step {
        let base = self.start;
        self.start += frame_len;
        self.position += frame_len as u64;
        Step::Frame(base + payload.start..base + payload.end)
    }

    /// Under `TolerateTornTail`, at the end of the input inside a frame: a
    /// clean end, unless a valid frame follows the suspect header (then the
    /// header is corrupt, and truncating here would lose that frame).
    fn end_at_torn_tail(&mut self, needed: usize) -> Result<()> {
        let tail = &self.buffer[self.start..self.end];
        if let Some(at) = find_valid_frame(&self.deframer, tail, 1) {
            return Err(Error::InvalidFrame {
                offset: self.position,
                reason: FrameDefect::CorruptLength {
                    claimed: needed as u64,
                    available: tail.len() as u64,
                    valid_frame_at: self.position + at as u64,
                },
            });
        }
        self.torn_tail = Some(TornTail {
            offset: self.position,
            len: tail.len() as u64,
        });
        self.position += tail.len() as u64;
        self.start = self.end;
        Ok(())
    }

    /// Whether the bytes at the current position start with a whole header
    /// of zeros.
    fn at_zeroed_header(&self) -> bool {
        let header_len = self.deframer.header_len();
        self.buffer[self.start..self.end]
            .get(..header_len)
            .is_some_and(|header| header_len > 0 && header.iter().all(|&b| b == 0))
    }

    /// Under `TolerateTornTail`, inside a run of zeros that a header of
    /// zeros began (a zero-filled region: a preallocated or extended file,
    /// or a lost block). Zeros that run to the end of the input are the
    /// unwritten end of the log: a clean end, reported as the torn tail.
    /// Anything after them makes them a gap that ending here would hide, so
    /// they are an error at their start ([`FrameDefect::ZeroGap`]). The
    /// zeros are consumed as they arrive, so a gigabyte of them costs no
    /// more memory than a frame.
    fn consume_zeros(&mut self, at_end: bool) -> Result<Option<Step>> {
        let buffered = &self.buffer[self.start..self.end];
        let zeros = buffered.iter().position(|&b| b != 0).unwrap_or(buffered.len());
        let data_follows = zeros < buffered.len();
        self.advance(zeros);
        if !data_follows && !at_end {
            return Ok(Some(Step::Need(1)));
        }
        let Some((offset, _)) = self.skipping.take() else {
            return Ok(None);
        };
        let len = self.position - offset;
        if data_follows {
            return Err(Error::InvalidFrame {
                offset,
                reason: FrameDefect::ZeroGap {
                    len,
                    data_at: self.position,
                },
            });
        }
        self.torn_tail = Some(TornTail { offset, len });
        Ok(None)
    }

    /// Consumes `n` bytes.
    fn advance(&mut self, n: usize) {
        self.start += n;
        self.position += n as u64;
    }

    /// Under `SkipCorrupt`: steps over one byte, opening a skipped region
    /// (with `reason`) if none is open.
    fn skip_byte(&mut self, reason: Error) {
        if self.skipping.is_none() {
            self.skipping = Some((self.position, reason));
        }
        self.start += 1;
        self.position += 1;
    }

    /// Closes the open skipped region, if any, at the current position.
    fn finish_skip(&mut self) {
        if let Some((offset, reason)) = self.skipping.take() {
            self.skipped.push(SkippedRegion {
                offset,
                len: self.position - offset,
                reason,
            });
        }
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

    /// The payload at `range` (from [`Step::Frame`]).
    pub(crate) fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.buffer[range]
    }

    /// Verifies the frame at `range`, which started at stream offset
    /// `start`, as a `T`. Under `SkipCorrupt` a rejection is recorded as a
    /// skipped region and `Ok(None)` returned.
    pub(crate) fn verify<T: StreamDeserialize>(
        &mut self,
        start: u64,
        range: Range<usize>,
    ) -> Result<Option<Verified<T>>> {
        let limits = self.limits.unwrap_or(T::VERIFY_LIMITS);
        // The view is dropped here: `view` makes it again from the token.
        let verified = T::view_with(&self.buffer[range.clone()], limits).map(|_| ());
        match verified {
            Ok(()) => Ok(Some(Verified {
                range,
                generation: self.generation,
                _type: std::marker::PhantomData,
            })),
            Err(e) => self.reject(start, e).map(|()| None),
        }
    }

    /// Decodes the frame at `range`, which started at stream offset
    /// `start`, as an owned `T`; a rejection as in [`verify`](Self::verify).
    pub(crate) fn decode<T: FromPayload>(&mut self, start: u64, range: Range<usize>) -> Result<Option<T>> {
        match T::from_payload(&self.buffer[range], self.limits) {
            Ok(value) => Ok(Some(value)),
            Err(e) => self.reject(start, e).map(|()| None),
        }
    }

    /// A whole frame (from `start` to the current position) whose payload
    /// the type read refused: skipped and reported under `SkipCorrupt`, the
    /// error at the frame's offset otherwise.
    fn reject(&mut self, start: u64, e: Error) -> Result<()> {
        let e = e.shifted(start);
        if self.mode != RecoveryMode::SkipCorrupt {
            return Err(e);
        }
        self.skipped.push(SkippedRegion {
            offset: start,
            len: self.position - start,
            reason: e,
        });
        Ok(())
    }

    /// The view of a verified frame. Should the buffer have been written
    /// since the token was made (the drivers never do that), the bytes are
    /// verified again rather than trusted.
    #[inline(always)]
    pub(crate) fn view<T: StreamDeserialize>(&self, verified: Verified<T>) -> Result<T::View<'_>> {
        let Some(bytes) = self.buffer.get(verified.range) else {
            return Err(stale_token());
        };
        if verified.generation != self.generation {
            // The limits `verify` used: they cannot change between the two.
            return verify_again::<T>(bytes, self.limits.unwrap_or(T::VERIFY_LIMITS));
        }
        // SAFETY: `Verified` is only made by `verify::<T>`, after
        // `T::view_with` accepted these bytes (with the reader's limits); the
        // generation is the one it was made in, and every write to (or move
        // of) the buffer goes through `spare`, which starts a new one. So
        // the bytes are the ones `view_with` accepted: `view_unchecked`'s
        // contract.
        Ok(unsafe { T::view_unchecked(bytes) })
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
    use crate::writer::StreamWriter;
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
        let verified = core.verify::<Note>(0, range).unwrap().unwrap();
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
