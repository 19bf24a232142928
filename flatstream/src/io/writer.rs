//! The `Write` driver: serialize, frame, hand to the inner writer.

use std::io::{self, Write};

use crate::encode::serialize::StreamSerialize;
use crate::error::Result;
use crate::framing::{DefaultFramer, Framer, MAX_HEADER_LEN};
use crate::io::pack_thread::PackThread;
use crate::io::sync_io::{write_all_counting, write_frame_parts};
use crate::io::vec_sink::is_vec;
use crate::io::write_core::{WriteCore, BATCH_HEADROOM};
use crate::layout::{Framed, MessageOf};

/// Writes framed messages to any [`Write`].
///
/// One [`Encoder`](crate::Encoder) is reused for every message, so once its buffers have
/// grown to the largest message, writing allocates nothing.
///
/// Made with [`new`](Self::new), it hands each frame to the inner writer
/// before [`write`](Self::write) returns, in one vectored write: the
/// header, encoded on the stack, and the payload, encoded into a reused
/// buffer or, for bytes that already are a payload
/// ([`RawPayload`](crate::RawPayload)), sent from where they are. A `File`
/// or socket gets one `writev` system call per frame, so each frame leaves
/// whole and at once. A `Vec<u8>` or `&mut Vec<u8>` is recognised and
/// appended to directly, not through `Write`: into a `Vec` this is the fast
/// way (as fast as [`Encoder::append_frame`](crate::Encoder::append_frame)
/// for the telemetry message, and as a hand `extend_from_slice` loop for
/// built payloads, `docs/performance.md`). For a file, or a socket
/// carrying many small messages, a system call per frame is slow: use
/// [`with_capacity`](Self::with_capacity). A
/// [`BufWriter`](std::io::BufWriter) around the file works too, but took
/// 7% – 13% longer per message in `examples/perf`, its vectored write being
/// a loop out of line.
///
/// Made with [`with_capacity`](Self::with_capacity), it is the buffer
/// itself (use it instead of a `BufWriter`, not inside one): frames collect
/// in it and go to the inner writer when it is full, on
/// [`flush`](Self::flush), and when the writer is dropped. A frame's
/// checksum is taken when the next message comes, not right after
/// encoding. Into a file, the fastest way to write one message at a time
/// (see `docs/performance.md`); into a `Vec`, [`new`](Self::new) is faster,
/// as the buffer is one more copy there.
///
/// ```
/// use flatstream::{ChecksumFramer, Crc32c, StreamWriter};
/// let mut writer = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
/// writer.write("hello")?;
/// writer.write_batch(&["a", "b", "c"])?;
/// assert_eq!(writer.frames_written(), 4);
/// let bytes = writer.into_inner();
///
/// let mut buffered = StreamWriter::with_capacity(64 << 10, Vec::new(), ChecksumFramer::new(Crc32c::new()));
/// buffered.write("hello")?;
/// buffered.write_batch(&["a", "b", "c"])?;
/// assert_eq!(buffered.frames_written(), 0); // all still in its buffer
/// buffered.flush()?;
/// assert_eq!(buffered.frames_written(), 4);
/// assert_eq!(buffered.into_inner(), bytes);
/// # Ok::<(), flatstream::Error>(())
/// ```
pub struct StreamWriter<W: Write, F: Framer> {
    state: Placement<W, F>,
}

/// Where a [`StreamWriter`] keeps its state: in place when it hands over
/// each frame, on the heap when it buffers.
///
/// Why a box: `write` is inlined into the caller's loop, and the buffered
/// case is a call out of line. Handed a pointer into the writer, that call
/// lets the writer's address escape, so LLVM must then assume that every
/// store into a `Vec` sink's buffer may overwrite the writer, and reloads
/// the `Vec`'s length and capacity after each one. A boxed state is handed
/// to it through a pointer read from the writer, which lets nothing escape
/// (built 64-byte payloads into a `Vec`, `benches/zero_cost.rs`: 0.80x of a
/// hand `extend_from_slice` loop with the writer handed over, 0.92x with
/// the box, 1.00x – 1.04x with the box and `io/vec_sink.rs`).
#[allow(
    clippy::large_enum_variant,
    reason = "the unbuffered state stays in place: boxed, its `Vec` sink's fields would be reloaded around every frame"
)]
enum Placement<W: Write, F: Framer> {
    /// Made by [`StreamWriter::new`]; `capacity` is 0.
    Unbuffered(WriterState<W, F>),
    /// Made by [`StreamWriter::with_capacity`].
    Buffered(Box<WriterState<W, F>>),
}

/// A [`StreamWriter`]'s state, the same for both placements.
struct WriterState<W: Write, F: Framer> {
    inner: W,
    core: WriteCore<F>,
    /// Bytes of frames a buffered writer collects before handing them
    /// over; 0 for a writer that hands over each frame.
    capacity: usize,
    /// Set while the inner writer has the buffer: if it panics, dropping
    /// this writer does not call it again (as `BufWriter` does).
    handing_over: bool,
}

impl<W: Write + std::fmt::Debug, F: Framer + std::fmt::Debug> std::fmt::Debug for StreamWriter<W, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("StreamWriter")
            .field("inner", &state.inner)
            .field("framer", &state.core.framer)
            .field("capacity", &state.capacity)
            .field("position", &state.core.position)
            .field("frames_written", &state.core.frames_written)
            .finish_non_exhaustive()
    }
}

impl<W: Write, F: Framer> StreamWriter<W, F> {
    /// A writer framing messages with `framer` onto `inner`.
    ///
    /// For files, and sockets carrying many small messages, prefer
    /// [`with_capacity`](Self::with_capacity) unless you write in batches.
    pub fn new(inner: W, framer: F) -> Self {
        StreamWriter {
            state: Placement::Unbuffered(WriterState {
                inner,
                core: WriteCore::new(framer),
                capacity: 0,
                handing_over: false,
            }),
        }
    }

    /// A buffered writer: frames collect in a buffer of about `capacity`
    /// bytes (at least 1) and go to `inner` when it is full, on
    /// [`flush`](Self::flush), [`sync`](Self::sync) and
    /// [`into_inner`](Self::into_inner), and when the writer is dropped
    /// (where an error cannot be reported: flush first to see it).
    ///
    /// [`position`](Self::position) and [`frames_written`](Self::frames_written)
    /// count what the inner writer accepted, so they do not include frames
    /// still in the buffer. A frame larger than the buffer is copied through
    /// it, unlike with [`new`](Self::new), which writes large payloads
    /// without copying them.
    pub fn with_capacity(capacity: usize, inner: W, framer: F) -> Self {
        let mut core = WriteCore::new(framer);
        let capacity = capacity.max(1);
        // Room for the frame that crosses the threshold, so a buffer of
        // small frames never grows.
        core.reserve_batch(capacity.saturating_add(BATCH_HEADROOM));
        StreamWriter {
            state: Placement::Buffered(Box::new(WriterState {
                inner,
                core,
                capacity,
                handing_over: false,
            })),
        }
    }

    fn state(&self) -> &WriterState<W, F> {
        match &self.state {
            Placement::Unbuffered(state) => state,
            Placement::Buffered(state) => state,
        }
    }

    fn state_mut(&mut self) -> &mut WriterState<W, F> {
        match &mut self.state {
            Placement::Unbuffered(state) => state,
            Placement::Buffered(state) => state,
        }
    }

    /// Serializes `item` and writes it as one frame.
    ///
    /// A payload the framing cannot carry (longer than its length field or
    /// limit) is refused with [`Error::FrameTooLarge`](crate::Error::FrameTooLarge)
    /// and nothing is written. An I/O error may leave part of the frame
    /// written ([`frames_written`](Self::frames_written) says how much is whole).
    ///
    /// A buffered writer ([`with_capacity`](Self::with_capacity)) takes the
    /// frame into its buffer, and writes the buffer out when it is full: an
    /// I/O error then may leave part of the buffer written, the rest of it
    /// is dropped, and `frames_written` says how many frames are whole.
    #[inline(always)]
    pub fn write<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        if F::PACKS {
            return self.state_mut().write_packed(item);
        }
        // Which of the two applies is known for each `T` at compile time;
        // the buffered case is out of line, the unbuffered one inlined so
        // that the `Result` stays in registers. (As a call, its pushes,
        // pops and a `Result` returned through memory took a third of the
        // time of a frame of 64 bytes.)
        match (&mut self.state, item.as_built_payload()) {
            (Placement::Unbuffered(state), Some(payload)) => state.write_built(payload),
            (Placement::Unbuffered(state), None) => state.write_encoded(item),
            (Placement::Buffered(state), Some(payload)) => state.buffer_built(payload),
            (Placement::Buffered(state), None) => state.buffer_encoded(item),
        }
    }

    /// Writes every item of `items`, assembling their frames in one buffer
    /// that is handed to the inner writer in large pieces (one write per
    /// 256 KiB), instead of one write per frame.
    ///
    /// On an error, the frames before the failing item have been handed to
    /// the inner writer (as with a loop of [`write`](Self::write)) and nothing
    /// of the failing item or those after it has.
    ///
    /// A buffered writer takes them into its buffer as a loop of `write` would.
    /// So does a writer into a `Vec<u8>` or `&mut Vec<u8>`, which `write`
    /// appends to directly: there the assembly would be one copy more.
    pub fn write_batch<T: StreamSerialize>(&mut self, items: &[T]) -> Result<()> {
        match &mut self.state {
            Placement::Unbuffered(state) if !F::PACKS && !is_vec::<W>() => state.write_batch(items),
            _ => items.iter().try_for_each(|item| self.write(item)),
        }
    }

    /// Flushes the inner writer: bytes buffered in a `BufWriter` go to the
    /// file or socket. It says nothing about the disk: after `flush`, the
    /// frames survive a crash of this process but not a power loss.
    ///
    /// A buffered writer first hands its buffer to the inner writer.
    pub fn flush(&mut self) -> Result<()> {
        let state = self.state_mut();
        state.hand_over()?;
        state.inner.flush()?;
        Ok(())
    }

    /// Ends the stream: writes what a buffered or block-compressing writer
    /// holds, then the framing's final frame, for a framing that has one
    /// (an encrypted stream's: a reader refuses a stream without it as
    /// truncated), then flushes. Writes after it are refused by such a
    /// framing. For other framings it is [`flush`](Self::flush).
    pub fn finish(&mut self) -> Result<()> {
        let state = self.state_mut();
        state.hand_over()?;
        if state.core.pack_end()? {
            state.write_out_batch()?;
        }
        state.inner.flush()?;
        Ok(())
    }

    /// Flushes, then asks the operating system to put the data on the disk
    /// (`File::sync_data`): after it returns, the frames written so far
    /// survive a power loss (as far as the disk keeps its promises).
    /// A crash before it may leave a torn last frame, which
    /// [`Recovery::TolerateTornTail`](crate::Recovery::TolerateTornTail)
    /// reads past.
    pub fn sync(&mut self) -> Result<()>
    where
        W: SyncData,
    {
        self.flush()?;
        self.state_mut().inner.sync_data()?;
        Ok(())
    }

    /// Bytes the inner writer accepted so far (after an I/O error, including
    /// the part of the failed frame it took).
    pub fn position(&self) -> u64 {
        self.state().core.position
    }

    /// Frames the inner writer accepted completely so far. After an I/O
    /// error this is exactly the number of whole frames in the output (with a
    /// `BufWriter` inside, "accepted" means copied into its buffer).
    pub fn frames_written(&self) -> u64 {
        self.state().core.frames_written
    }

    /// The framer in use.
    pub fn framer(&self) -> &F {
        &self.state().core.framer
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.state().inner
    }

    /// The inner writer, mutably. Writing to it directly corrupts the stream
    /// unless you write whole frames.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.state_mut().inner
    }

    /// The inner writer, consuming this one. Does not flush it.
    ///
    /// A buffered writer hands over its buffer first; an I/O error there is
    /// lost with the frames the inner writer did not take. Call
    /// [`flush`](Self::flush) before to see it.
    pub fn into_inner(self) -> W {
        let mut this = std::mem::ManuallyDrop::new(self);
        let _ = this.state_mut().hand_over();
        // SAFETY: `this` is never used again and, being `ManuallyDrop`, never
        // dropped (so `Drop::drop` does not run on it): its one field is
        // moved out exactly once, here. `WriterState` has no `Drop` of its
        // own, so its fields can be taken apart: `core` is dropped and
        // `inner` returned.
        // `a_buffered_writer_hands_over_on_drop_and_into_inner_drops_everything_once`
        // in `tests/tests/roundtrip.rs` counts the drops.
        let state = match unsafe { std::ptr::read(&this.state) } {
            Placement::Unbuffered(state) => state,
            Placement::Buffered(state) => *state,
        };
        state.inner
    }
}

impl<W: Write, F: Framer> WriterState<W, F> {
    /// [`StreamWriter::write`] for a packing framer: the message goes into
    /// the open block (or is packed alone), and a frame it completes is
    /// written out.
    #[inline]
    fn write_packed<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        if self.core.pack_message(item)? {
            self.write_out_batch()?;
        }
        Ok(())
    }

    /// Writes the frames assembled in the core's batch and accounts for
    /// what the inner writer accepted (also when it fails).
    fn write_out_batch(&mut self) -> Result<()> {
        let mut accepted = 0;
        let written = write_all_counting(&mut self.inner, self.core.batch(), &mut accepted);
        self.core.wrote_batch(accepted);
        Ok(written?)
    }

    /// [`StreamWriter::write`] of a value that is encoded, by an
    /// unbuffered writer.
    #[inline(always)]
    fn write_encoded<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        let mut scratch = [0; MAX_HEADER_LEN];
        let parts = self.core.encode_parts(item, &mut scratch)?;
        let (len, accepted, outcome) = write_frame_parts(&mut self.inner, parts);
        self.core.wrote_frame(len, accepted);
        Ok(outcome?)
    }

    /// [`StreamWriter::write`] of a payload that already exists as bytes,
    /// by an unbuffered writer: the header is encoded on the stack and sent
    /// with the payload from where it is. (Copying the payload into the
    /// frame buffer first, and from there into a `Vec`, made the second
    /// copy wait for the first one's stores: 4x the time of a hand
    /// `extend_from_slice` loop.)
    #[inline(always)]
    fn write_built(&mut self, payload: &[u8]) -> Result<()> {
        let mut scratch = [0; MAX_HEADER_LEN];
        let (header, padding) = self.core.header_for(payload, &mut scratch, self.core.position)?;
        let (len, accepted, outcome) = write_frame_parts(&mut self.inner, [header, payload, padding]);
        self.core.wrote_frame(len, accepted);
        Ok(outcome?)
    }

    /// [`StreamWriter::write`] of a value that is encoded, by a buffered
    /// writer.
    #[inline(never)]
    fn buffer_encoded<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        self.core.buffer(item)?;
        if self.core.batch().len() >= self.capacity {
            self.hand_over()?;
        }
        Ok(())
    }

    /// [`StreamWriter::write`] of a built payload, by a buffered writer.
    #[inline(never)]
    fn buffer_built(&mut self, payload: &[u8]) -> Result<()> {
        self.core.buffer_built(payload)?;
        if self.core.batch().len() >= self.capacity {
            self.hand_over()?;
        }
        Ok(())
    }

    /// [`StreamWriter::write_batch`] for an unbuffered writer of a framer
    /// that does not pack.
    fn write_batch<T: StreamSerialize>(&mut self, items: &[T]) -> Result<()> {
        let mut next = 0;
        loop {
            let (after, assembled) = self.core.assemble(items, next);
            let mut accepted = 0;
            let written = write_all_counting(&mut self.inner, self.core.batch(), &mut accepted);
            self.core.wrote_batch(accepted);
            written?;
            assembled?;
            if after == items.len() {
                return Ok(());
            }
            next = after;
        }
    }

    /// Hands the frames a buffered writer holds to the inner writer (none
    /// for an unbuffered one).
    fn hand_over(&mut self) -> Result<()> {
        if F::PACKS && self.core.holds_block() {
            self.handing_over = true;
            let written = self.core.pack_open_block().and_then(|_| self.write_out_batch());
            self.handing_over = false;
            written?;
        }
        // An unbuffered writer's batch is scratch, already handed over.
        if self.capacity == 0 || !self.core.holds_frames() {
            return Ok(());
        }
        let finished = self.core.finish_deferred();
        let mut accepted = 0;
        self.handing_over = true;
        let written = write_all_counting(&mut self.inner, self.core.batch(), &mut accepted);
        self.handing_over = false;
        self.core.wrote_batch(accepted);
        written?;
        finished
    }
}

/// A buffered writer hands over the frames it holds, as `BufWriter` does;
/// an error here cannot be reported (call `flush` to see it). Not after the
/// inner writer panicked while handed the buffer.
impl<W: Write, F: Framer> Drop for StreamWriter<W, F> {
    fn drop(&mut self) {
        let state = self.state_mut();
        if !state.handing_over {
            let _ = state.hand_over();
        }
    }
}

impl<W, F, C, K> StreamWriter<W, crate::compress::CompressedFramer<F, C, K>>
where
    W: Write,
    F: Framer + Clone + Send + 'static,
    C: crate::compress::Compressor + Clone + Send + 'static,
    K: crate::Checksum + Clone + Send + 'static,
{
    /// Compresses full blocks on a second thread while this writer fills
    /// the next ones, for a block-compressing framer
    /// ([`CompressedFramer::blocks`](crate::compress::CompressedFramer::blocks)):
    /// writing then costs about what compressing does, not encoding plus
    /// compressing (see `docs/performance.md`), at the price of a thread
    /// and two more blocks of memory. The stream is byte for byte the one
    /// this writer writes alone. Call it before writing.
    ///
    /// What changes: a full block's frame is written by a later `write`
    /// (at most two blocks are out at once; a third waits for the oldest),
    /// and so is the error of a block that failed to compress (its messages
    /// are lost, as without the thread, but a later call reports it, with
    /// the offset its frame would have had). [`flush`](Self::flush),
    /// [`sync`](Self::sync), [`finish`](Self::finish),
    /// [`into_inner`](Self::into_inner) and drop wait for every block out.
    /// The thread packs with a clone of the framer and ends with the
    /// writer. On one core, or with every core busy, it only adds the
    /// hand-over: keep the default there.
    ///
    /// ```
    /// # #[cfg(feature = "lz4")] {
    /// use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4};
    /// use flatstream::{DefaultDeframer, DefaultFramer, StreamReader, StreamWriter};
    ///
    /// let framer = CompressedFramer::blocks(DefaultFramer, Lz4, 16 * 1024);
    /// let mut w = StreamWriter::new(Vec::new(), framer).with_background_packing()?;
    /// for i in 0..10_000 {
    ///     w.write(&format!("reading {i}"))?;
    /// }
    /// let bytes = w.into_inner(); // waits for the blocks out
    ///
    /// let mut alone = StreamWriter::new(Vec::new(), framer);
    /// for i in 0..10_000 {
    ///     alone.write(&format!("reading {i}"))?;
    /// }
    /// assert_eq!(alone.into_inner(), bytes);
    /// let r = StreamReader::new(&bytes[..], CompressedDeframer::new(DefaultDeframer::new(), Lz4));
    /// assert_eq!(r.count(), 10_000);
    /// # }
    /// # Ok::<(), flatstream::Error>(())
    /// ```
    pub fn with_background_packing(mut self) -> Result<Self> {
        let core = &mut self.state_mut().core;
        if core.pack_thread.is_none() {
            core.pack_thread = Some(PackThread::spawn(core.framer.clone())?);
        }
        Ok(self)
    }
}

impl<W: Write> StreamWriter<W, DefaultFramer> {
    /// A writer for protocol `P` (a type with `#[derive(Framing)]`) that
    /// accepts only messages declared with `#[frame(protocol = P)]`: writing
    /// any other type fails to compile.
    ///
    /// ```
    /// use flatstream::prelude::*;
    ///
    /// #[derive(Framing)]
    /// #[frame(len = u16, checksum = crc32c)]
    /// struct SensorLink;
    ///
    /// #[derive(StreamSerialize)]
    /// #[frame(protocol = SensorLink)]
    /// struct Reading { value: f64 }
    ///
    /// let mut w = StreamWriter::for_protocol::<SensorLink>(Vec::new());
    /// w.write(&Reading { value: 1.5 })?;
    /// # Ok::<(), flatstream::Error>(())
    /// ```
    pub fn for_protocol<P: Framed>(inner: W) -> ProtocolWriter<W, P> {
        ProtocolWriter {
            writer: StreamWriter::new(inner, P::framer()),
        }
    }

    /// [`for_protocol`](Self::for_protocol), buffered as
    /// [`with_capacity`](StreamWriter::with_capacity) buffers.
    ///
    /// ```
    /// use flatstream::prelude::*;
    ///
    /// #[derive(Framing)]
    /// #[frame(len = u16, checksum = crc32c)]
    /// struct SensorLink;
    ///
    /// #[derive(StreamSerialize)]
    /// #[frame(protocol = SensorLink)]
    /// struct Reading { value: f64 }
    ///
    /// let mut w = StreamWriter::for_protocol_with_capacity::<SensorLink>(64 << 10, Vec::new());
    /// w.write(&Reading { value: 1.5 })?;
    /// w.flush()?;
    /// assert_eq!(w.stream_writer().frames_written(), 1);
    /// # Ok::<(), flatstream::Error>(())
    /// ```
    pub fn for_protocol_with_capacity<P: Framed>(capacity: usize, inner: W) -> ProtocolWriter<W, P> {
        ProtocolWriter {
            writer: StreamWriter::with_capacity(capacity, inner, P::framer()),
        }
    }
}

/// A [`StreamWriter`] restricted to the messages of one protocol; made by
/// [`StreamWriter::for_protocol`].
pub struct ProtocolWriter<W: Write, P: Framed> {
    writer: StreamWriter<W, P::Framer>,
}

impl<W: Write, P: Framed> ProtocolWriter<W, P> {
    /// Serializes `item` and writes it as one frame of the protocol.
    pub fn write<T: StreamSerialize + MessageOf<P>>(&mut self, item: &T) -> Result<()> {
        self.writer.write(item)
    }

    /// Writes every item of `items` (see [`StreamWriter::write_batch`]).
    pub fn write_batch<T: StreamSerialize + MessageOf<P>>(&mut self, items: &[T]) -> Result<()> {
        self.writer.write_batch(items)
    }

    /// Flushes the inner writer (see [`StreamWriter::flush`]).
    pub fn flush(&mut self) -> Result<()> {
        self.writer.flush()
    }

    /// The untyped writer underneath (shared: writing through it would
    /// bypass the protocol check).
    pub fn stream_writer(&self) -> &StreamWriter<W, P::Framer> {
        &self.writer
    }

    /// The inner writer, consuming this one (see [`StreamWriter::into_inner`]).
    pub fn into_inner(self) -> W {
        self.writer.into_inner()
    }
}

impl<W: Write + std::fmt::Debug, P: Framed> std::fmt::Debug for ProtocolWriter<W, P>
where
    P::Framer: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtocolWriter")
            .field("writer", &self.writer)
            .finish()
    }
}

/// Writers backed by a file that can be synced to disk
/// ([`StreamWriter::sync`]).
pub trait SyncData: Write {
    /// Puts the written data on the disk (`File::sync_data`).
    fn sync_data(&mut self) -> io::Result<()>;
}

impl SyncData for std::fs::File {
    fn sync_data(&mut self) -> io::Result<()> {
        std::fs::File::sync_data(self)
    }
}

impl SyncData for &std::fs::File {
    fn sync_data(&mut self) -> io::Result<()> {
        std::fs::File::sync_data(self)
    }
}

impl<W: SyncData> SyncData for std::io::BufWriter<W> {
    fn sync_data(&mut self) -> io::Result<()> {
        self.flush()?;
        self.get_mut().sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::serialize::PayloadSink;
    use crate::error::Error;
    use flatbuffers::FlatBufferBuilder;

    /// A type appending raw bytes through `encode_into` (a `PayloadSink`
    /// only grows, so an implementation cannot shorten what precedes its
    /// payload), or failing after appending some.
    struct Appends(&'static [u8], bool);

    impl StreamSerialize for Appends {
        fn serialize(&self, _: &mut FlatBufferBuilder) -> Result<()> {
            Ok(())
        }
        fn encode_into<B: crate::PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
            out.extend_from_slice(self.0);
            if self.1 {
                return Err(Error::Serialize {
                    reason: "half".into(),
                });
            }
            Ok(())
        }
    }

    #[test]
    fn encode_into_bytes_are_framed_and_a_failure_writes_nothing() {
        for capacity in [None, Some(64)] {
            let mut w = match capacity {
                None => StreamWriter::new(Vec::new(), DefaultFramer),
                Some(c) => StreamWriter::with_capacity(c, Vec::new(), DefaultFramer),
            };
            w.write(&Appends(b"abc", false)).unwrap();
            assert!(matches!(
                w.write(&Appends(b"xyz", true)),
                Err(Error::Serialize { .. })
            ));
            w.write(&Appends(b"", false)).unwrap();
            w.flush().unwrap();
            let mut expected = Vec::new();
            w.framer().encode_frame(b"abc", &mut expected).unwrap();
            w.framer().encode_frame(b"", &mut expected).unwrap();
            assert_eq!((w.get_ref(), w.frames_written()), (&expected, 2));
        }
    }
}
