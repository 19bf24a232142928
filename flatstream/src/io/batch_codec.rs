//! [`BatchCodec`]: every whole frame in the read buffer decoded at once, as
//! one [`FrameBatch`] whose payloads are lent from it.

use std::collections::VecDeque;
use std::ops::Range;

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::decode::VerifyLimits;
use crate::encode::serialize::StreamSerialize;
use crate::error::{Error, Result};
use crate::framing::{Deframer, Framer};
use crate::io::codec::{locate_verified, FrameCodec};
use crate::io::unpack::UnpackBuffer;
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

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
/// For a framing that packs messages (compressed or encrypted:
/// [`Deframer::PACKED`]) a batch holds the messages of whole frames,
/// unpacked (decompressed, decrypted) once into one buffer the batch owns
/// and lent from it: one copy per batch, not one per message. A batch
/// then stops taking frames once it holds 1 MiB of messages (or the frame
/// that passes that), so memory stays bounded whatever the read buffer
/// holds. A frame after a gap in an encrypted stream comes as a batch of
/// its own, after the error that reports the gap.
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
    /// For a packing deframer: what was met after the messages of the
    /// batch handed out last (an error; after a gap, the error and then
    /// the batch of the frame after it), handed out first by the next
    /// calls, in order.
    backlog: VecDeque<Result<FrameBatch<D>>>,
}

/// For a packing deframer, the bytes of messages after which a batch takes
/// no more frames.
const UNPACKED_BATCH_LEN: usize = 1 << 20;

impl<F: Framer, D: Deframer> FrameCodec<F, D> {
    /// This codec decoding a [`FrameBatch`] at a time: see [`BatchCodec`].
    pub fn batched(self) -> BatchCodec<F, D> {
        BatchCodec {
            codec: self,
            limits: None,
            backlog: VecDeque::new(),
        }
    }
}

impl<F, D: Deframer> BatchCodec<F, D> {
    /// Chooses the recovery policy (see [`FrameCodec::with_recovery`]).
    pub fn with_recovery<P: RecoveryPolicy<D>>(self, policy: P) -> Result<Self> {
        Ok(BatchCodec {
            codec: self.codec.with_recovery(policy)?,
            ..self
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
        if D::PACKED {
            return self.decode_unpacked(src, at_end);
        }
        let codec = &mut self.codec;
        // Frames the unbatched codec had split off come first.
        if codec.ready_count == 0 && !codec.refill(src, at_end)? {
            return Ok(None);
        }
        let count = std::mem::take(&mut codec.ready_count);
        let frames = std::mem::take(&mut codec.ready);
        Ok(Some(FrameBatch {
            position: codec.ready_at,
            frames,
            count,
            walk: Walk::Frames(codec.scan.deframer.clone()),
            limits: self.limits,
        }))
    }

    /// For a packing deframer: the messages of the whole frames in `src`
    /// (up to [`UNPACKED_BATCH_LEN`] of them), unpacked into one batch. An
    /// error after some of them is returned by the next call, as for plain
    /// frames.
    #[inline(never)]
    fn decode_unpacked(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<FrameBatch<D>>> {
        if let Some(next) = self.backlog.pop_front() {
            return next.map(Some);
        }
        let codec = &mut self.codec;
        let backlog = &mut self.backlog;
        let mut gathered = Gathered::default();
        // The run of frames the batch is read from, and its stream offset.
        let (mut run, mut run_at) = (Bytes::new(), 0);
        loop {
            if codec.ready_count == 0 {
                if !gathered.spans.is_empty() {
                    break;
                }
                if !codec.refill(src, at_end)? {
                    if at_end && src.is_empty() {
                        codec.scan.end_of_stream(codec.scan.position)?;
                    }
                    return Ok(None);
                }
                (run, run_at) = (codec.ready.clone(), codec.ready_at);
            }
            let payload = match codec.next_ready() {
                Ok(payload) => payload,
                Err(e) => {
                    backlog.push_back(Err(e));
                    break;
                }
            };
            let frame = codec.last_frame;
            let at = (frame.0 - run_at) as usize;
            match codec.scan.unpack(&mut codec.unpacked, &payload, frame) {
                Ok(true) => {}
                Ok(false) => continue, // skipped
                // A notice (frames missing before this one): the error
                // comes first, then this frame's messages, as a batch.
                Err(e) if codec.unpacked.has_more() => {
                    backlog.push_back(Err(e));
                    let mut alone = Gathered::default();
                    let damaged = alone.take_frame(0, &mut codec.unpacked);
                    let frame_bytes = slice_within(&run, at, frame.1 as usize);
                    if let Some(batch) = alone.into_batch(frame_bytes, frame.0, self.limits) {
                        backlog.push_back(Ok(batch));
                    }
                    if let Err(e) = damaged.or_else(|e| codec.scan.reject_frame(frame.0, frame.1, e)) {
                        backlog.push_back(Err(e));
                    }
                    break;
                }
                Err(e) => {
                    backlog.push_back(Err(e));
                    break;
                }
            }
            let damaged = gathered.take_frame(at, &mut codec.unpacked);
            if let Err(e) = damaged.or_else(|e| codec.scan.reject_frame(frame.0, frame.1, e)) {
                backlog.push_back(Err(e));
                break;
            }
            if gathered.messages.len() >= UNPACKED_BATCH_LEN && !gathered.spans.is_empty() {
                break;
            }
        }
        let consumed = slice_within(&run, 0, (codec.ready_at - run_at) as usize);
        match gathered.into_batch(consumed, run_at, self.limits) {
            Some(batch) => Ok(Some(batch)),
            // Only a stop with something in the backlog leaves no messages.
            None => self.backlog.pop_front().transpose(),
        }
    }
}

/// `len` bytes of `run` from `at`, as far as `run` goes (the frames of a
/// run are within it by construction).
fn slice_within(run: &Bytes, at: usize, len: usize) -> Bytes {
    let start = at.min(run.len());
    run.slice(start..start + len.min(run.len() - start))
}

/// The messages of a batch being unpacked, and where each is.
#[derive(Default)]
struct Gathered {
    messages: Vec<u8>,
    spans: Vec<(usize, Range<usize>)>,
}

impl Gathered {
    /// Takes the messages of the frame just unpacked, at offset `at` of the
    /// batch: its unpacked bytes copied at once, then each message's range.
    /// A damaged block entry ends the frame (its messages before it are
    /// kept) and is returned.
    fn take_frame(&mut self, at: usize, unpacked: &mut UnpackBuffer) -> Result<()> {
        let base = self.messages.len();
        self.messages.extend_from_slice(unpacked.unpacked());
        while let Some(range) = unpacked.next()? {
            self.spans.push((at, base + range.start..base + range.end));
        }
        Ok(())
    }

    /// The batch of these messages, read from `frames` at stream offset
    /// `position`; `None` when there are none.
    fn into_batch<D>(
        self,
        frames: Bytes,
        position: u64,
        limits: Option<VerifyLimits>,
    ) -> Option<FrameBatch<D>> {
        (!self.spans.is_empty()).then(|| FrameBatch {
            frames,
            count: self.spans.len(),
            walk: Walk::Unpacked {
                messages: Bytes::from(self.messages),
                spans: self.spans,
            },
            position,
            limits,
        })
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
/// padding); [`payloads`](Self::payloads) only walks their headers. For a
/// framing that packs messages (compressed, encrypted) the batch holds
/// them unpacked, and `payloads` lends the messages.
#[derive(Clone)]
pub struct FrameBatch<D> {
    /// The frames, headers included, as they were in the stream.
    frames: Bytes,
    /// How many messages `payloads` hands out.
    count: usize,
    walk: Walk<D>,
    position: u64,
    /// The codec's verification limits, if it was given any.
    limits: Option<VerifyLimits>,
}

/// How a batch's messages are found.
#[derive(Clone)]
enum Walk<D> {
    /// They are the frames' payloads, found again from the headers with the
    /// deframer that verified them.
    Frames(D),
    /// The frames were unpacked: the messages, and each one's range there
    /// with its frame's offset in the batch.
    Unpacked {
        messages: Bytes,
        spans: Vec<(usize, Range<usize>)>,
    },
}

impl<D: Deframer> FrameBatch<D> {
    /// How many messages the batch holds (at least one, from a decoder):
    /// its frames, or for a framing that packs messages, the messages
    /// unpacked from them.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the batch holds no message.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Stream offset of the batch's first frame.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The frames, headers included, exactly as they were in the stream:
    /// to store or forward them without framing them again.
    /// `Bytes::slice_ref` of a payload gives an owned handle on it (on an
    /// unpacked message, use [`messages_bytes`](Self::messages_bytes)).
    /// For a framing that packs messages: the frames the messages were
    /// unpacked from, skipped ones included.
    pub fn as_bytes(&self) -> &Bytes {
        &self.frames
    }

    /// The frames' bytes, as [`as_bytes`](Self::as_bytes).
    pub fn into_bytes(self) -> Bytes {
        self.frames
    }

    /// Each message in stream order: each frame's payload, or for a
    /// framing that packs messages, each message unpacked.
    pub fn payloads(&self) -> BatchPayloads<'_, D> {
        let walk = match &self.walk {
            Walk::Frames(deframer) => PayloadWalk::Frames {
                frames: &self.frames,
                at: 0,
                left: self.count,
                deframer,
            },
            Walk::Unpacked { messages, spans } => PayloadWalk::Unpacked {
                messages,
                spans: spans.iter(),
            },
        };
        BatchPayloads { walk }
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

impl<D> FrameBatch<D> {
    /// For a framing that packs messages: the buffer the unpacked messages
    /// are lent from (`Bytes::slice_ref` of one gives an owned handle on
    /// it); `None` for plain frames, whose payloads are in
    /// [`as_bytes`](Self::as_bytes).
    pub fn messages_bytes(&self) -> Option<&Bytes> {
        match &self.walk {
            Walk::Frames(_) => None,
            Walk::Unpacked { messages, .. } => Some(messages),
        }
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
            .field("messages", &self.count)
            .field("bytes", &self.frames.len())
            .field("position", &self.position)
            .field("unpacked", &self.messages_bytes().map(Bytes::len))
            .finish_non_exhaustive()
    }
}

/// The payloads of a [`FrameBatch`], from [`FrameBatch::payloads`].
#[derive(Debug, Clone)]
pub struct BatchPayloads<'a, D> {
    walk: PayloadWalk<'a, D>,
}

#[derive(Debug, Clone)]
enum PayloadWalk<'a, D> {
    Frames {
        frames: &'a [u8],
        /// Offset of the next frame in `frames`.
        at: usize,
        left: usize,
        deframer: &'a D,
    },
    Unpacked {
        messages: &'a [u8],
        spans: std::slice::Iter<'a, (usize, Range<usize>)>,
    },
}

impl<'a, D: Deframer> BatchPayloads<'a, D> {
    /// The next message: its frame's offset in the batch, and its bytes.
    #[inline]
    fn next_frame(&mut self) -> Option<(usize, &'a [u8])> {
        match &mut self.walk {
            PayloadWalk::Frames {
                frames,
                at,
                left,
                deframer,
            } => {
                if *left == 0 {
                    return None;
                }
                let rest = &frames[*at..];
                match locate_verified(*deframer, rest) {
                    Some((payload, frame_len)) => {
                        let frame_at = *at;
                        *at += frame_len;
                        *left -= 1;
                        Some((frame_at, &rest[payload]))
                    }
                    // The walk ends rather than hand out bytes it did not
                    // verify.
                    None => {
                        *left = 0;
                        None
                    }
                }
            }
            PayloadWalk::Unpacked { messages, spans } => {
                let (at, range) = spans.next()?;
                Some((*at, messages.get(range.clone())?))
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
        match &self.walk {
            PayloadWalk::Frames { left, .. } => (0, Some(*left)),
            PayloadWalk::Unpacked { spans, .. } => (0, Some(spans.len())),
        }
    }
}

impl<D: Deframer> std::iter::FusedIterator for BatchPayloads<'_, D> {}
