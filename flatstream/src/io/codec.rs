//! The `tokio_util` codecs (feature `tokio`): [`FrameCodec`], one frame per
//! item, and [`BatchCodec`], every whole frame buffered per item.
//!
//! Both drive the same sans-IO framing as the readers and writers
//! (`Deframer::decode_frame`, `WriteCore`), so a byte stream decodes the same,
//! frame for frame and error for error, whichever reads it.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::encode::serialize::{append_frame, StreamSerialize};
use crate::error::{Error, Result};
use crate::framing::{Decoded, Deframer, Framer};
use crate::io::scan::{FrameScanner, Step};
use crate::io::unpack::UnpackBuffer;
use crate::io::write_core::WriteCore;
use crate::layout::Framed;
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

/// A `tokio_util` codec for a framing: `Framed<TcpStream, FrameCodec<..>>`
/// then works with `StreamExt` and `SinkExt`.
///
/// Encodes anything [`StreamSerialize`]; decodes each frame's payload as
/// [`Bytes`], split off the read buffer without copying, after checking the
/// header against the limit and the checksum. Every whole frame in the read
/// buffer is verified and split off it at once, and handed out one per
/// `decode` call: splitting a `BytesMut` costs more than the rest of
/// decoding a small frame. The decoder reserves room in
/// steps of at most 64 KiB, so a header claiming a large frame does not
/// reserve it before the bytes arrive. Errors are the same [`Error`]s, with
/// stream offsets, as the readers'. Build one with [`FrameCodec::new`] or,
/// for a derived type, `Telemetry::codec()`.
///
/// The encoder takes any [`StreamSerialize`] type, so a `Framed` sink is a
/// `Sink` of each of them: `send(item)` infers which, but `flush` and
/// `close` need it named, as in `SinkExt::<Telemetry>::flush(&mut sink)`.
pub struct FrameCodec<F, D> {
    writer: WriteCore<F>,
    pub(crate) scan: FrameScanner<D>,
    /// Whole frames the scanner passed, split off the read buffer, not yet
    /// handed out; how many; and the stream offset of the first.
    pub(crate) ready: Bytes,
    pub(crate) ready_count: usize,
    pub(crate) ready_at: u64,
    /// An error met after the frames in `ready`: returned once they are out.
    deferred: Option<Error>,
    /// Stream offset and length of the last frame handed out.
    pub(crate) last_frame: (u64, u64),
    /// For a packing deframer: the last frame unpacked, and a copy of its
    /// bytes that the messages are sliced from.
    pub(crate) unpacked: UnpackBuffer,
    block: Bytes,
}

impl<F: Framer, D: Deframer> FrameCodec<F, D> {
    /// A codec writing with `framer` and reading with `deframer`.
    pub fn new(framer: F, deframer: D) -> Self {
        FrameCodec {
            writer: WriteCore::new(framer),
            scan: FrameScanner::new(deframer),
            ready: Bytes::new(),
            ready_count: 0,
            ready_at: 0,
            unpacked: UnpackBuffer::default(),
            block: Bytes::new(),
            deferred: None,
            last_frame: (0, 0),
        }
    }
}

impl<F, D: Deframer> FrameCodec<F, D> {
    /// Chooses the recovery policy, as
    /// [`StreamReader::with_recovery`](crate::StreamReader::with_recovery)
    /// does for a reader: the codec then reads the same frames, skips the
    /// same regions and ends at the same torn tail. The end of the stream is
    /// what `decode_eof` is called for.
    pub fn with_recovery<P: RecoveryPolicy<D>>(mut self, _policy: P) -> Result<Self> {
        self.scan.set_recovery::<P>()?;
        Ok(self)
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.scan.mode
    }

    /// The incomplete last frame accepted under
    /// [`Recovery::TolerateTornTail`](crate::Recovery::TolerateTornTail),
    /// once the decoder has reached it.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.scan.torn_tail
    }

    /// The regions skipped under
    /// [`Recovery::SkipCorrupt`](crate::Recovery::SkipCorrupt) since the last
    /// call, in stream order.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.scan.skipped)
    }

    /// Stream offset of the next frame to decode.
    pub fn position(&self) -> u64 {
        if self.ready_count > 0 {
            self.ready_at
        } else {
            self.scan.position
        }
    }

    /// Scans `src` for more frames once none are ready (or returns the
    /// error deferred behind the last ones): `Ok(false)` when no whole frame
    /// is there yet (or, at the end, left). Out of line: it runs once per
    /// read buffer, and inlined into the per-frame path it made moving the
    /// result stall (1.8x the decode time).
    #[inline(never)]
    pub(crate) fn refill(&mut self, src: &mut BytesMut, at_end: bool) -> Result<bool> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        match split_run(&mut self.scan, src, at_end, &mut self.deferred)? {
            Some(run) => {
                (self.ready, self.ready_count, self.ready_at) = (run.frames, run.count, run.at);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The next ready frame's payload, a `Bytes` sliced out of `ready` (it
    /// takes a reference; moving past the frame only moves a bound).
    #[inline(always)]
    pub(crate) fn next_ready(&mut self) -> Result<Bytes> {
        match locate_verified(&self.scan.deframer, &self.ready) {
            Some((payload, frame_len)) => {
                self.last_frame = (self.ready_at, frame_len as u64);
                self.ready_at += frame_len as u64;
                self.ready_count -= 1;
                let frame = self.ready.slice(payload);
                self.ready.advance(frame_len);
                Ok(frame)
            }
            // Dropped rather than handed out unverified.
            None => {
                self.ready.clear();
                self.ready_count = 0;
                Err(Error::InvalidFrame {
                    offset: self.ready_at,
                    reason: crate::FrameDefect::Other(
                        "the deframer decoded a header it had verified differently the second time".into(),
                    ),
                })
            }
        }
    }

    #[inline(always)]
    fn decode_with(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<Bytes>> {
        if D::PACKED {
            return self.decode_unpacked(src, at_end);
        }
        self.decode_frame(src, at_end)
    }

    /// For a packing deframer: the next message, from the frame unpacked
    /// last or the next one. Each frame's messages are copied out of the
    /// unpacking buffer once, into one `Bytes` they are sliced from.
    #[inline(never)]
    fn decode_unpacked(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<Bytes>> {
        loop {
            match self.unpacked.next() {
                Ok(Some(range)) => return Ok(Some(self.block.slice(range))),
                Ok(None) => {}
                Err(e) => self.scan.reject_frame(self.last_frame.0, self.last_frame.1, e)?,
            }
            let Some(payload) = self.decode_frame(src, at_end)? else {
                if at_end && src.is_empty() {
                    self.scan.end_of_stream(self.scan.position)?;
                }
                return Ok(None);
            };
            let unpacked = self.scan.unpack(&mut self.unpacked, &payload, self.last_frame);
            // Copied before a notice about the frame (frames missing before
            // it) is returned: its messages follow on the next call. A frame
            // that did not unpack left nothing to copy.
            self.block = Bytes::copy_from_slice(self.unpacked.unpacked());
            unpacked?;
        }
    }

    /// The next frame's payload.
    #[inline(always)]
    fn decode_frame(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<Bytes>> {
        if self.ready_count == 0 && !self.refill(src, at_end)? {
            return Ok(None);
        }
        self.next_ready().map(Some)
    }
}

impl<F: Framer, D> FrameCodec<F, D> {
    /// Ends the stream: appends the framing's final frame to `dst`, for a
    /// framing that has one (an encrypted stream's, without which a reader
    /// refuses the stream as truncated); nothing for the others. Items
    /// encoded after it are refused.
    pub fn finish_into(&mut self, dst: &mut BytesMut) -> Result<()> {
        if self.writer.pack_end()? {
            self.hand_batch_to(dst);
        }
        Ok(())
    }

    /// Appends the frame the writer core assembled to `dst`, and accounts
    /// for it as written.
    fn hand_batch_to(&mut self, dst: &mut BytesMut) {
        let frame = self.writer.batch();
        dst.extend_from_slice(frame);
        let len = frame.len();
        self.writer.wrote_batch(len);
    }
}

impl<F: std::fmt::Debug, D: std::fmt::Debug> std::fmt::Debug for FrameCodec<F, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameCodec")
            .field("framer", &self.writer.framer)
            .field("deframer", &self.scan.deframer)
            .field("position", &self.scan.position)
            .field("recovery", &self.scan.mode)
            .field("ready_frames", &self.ready_count)
            .finish()
    }
}

/// Verified frames, contiguous in the stream, split off the read buffer.
pub(crate) struct Run {
    frames: Bytes,
    count: usize,
    /// Stream offset of the first.
    at: u64,
}

/// Scans `src` (which starts at the scanner's position) for a run of whole
/// frames and splits it off, with every byte the scanner consumed before
/// and after it (skipped, zeros, a torn tail); `None`, with room reserved,
/// when no whole frame is there. Splitting a `BytesMut` costs more than the
/// rest of decoding a small frame, so every frame in the buffer goes in one
/// split. A run ends where the scanner skipped bytes (the frame after them
/// is left for the next run) or met an error (kept in `deferred`, for when
/// the run is out: the frames before an error come first, as from a
/// reader).
fn split_run<D: Deframer>(
    scan: &mut FrameScanner<D>,
    src: &mut BytesMut,
    at_end: bool,
    deferred: &mut Option<Error>,
) -> Result<Option<Run>> {
    let header_len = scan.deframer.header_len();
    let (mut at, mut count) = (0, 0);
    // The run: `run_start..run_end` of `src`, from stream offset `run_at`.
    let (mut run_start, mut run_end, mut run_at) = (0, 0, 0);
    let mut needed = None;
    loop {
        match scan.step(src, &mut at, at_end) {
            Ok(Some(Step::Frame(payload))) => {
                let frame_start = payload.start - header_len;
                if count == 0 {
                    (run_start, run_at) = (frame_start, scan.frame_start);
                } else if frame_start != run_end {
                    // Bytes were skipped since the run (and are dropped
                    // with it): this frame starts the next run.
                    at = frame_start;
                    scan.position = scan.frame_start;
                    break;
                }
                run_end = at;
                count += 1;
                if at == frame_start {
                    break; // an empty frame (a deframer with no header)
                }
            }
            Ok(Some(Step::Need(n))) => {
                needed = Some(n);
                break;
            }
            Ok(None) => break,
            Err(e) if count > 0 => {
                *deferred = Some(e);
                break;
            }
            Err(e) => {
                src.advance(at);
                return Err(e);
            }
        }
    }
    let run = (count > 0).then(|| {
        src.advance(run_start);
        let frames = src.split_to(run_end - run_start).freeze();
        at -= run_end;
        Run {
            frames,
            count,
            at: run_at,
        }
    });
    src.advance(at);
    if let (None, Some(needed)) = (&run, needed) {
        reserve_for(src, needed);
    }
    Ok(run)
}

impl<F: Framer, D, T: StreamSerialize> Encoder<T> for FrameCodec<F, D> {
    type Error = Error;

    fn encode(&mut self, item: T, dst: &mut BytesMut) -> Result<()> {
        if F::PACKS {
            // Each item packed on its own: the `Encoder` trait has no flush
            // to end a block on.
            self.writer.pack_alone(&item)?;
            self.hand_batch_to(dst);
            return Ok(());
        }
        let writer = &mut self.writer;
        let len = append_frame(&writer.framer, &mut writer.builder, &item, dst)
            .map_err(|e| e.shifted(writer.position))?;
        writer.wrote_frame(len, len);
        Ok(())
    }
}

/// `Telemetry::codec()`: a [`FrameCodec`] of a type's framing, for every
/// [`Framed`] type (in the prelude).
pub trait FramedCodec: Framed {
    /// A `tokio_util` codec of this framing, for `Framed<TcpStream, _>`.
    fn codec() -> FrameCodec<Self::Framer, Self::Deframer>
    where
        Self: Sized,
    {
        FrameCodec::new(Self::framer(), Self::deframer())
    }
}

impl<T: Framed + ?Sized> FramedCodec for T {}

// The codec encodes straight into its output buffer.
crate::buf::vec_like_payload_buf!(BytesMut);

/// Room reserved per step while a frame is incomplete.
const RESERVE_STEP: usize = 64 * 1024;

impl<F, D: Deframer> Decoder for FrameCodec<F, D> {
    type Item = Bytes;
    type Error = Error;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>> {
        self.decode_with(src, false)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>> {
        self.decode_with(src, true)
    }
}

/// Where the frame at the start of `frames` is, from its header alone: the
/// frames were verified by `deframer` (or its clone) when they were split
/// off the read buffer, so each header decodes again and the payload need
/// not be checked twice. `None` if a `Deframer` implementation decodes the
/// header differently the second time: callers then hand out nothing more.
#[inline(always)]
pub(crate) fn locate_verified<D: Deframer>(
    deframer: &D,
    frames: &[u8],
) -> Option<(std::ops::Range<usize>, usize)> {
    match crate::framing::decode_frame_with::<D, false>(deframer, frames) {
        Ok(Decoded::Frame { payload, frame_len }) => Some((payload, frame_len)),
        _ => None,
    }
}

/// The decoder's answer when the buffer holds no whole frame: room for the
/// rest of the frame is reserved in steps, so a header claiming a large
/// frame does not reserve it before the bytes arrive.
fn reserve_for(src: &mut BytesMut, needed: usize) {
    let missing = needed.saturating_sub(src.len());
    src.reserve(missing.min(RESERVE_STEP));
}
