//! [`AsyncStreamWriter`]: the async [`StreamWriter`](crate::StreamWriter),
//! over the same [`WriteCore`] (see `async_reader.rs` for cancellation).

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::Poll;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::encode::serialize::StreamSerialize;
use crate::error::Result;
use crate::framing::Framer;
use crate::io::sync_io::write_zero;
use crate::io::write_core::WriteCore;
use crate::layout::{Framed, MessageOf};

/// Writes all of `bytes`, counting in `accepted` what `writer` took (also
/// when it fails): the async writer's one write loop. Polls the writer
/// itself rather than awaiting `AsyncWriteExt::write` per piece: that
/// future, made and polled per frame, was stored field by field and read
/// back with wider loads, which waited for the stores (perf put 60% of
/// `AsyncStreamWriter::write` there; `async_codec`, 1.6x faster without).
async fn write_all_async<W: AsyncWrite + Unpin>(
    writer: &mut W,
    bytes: &[u8],
    accepted: &mut usize,
) -> io::Result<()> {
    poll_fn(|cx| {
        while let Some(rest) = bytes.get(*accepted..).filter(|rest| !rest.is_empty()) {
            match Pin::new(&mut *writer).poll_write(cx, rest) {
                // What was taken stays counted: the next poll goes on.
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(write_zero())),
                Poll::Ready(Ok(n)) => *accepted += n.min(rest.len()),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(()))
    })
    .await
}

/// Writes framed messages to any [`AsyncWrite`]: the async
/// [`StreamWriter`](crate::StreamWriter), with the same API (unbuffered or
/// buffered, `write_batch`, `sync`, protocol writers) and the same bytes.
///
/// Not cancel-safe: like `AsyncWriteExt::write_all`, a dropped `write` or
/// `write_batch` future may have written part of a frame;
/// [`frames_written`](Self::frames_written) counts the frames written
/// completely before that.
pub struct AsyncStreamWriter<W, F> {
    inner: W,
    core: WriteCore<F>,
    /// Bytes of frames a buffered writer collects before handing them
    /// over; 0 for a writer that hands over each frame.
    capacity: usize,
}

impl<W: AsyncWrite + Unpin, F: Framer> AsyncStreamWriter<W, F> {
    /// A writer framing messages with `framer` onto `inner`.
    pub fn new(inner: W, framer: F) -> Self {
        AsyncStreamWriter {
            inner,
            core: WriteCore::new(framer),
            capacity: 0,
        }
    }

    /// A buffered writer (see
    /// [`StreamWriter::with_capacity`](crate::StreamWriter::with_capacity)):
    /// frames collect in a buffer of about `capacity` bytes and go to
    /// `inner` when it is full and on [`flush`](Self::flush) and
    /// [`sync`](Self::sync).
    ///
    /// Unlike the sync writer, dropping it cannot write the buffer out (a
    /// destructor cannot await), as with tokio's `BufWriter`: flush before
    /// dropping it, or the frames still in the buffer are lost.
    pub fn with_capacity(capacity: usize, inner: W, framer: F) -> Self {
        let mut core = WriteCore::new(framer);
        let capacity = capacity.max(1);
        core.reserve_batch(capacity.saturating_add(crate::io::write_core::BATCH_HEADROOM));
        AsyncStreamWriter {
            inner,
            core,
            capacity,
        }
    }

    /// Serializes `item` and writes it as one frame (see
    /// [`StreamWriter::write`](crate::StreamWriter::write)).
    pub async fn write<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        if F::PACKS {
            if self.core.pack_message(item)? {
                self.write_out_batch().await?;
            }
            return Ok(());
        }
        if self.capacity > 0 {
            self.core.buffer(item)?;
            if self.core.batch().len() >= self.capacity {
                self.hand_over().await?;
            }
            return Ok(());
        }
        let frame = self.core.frame(item)?;
        let len = frame.len();
        let mut accepted = 0;
        let outcome = write_all_async(&mut self.inner, frame, &mut accepted).await;
        self.core.wrote_frame(len, accepted);
        Ok(outcome?)
    }

    /// Writes every item of `items`, in large pieces (see
    /// [`StreamWriter::write_batch`](crate::StreamWriter::write_batch)).
    /// A buffered writer takes them into its buffer as a loop of `write`
    /// would.
    pub async fn write_batch<T: StreamSerialize>(&mut self, items: &[T]) -> Result<()> {
        if self.capacity > 0 || F::PACKS {
            for item in items {
                self.write(item).await?;
            }
            return Ok(());
        }
        let mut next = 0;
        loop {
            let (after, assembled) = self.core.assemble(items, next);
            self.write_out_batch().await?;
            assembled?;
            if after == items.len() {
                return Ok(());
            }
            next = after;
        }
    }

    /// Hands the frames a buffered writer holds to the inner writer (none
    /// for an unbuffered one).
    async fn hand_over(&mut self) -> Result<()> {
        if F::PACKS && self.core.holds_block() {
            self.core.pack_open_block()?;
            self.write_out_batch().await?;
        }
        if self.capacity == 0 || !self.core.holds_frames() {
            return Ok(());
        }
        let finished = self.core.finish_deferred();
        self.write_out_batch().await?;
        finished
    }

    /// Writes the core's batch buffer to the inner writer and accounts for
    /// what it accepted (also when it fails).
    async fn write_out_batch(&mut self) -> io::Result<()> {
        let mut accepted = 0;
        let written = write_all_async(&mut self.inner, self.core.batch(), &mut accepted).await;
        self.core.wrote_batch(accepted);
        written
    }

    /// Flushes the inner writer (a buffered writer first hands it its
    /// buffer).
    pub async fn flush(&mut self) -> Result<()> {
        self.hand_over().await?;
        self.inner.flush().await?;
        Ok(())
    }

    /// Ends the stream (see [`StreamWriter::finish`](crate::StreamWriter::finish)):
    /// what the writer holds, the framing's final frame if it has one,
    /// then a flush.
    pub async fn finish(&mut self) -> Result<()> {
        self.hand_over().await?;
        if self.core.pack_end()? {
            self.write_out_batch().await?;
        }
        self.inner.flush().await?;
        Ok(())
    }

    /// Flushes, then asks the operating system to put the data on the disk
    /// (see [`StreamWriter::sync`](crate::StreamWriter::sync)).
    pub async fn sync(&mut self) -> Result<()>
    where
        W: AsyncSyncData,
    {
        self.flush().await?;
        self.inner.sync_data().await?;
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

    /// The framer in use.
    pub fn framer(&self) -> &F {
        &self.core.framer
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The inner writer, consuming this one. Does not flush: frames still
    /// in a buffered writer's buffer are dropped (flush first).
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite + Unpin> AsyncStreamWriter<W, crate::DefaultFramer> {
    /// An async writer that takes only the messages of protocol `P` (see
    /// [`StreamWriter::for_protocol`](crate::StreamWriter::for_protocol)).
    pub fn for_protocol<P: Framed>(inner: W) -> AsyncProtocolWriter<W, P> {
        AsyncProtocolWriter {
            writer: AsyncStreamWriter::new(inner, P::framer()),
        }
    }

    /// [`for_protocol`](Self::for_protocol), buffered (see
    /// [`with_capacity`](AsyncStreamWriter::with_capacity)).
    pub fn for_protocol_with_capacity<P: Framed>(capacity: usize, inner: W) -> AsyncProtocolWriter<W, P> {
        AsyncProtocolWriter {
            writer: AsyncStreamWriter::with_capacity(capacity, inner, P::framer()),
        }
    }
}

/// An [`AsyncStreamWriter`] for the messages of protocol `P` only: a message
/// of another protocol does not compile.
pub struct AsyncProtocolWriter<W, P: Framed> {
    writer: AsyncStreamWriter<W, P::Framer>,
}

impl<W: AsyncWrite + Unpin, P: Framed> AsyncProtocolWriter<W, P> {
    /// Writes one message of the protocol.
    pub async fn write<T: StreamSerialize + MessageOf<P>>(&mut self, item: &T) -> Result<()> {
        self.writer.write(item).await
    }

    /// Writes messages of the protocol in large pieces.
    pub async fn write_batch<T: StreamSerialize + MessageOf<P>>(&mut self, items: &[T]) -> Result<()> {
        self.writer.write_batch(items).await
    }

    /// Flushes (see [`AsyncStreamWriter::flush`]).
    pub async fn flush(&mut self) -> Result<()> {
        self.writer.flush().await
    }

    /// The writer underneath.
    pub fn stream_writer(&self) -> &AsyncStreamWriter<W, P::Framer> {
        &self.writer
    }

    /// The inner writer (see [`AsyncStreamWriter::into_inner`]).
    pub fn into_inner(self) -> W {
        self.writer.into_inner()
    }
}

impl<W: std::fmt::Debug, P: Framed> std::fmt::Debug for AsyncProtocolWriter<W, P>
where
    P::Framer: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncProtocolWriter")
            .field("writer", &self.writer)
            .finish()
    }
}

/// Async writers that can put what they were given on the disk:
/// [`AsyncStreamWriter::sync`] calls it after flushing.
pub trait AsyncSyncData {
    /// Waits until written data is on the disk (`File::sync_data`).
    fn sync_data(&mut self) -> impl std::future::Future<Output = io::Result<()>>;
}

impl AsyncSyncData for tokio::fs::File {
    async fn sync_data(&mut self) -> io::Result<()> {
        tokio::fs::File::sync_data(self).await
    }
}

impl<W: AsyncWrite + AsyncSyncData + Unpin> AsyncSyncData for tokio::io::BufWriter<W> {
    async fn sync_data(&mut self) -> io::Result<()> {
        self.flush().await?;
        self.get_mut().sync_data().await
    }
}

impl<W: std::fmt::Debug, F: std::fmt::Debug> std::fmt::Debug for AsyncStreamWriter<W, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStreamWriter")
            .field("inner", &self.inner)
            .field("framer", &self.core.framer)
            .field("capacity", &self.capacity)
            .field("frames_written", &self.core.frames_written)
            .finish_non_exhaustive()
    }
}
