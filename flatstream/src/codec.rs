//! The `tokio_util` codecs (feature `tokio`): [`FrameCodec`], one frame per
//! item, and [`BatchCodec`], every whole frame buffered per item.
//!
//! Both drive the same sans-IO framing as the readers and writers
//! (`Deframer::decode_frame`, `WriteCore`), so a byte stream decodes the same,
//! frame for frame and error for error, whichever reads it.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::buf::extend_zeroed;
use crate::decode::VerifyLimits;
use crate::error::{Error, Result};
use crate::framing::{header_too_long, padding_slice, MAX_HEADER_LEN};
use crate::framing::{Decoded, Deframer, Framer};
use crate::layout::Framed;
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};
use crate::scan::{FrameScanner, Step};
use crate::serialize::{PayloadBuf, PayloadSink, StreamSerialize};
use crate::writer::WriteCore;

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
    scan: FrameScanner<D>,
    /// Whole frames the scanner passed, split off the read buffer, not yet
    /// handed out; how many; and the stream offset of the first.
    ready: Bytes,
    ready_count: usize,
    ready_at: u64,
    /// An error met after the frames in `ready`: returned once they are out.
    deferred: Option<Error>,
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
            deferred: None,
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

    /// The frames ready to hand out, scanning `src` for more when none are:
    /// `Ok(false)` when no whole frame is there yet (or, at the end, left).
    #[inline]
    fn fill_ready(&mut self, src: &mut BytesMut, at_end: bool) -> Result<bool> {
        if self.ready_count > 0 {
            return Ok(true);
        }
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
    #[inline]
    fn next_ready(&mut self) -> Result<Bytes> {
        match locate_verified(&self.scan.deframer, &self.ready) {
            Some((payload, frame_len)) => {
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

    fn decode_with(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<Bytes>> {
        if self.fill_ready(src, at_end)? {
            self.next_ready().map(Some)
        } else {
            Ok(None)
        }
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
struct Run {
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
        let len = append_frame(&mut self.writer, &item, dst)?;
        self.writer.wrote_frame(len, len);
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

/// Serializes `item` and appends its frame to `out`, encoded straight into
/// `out` behind room for the header, which is then written in front of it,
/// so nothing is copied. Returns the frame's length; on an error `out` is
/// as it was.
#[inline]
fn append_frame<F: Framer, T: StreamSerialize + ?Sized>(
    core: &mut WriteCore<F>,
    item: &T,
    out: &mut BytesMut,
) -> Result<usize> {
    let header_len = core.framer.header_len();
    if header_len > MAX_HEADER_LEN {
        return Err(header_too_long(header_len));
    }
    let start = out.len();
    // Room for the header (the framer writes every byte of it).
    extend_zeroed(out, header_len);
    if let Err(e) = item.encode_into(&mut PayloadSink::with_builder(out, &mut core.builder)) {
        out.truncate(start);
        return Err(e);
    }
    let (header, payload) = out[start..].split_at_mut(header_len);
    let framed = core
        .framer
        .encode_header(payload, header)
        .map_err(|e| e.shifted(core.position))
        .and_then(|()| padding_slice(core.framer.padding_len(payload.len())));
    let padding = framed.inspect_err(|_| out.truncate(start))?;
    out.extend_from_slice(padding);
    Ok(out.len() - start)
}

/// The codec encodes straight into its output buffer.
impl PayloadBuf for BytesMut {
    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline(always)]
    fn cut(&mut self, len: usize) {
        self.truncate(len);
    }
    #[inline(always)]
    fn grow_zeroed(&mut self, len: usize) {
        self.resize(len, 0);
    }
    #[inline(always)]
    fn reserve_more(&mut self, additional: usize) {
        self.reserve(additional);
    }
}

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
fn locate_verified<D: Deframer>(deframer: &D, frames: &[u8]) -> Option<(std::ops::Range<usize>, usize)> {
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

/// A `tokio_util` codec that decodes every whole frame in the read buffer at
/// once, as one [`FrameBatch`]: made by [`FrameCodec::batched`].
///
/// A [`FrameCodec`] hands out each payload as its own [`Bytes`], which
/// costs a reference taken and dropped (two atomic updates) per frame; on
/// small messages that is half of the decoding. A `BatchCodec` lends the
/// payloads from the batch instead, so per frame only the header and
/// checksum are checked: the codec for streams of many small messages. Every frame in a batch has been verified (header, limit,
/// checksum, padding) before the batch is handed out; a damaged frame
/// after whole ones ends the batch before it, and the next decode call
/// returns its error, with the same offset [`FrameCodec`] would report.
///
/// Encoding is the same as [`FrameCodec`]'s.
///
/// ```
/// use flatstream::{DefaultDeframer, DefaultFramer, FrameCodec, RawPayload};
/// use tokio_util::bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
///
/// let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new()).batched();
/// let mut buf = BytesMut::new();
/// codec.encode(RawPayload(b"one"), &mut buf)?;
/// codec.encode(RawPayload(b"two"), &mut buf)?;
/// buf.extend_from_slice(&[9, 0, 0]); // the start of a third frame
///
/// let batch = codec.decode(&mut buf)?.expect("two whole frames");
/// assert_eq!(batch.len(), 2);
/// assert!(batch.payloads().eq([b"one", b"two"]));
/// assert_eq!(codec.decode(&mut buf)?, None); // the third is not whole yet
/// # Ok::<(), flatstream::Error>(())
/// ```
pub struct BatchCodec<F, D> {
    codec: FrameCodec<F, D>,
    limits: Option<VerifyLimits>,
}

impl<F: Framer, D: Deframer> FrameCodec<F, D> {
    /// This codec decoding a [`FrameBatch`] at a time: see [`BatchCodec`].
    pub fn batched(self) -> BatchCodec<F, D> {
        BatchCodec {
            codec: self,
            limits: None,
        }
    }
}

impl<F, D: Deframer> BatchCodec<F, D> {
    /// Chooses the recovery policy (see [`FrameCodec::with_recovery`]).
    pub fn with_recovery<P: RecoveryPolicy<D>>(self, policy: P) -> Result<Self> {
        Ok(BatchCodec {
            codec: self.codec.with_recovery(policy)?,
            limits: self.limits,
        })
    }

    /// The limits [`FrameBatch::views`] verifies with instead of each
    /// type's own, as
    /// [`StreamReader::with_verify_limits`](crate::StreamReader::with_verify_limits)
    /// sets for a reader.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.codec.recovery()
    }

    /// See [`FrameCodec::torn_tail`].
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.codec.torn_tail()
    }

    /// See [`FrameCodec::take_skipped`].
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        self.codec.take_skipped()
    }

    /// Stream offset of the next frame to decode.
    pub fn position(&self) -> u64 {
        self.codec.position()
    }

    /// The codec handing out one frame per item.
    pub fn into_unbatched(self) -> FrameCodec<F, D> {
        self.codec
    }

    fn decode_with(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<FrameBatch<D>>>
    where
        D: Clone,
    {
        let codec = &mut self.codec;
        // Frames the unbatched codec had split off come first.
        if !codec.fill_ready(src, at_end)? {
            return Ok(None);
        }
        let count = std::mem::take(&mut codec.ready_count);
        let frames = std::mem::take(&mut codec.ready);
        Ok(Some(FrameBatch {
            position: codec.ready_at,
            frames,
            count,
            deframer: codec.scan.deframer.clone(),
            limits: self.limits,
        }))
    }
}

impl<F: std::fmt::Debug, D: std::fmt::Debug> std::fmt::Debug for BatchCodec<F, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BatchCodec").field(&self.codec).finish()
    }
}

impl<F: Framer, D, T: StreamSerialize> Encoder<T> for BatchCodec<F, D> {
    type Error = Error;

    #[inline]
    fn encode(&mut self, item: T, dst: &mut BytesMut) -> Result<()> {
        self.codec.encode(item, dst)
    }
}

impl<F, D: Deframer + Clone> Decoder for BatchCodec<F, D> {
    type Item = FrameBatch<D>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<FrameBatch<D>>> {
        self.decode_with(src, false)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<FrameBatch<D>>> {
        self.decode_with(src, true)
    }
}

/// Whole, verified frames as they arrived, decoded by a [`BatchCodec`]:
/// their payloads are lent from it without copying.
///
/// The frames were verified by the decoder (header, limit, checksum,
/// padding); [`payloads`](Self::payloads) only walks their headers.
#[derive(Clone)]
pub struct FrameBatch<D> {
    /// The frames, headers included, as they were in the stream.
    frames: Bytes,
    count: usize,
    /// The deframer that verified them, to find the payloads again.
    deframer: D,
    position: u64,
    /// The codec's verification limits, if it was given any.
    limits: Option<VerifyLimits>,
}

impl<D: Deframer> FrameBatch<D> {
    /// How many frames the batch holds (at least one, from a decoder).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the batch holds no frame.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Stream offset of the batch's first frame.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The frames, headers included, exactly as they were in the stream:
    /// to store or forward them without framing them again.
    /// `Bytes::slice_ref` of a payload gives an owned handle on it.
    pub fn as_bytes(&self) -> &Bytes {
        &self.frames
    }

    /// The frames' bytes, as [`as_bytes`](Self::as_bytes).
    pub fn into_bytes(self) -> Bytes {
        self.frames
    }

    /// Each frame's payload, in stream order.
    pub fn payloads(&self) -> BatchPayloads<'_, D> {
        BatchPayloads {
            frames: &self.frames,
            at: 0,
            left: self.count,
            deframer: &self.deframer,
        }
    }

    /// Each payload verified as a `T` (with the codec's
    /// [limits](BatchCodec::with_verify_limits), else `T`'s
    /// [`VERIFY_LIMITS`](crate::StreamDeserialize::VERIFY_LIMITS)), as a
    /// zero-copy view; an error carries the stream offset of its frame, and
    /// the frames after it still come.
    pub fn views<T: crate::StreamDeserialize>(&self) -> impl Iterator<Item = Result<T::View<'_>>> + '_ {
        self.views_with::<T>(self.limits.unwrap_or(T::VERIFY_LIMITS))
    }

    /// [`views`](Self::views) with other limits, as
    /// [`StreamReader::with_verify_limits`](crate::StreamReader::with_verify_limits)
    /// sets for a reader.
    pub fn views_with<T: crate::StreamDeserialize>(
        &self,
        limits: crate::VerifyLimits,
    ) -> impl Iterator<Item = Result<T::View<'_>>> + '_ {
        let mut walk = self.payloads();
        std::iter::from_fn(move || {
            let (at, payload) = walk.next_frame()?;
            Some(T::view_with(payload, limits).map_err(|e| e.shifted(self.position + at as u64)))
        })
    }
}

/// Batches are equal when they hold the same bytes from the same stream
/// offset (the deframer is not compared: it need not be `PartialEq`).
impl<D> PartialEq for FrameBatch<D> {
    fn eq(&self, other: &Self) -> bool {
        self.position == other.position && self.count == other.count && self.frames == other.frames
    }
}

impl<D> Eq for FrameBatch<D> {}

impl<D: std::fmt::Debug> std::fmt::Debug for FrameBatch<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameBatch")
            .field("frames", &self.count)
            .field("bytes", &self.frames.len())
            .field("position", &self.position)
            .field("deframer", &self.deframer)
            .finish()
    }
}

/// The payloads of a [`FrameBatch`], from [`FrameBatch::payloads`].
#[derive(Debug, Clone)]
pub struct BatchPayloads<'a, D> {
    frames: &'a [u8],
    /// Offset of the next frame in `frames`.
    at: usize,
    left: usize,
    deframer: &'a D,
}

impl<'a, D: Deframer> BatchPayloads<'a, D> {
    /// The next frame's offset in the batch and its payload.
    #[inline]
    fn next_frame(&mut self) -> Option<(usize, &'a [u8])> {
        if self.left == 0 {
            return None;
        }
        let rest = &self.frames[self.at..];
        match locate_verified(self.deframer, rest) {
            Some((payload, frame_len)) => {
                let at = self.at;
                self.at += frame_len;
                self.left -= 1;
                Some((at, &rest[payload]))
            }
            // The walk ends rather than hand out bytes it did not verify.
            None => {
                self.left = 0;
                None
            }
        }
    }
}

impl<'a, D: Deframer> Iterator for BatchPayloads<'a, D> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        self.next_frame().map(|(_, payload)| payload)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl<D: Deframer> std::iter::FusedIterator for BatchPayloads<'_, D> {}
