//! Async drivers over tokio (feature `tokio`): [`AsyncStreamReader`] here,
//! [`AsyncStreamWriter`](crate::AsyncStreamWriter) in `async_writer.rs`;
//! the `tokio_util` codecs are in `codec.rs` and `batch_codec.rs`.
//!
//! They drive the same sans-IO cores as the sync reader and writer
//! (`ReadCore`, `WriteCore`, `Deframer::decode_frame`): framing, limits,
//! recovery and accounting are not written twice, so a byte stream reads the
//! same, frame for frame and error for error, whichever driver reads it.
//!
//! # Cancellation
//!
//! * [`AsyncStreamReader::read_message`], [`read_view`](AsyncStreamReader::read_view)
//!   and [`read`](AsyncStreamReader::read) are cancel-safe: dropping the
//!   future (say, in a `tokio::select!` branch that lost) loses no byte and
//!   splits no frame; bytes already read stay buffered and the next call
//!   goes on from them.
//! * [`AsyncStreamWriter::write`] and [`write_batch`](AsyncStreamWriter::write_batch)
//!   are not: like `AsyncWriteExt::write_all`, a dropped future may have
//!   written part of a frame. [`frames_written`](AsyncStreamWriter::frames_written)
//!   counts the frames written completely before that.
//! * The codec is driven by `tokio_util::codec::Framed`, whose cancellation
//!   rules apply (`StreamExt::next` is cancel-safe).

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::Result;
use crate::framing::Deframer;
use crate::io::read_core::{ReadCore, Step};
use crate::layout::{FrameLayout, LayoutDeframer};
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

/// Reads framed messages from any [`AsyncRead`]: the async
/// [`StreamReader`](crate::StreamReader), with the same API, errors, limits
/// and recovery policies, driving the same sans-IO core (so a stream reads
/// the same, frame for frame and error for error, through either).
///
/// [`read_message`](Self::read_message), [`read_view`](Self::read_view) and
/// [`read`](Self::read) are cancel-safe: dropping the future (say, in a
/// `tokio::select!` branch that lost) loses no byte and splits no frame;
/// bytes already read stay buffered and the next call goes on from them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), flatstream::Error> {
/// use flatstream::{AsyncStreamReader, AsyncStreamWriter, DefaultDeframer, DefaultFramer};
/// let mut w = AsyncStreamWriter::new(Vec::new(), DefaultFramer);
/// w.write("hello").await?;
/// let bytes = w.into_inner();
///
/// let mut r = AsyncStreamReader::new(&bytes[..], DefaultDeframer::new());
/// let payload = r.read_message().await?.expect("one frame");
/// assert_eq!(flatbuffers::root::<&str>(payload).unwrap(), "hello");
/// assert!(r.read_message().await?.is_none());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AsyncStreamReader<R, D> {
    inner: R,
    core: ReadCore<D>,
}

impl<R: AsyncRead + Unpin, D: Deframer> AsyncStreamReader<R, D> {
    /// A reader recognising frames with `deframer` in the bytes of `inner`.
    pub fn new(inner: R, deframer: D) -> Self {
        AsyncStreamReader {
            inner,
            core: ReadCore::new(deframer),
        }
    }

    /// Chooses the recovery policy (see
    /// [`StreamReader::with_recovery`](crate::StreamReader::with_recovery)).
    pub fn with_recovery<P: RecoveryPolicy<D>>(mut self, _policy: P) -> Result<Self> {
        self.core.scan.set_recovery::<P>()?;
        Ok(self)
    }

    /// Uses `limits` for typed reads instead of each type's own.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.core.scan.limits = Some(limits);
        self
    }

    /// Reads the next frame and lends its payload (see
    /// [`StreamReader::read_message`](crate::StreamReader::read_message)).
    /// Cancel-safe.
    pub async fn read_message(&mut self) -> Result<Option<&[u8]>> {
        match self.next_frame().await? {
            Some(range) => Ok(Some(self.core.payload(range))),
            None => Ok(None),
        }
    }

    /// Reads the next frame, verified as a `T`, as a zero-copy view.
    /// Cancel-safe.
    pub async fn read_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'_>>> {
        let verified = loop {
            let Some(range) = self.next_frame().await? else {
                return Ok(None);
            };
            if let Some(verified) = self.core.verify::<T>(range)? {
                break verified;
            }
        };
        self.core.view::<T>(verified).map(Some)
    }

    /// Reads the next frame and decodes it into an owned `T` (see
    /// [`StreamReader::read`](crate::StreamReader::read)). Cancel-safe.
    pub async fn read<T: FromPayload>(&mut self) -> Result<Option<T>> {
        loop {
            let Some(range) = self.next_frame().await? else {
                return Ok(None);
            };
            if let Some(value) = self.core.decode::<T>(range)? {
                return Ok(Some(value));
            }
        }
    }

    /// The next frame: [`poll_next_frame`](Self::poll_next_frame) awaited.
    async fn next_frame(&mut self) -> Result<Option<Range<usize>>> {
        let mut at_end = false;
        std::future::poll_fn(|cx| self.poll_next_frame(cx, &mut at_end)).await
    }

    /// Drives the core: reads whenever it needs bytes (the async reader's
    /// one read loop, for the reading futures and [`TypedStream`]). Bytes
    /// are recorded as soon as a read completes, and nothing else waits,
    /// which is what makes reading cancel-safe. `at_end`: the input ended
    /// while looking for this frame.
    fn poll_next_frame(
        &mut self,
        cx: &mut Context<'_>,
        at_end: &mut bool,
    ) -> Poll<Result<Option<Range<usize>>>> {
        if !D::PACKED {
            return self.poll_next_raw_frame(cx, at_end);
        }
        // A packing deframer: the next message of the frame unpacked last,
        // or of the next one (unpacked as soon as it is whole, so a
        // cancelled read loses nothing).
        loop {
            if let Some(range) = self.core.next_unpacked()? {
                return Poll::Ready(Ok(Some(range)));
            }
            match self.poll_next_raw_frame(cx, at_end) {
                Poll::Ready(Ok(Some(frame))) => self.core.load(frame)?,
                Poll::Ready(Ok(None)) => {
                    self.core.scan.end_of_stream(self.core.scan.position)?;
                    return Poll::Ready(Ok(None));
                }
                other => return other,
            }
        }
    }

    /// The next frame's payload in the read buffer.
    fn poll_next_raw_frame(
        &mut self,
        cx: &mut Context<'_>,
        at_end: &mut bool,
    ) -> Poll<Result<Option<Range<usize>>>> {
        // A whole frame already buffered: taken inline, as the sync reader does.
        if let Some(range) = self.core.clean_frame() {
            return Poll::Ready(Ok(Some(range)));
        }
        loop {
            match self.core.step(*at_end) {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(None) => return Poll::Ready(Ok(None)),
                Ok(Some(Step::Frame(range))) => return Poll::Ready(Ok(Some(range))),
                Ok(Some(Step::Need(needed))) => {
                    let mut buf = ReadBuf::new(self.core.spare(needed));
                    match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e.into())),
                        Poll::Ready(Ok(())) => match buf.filled().len() {
                            0 => *at_end = true,
                            n => self.core.filled(n),
                        },
                    }
                }
            }
        }
    }

    /// This reader as a [`Stream`](futures_core::Stream) of owned `T`s (the
    /// async [`TypedReader`](crate::TypedReader)): `while let Some(t) =
    /// stream.next().await`, or `tokio_stream`/`futures` combinators. It
    /// ends after the first error.
    pub fn into_stream<T: FromPayload>(self) -> TypedStream<R, D, T> {
        TypedStream {
            reader: self,
            at_end: false,
            done: false,
            _type: std::marker::PhantomData,
        }
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.core.scan.mode
    }

    /// The torn tail accepted under `TolerateTornTail`, once reached.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.core.scan.torn_tail
    }

    /// The regions skipped under `SkipCorrupt` since the last call.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.core.scan.skipped)
    }

    /// Stream offset of the next frame.
    pub fn position(&self) -> u64 {
        self.core.scan.position
    }

    /// A reader whose buffer starts at `bytes` (see
    /// [`StreamReader::with_read_capacity`](crate::StreamReader::with_read_capacity)).
    pub fn with_read_capacity(mut self, bytes: usize) -> Self {
        self.core.grow_to(bytes);
        self
    }

    /// Bytes of buffer held.
    pub fn buffer_capacity(&self) -> usize {
        self.core.capacity()
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The inner reader; buffered bytes are dropped.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: AsyncRead + Unpin, L: FrameLayout + StreamDeserialize> AsyncStreamReader<R, LayoutDeframer<L>> {
    /// A reader built with `T::deframer()` for a message `T` with its own
    /// framing, as a [`Stream`](futures_core::Stream) of `T`s; the type is
    /// named once: `AsyncStreamReader::new(socket, Telemetry::deframer()).into_typed()`
    /// (the async [`StreamReader::into_typed`](crate::StreamReader::into_typed)).
    pub fn into_typed(self) -> TypedStream<R, LayoutDeframer<L>, L> {
        self.into_stream::<L>()
    }
}

impl<
        R: AsyncRead + Unpin,
        L: FrameLayout + StreamDeserialize,
        C: crate::compress::Compressor,
        K: crate::Checksum,
    > AsyncStreamReader<R, crate::compress::CompressedDeframer<LayoutDeframer<L>, C, K>>
{
    /// [`into_typed`](AsyncStreamReader::into_typed) for a message whose
    /// framing compresses (`#[frame(compress = ..)]`).
    pub fn into_typed(
        self,
    ) -> TypedStream<R, crate::compress::CompressedDeframer<LayoutDeframer<L>, C, K>, L> {
        self.into_stream::<L>()
    }
}

/// An [`AsyncStreamReader`] as a [`Stream`](futures_core::Stream) of owned
/// `T`s, decoded as [`AsyncStreamReader::read`] decodes them (errors at the
/// frame's offset, `SkipCorrupt` skipping); made by
/// [`AsyncStreamReader::into_stream`]. Ends after the first error.
pub struct TypedStream<R, D, T> {
    reader: AsyncStreamReader<R, D>,
    /// The input ended while looking for the next frame.
    at_end: bool,
    /// An error or the end was returned.
    done: bool,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<R, D, T> TypedStream<R, D, T> {
    /// The reader underneath (for `torn_tail`, `take_skipped`, ...).
    pub fn reader(&mut self) -> &mut AsyncStreamReader<R, D> {
        &mut self.reader
    }

    /// The reader underneath, consuming this stream.
    pub fn into_inner(self) -> AsyncStreamReader<R, D> {
        self.reader
    }
}

impl<R: AsyncRead + Unpin, D: Deframer + Unpin, T: FromPayload> futures_core::Stream
    for TypedStream<R, D, T>
{
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        while !this.done {
            let range = match this.reader.poll_next_frame(cx, &mut this.at_end) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Some(range))) => range,
                Poll::Ready(Ok(None)) => break,
                Poll::Ready(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            };
            this.at_end = false;
            match this.reader.core.decode::<T>(range) {
                Ok(Some(value)) => return Poll::Ready(Some(Ok(value))),
                Ok(None) => {}
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
        this.done = true;
        Poll::Ready(None)
    }
}

impl<R: std::fmt::Debug, D: std::fmt::Debug, T> std::fmt::Debug for TypedStream<R, D, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedStream")
            .field("reader", &self.reader)
            .field("done", &self.done)
            .finish()
    }
}
