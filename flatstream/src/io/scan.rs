//! The sans-IO frame scanner: the one place that walks frames, applies the
//! recovery policy and keeps the stream position, over whatever bytes a
//! driver holds. Every reader drives it: `StreamReader` and
//! `AsyncStreamReader` through a `ReadCore`
//! buffer, `SliceReader` over its input, and both codecs over their
//! `BytesMut`. So a byte stream reads the same, frame for frame, skipped
//! region for skipped region and error for error (at the same offsets),
//! whichever reads it.

use std::ops::Range;

use crate::decode::{StreamDeserialize, VerifyLimits};
use crate::error::{Error, FrameDefect, Result};
use crate::framing::{Decoded, Deframer};
use crate::io::unpack::UnpackBuffer;
use crate::recovery::{find_valid_frame, RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

/// What the scanner found at the cursor.
#[derive(Debug)]
pub(crate) enum Step {
    /// A verified frame; its payload at this range of the bytes scanned.
    Frame(Range<usize>),
    /// More input: the current frame needs this many bytes in all, counted
    /// from the cursor.
    Need(usize),
}

/// Position and recovery state of a reader.
#[derive(Debug)]
pub(crate) struct FrameScanner<D> {
    pub(crate) deframer: D,
    /// Stream offset of the cursor: where the next frame begins.
    pub(crate) position: u64,
    /// Stream offset of the last frame handed out, for errors about its
    /// payload.
    pub(crate) frame_start: u64,
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

/// For `SliceReader`, which is `Clone`: the errors it keeps are copied
/// with [`Error::replica`].
impl<D: Clone> Clone for FrameScanner<D> {
    fn clone(&self) -> Self {
        FrameScanner {
            deframer: self.deframer.clone(),
            position: self.position,
            frame_start: self.frame_start,
            failed: self.failed,
            limits: self.limits,
            mode: self.mode,
            skipped: self.skipped.iter().map(SkippedRegion::replica).collect(),
            skipping: self.skipping.as_ref().map(|(at, e)| (*at, e.replica())),
            torn_tail: self.torn_tail,
        }
    }
}

impl<D: Deframer> FrameScanner<D> {
    pub(crate) fn new(deframer: D) -> Self {
        FrameScanner {
            deframer,
            position: 0,
            frame_start: 0,
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

    /// Advances over `bytes` from the cursor `at` to the next frame; `at`
    /// moves past everything consumed (the frame, skipped bytes, a torn
    /// tail). `at_end`: no bytes follow `bytes`. `Ok(None)` is a clean end.
    ///
    /// The common case, a whole frame at the cursor and no skip under way,
    /// is kept this small so that every driver inlines it (the async
    /// reader's state machine did not inline the whole step, and paid a
    /// call and a large return value per frame: 13 ns against 5 for the
    /// sync reader).
    #[inline(always)]
    pub(crate) fn step(&mut self, bytes: &[u8], at: &mut usize, at_end: bool) -> Result<Option<Step>> {
        let input = bytes.get(*at..).unwrap_or_default();
        match self.deframer.decode_frame(input) {
            Ok(Decoded::Frame { payload, frame_len }) if self.skipping.is_none() => {
                Ok(Some(self.take_frame(at, payload, frame_len)))
            }
            // Moved on whole, so nothing is left here to drop per frame.
            other => self.step_slow(bytes, at, other, at_end),
        }
    }

    /// The frame at the start of `rest` when [`step`](Self::step) would
    /// take it on its fast path (no skip under way, a whole verified
    /// frame): its payload, and `rest` after the frame, without recording
    /// anything. For a driver whose cursor is the stream position
    /// (`SliceReader`), which then keeps the position itself and syncs it
    /// before any other step.
    #[inline(always)]
    pub(crate) fn clean_frame<'b>(&self, rest: &'b [u8]) -> Option<(&'b [u8], &'b [u8])> {
        let (payload, frame_len) = self.clean_frame_range(rest, 0)?;
        // Sliced from `rest`, whose length the deframer has just compared
        // with the frame's: the compiler drops these bounds checks for the
        // built-in deframers.
        Some((rest.get(payload)?, rest.get(frame_len..)?))
    }

    /// [`clean_frame`](Self::clean_frame) at `at` in `bytes`, the payload as a range
    /// relative to `at`.
    #[inline(always)]
    pub(crate) fn clean_frame_range(&self, bytes: &[u8], at: usize) -> Option<(Range<usize>, usize)> {
        if self.skipping.is_some() {
            return None;
        }
        match self.deframer.decode_frame(bytes.get(at..)?) {
            Ok(Decoded::Frame { payload, frame_len }) => Some((payload, frame_len)),
            _ => None,
        }
    }

    /// [`step`](Self::step) for every other case (more bytes needed, the
    /// end, an error, recovery), from what the deframer said.
    #[inline(never)]
    fn step_slow(
        &mut self,
        bytes: &[u8],
        at: &mut usize,
        mut decoded: Result<Decoded>,
        at_end: bool,
    ) -> Result<Option<Step>> {
        loop {
            if self.mode == RecoveryMode::TolerateTornTail && self.skipping.is_some() {
                return self.consume_zeros(bytes, at, at_end);
            }
            let input = bytes.get(*at..).unwrap_or_default();
            match decoded {
                Ok(Decoded::Frame { payload, frame_len }) => {
                    self.finish_skip();
                    return Ok(Some(self.take_frame(at, payload, frame_len)));
                }
                Ok(Decoded::Incomplete { needed }) => {
                    if !at_end {
                        return Ok(Some(Step::Need(needed)));
                    }
                    if input.is_empty() {
                        self.finish_skip();
                        return Ok(None);
                    }
                    let eof = Error::UnexpectedEof {
                        offset: self.position,
                        needed: needed as u64,
                        available: input.len() as u64,
                    };
                    match self.mode {
                        RecoveryMode::Strict => return Err(eof),
                        RecoveryMode::TolerateTornTail => {
                            return self.end_at_torn_tail(input, at, needed).map(|()| None)
                        }
                        RecoveryMode::SkipCorrupt => self.skip_byte(at, eof),
                    }
                }
                Err(e) => {
                    let e = e.shifted(self.position);
                    match self.mode {
                        RecoveryMode::Strict => return Err(e),
                        RecoveryMode::TolerateTornTail => {
                            if !self.at_zeroed_header(input) {
                                return Err(e);
                            }
                            // Perhaps the unwritten end of a preallocated
                            // file: consume_zeros decides.
                            self.skipping = Some((self.position, e));
                        }
                        RecoveryMode::SkipCorrupt => self.skip_byte(at, e),
                    }
                }
            }
            decoded = self.deframer.decode_frame(bytes.get(*at..).unwrap_or_default());
        }
    }

    /// Consumes the frame `decode_frame` found at the cursor; the payload's
    /// range in the bytes scanned.
    #[inline(always)]
    fn take_frame(&mut self, at: &mut usize, payload: Range<usize>, frame_len: usize) -> Step {
        let base = *at;
        *at += frame_len;
        self.frame_start = self.position;
        self.position += frame_len as u64;
        Step::Frame(base + payload.start..base + payload.end)
    }

    /// Under `TolerateTornTail`, at the end of the input inside a frame: a
    /// clean end, unless a valid frame follows the suspect header (then the
    /// header is corrupt, and truncating here would lose that frame).
    fn end_at_torn_tail(&mut self, tail: &[u8], at: &mut usize, needed: usize) -> Result<()> {
        if let Some(found) = find_valid_frame(&self.deframer, tail, 1) {
            return Err(Error::InvalidFrame {
                offset: self.position,
                reason: FrameDefect::CorruptLength {
                    claimed: needed as u64,
                    available: tail.len() as u64,
                    valid_frame_at: self.position + found as u64,
                },
            });
        }
        self.torn_tail = Some(TornTail {
            offset: self.position,
            len: tail.len() as u64,
        });
        self.advance(at, tail.len());
        Ok(())
    }

    /// Whether `input` starts with a whole header of zeros.
    fn at_zeroed_header(&self, input: &[u8]) -> bool {
        let header_len = self.deframer.header_len();
        input
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
    fn consume_zeros(&mut self, bytes: &[u8], at: &mut usize, at_end: bool) -> Result<Option<Step>> {
        let input = bytes.get(*at..).unwrap_or_default();
        let zeros = input.iter().position(|&b| b != 0).unwrap_or(input.len());
        let data_follows = zeros < input.len();
        self.advance(at, zeros);
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
    fn advance(&mut self, at: &mut usize, n: usize) {
        *at += n;
        self.position += n as u64;
    }

    /// Under `SkipCorrupt`: steps over one byte, opening a skipped region
    /// (with `reason`) if none is open.
    fn skip_byte(&mut self, at: &mut usize, reason: Error) {
        if self.skipping.is_none() {
            self.skipping = Some((self.position, reason));
        }
        self.advance(at, 1);
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

    /// At a clean end of the input, at stream offset `at`: the deframer's
    /// verdict on ending there ([`Deframer::end_of_stream`]). An encrypted
    /// stream without its final frame is an error at `at`, or under
    /// `TolerateTornTail` a torn tail there.
    #[cold]
    pub(crate) fn end_of_stream(&mut self, at: u64) -> Result<()> {
        let Err(e) = self.deframer.end_of_stream() else {
            return Ok(());
        };
        if self.mode == RecoveryMode::TolerateTornTail {
            self.torn_tail.get_or_insert(TornTail { offset: at, len: 0 });
            return Ok(());
        }
        Err(e.shifted(at))
    }

    /// A notice about the frame at `at` just unpacked, whose messages are
    /// good ([`Deframer::take_notice`]: frames missing before it): an error
    /// (the messages follow on the next read), or under `SkipCorrupt` an
    /// empty skipped region there.
    #[cold]
    pub(crate) fn notice(&mut self, at: u64, e: Error) -> Result<()> {
        let e = e.shifted(at);
        if self.mode != RecoveryMode::SkipCorrupt {
            return Err(e);
        }
        self.skipped.push(SkippedRegion {
            offset: at,
            len: 0,
            reason: e,
        });
        Ok(())
    }

    /// For a packing deframer: unpacks `payload`, the frame of `frame.1`
    /// bytes at stream offset `frame.0`, into `unpacked`. A frame that does
    /// not unpack is rejected as [`reject_frame`](Self::reject_frame) does
    /// (`Ok(false)` when it is skipped); a notice about one that does is
    /// reported as [`notice`](Self::notice) does, its messages kept.
    pub(crate) fn unpack(
        &mut self,
        unpacked: &mut UnpackBuffer,
        payload: &[u8],
        frame: (u64, u64),
    ) -> Result<bool> {
        match unpacked.load(&self.deframer, payload) {
            Ok(()) => match self.deframer.take_notice() {
                None => Ok(true),
                Some(e) => self.notice(frame.0, e).map(|()| true),
            },
            Err(e) => self.reject_frame(frame.0, frame.1, e).map(|()| false),
        }
    }

    /// The limits a typed read of `T` verifies with.
    #[inline]
    pub(crate) fn limits_for<T: StreamDeserialize>(&self) -> VerifyLimits {
        self.limits.unwrap_or(T::VERIFY_LIMITS)
    }

    /// The frame of `len` bytes at stream offset `at`, whose payload a typed
    /// read refused with `e` (for a driver that hands out frames ahead of
    /// the scan, as the codecs do): skipped and reported under
    /// `SkipCorrupt`, the error at the frame's offset otherwise.
    #[cold]
    pub(crate) fn reject_frame(&mut self, at: u64, len: u64, e: Error) -> Result<()> {
        let e = e.shifted(at);
        if self.mode != RecoveryMode::SkipCorrupt {
            return Err(e);
        }
        self.skipped.push(SkippedRegion {
            offset: at,
            len,
            reason: e,
        });
        Ok(())
    }

    /// The last frame handed out, whose payload a typed read refused with
    /// `e`: skipped and reported under `SkipCorrupt`, the error at the
    /// frame's offset otherwise. The frame stays consumed either way.
    #[cold]
    pub(crate) fn reject(&mut self, e: Error) -> Result<()> {
        self.reject_frame(self.frame_start, self.position - self.frame_start, e)
    }
}
