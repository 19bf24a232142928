//! Drivers that find frames in bytes: [`StreamReader`] over any [`Read`],
//! [`SliceReader`] over bytes already in memory.

use std::io::{self, Read};

use std::ops::Range;

use crate::decode::{FromPayload, StreamDeserialize, VerifyLimits};
use crate::error::{Error, Result};
use crate::framing::{Decoded, Deframer};
use crate::layout::{FrameLayout, LayoutDeframer};
use crate::read_core::{ReadCore, Step};
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
    /// header) is refused here with [`Error::InvalidConfig`].
    ///
    /// [`Recovery`]: crate::Recovery
    pub fn with_recovery<P: RecoveryPolicy<D>>(mut self, _policy: P) -> Result<Self> {
        self.core.set_recovery::<P>()?;
        Ok(self)
    }

    /// The recovery policy in use.
    pub fn recovery(&self) -> RecoveryMode {
        self.core.mode
    }

    /// The incomplete last frame accepted under
    /// [`Recovery::TolerateTornTail`](crate::Recovery::TolerateTornTail),
    /// once the reader has reached it.
    pub fn torn_tail(&self) -> Option<TornTail> {
        self.core.torn_tail
    }

    /// The regions skipped under
    /// [`Recovery::SkipCorrupt`](crate::Recovery::SkipCorrupt) since the last
    /// call, in stream order.
    pub fn take_skipped(&mut self) -> Vec<SkippedRegion> {
        std::mem::take(&mut self.core.skipped)
    }

    /// Uses `limits` for every typed read ([`read`](Self::read),
    /// [`read_view`](Self::read_view), [`typed`](Self::typed)) instead of
    /// each type's own `VERIFY_LIMITS`.
    pub fn with_verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.core.limits = Some(limits);
        self
    }

    /// Reads the next frame, verifies its payload as a `T` and returns the
    /// zero-copy view, which borrows the reader until the next read.
    ///
    /// A payload the verifier rejects ends in [`Error::InvalidFlatBuffer`],
    /// [`Error::MissingField`] or [`Error::InvalidEnumValue`] with the frame's
    /// offset; the frame is consumed, so the next call reads the one after.
    /// Under `SkipCorrupt` such a frame is skipped and reported instead.
    pub fn read_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'_>>> {
        let verified = loop {
            let start = self.core.position;
            let Some(range) = self.next_frame()? else {
                return Ok(None);
            };
            if let Some(verified) = self.core.verify::<T>(start, range)? {
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
            let start = self.core.position;
            let Some(range) = self.next_frame()? else {
                return Ok(None);
            };
            if let Some(value) = self.core.decode::<T>(start, range)? {
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
    /// A stream that ends inside a frame is [`Error::UnexpectedEof`]; a frame
    /// that fails its checks is reported with the offset of its first byte
    /// and is not consumed, so calling again returns the same error (I/O
    /// errors may be retried). The payload borrows the reader's buffer until
    /// the next call.
    pub fn read_message(&mut self) -> Result<Option<&[u8]>> {
        match self.next_frame()? {
            Some(range) => Ok(Some(self.core.payload(range))),
            None => Ok(None),
        }
    }

    /// Drives the core: reads whenever it needs bytes.
    fn next_frame(&mut self) -> Result<Option<Range<usize>>> {
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
        self.core.position
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
        &self.core.deframer
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

/// One `read`, retried on `Interrupted`.
fn read_retrying<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Owned payloads, for convenience: each item copies the payload into a new
/// `Vec`. Use [`read_message`](StreamReader::read_message) in a `while let`
/// loop to avoid that allocation. The iterator ends after the first error.
impl<R: Read, D: Deframer> Iterator for StreamReader<R, D> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.core.failed {
            return None;
        }
        match self.read_message() {
            Ok(Some(payload)) => Some(Ok(payload.to_vec())),
            Ok(None) => None,
            Err(e) => {
                self.core.failed = true;
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
        if self.reader.core.failed {
            return None;
        }
        let item = self.reader.read::<T>().transpose();
        self.reader.core.failed = matches!(item, Some(Err(_)));
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
    position: usize,
    deframer: D,
    failed: bool,
}

impl<'a, D: Deframer> SliceReader<'a, D> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8], deframer: D) -> Self {
        SliceReader {
            input,
            position: 0,
            deframer,
            failed: false,
        }
    }

    /// The next frame's payload, borrowed from the input. Same contract as
    /// [`StreamReader::read_message`].
    pub fn read_message(&mut self) -> Result<Option<&'a [u8]>> {
        let rest = &self.input[self.position..];
        let offset = self.position as u64;
        match self.deframer.decode_frame(rest) {
            Ok(Decoded::Frame { payload, frame_len }) => {
                self.position += frame_len;
                Ok(Some(&rest[payload]))
            }
            Ok(Decoded::Incomplete { .. }) if rest.is_empty() => Ok(None),
            Ok(Decoded::Incomplete { needed }) => Err(Error::UnexpectedEof {
                offset,
                needed: needed as u64,
                available: rest.len() as u64,
            }),
            Err(e) => Err(e.shifted(offset)),
        }
    }

    /// The next frame, verified as a `T`, viewed in place: the view borrows
    /// the input, not the reader (see [`StreamReader::read_view`]).
    pub fn read_view<T: StreamDeserialize>(&mut self) -> Result<Option<T::View<'a>>> {
        let start = self.position as u64;
        match self.read_message()? {
            None => Ok(None),
            Some(payload) => T::view(payload).map(Some).map_err(|e| e.shifted(start)),
        }
    }

    /// The next frame, decoded into an owned `T` (see
    /// [`StreamReader::read`]).
    pub fn read<T: FromPayload>(&mut self) -> Result<Option<T>> {
        let start = self.position as u64;
        match self.read_message()? {
            None => Ok(None),
            Some(payload) => T::from_payload(payload, None)
                .map(Some)
                .map_err(|e| e.shifted(start)),
        }
    }

    /// Offset of the next frame in the input.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The input not consumed yet.
    pub fn remaining(&self) -> &'a [u8] {
        &self.input[self.position..]
    }
}

/// Borrowed payloads; ends after the first error.
impl<'a, D: Deframer> Iterator for SliceReader<'a, D> {
    type Item = Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let item = self.read_message().transpose();
        self.failed = matches!(item, Some(Err(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::DefaultDeframer;

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
