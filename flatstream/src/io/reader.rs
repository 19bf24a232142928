//! Drivers that find frames in bytes: [`StreamReader`] over any [`Read`],
//! [`SliceReader`] over bytes already in memory.

use std::io::Read;

use std::ops::Range;

use crate::buf::prefetch_ahead;
use crate::checksum::Checksum;
use crate::compress::{CompressedDeframer, Compressor};
use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::Result;
use crate::framing::Deframer;
use crate::io::read_core::{ReadCore, Step};
use crate::io::scan::FrameScanner;
use crate::io::sync_io::read_retrying;
use crate::io::unpack::{explain_rejection, UnpackBuffer};
use crate::layout::{FrameLayout, LayoutDeframer};
use crate::recovery::{RecoveryMode, RecoveryPolicy, SkippedRegion, TornTail};

/// Reads framed messages from any [`Read`].
///
/// The reader keeps its own buffer and reads ahead in large pieces, so pass
/// it a `File` or socket directly (a `BufReader` around it adds a copy).
/// [`read_message`](Self::read_message) lends the payload straight out of that
/// buffer: once the buffer has grown to the largest frame, reading allocates
/// nothing.
///
/// The buffer grows with the bytes that actually arrive (at most doubling per
/// read), never to the length a header merely claims, and never beyond the
/// deframer's [`max_frame_len`](Deframer::max_frame_len) plus the header.
///
/// ```
/// use flatstream::{DefaultDeframer, DefaultFramer, StreamReader, StreamWriter};
/// let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
/// w.write("one")?;
/// w.write("two")?;
/// let bytes = w.into_inner();
///
/// let mut r = StreamReader::new(&bytes[..], DefaultDeframer::new());
/// let mut count = 0;
/// while let Some(payload) = r.read_message()? {
///     let text = flatbuffers::root::<&str>(payload).unwrap();
///     assert!(text == "one" || text == "two");
///     count += 1;
/// }
/// assert_eq!(count, 2);
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Debug)]
pub struct StreamReader<R: Read, D: Deframer> {
    inner: R,
    core: ReadCore<D>,
}

impl<R: Read, D: Deframer> StreamReader<R, D> {
    /// A reader recognising frames with `deframer` in the bytes of `inner`.
    /// Allocates nothing until the first read.
    pub fn new(inner: R, deframer: D) -> Self {
        StreamReader {
            inner,
            core: ReadCore::new(deframer),
        }
    }

    /// Chooses what the reader does about damage (see [`Recovery`]):
    /// `StreamReader::new(file, deframer).with_recovery(Recovery::SkipCorrupt)?`.
    ///
    /// A policy the framing's type cannot support does not compile; one its
    /// configuration cannot support (`SkipCorrupt` with a
    /// [`ChecksumDeframer`](crate::ChecksumDeframer) without a protected
    /// header) is refused here with [`Error::InvalidConfig`](crate::Error::InvalidConfig).
    ///
    /// [`Recovery`]: crate::Recovery
    pub fn with_recovery<P: RecoveryPolicy<D>>(mut self, _policy: P) -> Result<Self> {
        self.core.scan.set_recovery::<P>()?;
        Ok(self)
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.core.scan.mode
    }

    /// The incomplete last frame accepted under
    /// [`Recovery::TolerateTornTail`](crate::Recovery::TolerateTornTail),
    /// once the reader has reached it.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.core.scan.torn_tail
    }

    /// The regions skipped under
    /// [`Recovery::SkipCorrupt`](crate::Recovery::SkipCorrupt) since the last
    /// call, in stream order.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.core.scan.skipped)
    }

    /// Uses `limits` for every typed read ([`read`](Self::read),
    /// [`read_view`](Self::read_view), [`typed`](Self::typed)) instead of
    /// each type's own `VERIFY_LIMITS`.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.core.scan.limits = Some(limits);
        self
    }

    /// Reads the next frame, verifies its payload as a `T` and returns the
    /// zero-copy view, which borrows the reader until the next read.
    ///
    /// A payload the verifier rejects ends in [`Error::InvalidFlatBuffer`](crate::Error::InvalidFlatBuffer),
    /// [`Error::MissingField`](crate::Error::MissingField) or [`Error::InvalidEnumValue`](crate::Error::InvalidEnumValue) with the frame's
    /// offset; the frame is consumed, so the next call reads the one after.
    /// Under `SkipCorrupt` such a frame is skipped and reported instead.
    pub fn read_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'_>>> {
        let verified = loop {
            let Some(range) = self.next_frame()? else {
                return Ok(None);
            };
            if let Some(verified) = self.core.verify::<T>(range)? {
                break verified;
            }
        };
        self.core.view::<T>(verified).map(Some)
    }

    /// Reads the next frame and decodes it into an owned `T`: a derived
    /// message (verified, then copied out) or, with feature `serde`, a
    /// serde payload (`read::<Postcard<Reading>>()`).
    ///
    /// A payload `T` refuses ends in an error with the frame's offset (or,
    /// under `SkipCorrupt`, is skipped and reported); the frame is consumed,
    /// so the next call reads the one after.
    pub fn read<T: FromPayload>(&mut self) -> Result<Option<T>> {
        loop {
            let Some(range) = self.next_frame()? else {
                return Ok(None);
            };
            if let Some(value) = self.core.decode::<T>(range)? {
                return Ok(Some(value));
            }
        }
    }

    /// This reader as an iterator of owned `T`s (see [`TypedReader`]).
    pub fn typed<T: FromPayload>(self) -> TypedReader<R, D, T> {
        TypedReader {
            reader: self,
            _type: std::marker::PhantomData,
        }
    }

    /// Reads the next frame and lends its payload.
    ///
    /// Returns `Ok(None)` when the stream ends cleanly on a frame boundary.
    /// A stream that ends inside a frame is [`Error::UnexpectedEof`](crate::Error::UnexpectedEof); a frame
    /// that fails its checks is reported with the offset of its first byte
    /// and is not consumed, so calling again returns the same error (I/O
    /// errors may be retried). The payload borrows the reader's buffer until
    /// the next call.
    #[inline(always)]
    pub fn read_message(&mut self) -> Result<Option<&[u8]>> {
        match self.next_frame()? {
            Some(range) => Ok(Some(self.core.payload(range))),
            None => Ok(None),
        }
    }

    /// The next frame: a whole one in the buffer inline, anything else
    /// (reading, the end, errors, recovery) out of line, so a loop over
    /// buffered frames keeps the reader's state in registers.
    #[inline(always)]
    fn next_frame(&mut self) -> Result<Option<Range<usize>>> {
        if D::PACKED {
            return self.next_unpacked();
        }
        self.next_raw_frame()
    }

    /// For a packing deframer: the next message, from the frame unpacked
    /// last or the next one.
    #[inline(never)]
    fn next_unpacked(&mut self) -> Result<Option<Range<usize>>> {
        loop {
            if let Some(range) = self.core.next_unpacked()? {
                return Ok(Some(range));
            }
            let Some(frame) = self.next_raw_frame()? else {
                self.core.scan.end_of_stream(self.core.scan.position)?;
                return Ok(None);
            };
            self.core.load(frame)?;
        }
    }

    /// The next frame's payload in the read buffer.
    #[inline(always)]
    fn next_raw_frame(&mut self) -> Result<Option<Range<usize>>> {
        match self.core.clean_frame() {
            Some(range) => Ok(Some(range)),
            None => self.next_frame_slow(),
        }
    }

    /// Drives the core: reads whenever it needs bytes.
    #[inline(never)]
    fn next_frame_slow(&mut self) -> Result<Option<Range<usize>>> {
        // Once the input has ended in this call, do not ask it again for
        // every byte a skip moves past.
        let mut at_end = false;
        loop {
            match self.core.step(at_end)? {
                None => return Ok(None),
                Some(Step::Frame(range)) => return Ok(Some(range)),
                Some(Step::Need(needed)) => {
                    let spare = self.core.spare(needed);
                    match read_retrying(&mut self.inner, spare)? {
                        0 => at_end = true,
                        n => self.core.filled(n),
                    }
                }
            }
        }
    }

    /// Stream offset of the next frame: bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.core.scan.position
    }

    /// A reader whose buffer starts at `bytes` (8 KiB by default, growing
    /// with the largest frame): each read from the inner reader then asks
    /// for up to that much, which saves system calls when scanning a large
    /// file of small frames (the `flatstream` tool reads in 1 MiB pieces).
    pub fn with_read_capacity(mut self, bytes: usize) -> Self {
        self.core.grow_to(bytes);
        self
    }

    /// Bytes of buffer the reader holds (it grows with the largest frame
    /// seen, up to the deframer's limit plus its header, and is reused).
    pub fn buffer_capacity(&self) -> usize {
        self.core.capacity()
    }

    /// Bytes read from the inner reader but not consumed yet.
    pub fn buffered(&self) -> &[u8] {
        self.core.buffered()
    }

    /// The deframer in use.
    pub fn deframer(&self) -> &D {
        &self.core.scan.deframer
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably. Reading from it directly skips bytes the
    /// stream expects.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The inner reader, consuming this one. Bytes already read ahead (see
    /// [`buffered`](Self::buffered)) are dropped.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

/// Owned payloads, for convenience: each item copies the payload into a new
/// `Vec`. Use [`read_message`](StreamReader::read_message) in a `while let`
/// loop to avoid that allocation. The iterator ends after the first error.
impl<R: Read, D: Deframer> Iterator for StreamReader<R, D> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.core.scan.failed {
            return None;
        }
        match self.read_message() {
            Ok(Some(payload)) => Some(Ok(payload.to_vec())),
            Ok(None) => None,
            Err(e) => {
                self.core.scan.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl<R: Read, L: FrameLayout + StreamDeserialize> StreamReader<R, LayoutDeframer<L>> {
    /// A reader built with `T::deframer()` for a message `T` with its own
    /// framing, as an iterator of `T`s; the type is named once:
    /// `StreamReader::new(file, Telemetry::deframer()).into_typed()`.
    pub fn into_typed(self) -> TypedReader<R, LayoutDeframer<L>, L> {
        self.typed::<L>()
    }
}

impl<R: Read, L: FrameLayout + StreamDeserialize, C: Compressor, K: Checksum>
    StreamReader<R, CompressedDeframer<LayoutDeframer<L>, C, K>>
{
    /// [`into_typed`](StreamReader::into_typed) for a message whose framing
    /// compresses (`#[frame(compress = ..)]`).
    pub fn into_typed(self) -> TypedReader<R, CompressedDeframer<LayoutDeframer<L>, C, K>, L> {
        self.typed::<L>()
    }
}

/// A [`StreamReader`] that yields owned, verified `T`s; made by
/// [`StreamReader::typed`] or [`StreamReader::into_typed`].
///
/// The iterator ends after the first error.
pub struct TypedReader<R: Read, D: Deframer, T> {
    reader: StreamReader<R, D>,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<R: Read, D: Deframer, T: StreamDeserialize> TypedReader<R, D, T> {
    /// The next message's zero-copy view (see [`StreamReader::read_view`]).
    pub fn read_view(&mut self) -> Result<Option<T::View<'_>>> {
        self.reader.read_view::<T>()
    }
}

impl<R: Read, D: Deframer, T: FromPayload> TypedReader<R, D, T> {
    /// The next message, owned (see [`StreamReader::read`]).
    pub fn read(&mut self) -> Result<Option<T>> {
        self.reader.read::<T>()
    }

    /// The untyped reader underneath.
    pub fn into_inner(self) -> StreamReader<R, D> {
        self.reader
    }
}

impl<R: Read, D: Deframer, T: FromPayload> Iterator for TypedReader<R, D, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.reader.core.scan.failed {
            return None;
        }
        let item = self.reader.read::<T>().transpose();
        self.reader.core.scan.failed = matches!(item, Some(Err(_)));
        item
    }
}

impl<R: Read + std::fmt::Debug, D: Deframer + std::fmt::Debug, T> std::fmt::Debug for TypedReader<R, D, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedReader")
            .field("reader", &self.reader)
            .finish()
    }
}

/// Reads framed messages from bytes already in memory (a buffer, a
/// memory-mapped file) without copying: payloads borrow the input itself,
/// for as long as the input lives.
///
/// ```
/// use flatstream::{DefaultDeframer, DefaultFramer, RawPayload, SliceReader, StreamWriter};
/// let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
/// w.write(&RawPayload(b"abc"))?;
/// let bytes = w.into_inner();
///
/// let payloads: Vec<&[u8]> = SliceReader::new(&bytes, DefaultDeframer::new())
///     .collect::<Result<_, _>>()?;
/// assert_eq!(payloads, [b"abc"]);
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SliceReader<'a, D: Deframer> {
    input: &'a [u8],
    /// The input from the next frame on; its start is the stream position,
    /// which the scanner's copy follows only when a step goes past its fast
    /// path. A slice, not an index: the next header is then loaded straight
    /// from its pointer, one addition per frame shorter than adding an index
    /// to the input's start (measured: 0.86x of a hand loop with an index,
    /// 1.0x with the slice).
    rest: &'a [u8],
    /// `rest.len()` before the last frame handed out.
    last_rest: usize,
    scan: FrameScanner<D>,
    /// For a packing deframer: the messages of the last frame, unpacked.
    unpacked: UnpackBuffer,
}

/// The message of the compile-time refusal of `SliceReader`'s borrowing
/// reads for a packing deframer.
const LENDS_FROM_INPUT: &str = "SliceReader::read_message, read_view and the iterator lend payloads from \
    the input, and a compressed frame's messages are decompressed into the reader: use \
    SliceReader::next_message or next_view (or read for owned values)";

impl<'a, D: Deframer> SliceReader<'a, D> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8], deframer: D) -> Self {
        SliceReader {
            input,
            rest: input,
            last_rest: input.len(),
            scan: FrameScanner::new(deframer),
            unpacked: UnpackBuffer::default(),
        }
    }

    /// Chooses the recovery policy (see [`StreamReader::with_recovery`]);
    /// the input is all there is, so its end is the end of the stream.
    pub fn with_recovery<P: RecoveryPolicy<D>>(mut self, _policy: P) -> Result<Self> {
        self.scan.set_recovery::<P>()?;
        Ok(self)
    }

    /// Uses `limits` for every typed read instead of each type's own (see
    /// [`StreamReader::with_verify_limits`]).
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.scan.limits = Some(limits);
        self
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.scan.mode
    }

    /// The incomplete last frame accepted under
    /// [`Recovery::TolerateTornTail`](crate::Recovery::TolerateTornTail).
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.scan.torn_tail
    }

    /// The regions skipped under
    /// [`Recovery::SkipCorrupt`](crate::Recovery::SkipCorrupt) since the last
    /// call, in stream order.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.scan.skipped)
    }

    /// The next frame's payload, borrowed from the input. Same contract as
    /// [`StreamReader::read_message`].
    ///
    /// For a compressed framing ([`Deframer::PACKED`]) this does not
    /// compile: the messages are not in the input. Use
    /// [`next_message`](Self::next_message).
    #[inline(always)]
    pub fn read_message(&mut self) -> Result<Option<&'a [u8]>> {
        const { assert!(!D::PACKED, "{}", LENDS_FROM_INPUT) };
        self.read_frame()
    }

    /// The next message, lent by the reader until the next call: for every
    /// framing, compressed ones included (whose messages are decompressed
    /// into the reader). For an uncompressed framing it is
    /// [`read_message`](Self::read_message), whose payloads borrow the
    /// input instead.
    #[inline]
    pub fn next_message(&mut self) -> Result<Option<&[u8]>> {
        if !D::PACKED {
            return self.read_frame();
        }
        match self.next_unpacked()? {
            Some(range) => Ok(self.unpacked.bytes().get(range)),
            None => Ok(None),
        }
    }

    /// The next message verified as a `T`, as a view lent by the reader
    /// until the next call (see [`next_message`](Self::next_message)); for
    /// an uncompressed framing, [`read_view`](Self::read_view) returns
    /// views that borrow the input instead.
    pub fn next_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'_>>> {
        let limits = self.scan.limits_for::<T>();
        if !D::PACKED {
            loop {
                let Some(payload) = self.read_frame()? else {
                    return Ok(None);
                };
                match T::view_with(payload, limits) {
                    Ok(view) => return Ok(Some(view)),
                    Err(e) => self.reject(explain_rejection::<D>(payload, e))?,
                }
            }
        }
        let range = loop {
            let Some(range) = self.next_unpacked()? else {
                return Ok(None);
            };
            let verified = T::view_with(&self.unpacked.bytes()[range.clone()], limits).map(|_| ());
            match verified {
                Ok(()) => break range,
                Err(e) => self.reject(e)?,
            }
        };
        let bytes = &self.unpacked.bytes()[range];
        // SAFETY: `view_with` accepted exactly these bytes, with these
        // limits, just above; nothing has written to `self.unpacked` since
        // (the loop ended right after), so they are still the bytes it
        // accepted: `view_unchecked`'s contract.
        Ok(Some(unsafe { T::view_unchecked(bytes) }))
    }

    /// For a packing deframer: the next message, from the frame unpacked
    /// last or the next one; its range in `self.unpacked`.
    fn next_unpacked(&mut self) -> Result<Option<Range<usize>>> {
        loop {
            match self.unpacked.next() {
                Ok(Some(range)) => return Ok(Some(range)),
                Ok(None) => {}
                Err(e) => self.reject(e)?,
            }
            let Some(payload) = self.read_frame()? else {
                self.scan.end_of_stream(Self::position(self) as u64)?;
                return Ok(None);
            };
            let (last, at) = (Self::last_frame_at(self), Self::position(self));
            self.scan
                .unpack(&mut self.unpacked, payload, (last as u64, (at - last) as u64))?;
        }
    }

    /// The next frame's payload, borrowed from the input.
    #[inline(always)]
    fn read_frame(&mut self) -> Result<Option<&'a [u8]>> {
        let input = self.input;
        // The scanner's fast path, with the position kept here: the input
        // is all in memory, so the cursor is the position, and a frame costs
        // no bookkeeping beyond moving it (the scanner's own copy is synced
        // before it steps).
        let rest = self.rest;
        if let Some((payload, after)) = self.scan.clean_frame(rest) {
            // The input may be far larger than the cache (a mapped file):
            // ask for the bytes ahead now, so the headers to come are there
            // when the loop gets to them. (`StreamReader` and the codecs
            // read bytes that arrived a moment before; there the hint
            // measured slower.)
            prefetch_ahead(after, rest.len() - after.len(), input.len());
            (self.last_rest, self.rest) = (rest.len(), after);
            return Ok(Some(payload));
        }
        // The slow path gets the scanner by reference but the cursor by
        // value: were the whole reader's address passed out of line, the
        // caller's loop would keep `at` in memory, and every frame would
        // wait for the store of the one before (measured: 0.8x of a hand
        // loop that keeps it in a register).
        let (at, last) = (Self::position(self), Self::last_frame_at(self));
        let (outcome, at, last) = read_message_slow(&mut self.scan, input, at, last);
        self.rest = input.get(at..).unwrap_or_default();
        self.last_rest = input.len().saturating_sub(last);
        outcome
    }

    /// The last frame handed out, whose payload a typed read refused.
    #[cold]
    fn reject(&mut self, e: crate::Error) -> Result<()> {
        let (last, at) = (Self::last_frame_at(self), Self::position(self));
        self.scan.reject_frame(last as u64, (at - last) as u64, e)
    }

    /// Offset of the last frame handed out. (`Self::` in the calls: on a
    /// `&mut self`, `self.position()` would be `Iterator::position`.)
    #[inline]
    fn last_frame_at(&self) -> usize {
        self.input.len() - self.last_rest
    }

    /// The next frame, verified as a `T`, viewed in place: the view borrows
    /// the input, not the reader (see [`StreamReader::read_view`]). For a
    /// compressed framing this does not compile (see
    /// [`read_message`](Self::read_message)): use [`next_view`](Self::next_view).
    pub fn read_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'a>>> {
        const { assert!(!D::PACKED, "{}", LENDS_FROM_INPUT) };
        loop {
            let Some(payload) = self.read_frame()? else {
                return Ok(None);
            };
            match T::view_with(payload, self.scan.limits_for::<T>()) {
                Ok(view) => return Ok(Some(view)),
                Err(e) => self.reject(explain_rejection::<D>(payload, e))?,
            }
        }
    }

    /// The next message, decoded into an owned `T` (see
    /// [`StreamReader::read`]); for every framing, compressed ones
    /// included.
    pub fn read<T: FromPayload>(&mut self) -> Result<Option<T>> {
        let limits = self.scan.limits;
        loop {
            let outcome = match self.next_message()? {
                None => return Ok(None),
                Some(payload) => {
                    T::from_payload(payload, limits).map_err(|e| explain_rejection::<D>(payload, e))
                }
            };
            match outcome {
                Ok(value) => return Ok(Some(value)),
                Err(e) => self.reject(e)?,
            }
        }
    }

    /// Offset of the next frame in the input.
    #[inline]
    pub fn position(&self) -> usize {
        self.input.len() - self.rest.len()
    }

    /// The input not consumed yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }
}

/// Borrowed payloads; ends after the first error.
impl<'a, D: Deframer> Iterator for SliceReader<'a, D> {
    type Item = Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.scan.failed {
            return None;
        }
        let item = self.read_message().transpose();
        self.scan.failed = matches!(item, Some(Err(_)));
        item
    }
}

/// [`SliceReader::read_message`] through the scanner (the end, errors,
/// recovery): the outcome, and the cursor and last frame's start after it.
#[inline(never)]
fn read_message_slow<'a, D: Deframer>(
    scan: &mut FrameScanner<D>,
    input: &'a [u8],
    mut at: usize,
    last: usize,
) -> (Result<Option<&'a [u8]>>, usize, usize) {
    scan.position = at as u64;
    let outcome = match scan.step(input, &mut at, true) {
        Ok(Some(Step::Frame(payload))) => {
            let start = scan.frame_start as usize;
            return (Ok(input.get(payload)), at, start);
        }
        // Not made with `at_end`; ending here keeps the reader total.
        Ok(Some(Step::Need(_)) | None) => Ok(None),
        Err(e) => Err(e),
    };
    (outcome, at, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::framing::DefaultDeframer;
    use std::io;

    /// A `Read` that hands out one byte per call.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// A `Read` that hands out at most `n` bytes per call.
    struct Chunks<'a>(&'a [u8], usize);
    impl Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The fast path sets the position from the cursor and the buffer's
    /// stream offset: after every frame, across refills and compactions, at
    /// every read size, `position()` is the sum of the frames so far, and an
    /// error after them carries the offset of the bad frame.
    #[test]
    fn positions_and_error_offsets_stay_exact_across_refills() {
        let mut w = crate::StreamWriter::new(Vec::new(), crate::DefaultFramer);
        let mut ends = Vec::new();
        for i in 0..3000u32 {
            w.write(&crate::RawPayload(&vec![i as u8; 1 + i as usize % 97]))
                .unwrap();
            ends.push(w.position());
        }
        let good = w.into_inner();
        let mut bad = good.clone();
        bad.extend_from_slice(&(u32::MAX).to_le_bytes());
        for chunk in [1, 7, 64, 4096, 9000, usize::MAX] {
            let mut r = StreamReader::new(Chunks(&bad, chunk), DefaultDeframer::new());
            for &end in &ends {
                assert!(r.read_message().unwrap().is_some());
                assert_eq!(r.position(), end, "read size {chunk}");
            }
            match r.read_message() {
                Err(Error::FrameTooLarge { offset, .. }) => assert_eq!(offset, good.len() as u64),
                other => panic!("read size {chunk}: {other:?}"),
            }
        }
    }

    #[test]
    fn buffer_grows_with_arriving_bytes_not_the_claimed_length() {
        // Header claims 15 MiB, 10 bytes follow.
        let mut bytes = (15u32 << 20).to_le_bytes().to_vec();
        bytes.extend_from_slice(&[7; 10]);
        let mut r = StreamReader::new(Trickle(&bytes), DefaultDeframer::new());
        match r.read_message() {
            Err(Error::UnexpectedEof {
                offset: 0,
                needed,
                available: 14,
            }) => assert_eq!(needed, (15 << 20) + 4),
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            r.buffer_capacity() <= 8 * 1024,
            "buffer grew to {}",
            r.buffer_capacity()
        );
    }

    /// A larger first buffer: the reads ask for up to that much, and the
    /// frames come out the same (1-byte reads or whole-buffer ones).
    #[test]
    fn a_larger_read_capacity_reads_the_same_frames() {
        let mut w = crate::StreamWriter::new(Vec::new(), crate::DefaultFramer);
        for i in 0..300u32 {
            w.write(&crate::RawPayload(&i.to_le_bytes().repeat(1 + i as usize % 40)))
                .unwrap();
        }
        let bytes = w.into_inner();
        let plain: Vec<Vec<u8>> = StreamReader::new(&bytes[..], DefaultDeframer::new())
            .collect::<Result<_>>()
            .unwrap();
        let big = StreamReader::new(&bytes[..], DefaultDeframer::new()).with_read_capacity(1 << 20);
        assert_eq!(big.buffer_capacity(), 1 << 20);
        assert_eq!(big.collect::<Result<Vec<_>>>().unwrap(), plain);
        let trickled: Vec<Vec<u8>> = StreamReader::new(Trickle(&bytes), DefaultDeframer::new())
            .with_read_capacity(1 << 16)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(trickled, plain);
        assert_eq!(plain.len(), 300);
    }

    #[test]
    fn compaction_keeps_partial_frames_intact() {
        // Many frames of a size that does not divide the buffer.
        let mut bytes = Vec::new();
        for i in 0..3000u32 {
            let payload = vec![(i % 251) as u8; (i % 37) as usize];
            bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&payload);
        }
        let mut r = StreamReader::new(&bytes[..], DefaultDeframer::new());
        for i in 0..3000u32 {
            let p = r.read_message().unwrap().unwrap();
            assert_eq!(p, vec![(i % 251) as u8; (i % 37) as usize]);
        }
        assert!(r.read_message().unwrap().is_none());
        assert_eq!(r.position(), bytes.len() as u64);
    }
}
