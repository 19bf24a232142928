//! The sans-IO core of every writer: serializing into a reused buffer,
//! framing in place, batching, and the accounting of what the inner writer
//! accepted. The sync and async writers and the codec drive it.

use flatbuffers::FlatBufferBuilder;

use crate::buf::extend_zeroed;
use crate::compress::{close_entry, open_entry};
use crate::encode::serialize::{PayloadSink, StreamSerialize};
use crate::error::{Error, Result};
use crate::framing::{
    append_packed_frame, header_slot, header_too_long, padding_slice, Framer, Packing, MAX_HEADER_LEN,
};
use crate::io::pack_thread::{PackThread, DEPTH};

/// A batch is handed to the inner writer whenever this many bytes are
/// assembled, so batching many large messages does not hold them all at once.
const BATCH_FLUSH_BYTES: usize = 256 * 1024;

/// Room a buffered writer's buffer has above its capacity, for the frame
/// that crosses it: a buffer of small frames then never grows.
pub(crate) const BATCH_HEADROOM: usize = 4 * 1024;

/// The sans-IO core of every writer: serializing, framing, batching and the
/// accounting of what the inner writer accepted. [`StreamWriter`] drives it
/// with a `Write`, `AsyncStreamWriter` with an `AsyncWrite`.
pub(crate) struct WriteCore<F> {
    pub(crate) framer: F,
    /// The builder payloads built with one (`StreamSerialize::serialize`)
    /// are built in, reused.
    pub(crate) builder: FlatBufferBuilder<'static>,
    /// Frames assembled for one hand-over: a whole batch, or one frame (a
    /// message encoded in place behind room for its header).
    batch: Vec<u8>,
    /// End offset in `batch` of each frame assembled there.
    batch_ends: Vec<usize>,
    /// Two payloads being pipelined through `write_batch` (see `assemble`)
    /// or a buffered writer (see `buffer`).
    staged: [Vec<u8>; 2],
    /// A buffered writer's last message: the stage holding its payload,
    /// whose frame is finished when the next message comes or the batch is
    /// handed over.
    deferred: Option<usize>,
    /// A packing framer's open block: entries of the messages taken since
    /// the last block was packed.
    block: Vec<u8>,
    /// The thread packing full blocks, when the writer has one.
    pub(crate) pack_thread: Option<PackThread>,
    pub(crate) position: u64,
    pub(crate) frames_written: u64,
}

impl<F: Framer> WriteCore<F> {
    pub(crate) fn new(framer: F) -> Self {
        WriteCore {
            framer,
            builder: FlatBufferBuilder::new(),
            batch: Vec::new(),
            batch_ends: Vec::new(),
            staged: [Vec::new(), Vec::new()],
            deferred: None,
            block: Vec::new(),
            pack_thread: None,
            position: 0,
            frames_written: 0,
        }
    }

    /// Serializes `item` and frames it: the whole frame, ready to write.
    /// Nothing is written anywhere yet; a payload the framing cannot carry
    /// is refused here.
    ///
    /// The payload is encoded into `batch` right behind room for the
    /// header, 8-aligned as FlatBuffers needs, and the header then goes in
    /// front of it, so the frame is never copied. Inlined into the async
    /// writer, which copies the frame into its buffer (tokio's vectored
    /// write into a `Vec` cost it more than the copy saves); the sync
    /// writer sends the parts instead ([`encode_parts`](Self::encode_parts)).
    #[inline(always)]
    pub(crate) fn frame<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<&[u8]> {
        // A packing framer's payloads go through `pack_message`: framing
        // one as it is would write it uncompressed, or unencrypted.
        debug_assert!(!F::PACKS, "a packing framer's payload framed as it is");
        let header_len = self.framer.header_len();
        if header_len > MAX_HEADER_LEN {
            return Err(header_too_long(header_len));
        }
        // What the room holds does not matter (the framer writes every
        // header byte), so leftovers of the previous frame are kept rather
        // than zeroed again.
        let payload_at = header_len.next_multiple_of(8);
        if self.batch.len() >= payload_at {
            self.batch.truncate(payload_at);
        } else {
            self.batch.clear();
            extend_zeroed(&mut self.batch, payload_at);
        }
        item.encode_into(&mut PayloadSink::with_builder(&mut self.batch, &mut self.builder))?;
        // `encode_into` can only append to the room (a `PayloadSink` only
        // grows), so the batch holds at least `payload_at` bytes.
        let (room, payload) = self.batch.split_at_mut(payload_at);
        let frame_at = payload_at - header_len;
        let mut scratch = [0u8; MAX_HEADER_LEN];
        let header = header_slot(&mut scratch, header_len)?;
        self.framer
            .encode_header(payload, header)
            .map_err(|e| e.shifted(self.position))?;
        room[frame_at..].copy_from_slice(header);
        let padding = padding_slice(self.framer.padding_len(payload.len()))?;
        self.batch.extend_from_slice(padding);
        Ok(&self.batch[frame_at..])
    }

    /// Serializes `item` into the batch buffer and encodes its frame's
    /// header into `scratch`: the frame's parts (header, payload, padding),
    /// for a writer that sends them in one vectored write. Nothing is
    /// written anywhere yet; a payload the framing cannot carry is refused
    /// here. Inlined into the writers.
    ///
    /// (Assembling the frame contiguously, the header put in front of the
    /// payload, made the copy of the frame into a `Vec` read the header's
    /// stores of a moment before with wide loads, which wait for them to
    /// reach the cache: 1.6x the time per telemetry message. The header
    /// on the stack goes into the `Vec` straight from registers. The price
    /// is paid by a `BufWriter`, whose `write_vectored` is a loop out of
    /// line: a tenth more time per message into a file than one
    /// contiguous write, which is why files are best written with
    /// `StreamWriter::with_capacity`. `examples/perf` measures both.)
    #[inline(always)]
    pub(crate) fn encode_parts<'a, T: StreamSerialize + ?Sized>(
        &'a mut self,
        item: &T,
        scratch: &'a mut [u8; MAX_HEADER_LEN],
    ) -> Result<[&'a [u8]; 3]> {
        debug_assert!(!F::PACKS, "a packing framer's payload framed as it is");
        self.batch.clear();
        item.encode_into(&mut PayloadSink::with_builder(&mut self.batch, &mut self.builder))?;
        let (header, padding) = self.header_for(&self.batch, scratch, self.position)?;
        Ok([header, &self.batch, padding])
    }

    /// The header and padding of a frame for the built `payload`, the
    /// header encoded into `scratch`, for a writer that sends the payload
    /// from where it is. `offset`: where the frame will start in the stream.
    #[inline]
    pub(crate) fn header_for<'h>(
        &self,
        payload: &[u8],
        scratch: &'h mut [u8; MAX_HEADER_LEN],
        offset: u64,
    ) -> Result<(&'h [u8], &'static [u8])> {
        debug_assert!(!F::PACKS, "a packing framer's payload framed as it is");
        let header = header_slot(scratch, self.framer.header_len())?;
        self.framer
            .encode_header(payload, header)
            .map_err(|e| e.shifted(offset))?;
        Ok((header, padding_slice(self.framer.padding_len(payload.len()))?))
    }

    /// Takes the frame of a built payload into a buffered writer's batch:
    /// header, payload and padding copied in once.
    pub(crate) fn buffer_built(&mut self, payload: &[u8]) -> Result<()> {
        self.finish_deferred()?;
        let mut scratch = [0; MAX_HEADER_LEN];
        let (header, padding) =
            self.header_for(payload, &mut scratch, self.position + self.batch.len() as u64)?;
        for part in [header, payload, padding] {
            self.batch.extend_from_slice(part);
        }
        self.batch_ends.push(self.batch.len());
        Ok(())
    }

    /// Takes `item` for a packing framer ([`Framer::PACKS`]): into the open
    /// block, or packed on its own when the framer does not group. Returns
    /// whether a frame is ready in the batch (for the driver to write and
    /// account with [`wrote_batch`](Self::wrote_batch)): a message packed
    /// alone, or the block it filled. On an error nothing of `item` is
    /// held; a block that fails to pack is dropped with the error.
    #[inline]
    pub(crate) fn pack_message<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<bool> {
        let block_len = self.framer.block_len();
        if block_len == 0 {
            self.pack_alone(item)?;
            return Ok(true);
        }
        let at = open_entry(&mut self.block);
        let encoded = item.encode_into(&mut PayloadSink::with_builder(&mut self.block, &mut self.builder));
        if let Err(e) = encoded {
            self.block.truncate(at);
            return Err(e);
        }
        close_entry(&mut self.block, at).map_err(|e| e.shifted(self.position))?;
        if self.block.len() < block_len {
            return Ok(false);
        }
        if self.pack_thread.is_some() {
            return self.send_open_block(false);
        }
        self.pack_open_block()
    }

    /// With a packing thread: sends the open block to it (when it holds
    /// messages), taking the oldest frame back first when as many blocks
    /// as it takes are out; with `drain`, then takes back every block out.
    /// The frames taken back go into the batch, in the order the blocks
    /// went; whether there are any. A block that failed to pack is dropped
    /// with its error (the frames before it stay in the batch, the blocks
    /// after it out).
    #[inline(never)]
    fn send_open_block(&mut self, drain: bool) -> Result<bool> {
        let Some(thread) = self.pack_thread.as_mut() else {
            return Ok(false);
        };
        if !self.block.is_empty() {
            // The block goes even when the one taken back failed: blocks end
            // where they would without the thread.
            let taken = match thread.in_flight() {
                DEPTH => take_frame(thread, &mut self.batch, &mut self.batch_ends, self.position),
                _ => Ok(()),
            };
            thread.send(&mut self.block)?;
            taken?;
        }
        while drain && thread.in_flight() > 0 {
            take_frame(thread, &mut self.batch, &mut self.batch_ends, self.position)?;
        }
        // Frames taken back before an error of an earlier call are in the
        // batch too, still to be written.
        Ok(!self.batch_ends.is_empty())
    }

    /// Packs `item` on its own into a frame in the batch (a packing
    /// framer's message, whatever its grouping: the codec's encoder, which
    /// has no flush to end a block on).
    pub(crate) fn pack_alone<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        // Bytes that already are a payload are packed from where they are.
        let content = match item.as_built_payload() {
            Some(payload) => payload,
            None => {
                let stage = &mut self.staged[0];
                stage.clear();
                item.encode_into(&mut PayloadSink::with_builder(stage, &mut self.builder))?;
                &self.staged[0]
            }
        };
        let framer = &self.framer;
        frame_packed(framer, &mut self.batch, self.position, |out| {
            framer.pack(content, Packing::Message, out).map(|()| true)
        })?;
        self.batch_ends.push(self.batch.len());
        Ok(())
    }

    /// Packs the open block of a packing framer, if it holds messages, into
    /// a frame in the batch; whether there was one. On an error the block
    /// is dropped.
    #[inline(never)]
    pub(crate) fn pack_open_block(&mut self) -> Result<bool> {
        if self.pack_thread.is_some() {
            // Every block out comes back, this one last.
            return self.send_open_block(true);
        }
        if self.block.is_empty() {
            return Ok(false);
        }
        let (framer, block) = (&self.framer, &self.block);
        let framed = frame_packed(framer, &mut self.batch, self.position, |out| {
            framer.pack(block, Packing::Block, out).map(|()| true)
        });
        self.block.clear();
        framed?;
        self.batch_ends.push(self.batch.len());
        Ok(true)
    }

    /// Packs the framing's final frame into the batch, for a framing that
    /// ends its streams with one ([`Framer::end_payload`]); whether it has
    /// one.
    pub(crate) fn pack_end(&mut self) -> Result<bool> {
        let framer = &self.framer;
        if !frame_packed(framer, &mut self.batch, self.position, |out| {
            framer.end_payload(out)
        })? {
            return Ok(false);
        }
        self.batch_ends.push(self.batch.len());
        Ok(true)
    }

    /// Whether a packing framer's block holds messages not yet written
    /// (or a packing thread has blocks of them, or frames of them wait in
    /// the batch).
    pub(crate) fn holds_block(&self) -> bool {
        // With a packing thread, also frames taken back by a call that then
        // failed on a later block: they are in the batch, not yet written.
        !self.block.is_empty()
            || self
                .pack_thread
                .as_ref()
                .is_some_and(|t| t.in_flight() > 0 || !self.batch_ends.is_empty())
    }

    /// Records a frame of `len` bytes of which the inner writer accepted
    /// `accepted`.
    pub(crate) fn wrote_frame(&mut self, len: usize, accepted: usize) {
        self.position += accepted as u64;
        if accepted == len {
            self.frames_written += 1;
        }
    }

    /// Assembles frames of `items[from..]` into the batch buffer until it
    /// holds [`BATCH_FLUSH_BYTES`] or the items end; returns the index of the
    /// first item not assembled, and the error that stopped it, if any.
    ///
    /// The payloads are pipelined: item `i` is encoded
    /// into one staging buffer while item `i - 1`, encoded into the other,
    /// is checksummed and copied into the batch. Reading bytes stored a
    /// moment before stalls the CPU (the stores have not reached the cache
    /// and are narrower than the loads); one message of distance lets them.
    pub(crate) fn assemble<T: StreamSerialize>(&mut self, items: &[T], from: usize) -> (usize, Result<()>) {
        self.batch.clear();
        self.batch_ends.clear();
        // The item whose payload waits in `staged[index % 2]`.
        let mut pending: Option<usize> = None;
        for (index, item) in items.iter().enumerate().skip(from) {
            if self.batch.len() >= BATCH_FLUSH_BYTES {
                break;
            }
            let stage = &mut self.staged[index % 2];
            stage.clear();
            let outcome = match item.encode_into(&mut PayloadSink::with_builder(stage, &mut self.builder)) {
                Ok(()) => match pending.replace(index) {
                    Some(previous) => self.frame_staged(previous).map_err(|e| (previous, e)),
                    None => Ok(()),
                },
                Err(e) => self.frame_pending(&mut pending).and(Err((index, e))),
            };
            if let Err((failed, e)) = outcome {
                // Frames before `failed` are in the batch; its own is not.
                return (failed, Err(e));
            }
        }
        if let Err((failed, e)) = self.frame_pending(&mut pending) {
            return (failed, Err(e));
        }
        // Every item from `from` on that was assembled has one frame end.
        (from + self.batch_ends.len(), Ok(()))
    }

    /// Frames the payload staged for item `index` into the batch.
    fn frame_staged(&mut self, index: usize) -> Result<()> {
        let at = self.position + self.batch.len() as u64;
        self.framer
            .encode_frame(&self.staged[index % 2], &mut self.batch)
            .map_err(|e| e.shifted(at))?;
        self.batch_ends.push(self.batch.len());
        Ok(())
    }

    /// Frames the pending staged payload, if any; on failure returns its
    /// index with the error.
    fn frame_pending(&mut self, pending: &mut Option<usize>) -> std::result::Result<(), (usize, Error)> {
        match pending.take() {
            Some(index) => self.frame_staged(index).map_err(|e| (index, e)),
            None => Ok(()),
        }
    }

    /// Takes `item` into the batch for a buffered writer. Like
    /// [`assemble`](Self::assemble), it is encoded into a stage and framed one message later, when the next
    /// message comes or the batch is handed over, so the checksum does not
    /// read bytes stored a moment before. Its length is checked at once: a
    /// payload the framer cannot carry is refused here, not at the next call.
    /// On an error nothing of `item` is in the batch; the messages before it
    /// are.
    pub(crate) fn buffer<T: StreamSerialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        // The stage not holding the deferred payload.
        let stage = self.deferred.map_or(0, |held| held ^ 1);
        self.staged[stage].clear();
        let encoded = item.encode_into(&mut PayloadSink::with_builder(
            &mut self.staged[stage],
            &mut self.builder,
        ));
        // Whatever became of `item`, the message before it is finished first.
        self.finish_deferred()?;
        encoded?;
        let (len, max) = (self.staged[stage].len(), self.framer.max_frame_len());
        if len > max {
            return Err(Error::FrameTooLarge {
                offset: self.position + self.batch.len() as u64,
                len: len as u64,
                max: max as u64,
            });
        }
        self.deferred = Some(stage);
        Ok(())
    }

    /// Frames the deferred payload of a buffered writer into the batch, if
    /// there is one. It fails only for a framer whose `encode_header`
    /// refuses a payload within its `max_frame_len`; that frame is dropped.
    pub(crate) fn finish_deferred(&mut self) -> Result<()> {
        match self.deferred.take() {
            Some(stage) => self.frame_staged(stage),
            None => Ok(()),
        }
    }

    /// Whether a buffered writer holds frames not yet handed over.
    pub(crate) fn holds_frames(&self) -> bool {
        self.deferred.is_some() || !self.batch.is_empty()
    }

    /// Makes room for `bytes` of frames in the batch.
    pub(crate) fn reserve_batch(&mut self, bytes: usize) {
        self.batch.reserve(bytes);
    }

    /// The assembled batch.
    pub(crate) fn batch(&self) -> &[u8] {
        &self.batch
    }

    /// Records that the inner writer accepted `accepted` bytes of the batch:
    /// the frames it took completely count as written.
    pub(crate) fn wrote_batch(&mut self, accepted: usize) {
        let complete = self.batch_ends.iter().take_while(|&&end| end <= accepted).count();
        self.frames_written += complete as u64;
        self.position += accepted as u64;
        self.batch.clear();
        self.batch_ends.clear();
    }
}

/// Takes the oldest block back from `thread` into `batch`, after the frames
/// already there; an error is shifted to where its frame would have started
/// (`position` is where the batch starts).
fn take_frame(
    thread: &mut PackThread,
    batch: &mut Vec<u8>,
    ends: &mut Vec<usize>,
    position: u64,
) -> Result<()> {
    let at = position + batch.len() as u64;
    if thread.take_oldest(batch).map_err(|e| e.shifted(at))? {
        ends.push(batch.len());
    }
    Ok(())
}

/// Frames the payload `pack` appends into `batch`, replacing what it
/// held (see [`append_packed_frame`]); `false`: `batch` is left empty.
/// `position`: where the frame will start in the stream, for errors.
fn frame_packed<F: Framer>(
    framer: &F,
    batch: &mut Vec<u8>,
    position: u64,
    pack: impl FnOnce(&mut Vec<u8>) -> Result<bool>,
) -> Result<bool> {
    batch.clear();
    append_packed_frame(framer, batch, pack).map_err(|e| e.shifted(position))
}
