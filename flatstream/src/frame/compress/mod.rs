//! Compression, sans-IO: the [`Compressor`] trait, the codecs (features
//! `lz4` and `zstd`), and [`CompressedFramer`]/[`CompressedDeframer`], which
//! compress the payloads of any other framing, one message per frame or
//! many messages per frame (block mode).
//!
//! A compressed frame is a frame of the inner framing whose payload is a
//! *packed payload* (see `docs/wire-format.md`):
//!
//! ```text
//! "FZ" [version = 1] [codec] [flags] [uncompressed length: LEB128 u32, 1-5 bytes]
//! [dictionary id: u32 LE, if flags & 2] [content checksum: 2/4/8 bytes LE, if flags & 12]
//! [compressed bytes]
//! ```
//!
//! Flag 1 marks a block: the uncompressed bytes are entries
//! `[length: LEB128 u32][message]`, one per message. Codec 0 is *stored*: the
//! bytes did not shrink, so they are kept as they are (a payload never grows
//! by more than its header). The inner framing's checksum covers the packed
//! payload, so damage is caught before anything is decompressed; the
//! optional content checksum covers the uncompressed bytes.
//!
//! Reading is bounded: the uncompressed length is checked against the
//! reader's limit ([`CompressedDeframer::with_max_unpacked_len`]) before a
//! byte is allocated, and decompression writes into exactly that many
//! bytes, so a frame that claims or produces more than it declares costs at
//! most the limit in memory and ends in an error with the frame's offset.

#[cfg(any(feature = "lz4", feature = "zstd"))]
mod codecs;
pub(crate) mod keywords;

use std::ops::Range;

#[cfg(feature = "lz4")]
pub use codecs::Lz4;
#[cfg(feature = "zstd")]
pub use codecs::{Zstd, ZstdDictionary};

use crate::checksum::{size_mask, Checksum, NoChecksum};
use crate::error::{Error, FrameDefect, Result};
use crate::framing::{Decoded, Deframer, Framer, Packing, Unpacked, DEFAULT_MAX_FRAME_LEN};

/// The first bytes of every packed payload.
pub const MARKER: [u8; 2] = *b"FZ";
/// The packed-payload format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Codec id of a payload kept uncompressed because compressing did not
/// shrink it. Every reader reads it.
pub const STORED: u8 = 0;

/// Bytes of the fixed part of a packed payload's header: marker, version,
/// codec, flags.
const FIXED_HEADER_LEN: usize = 5;
/// The most bytes of the uncompressed length (a LEB128 `u32`).
const MAX_VARINT_LEN: usize = 5;
const FLAG_BLOCK: u8 = 1;
const FLAG_DICTIONARY: u8 = 2;
/// Two bits: the content checksum's size, as 0, 2, 4 or 8 bytes.
const CONTENT_SUM_SHIFT: u8 = 2;
const KNOWN_FLAGS: u8 = FLAG_BLOCK | FLAG_DICTIONARY | (3 << CONTENT_SUM_SHIFT);

/// The default block size: messages are grouped until they hold this many
/// bytes (uncompressed), then compressed as one frame.
pub const DEFAULT_BLOCK_LEN: usize = 64 * 1024;

/// A compression codec for [`CompressedFramer`] and [`CompressedDeframer`].
///
/// Implement it to bring your own codec: pick an [`ID`](Self::ID) from 128
/// to 255 (1 to 127 are this crate's). Both methods take `&self`; a codec
/// that reuses a context across calls keeps it in a `RefCell`, as
/// [`Zstd`] does.
pub trait Compressor {
    /// The codec's id in every packed payload, so that a reader of another
    /// codec refuses it by name. 1: LZ4 (block format); 2: zstd.
    const ID: u8;
    /// The codec's name, for errors.
    const NAME: &'static str;

    /// Appends `input`, compressed, to `out`. On an error, whatever was
    /// appended is discarded by the caller.
    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()>;

    /// Decompresses `input` into `out`, which is exactly as long as the
    /// uncompressed size the frame declares; returns the bytes produced.
    /// Must never write past `out`: input that would inflate beyond it is
    /// an error. `input` is untrusted: any bytes must end in `Ok` or `Err`,
    /// never a panic.
    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<usize>;

    /// The id of the dictionary compressed with, if any: it is written
    /// into every frame, and a reader with another dictionary (or none)
    /// refuses the frame with [`FrameDefect::DictionaryMismatch`].
    fn dictionary_id(&self) -> Option<u32> {
        None
    }
}

/// The name of a codec id, for errors.
pub(crate) fn codec_name(id: u8) -> &'static str {
    match id {
        STORED => "stored",
        1 => "LZ4",
        2 => "zstd",
        128.. => "a codec of your own",
        _ => "unknown",
    }
}

/// How a [`CompressedFramer`] groups messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    /// Each message compressed on its own, in its own frame.
    PerMessage,
    /// Messages grouped until they hold this many bytes.
    Blocks(usize),
}

/// A [`Framer`] that compresses payloads with `C` before framing them with
/// the inner framer `F` (whose checksum then covers the compressed bytes).
///
/// Per message ([`new`](Self::new)) suits messages of a kilobyte or more;
/// small messages hardly compress alone, so [`blocks`](Self::blocks) groups
/// consecutive ones into a block compressed as one frame: a writer holds
/// them until the block is full, or [`flush`](crate::StreamWriter::flush),
/// `sync` or drop. Read either with a [`CompressedDeframer`] of the same
/// codec over the matching inner deframer.
///
/// ```
/// # #[cfg(feature = "lz4")] {
/// use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4};
/// use flatstream::{DefaultDeframer, DefaultFramer, StreamReader, StreamWriter};
///
/// let mut w = StreamWriter::new(Vec::new(), CompressedFramer::blocks(DefaultFramer, Lz4, 64 * 1024));
/// for i in 0..1000 {
///     w.write(&format!("reading {i}: 21.5 degrees"))?;
/// }
/// let bytes = w.into_inner(); // the last block is written on the way out
///
/// let mut r = StreamReader::new(&bytes[..], CompressedDeframer::new(DefaultDeframer::new(), Lz4));
/// let mut n = 0;
/// while let Some(payload) = r.read_message()? {
///     assert_eq!(flatbuffers::root::<&str>(payload).unwrap(), format!("reading {n}: 21.5 degrees"));
///     n += 1;
/// }
/// assert_eq!(n, 1000);
/// assert!(bytes.len() < 1000 * 30 / 3);
/// # }
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CompressedFramer<F, C, K = NoChecksum> {
    inner: F,
    codec: C,
    content_checksum: K,
    grouping: Grouping,
}

impl<F: Framer, C: Compressor> CompressedFramer<F, C> {
    /// Compresses each message on its own, in its own frame of `inner`.
    pub fn new(inner: F, codec: C) -> Self {
        CompressedFramer {
            inner,
            codec,
            content_checksum: NoChecksum,
            grouping: Grouping::PerMessage,
        }
    }

    /// Groups consecutive messages into blocks of about `block_len` bytes
    /// (uncompressed; a block ends with the message that reaches it), each
    /// compressed as one frame of `inner`. [`DEFAULT_BLOCK_LEN`] (64 KiB)
    /// is a good start; `0` means one message per block.
    pub fn blocks(inner: F, codec: C, block_len: usize) -> Self {
        CompressedFramer {
            inner,
            codec,
            content_checksum: NoChecksum,
            grouping: Grouping::Blocks(block_len.max(1)),
        }
    }
}

/// Per message, with the inner framer's and the codec's defaults.
impl<F: Framer + Default, C: Compressor + Default> Default for CompressedFramer<F, C> {
    fn default() -> Self {
        CompressedFramer::new(F::default(), C::default())
    }
}

impl<F, C, K> CompressedFramer<F, C, K> {
    /// Also stores a checksum `sum` of the uncompressed bytes, which the
    /// deframer (given the same algorithm) verifies after decompressing.
    /// The inner framing's checksum already covers the compressed bytes;
    /// this one guards against a codec bug.
    pub fn with_content_checksum<K2: Checksum>(self, sum: K2) -> CompressedFramer<F, C, K2> {
        CompressedFramer {
            inner: self.inner,
            codec: self.codec,
            content_checksum: sum,
            grouping: self.grouping,
        }
    }

    /// The inner framer.
    pub fn inner(&self) -> &F {
        &self.inner
    }

    /// The codec.
    pub fn codec(&self) -> &C {
        &self.codec
    }
}

impl<F: Framer, C: Compressor, K: Checksum> Framer for CompressedFramer<F, C, K> {
    const PACKS: bool = true;

    crate::framing::frame_like_inner_framer!();

    fn block_len(&self) -> usize {
        match self.grouping {
            Grouping::PerMessage => 0,
            Grouping::Blocks(len) => len,
        }
    }

    fn pack(&self, content: &[u8], packing: Packing, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        let packed = pack_into(&self.codec, self.content_checksum, content, packing, out);
        if packed.is_err() {
            out.truncate(start);
        }
        packed
    }
}

/// Appends the packed payload of `content` to `out`.
fn pack_into<C: Compressor, K: Checksum>(
    codec: &C,
    sum: K,
    content: &[u8],
    packing: Packing,
    out: &mut Vec<u8>,
) -> Result<()> {
    let too_large = || Error::FrameTooLarge {
        offset: 0,
        len: content.len() as u64,
        max: u32::MAX as u64,
    };
    let len = u32::try_from(content.len()).map_err(|_| too_large())?;
    let dictionary = codec.dictionary_id();
    let mut flags = content_sum_class(K::SIZE)? << CONTENT_SUM_SHIFT;
    if packing == Packing::Block {
        flags |= FLAG_BLOCK;
    }
    if dictionary.is_some() {
        flags |= FLAG_DICTIONARY;
    }
    let start = out.len();
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&[FORMAT_VERSION, C::ID, flags]);
    put_varint(out, len);
    if let Some(id) = dictionary {
        out.extend_from_slice(&id.to_le_bytes());
    }
    if K::SIZE > 0 {
        out.extend_from_slice(&sum.calculate(content).to_le_bytes()[..K::SIZE]);
    }
    let body = out.len();
    codec.compress(content, out)?;
    if out.len() - body >= content.len() {
        // It did not shrink: kept as it is, so a payload grows by at most
        // its header.
        out.truncate(body);
        out.extend_from_slice(content);
        out[start + 3] = STORED;
    }
    Ok(())
}

/// The two flag bits for a content checksum of `size` bytes.
fn content_sum_class(size: usize) -> Result<u8> {
    match size {
        0 => Ok(0),
        2 => Ok(1),
        4 => Ok(2),
        8 => Ok(3),
        _ => Err(Error::InvalidConfig {
            reason: format!("a content checksum must be 0, 2, 4 or 8 bytes, not {size}").into(),
        }),
    }
}

/// A [`Deframer`] for streams written by a [`CompressedFramer`]: the inner
/// deframer `D` finds and verifies each frame, then its payload is
/// decompressed with `C` (per-message frames and blocks alike) into the
/// reader's own buffer, from which the readers lend each message.
///
/// Every reader reads through it the same way (`read_message`,
/// `read_view`, `read`, the iterators, the async reader, the codec);
/// [`SliceReader`](crate::SliceReader) lends messages from itself rather
/// than from the input (its `next_message` and `next_view`), since a
/// decompressed message lives in the reader.
#[derive(Debug, Clone, Copy)]
pub struct CompressedDeframer<D, C, K = NoChecksum> {
    inner: D,
    codec: C,
    content_checksum: K,
    max_unpacked_len: usize,
}

impl<D: Deframer, C: Compressor> CompressedDeframer<D, C> {
    /// Decompresses the payloads of the frames `inner` finds with `codec`.
    /// Frames may decompress to at most [`DEFAULT_MAX_FRAME_LEN`] (16 MiB);
    /// see [`with_max_unpacked_len`](Self::with_max_unpacked_len).
    pub fn new(inner: D, codec: C) -> Self {
        CompressedDeframer {
            inner,
            codec,
            content_checksum: NoChecksum,
            max_unpacked_len: DEFAULT_MAX_FRAME_LEN,
        }
    }
}

/// With the inner deframer's and the codec's defaults.
impl<D: Deframer + Default, C: Compressor + Default> Default for CompressedDeframer<D, C> {
    fn default() -> Self {
        CompressedDeframer::new(D::default(), C::default())
    }
}

impl<D, C, K> CompressedDeframer<D, C, K> {
    /// Verifies a content checksum `sum` after decompressing (see
    /// [`CompressedFramer::with_content_checksum`]); a frame without one,
    /// or with one of another size, is refused.
    pub fn with_content_checksum<K2: Checksum>(self, sum: K2) -> CompressedDeframer<D, C, K2> {
        CompressedDeframer {
            inner: self.inner,
            codec: self.codec,
            content_checksum: sum,
            max_unpacked_len: self.max_unpacked_len,
        }
    }

    /// The most bytes one frame may decompress to: a frame declaring more
    /// is refused with [`FrameDefect::UnpackedTooLarge`] before anything is
    /// allocated. Also the most memory the decompression buffer takes.
    pub fn with_max_unpacked_len(mut self, max: usize) -> Self {
        self.max_unpacked_len = max;
        self
    }

    /// The inner deframer.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Deframer, C: Compressor, K: Checksum> Deframer for CompressedDeframer<D, C, K> {
    const PACKED: bool = true;

    crate::framing::deframe_like_inner_deframer!();

    fn unpack(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<Unpacked> {
        unpack_into(
            &self.codec,
            self.content_checksum,
            self.max_unpacked_len,
            payload,
            out,
        )
        .map_err(|reason| Error::InvalidFrame { offset: 0, reason })
    }
}

/// Decompresses the packed payload `payload` into the start of `out`.
/// `out` keeps its length when it is long enough (the bytes past the
/// message are stale), so a reused buffer is not cleared per frame.
fn unpack_into<C: Compressor, K: Checksum>(
    codec: &C,
    sum: K,
    max: usize,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<Unpacked, FrameDefect> {
    if payload.get(..MARKER.len()) != Some(&MARKER[..]) {
        return Err(FrameDefect::NotCompressed);
    }
    let short = |min: usize| FrameDefect::PayloadTooShort {
        len: payload.len() as u64,
        min: min as u64,
    };
    let Some(&[_, _, version, codec_id, flags]) = payload.get(..FIXED_HEADER_LEN) else {
        return Err(short(FIXED_HEADER_LEN + 1));
    };
    if version != FORMAT_VERSION || flags & !KNOWN_FLAGS != 0 {
        return Err(FrameDefect::UnsupportedCompression { version, flags });
    }
    let (declared, varint_len) = match get_varint(&payload[FIXED_HEADER_LEN..]) {
        Some(Ok(decoded)) => decoded,
        Some(Err(())) => return Err(FrameDefect::UnsupportedCompression { version, flags }),
        None => return Err(short(payload.len() + 1)),
    };
    let declared = declared as usize;
    let mut at = FIXED_HEADER_LEN + varint_len;
    let mut take = |n: usize| -> Result<&[u8], FrameDefect> {
        let field = payload.get(at..at + n).ok_or(FrameDefect::PayloadTooShort {
            len: payload.len() as u64,
            min: (at + n) as u64,
        })?;
        at += n;
        Ok(field)
    };
    let dictionary = if flags & FLAG_DICTIONARY != 0 {
        let id = take(4)?;
        Some(u32::from_le_bytes([id[0], id[1], id[2], id[3]]))
    } else {
        None
    };
    let sum_len = [0, 2, 4, 8][usize::from((flags >> CONTENT_SUM_SHIFT) & 3)];
    if sum_len != K::SIZE {
        return Err(FrameDefect::Other(
            format!(
                "the payload carries a {sum_len}-byte checksum of its uncompressed bytes, the reader \
                 expects {} bytes (give both sides the same with_content_checksum)",
                K::SIZE
            )
            .into(),
        ));
    }
    let stored_sum = read_le(take(sum_len)?);
    let body = payload.get(at..).unwrap_or_default();
    if codec_id != STORED {
        if codec_id != C::ID {
            return Err(FrameDefect::CodecMismatch {
                found: codec_id,
                expected: C::NAME,
            });
        }
        if dictionary != codec.dictionary_id() {
            return Err(FrameDefect::DictionaryMismatch {
                found: dictionary,
                expected: codec.dictionary_id(),
            });
        }
    }
    if declared > max {
        return Err(FrameDefect::UnpackedTooLarge {
            declared: declared as u64,
            max: max as u64,
        });
    }
    if out.len() < declared {
        out.resize(declared, 0);
    }
    let target = &mut out[..declared];
    let produced = if codec_id == STORED {
        match target.len() == body.len() {
            true => {
                target.copy_from_slice(body);
                declared
            }
            false => body.len(),
        }
    } else {
        codec
            .decompress(body, target)
            .map_err(|_| FrameDefect::DecompressionFailed {
                codec: C::NAME,
                declared: declared as u64,
                produced: None,
            })?
    };
    if produced != declared {
        return Err(FrameDefect::DecompressionFailed {
            codec: codec_name(codec_id),
            declared: declared as u64,
            produced: Some(produced as u64),
        });
    }
    if K::SIZE > 0 {
        let computed = sum.calculate(&out[..declared]) & size_mask(K::SIZE);
        if computed != stored_sum {
            return Err(FrameDefect::ContentChecksumMismatch {
                stored: stored_sum,
                computed,
            });
        }
    }
    Ok(Unpacked {
        packing: if flags & FLAG_BLOCK != 0 {
            Packing::Block
        } else {
            Packing::Message
        },
        len: declared,
    })
}

/// Appends `n` as LEB128: seven bits per byte, low first, the top bit set
/// on every byte but the last.
fn put_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The LEB128 `u32` at the start of `bytes` and its length; `None` when
/// `bytes` ends inside it, `Some(Err)` for an encoding that is not the
/// shortest one or does not fit 32 bits (one value, one encoding).
fn get_varint(bytes: &[u8]) -> Option<Result<(u32, usize), ()>> {
    let mut n: u64 = 0;
    for (i, &b) in bytes.iter().take(MAX_VARINT_LEN).enumerate() {
        n |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            let overlong = i > 0 && b == 0;
            return Some(match u32::try_from(n) {
                Ok(n) if !overlong => Ok((n, i + 1)),
                _ => Err(()),
            });
        }
    }
    if bytes.len() >= MAX_VARINT_LEN {
        return Some(Err(()));
    }
    None
}

/// A little-endian unsigned integer of up to 8 bytes.
fn read_le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b))
}

/// Appends a block entry for a message to `block`: a byte of room for its
/// length; the message is then appended by the caller, and [`close_entry`]
/// fills the length in. Returns where the entry starts.
#[inline]
pub(crate) fn open_entry(block: &mut Vec<u8>) -> usize {
    let at = block.len();
    block.push(0);
    at
}

/// Fills in the length of the entry opened at `at`, now that its message
/// runs to the end of `block`: one byte below 128, else the message moves
/// up to make room for the longer LEB128. A message too long for a `u32`
/// is taken back out and refused.
#[inline]
pub(crate) fn close_entry(block: &mut Vec<u8>, at: usize) -> Result<()> {
    let len = block.len() - at - 1;
    if len < 0x80 {
        block[at] = len as u8;
        return Ok(());
    }
    close_long_entry(block, at, len)
}

/// [`close_entry`] for a message of 128 bytes or more.
#[cold]
fn close_long_entry(block: &mut Vec<u8>, at: usize, len: usize) -> Result<()> {
    let Ok(len) = u32::try_from(len) else {
        block.truncate(at);
        return Err(Error::FrameTooLarge {
            offset: 0,
            len: len as u64,
            max: u32::MAX as u64,
        });
    };
    let mut field = Vec::with_capacity(MAX_VARINT_LEN);
    put_varint(&mut field, len);
    let (message, extra) = (at + 1..block.len(), field.len() - 1);
    block.resize(block.len() + extra, 0);
    block.copy_within(message, at + field.len());
    block[at..at + field.len()].copy_from_slice(&field);
    Ok(())
}

/// The message entry at `at` of a decompressed block: its range, and where
/// the next entry starts. `Ok(None)` at the end of the block. Errors have
/// offset 0 (the caller's frame).
#[inline]
pub(crate) fn block_entry(block: &[u8], at: usize) -> Result<Option<(Range<usize>, usize)>> {
    let Some(rest) = block.get(at..).filter(|rest| !rest.is_empty()) else {
        return Ok(None);
    };
    // A length below 128 is one byte: the common case, inline.
    let (len, start) = match rest[0] {
        len @ 0..0x80 => (len as usize, at + 1),
        _ => match get_varint(rest) {
            Some(Ok((len, field))) => (len as usize, at + field),
            _ => return Err(bad_entry(block, at, None)),
        },
    };
    match start.checked_add(len) {
        Some(end) if end <= block.len() => Ok(Some((start..end, end))),
        _ => Err(bad_entry(block, at, Some((len, start)))),
    }
}

/// The error for the damaged entry at `at`: its length (and where its
/// message starts), when that much could be read.
#[cold]
fn bad_entry(block: &[u8], at: usize, len: Option<(usize, usize)>) -> Error {
    let (len, start) = len.unwrap_or((0, block.len()));
    Error::InvalidFrame {
        offset: 0,
        reason: FrameDefect::BadBlockEntry {
            at: at as u64,
            len: len as u64,
            remaining: block.len().saturating_sub(start) as u64,
        },
    }
}

/// Whether `payload` starts like a packed payload: for errors that explain
/// why a plain reader could not read it.
pub(crate) fn looks_packed(payload: &[u8]) -> bool {
    payload.len() > FIXED_HEADER_LEN && payload[..2] == MARKER && payload[2] == FORMAT_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A codec that "compresses" by halving runs of equal byte pairs: enough
    /// to test the wire format without a real codec.
    #[derive(Debug, Clone, Copy)]
    struct Halve;
    impl Compressor for Halve {
        const ID: u8 = 200;
        const NAME: &'static str = "halve";
        fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
            out.extend(input.iter().step_by(2));
            Ok(())
        }
        fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<usize> {
            if input.len() * 2 > out.len() {
                return Err(Error::Serialize {
                    reason: "too big".into(),
                });
            }
            for (i, &b) in input.iter().enumerate() {
                out[2 * i] = b;
                out[2 * i + 1] = b;
            }
            Ok(input.len() * 2)
        }
    }

    fn pack(content: &[u8], packing: Packing) -> Vec<u8> {
        let mut out = Vec::new();
        pack_into(&Halve, NoChecksum, content, packing, &mut out).unwrap();
        out
    }

    #[test]
    fn a_payload_round_trips_and_says_what_it_holds() {
        let content = b"aabbccddeeff";
        let packed = pack(content, Packing::Block);
        assert_eq!(&packed[..5], &[b'F', b'Z', 1, 200, FLAG_BLOCK]);
        assert_eq!(packed.len(), FIXED_HEADER_LEN + 1 + 6);
        let mut out = vec![9; 100];
        let unpacked = unpack_into(&Halve, NoChecksum, 1 << 20, &packed, &mut out).unwrap();
        assert_eq!(
            unpacked,
            Unpacked {
                packing: Packing::Block,
                len: 12
            }
        );
        assert_eq!(&out[..12], content);
        assert_eq!(out.len(), 100, "a long enough buffer is reused as it is");
    }

    #[test]
    fn what_does_not_shrink_is_stored() {
        // Halving one byte keeps one byte.
        let content = b"x";
        let packed = pack(content, Packing::Message);
        assert_eq!(packed[3], STORED);
        assert_eq!(&packed[FIXED_HEADER_LEN + 1..], content);
        let mut out = Vec::new();
        let unpacked = unpack_into(&Halve, NoChecksum, 64, &packed, &mut out).unwrap();
        assert_eq!(unpacked.packing, Packing::Message);
        assert_eq!(&out[..unpacked.len], content);
    }

    #[test]
    fn the_declared_size_is_checked_before_allocating() {
        let mut packed = pack(&[7; 64], Packing::Message)[..FIXED_HEADER_LEN].to_vec();
        put_varint(&mut packed, u32::MAX);
        packed.extend_from_slice(&[7; 32]);
        let mut out = Vec::new();
        assert_eq!(
            unpack_into(&Halve, NoChecksum, 1 << 20, &packed, &mut out),
            Err(FrameDefect::UnpackedTooLarge {
                declared: u32::MAX as u64,
                max: 1 << 20
            })
        );
        assert_eq!(out.capacity(), 0);
    }

    #[test]
    fn lengths_have_one_encoding_each() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX / 2, u32::MAX] {
            let mut bytes = Vec::new();
            put_varint(&mut bytes, n);
            assert_eq!(get_varint(&bytes), Some(Ok((n, bytes.len()))));
            // Cut short: more bytes needed; never a wrong value.
            for cut in 0..bytes.len() {
                assert_eq!(get_varint(&bytes[..cut]), None);
            }
        }
        // Overlong encodings and values above 32 bits are refused.
        assert_eq!(get_varint(&[0x80, 0x00]), Some(Err(())));
        assert_eq!(get_varint(&[0xFF, 0xFF, 0xFF, 0xFF, 0x10]), Some(Err(())));
        assert_eq!(get_varint(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), Some(Err(())));
    }

    #[test]
    fn block_entries_are_bounds_checked() {
        let mut block = Vec::new();
        let long = vec![7; 300];
        for message in [&b"one"[..], b"", b"three", &long] {
            let at = open_entry(&mut block);
            block.extend_from_slice(message);
            close_entry(&mut block, at).unwrap();
        }
        let mut at = 0;
        let mut seen = Vec::new();
        while let Some((range, next)) = block_entry(&block, at).unwrap() {
            seen.push(&block[range]);
            at = next;
        }
        assert_eq!(seen, [&b"one"[..], b"", b"three", &long]);
        assert_eq!(
            block.len(),
            1 + 3 + 1 + 1 + 5 + 2 + 300,
            "a 300-byte message has a 2-byte length"
        );
        // Every cut inside the block is an error at the cut entry, never a
        // panic or a short message.
        for cut in 1..block.len() {
            let (mut at, mut failed) = (0, false);
            loop {
                match block_entry(&block[..cut], at) {
                    Ok(Some((_, next))) => at = next,
                    Ok(None) => break,
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            assert_eq!(
                failed,
                ![1 + 3, 1 + 3 + 1, 1 + 3 + 1 + 1 + 5].contains(&cut),
                "cut at {cut}"
            );
        }
    }
}
