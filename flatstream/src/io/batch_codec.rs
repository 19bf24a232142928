//! [`BatchCodec`]: every whole frame in the read buffer decoded at once, as
//! one [`FrameBatch`] whose payloads are lent from it.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::decode::VerifyLimits;
use crate::encode::serialize::StreamSerialize;
use crate::error::{Error, Result};
use crate::framing::{Deframer, Framer};
use crate::io::codec::{locate_verified, FrameCodec};
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
    ///
    /// A batch lends the payloads of the frames as they arrived, so for a
    /// compressed framing ([`Deframer::PACKED`]) this does not compile: its
    /// messages exist only once decompressed (decode them with the
    /// [`FrameCodec`] itself, whose items they are).
    pub fn batched(self) -> BatchCodec<F, D> {
        const {
            assert!(
                !D::PACKED,
                "a BatchCodec lends payloads as they arrived, and a compressed frame's messages \
                 must be decompressed: decode with the FrameCodec itself"
            )
        };
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
        if codec.ready_count == 0 && !codec.refill(src, at_end)? {
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
