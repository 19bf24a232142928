//! [`TypedCodec`]: a [`FrameCodec`] decoding each payload into an owned
//! value, with the readers' verification limits and their handling of a
//! payload the type refuses.

use std::marker::PhantomData;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::decode::{FromPayload, VerifyLimits};
use crate::encode::serialize::StreamSerialize;
use crate::error::{Error, Result};
use crate::framing::{Deframer, Framer};
use crate::io::codec::FrameCodec;
use crate::recovery::{RecoveryMode, SkippedRegion, TornTail};

/// A `tokio_util` codec of owned `T`s (a derived message, or a serde
/// payload such as `Postcard<T>`): `Framed<TcpStream, TypedCodec<..>>` is
/// then a `Stream` of `Result<T>`, the codec counterpart of
/// [`StreamReader::typed`](crate::StreamReader::typed). Made by
/// [`FrameCodec::typed`].
///
/// Each payload is decoded with the codec's
/// [limits](Self::with_verify_limits) (else `T`'s own). A payload `T`
/// refuses is an error at its frame's offset, or under
/// [`Recovery::SkipCorrupt`](crate::Recovery::SkipCorrupt) a skipped region
/// (as a reader reports it), and decoding goes on with the next frame.
pub struct TypedCodec<F, D, T> {
    codec: FrameCodec<F, D>,
    limits: Option<VerifyLimits>,
    _type: PhantomData<fn() -> T>,
}

impl<F, D: Deframer> FrameCodec<F, D> {
    /// This codec decoding each payload into an owned `T` (see
    /// [`TypedCodec`]).
    pub fn typed<T: FromPayload>(self) -> TypedCodec<F, D, T> {
        TypedCodec {
            codec: self,
            limits: None,
            _type: PhantomData,
        }
    }
}

impl<F, D: Deframer, T: FromPayload> TypedCodec<F, D, T> {
    /// Uses `limits` for every payload instead of `T`'s own, as
    /// [`StreamReader::with_verify_limits`](crate::StreamReader::with_verify_limits)
    /// does for a reader.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The recovery policy in use (set on the [`FrameCodec`]).
    pub fn recovery(&self) -> RecoveryMode {
        self.codec.recovery()
    }

    /// See [`FrameCodec::torn_tail`].
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.codec.torn_tail()
    }

    /// The regions skipped since the last call: damaged bytes and, under
    /// `SkipCorrupt`, frames whose payload `T` refused.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        self.codec.take_skipped()
    }

    /// Stream offset of the next frame to decode.
    pub fn position(&self) -> u64 {
        self.codec.position()
    }

    /// The untyped codec.
    pub fn into_untyped(self) -> FrameCodec<F, D> {
        self.codec
    }

    fn decode_with(&mut self, src: &mut BytesMut, at_end: bool) -> Result<Option<T>> {
        loop {
            let payload = match if at_end {
                self.codec.decode_eof(src)?
            } else {
                self.codec.decode(src)?
            } {
                Some(payload) => payload,
                None => return Ok(None),
            };
            match T::from_payload(&payload, self.limits) {
                Ok(value) => return Ok(Some(value)),
                Err(e) => {
                    let (at, len) = self.codec.last_frame;
                    self.codec.scan.reject_frame(at, len, e)?;
                }
            }
        }
    }
}

impl<F: std::fmt::Debug, D: std::fmt::Debug, T> std::fmt::Debug for TypedCodec<F, D, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedCodec")
            .field("codec", &self.codec)
            .field("type", &std::any::type_name::<T>())
            .finish()
    }
}

impl<F: Framer, D, T, I: StreamSerialize> Encoder<I> for TypedCodec<F, D, T> {
    type Error = Error;

    #[inline]
    fn encode(&mut self, item: I, dst: &mut BytesMut) -> Result<()> {
        self.codec.encode(item, dst)
    }
}

impl<F, D: Deframer, T: FromPayload> Decoder for TypedCodec<F, D, T> {
    type Item = T;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<T>> {
        self.decode_with(src, false)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<T>> {
        self.decode_with(src, true)
    }
}
