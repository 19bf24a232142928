//! Async drivers over tokio (feature `tokio`): [`AsyncStreamReader`] and
//! [`AsyncStreamWriter`]; the `tokio_util` codecs are in `codec.rs`.
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

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::Result;
use crate::framing::{Deframer, Framer};
use crate::read_core::{ReadCore, Step};
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};
use crate::serialize::StreamSerialize;
use crate::writer::WriteCore;

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
        self.core.set_recovery::<P>()?;
        Ok(self)
    }

    /// Uses `limits` for typed reads instead of each type's own.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.core.limits = Some(limits);
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
            let start = self.core.position;
            let Some(range) = self.next_frame().await? else {
                return Ok(None);
            };
            if let Some(verified) = self.core.verify::<T>(start, range)? {
                break verified;
            }
        };
        self.core.view::<T>(verified).map(Some)
    }

    /// Reads the next frame and decodes it into an owned `T` (see
    /// [`StreamReader::read`](crate::StreamReader::read)). Cancel-safe.
    pub async fn read<T: FromPayload>(&mut self) -> Result<Option<T>> {
        loop {
            let start = self.core.position;
            let Some(range) = self.next_frame().await? else {
                return Ok(None);
            };
            if let Some(value) = self.core.decode::<T>(start, range)? {
                return Ok(Some(value));
            }
        }
    }

    /// Drives the core: reads whenever it needs bytes. The only await is the
    /// read itself, and bytes are recorded as soon as it completes, which is
    /// what makes the reading futures cancel-safe.
    async fn next_frame(&mut self) -> Result<Option<Range<usize>>> {
        let mut at_end = false;
        loop {
            match self.core.step(at_end)? {
                None => return Ok(None),
                Some(Step::Frame(range)) => return Ok(Some(range)),
                Some(Step::Need(needed)) => {
                    let spare = self.core.spare(needed);
                    let n = loop {
                        match self.inner.read(spare).await {
                            Ok(n) => break n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e.into()),
                        }
                    };
                    match n {
                        0 => at_end = true,
                        n => self.core.filled(n),
                    }
                }
            }
        }
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.core.mode
    }

    /// The torn tail accepted under `TolerateTornTail`, once reached.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.core.torn_tail
    }

    /// The regions skipped under `SkipCorrupt` since the last call.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.core.skipped)
    }

    /// Stream offset of the next frame.
    pub fn position(&self) -> u64 {
        self.core.position
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

/// Writes framed messages to any [`AsyncWrite`]: the async
/// [`StreamWriter`](crate::StreamWriter).
///
/// Not cancel-safe: like `AsyncWriteExt::write_all`, a dropped `write` or
/// `write_batch` future may have written part of a frame;
/// [`frames_written`](Self::frames_written) counts the frames written
/// completely before that.
pub struct AsyncStreamWriter<W, F> {
    inner: W,
    core: WriteCore<F>,
}

impl<W: AsyncWrite + Unpin, F: Framer> AsyncStreamWriter<W, F> {
    /// A writer framing messages with `framer` onto `inner`.
    pub fn new(inner: W, framer: F) -> Self {
        AsyncStreamWriter {
            inner,
            core: WriteCore::new(framer),
        }
    }

    /// Serializes `item` and writes it as one frame (see
    /// [`StreamWriter::write`](crate::StreamWriter::write)).
    pub async fn write<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        let frame = self.core.frame(item)?;
        let len = frame.len();
        let mut parts = [
            io::IoSlice::new(frame.header),
            io::IoSlice::new(frame.payload),
            io::IoSlice::new(frame.padding),
        ];
        let mut slices: &mut [io::IoSlice<'_>] = &mut parts;
        io::IoSlice::advance_slices(&mut slices, 0);
        let mut accepted = 0;
        let mut outcome = Ok(());
        while !slices.is_empty() {
            match self.inner.write_vectored(slices).await {
                Ok(0) => {
                    outcome = Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the writer accepted no bytes of a frame",
                    ));
                    break;
                }
                Ok(n) => {
                    let n = n.min(len - accepted);
                    accepted += n;
                    io::IoSlice::advance_slices(&mut slices, n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        self.core.wrote_frame(len, accepted);
        Ok(outcome?)
    }

    /// Writes every item of `items`, in large pieces (see
    /// [`StreamWriter::write_batch`](crate::StreamWriter::write_batch)).
    pub async fn write_batch<T: StreamSerialize>(&mut self, items: &[T]) -> Result<()> {
        let mut next = 0;
        loop {
            let (after, assembled) = self.core.assemble(items, next);
            let mut accepted = 0;
            let mut written = Ok(());
            while accepted < self.core.batch().len() {
                match self.inner.write(&self.core.batch()[accepted..]).await {
                    Ok(0) => {
                        written = Err(io::Error::new(
                            io::ErrorKind::WriteZero,
                            "the writer accepted no bytes",
                        ));
                        break;
                    }
                    Ok(n) => accepted += n.min(self.core.batch().len() - accepted),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        written = Err(e);
                        break;
                    }
                }
            }
            self.core.wrote_batch(accepted);
            written?;
            assembled?;
            if after == items.len() {
                return Ok(());
            }
            next = after;
        }
    }

    /// Flushes the inner writer.
    pub async fn flush(&mut self) -> Result<()> {
        self.inner.flush().await?;
        Ok(())
    }

    /// Bytes the inner writer accepted so far.
    pub fn position(&self) -> u64 {
        self.core.position
    }

    /// Frames the inner writer accepted completely so far.
    pub fn frames_written(&self) -> u64 {
        self.core.frames_written
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The inner writer, consuming this one. Does not flush.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: std::fmt::Debug, F: std::fmt::Debug> std::fmt::Debug for AsyncStreamWriter<W, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStreamWriter")
            .field("inner", &self.inner)
            .field("framer", &self.core.framer)
            .field("frames_written", &self.core.frames_written)
            .finish_non_exhaustive()
    }
}
