//! Frame layouts: how a payload is wrapped on the way out and recognised on
//! the way in.
//!
//! The core is sans-IO. A [`Framer`] writes a header into a byte slice; a
//! [`Deframer`] decodes a frame from a byte slice. Neither touches `Read` or
//! `Write`, so the same logic drives [`StreamWriter`](crate::StreamWriter),
//! [`StreamReader`](crate::StreamReader), [`SliceReader`](crate::SliceReader)
//! (memory-mapped files) and any future async driver or codec.
//!
//! Wire formats of the built-in framers (see `docs/wire-format.md`):
//!
//! ```text
//! DefaultFramer:     [u32 LE payload length][payload]
//! ChecksumFramer<C>: [u32 LE payload length][C::size() bytes checksum, LE][payload]
//! ```
//!
//! Errors from the sans-IO functions carry offsets relative to the start of
//! the frame (0); drivers add the frame's position in the stream.

use std::ops::Range;

use crate::buf::extend_zeroed;
use crate::checksum::{size_mask, Checksum, NoChecksum};
use crate::error::{Error, FrameDefect, Result};

/// The longest header any framer may declare. Writers keep the header on the
/// stack in an array of this size.
pub const MAX_HEADER_LEN: usize = 128;

/// The default largest payload a deframer accepts: 16 MiB.
///
/// A header claiming more is rejected with [`Error::FrameTooLarge`] before any
/// memory is reserved. Change it with `with_max_frame_len`.
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The smallest FlatBuffers payload: its 4-byte root offset. Derived
/// framings refuse shorter payloads (writing and reading), so a zero-filled
/// region, whose length fields read 0, never passes for a frame.
pub const MIN_FLATBUFFERS_LEN: usize = 4;

/// Writes frame headers. Sans-IO: see the [module docs](self).
///
/// A frame is `header_len()` header bytes, the payload, then
/// `padding_len(payload.len())` zero bytes.
pub trait Framer {
    /// The header length in bytes; fixed for a given framer and at most
    /// [`MAX_HEADER_LEN`].
    fn header_len(&self) -> usize;

    /// The largest payload this framer writes. Longer payloads are refused
    /// with [`Error::FrameTooLarge`] before anything is written.
    fn max_frame_len(&self) -> usize;

    /// Zero bytes written after a payload of `payload_len` bytes (used by
    /// framings that keep frames aligned). Zero by default.
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        let _ = payload_len;
        0
    }

    /// Encodes the header of `payload` into `header`, which is exactly
    /// `header_len()` bytes long; every byte of it must be written (writers
    /// reuse the buffer).
    ///
    /// Fails, writing nothing of consequence, when the payload is too long
    /// for the header's length field or the framer's limit.
    fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()>;

    /// Appends the whole frame (header, payload, padding) to `out`.
    ///
    /// On error `out` is left as it was.
    #[inline]
    fn encode_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        // One reservation; the header is written in place (building it on
        // the stack and copying it over reloads freshly stored bytes, which
        // stalls store forwarding), and taken back out on an error.
        let header_len = self.header_len();
        if header_len > MAX_HEADER_LEN {
            return Err(header_too_long(header_len));
        }
        let padding = padding_slice(self.padding_len(payload.len()))?;
        let start = out.len();
        out.reserve(MAX_HEADER_LEN + payload.len() + padding.len());
        extend_zeroed(out, header_len);
        if let Err(e) = self.encode_header(payload, &mut out[start..]) {
            out.truncate(start);
            return Err(e);
        }
        out.extend_from_slice(payload);
        out.extend_from_slice(padding);
        Ok(())
    }
}

/// Where a complete frame sits in the input given to
/// [`Deframer::decode_frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole, verified frame starts the input.
    Frame {
        /// The payload's byte range within the input.
        payload: Range<usize>,
        /// Bytes the frame occupies (header, payload and padding): where the
        /// next frame starts.
        frame_len: usize,
    },
    /// The input holds only the start of a frame: `needed` bytes in all are
    /// required before it can be decoded (a lower bound while the header is
    /// incomplete).
    Incomplete {
        /// Total bytes the frame needs from the start of the input.
        needed: usize,
    },
}

/// Decodes the frame at the start of `input`, as
/// [`Deframer::decode_frame`] does; without `VERIFY`, from its header alone:
/// the header is decoded (and with it its magic, header checksum and length
/// limit checked), the payload and padding are not looked at. The batch
/// codec walks frames it has already verified that way.
#[inline(always)]
pub(crate) fn decode_frame_with<D: Deframer + ?Sized, const VERIFY: bool>(
    deframer: &D,
    input: &[u8],
) -> Result<Decoded> {
    let header_len = deframer.header_len();
    let Some(header) = input.get(..header_len) else {
        return Ok(Decoded::Incomplete { needed: header_len });
    };
    let payload_len = deframer.decode_header(header)?;
    let frame_len = header_len
        .checked_add(payload_len)
        .and_then(|n| n.checked_add(deframer.padding_len(payload_len)))
        // `ok_or_else`, not `ok_or`: an `Error` built eagerly was dropped
        // again for every frame, through a call (1.5x the sync read time).
        .ok_or_else(|| Error::FrameTooLarge {
            offset: 0,
            len: payload_len as u64,
            max: deframer.max_frame_len() as u64,
        })?;
    if input.len() < frame_len {
        return Ok(Decoded::Incomplete { needed: frame_len });
    }
    let payload = header_len..header_len + payload_len;
    if VERIFY {
        deframer.verify(header, &input[payload.clone()])?;
        if input[payload.end..frame_len].iter().any(|&b| b != 0) {
            return Err(Error::InvalidFrame {
                offset: 0,
                reason: crate::error::FrameDefect::NonZeroPadding,
            });
        }
    }
    Ok(Decoded::Frame { payload, frame_len })
}

/// Recognises frames. Sans-IO: see the [module docs](self).
pub trait Deframer {
    /// The header length in bytes; fixed for a given deframer.
    fn header_len(&self) -> usize;

    /// The largest payload accepted. A header declaring more is refused with
    /// [`Error::FrameTooLarge`] before the payload is read.
    fn max_frame_len(&self) -> usize;

    /// Whether a header can be checked on its own (a magic, or a checksum
    /// over the header): what resynchronisation after damage needs.
    #[inline]
    fn validates_header(&self) -> bool {
        false
    }

    /// Whether payloads carry a checksum, so damage cannot pass for data.
    #[inline]
    fn validates_payload(&self) -> bool {
        false
    }

    /// Zero bytes that follow a payload of `payload_len` bytes. Zero by
    /// default.
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        let _ = payload_len;
        0
    }

    /// Decodes a header (exactly `header_len()` bytes) to the payload length
    /// it declares, refusing lengths above [`max_frame_len`](Self::max_frame_len)
    /// and malformed headers.
    fn decode_header(&self, header: &[u8]) -> Result<usize>;

    /// Checks a complete frame's payload against its header (e.g. the
    /// checksum). Accepts everything by default.
    #[inline]
    fn verify(&self, header: &[u8], payload: &[u8]) -> Result<()> {
        let _ = (header, payload);
        Ok(())
    }

    /// Decodes the frame at the start of `input`.
    ///
    /// Returns where its payload is, or how many bytes it needs when `input`
    /// is too short. Never reads past `input`, never allocates, never panics.
    // Inlined into every reader's loop: left to the heuristics, it stopped
    // being inlined once a second caller appeared, and reading 64-byte
    // frames took 1.6x as long.
    #[inline(always)]
    fn decode_frame(&self, input: &[u8]) -> Result<Decoded> {
        decode_frame_with::<Self, true>(self, input)
    }
}

/// `[u32 LE payload length][payload]`: the original design's wire format.
///
/// Writes any payload the 32-bit length field can describe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultFramer;

impl DefaultFramer {
    /// The default framer.
    pub const fn new() -> Self {
        DefaultFramer
    }
}

impl Framer for DefaultFramer {
    #[inline]
    fn header_len(&self) -> usize {
        4
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        U32_MAX_LEN
    }
    #[inline]
    fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
        ChecksumFramer::new(NoChecksum).encode_header(payload, header)
    }
}

/// Reads frames written by [`DefaultFramer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultDeframer {
    inner: ChecksumDeframer<NoChecksum>,
}

impl DefaultDeframer {
    /// A deframer accepting payloads up to [`DEFAULT_MAX_FRAME_LEN`].
    pub const fn new() -> Self {
        DefaultDeframer {
            inner: ChecksumDeframer::new(NoChecksum),
        }
    }

    /// The same deframer with another payload limit (capped at what the
    /// 32-bit length field can hold).
    pub const fn with_max_frame_len(self, max: usize) -> Self {
        DefaultDeframer {
            inner: self.inner.with_max_frame_len(max),
        }
    }

    /// The same deframer refusing payloads shorter than `min` bytes (see
    /// [`ChecksumDeframer::with_min_payload_len`]).
    pub const fn with_min_payload_len(self, min: usize) -> Self {
        DefaultDeframer {
            inner: self.inner.with_min_payload_len(min),
        }
    }
}

impl Default for DefaultDeframer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deframer for DefaultDeframer {
    #[inline]
    fn header_len(&self) -> usize {
        4
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        self.inner.max_frame_len()
    }
    #[inline]
    fn decode_header(&self, header: &[u8]) -> Result<usize> {
        self.inner.decode_header(header)
    }
}

/// `[u32 LE payload length][checksum, C::size() bytes LE][payload]`, the
/// checksum computed over the payload.
///
/// [`with_protected_header`](Self::with_protected_header) adds a second
/// checksum, over the length, between the length and the payload checksum:
/// `[u32 len][checksum of len][checksum of payload][payload]`, the runtime
/// equal of the derive's `#[frame(covers = frame)]` (byte for byte), so a
/// damaged length is caught before it is trusted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChecksumFramer<C: Checksum> {
    checksum: C,
    protect_header: bool,
    min_payload_len: usize,
}

impl<C: Checksum> ChecksumFramer<C> {
    /// A framer that protects every payload with `checksum`.
    pub const fn new(checksum: C) -> Self {
        ChecksumFramer {
            checksum,
            protect_header: false,
            min_payload_len: 0,
        }
    }

    /// The same framer refusing (with [`FrameDefect::PayloadTooShort`],
    /// writing nothing) payloads shorter than `min` bytes: the writing half
    /// of [`ChecksumDeframer::with_min_payload_len`].
    ///
    /// [`FrameDefect::PayloadTooShort`]: crate::FrameDefect::PayloadTooShort
    pub const fn with_min_payload_len(mut self, min: usize) -> Self {
        self.min_payload_len = min;
        self
    }

    /// The same framer with a checksum over the header too (no effect with
    /// [`NoChecksum`]).
    pub const fn with_protected_header(mut self) -> Self {
        self.protect_header = C::SIZE > 0;
        self
    }

    /// The checksum in use.
    pub fn checksum(&self) -> C {
        self.checksum
    }
}

/// Where the payload checksum sits in a [`ChecksumFramer`] header.
#[inline(always)]
const fn payload_sum_at(size: usize, protect_header: bool) -> usize {
    if protect_header {
        4 + size
    } else {
        4
    }
}

impl<C: Checksum> Framer for ChecksumFramer<C> {
    #[inline(always)]
    fn header_len(&self) -> usize {
        payload_sum_at(C::SIZE, self.protect_header) + C::SIZE
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        U32_MAX_LEN
    }
    #[inline(always)]
    fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
        // One copy of the code per setting, so every offset is a constant.
        if self.protect_header {
            self.encode_header_as::<true>(payload, header)
        } else {
            self.encode_header_as::<false>(payload, header)
        }
    }
}

impl<C: Checksum> ChecksumFramer<C> {
    #[inline(always)]
    fn encode_header_as<const PROTECT_HEADER: bool>(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
        let size = C::SIZE;
        let sum_at = payload_sum_at(size, PROTECT_HEADER);
        if header.len() != sum_at + size || size > 8 {
            return Err(wrong_header_buffer(header.len(), sum_at + size));
        }
        if payload.len() < self.min_payload_len {
            return Err(payload_too_short(payload.len(), self.min_payload_len, &[]));
        }
        let len = len_to_u32(payload.len())?;
        header[..4].copy_from_slice(&len.to_le_bytes());
        if PROTECT_HEADER {
            let sum = self.checksum.calculate(&header[..4]) & size_mask(size);
            if len == 0 && sum == 0 {
                return Err(zeroed_protected_header());
            }
            header[4..sum_at].copy_from_slice(&sum.to_le_bytes()[..size]);
        }
        if size > 0 {
            let sum = self.checksum.calculate(payload);
            header[sum_at..sum_at + size].copy_from_slice(&sum.to_le_bytes()[..size]);
        }
        Ok(())
    }
}

/// Reads frames written by [`ChecksumFramer`] and verifies their checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecksumDeframer<C: Checksum> {
    checksum: C,
    max_frame_len: usize,
    min_payload_len: usize,
    protect_header: bool,
}

impl<C: Checksum> ChecksumDeframer<C> {
    /// A deframer verifying `checksum`, accepting payloads up to
    /// [`DEFAULT_MAX_FRAME_LEN`].
    pub const fn new(checksum: C) -> Self {
        ChecksumDeframer {
            checksum,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            min_payload_len: 0,
            protect_header: false,
        }
    }

    /// The same deframer refusing payloads shorter than `min` bytes.
    ///
    /// The format allows empty payloads, and with a CRC their checksum is 0,
    /// so a zero-filled region (a preallocated or extended file, a lost
    /// block) reads as a run of empty frames: a header of zeros is a valid
    /// empty frame. When your payloads are never empty (FlatBuffers
    /// payloads never are; typed reads reject empty ones anyway), say so
    /// with `with_min_payload_len(1)`: zeros then end in
    /// [`FrameDefect::ZeroFilled`] (a header of zeros) or
    /// [`FrameDefect::PayloadTooShort`]. Use the same setting on the
    /// [`ChecksumFramer`], so the writer refuses what readers would.
    ///
    /// [`FrameDefect::ZeroFilled`]: crate::FrameDefect::ZeroFilled
    /// [`FrameDefect::PayloadTooShort`]: crate::FrameDefect::PayloadTooShort
    pub const fn with_min_payload_len(mut self, min: usize) -> Self {
        self.min_payload_len = min;
        self
    }

    /// The same deframer with another payload limit (capped at what the
    /// 32-bit length field can hold).
    pub const fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = if max < U32_MAX_LEN { max } else { U32_MAX_LEN };
        self
    }

    /// Reads frames of [`ChecksumFramer::with_protected_header`]: the header
    /// checksum is verified before the length is used.
    pub const fn with_protected_header(mut self) -> Self {
        self.protect_header = C::SIZE > 0;
        self
    }

    /// The checksum in use.
    pub fn checksum(&self) -> C {
        self.checksum
    }
}

impl<C: Checksum + Default> Default for ChecksumDeframer<C> {
    fn default() -> Self {
        Self::new(C::default())
    }
}

impl<C: Checksum> Deframer for ChecksumDeframer<C> {
    #[inline]
    fn header_len(&self) -> usize {
        payload_sum_at(C::SIZE, self.protect_header) + C::SIZE
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }
    #[inline]
    fn validates_header(&self) -> bool {
        self.protect_header
    }
    #[inline]
    fn validates_payload(&self) -> bool {
        C::SIZE > 0
    }
    #[inline]
    fn decode_header(&self, header: &[u8]) -> Result<usize> {
        let Some(len) = header.first_chunk::<4>() else {
            return Err(wrong_header_buffer(header.len(), self.header_len()));
        };
        if self.protect_header {
            let size = C::SIZE;
            let Some(stored) = header.get(4..4 + size) else {
                return Err(wrong_header_buffer(header.len(), self.header_len()));
            };
            let stored = read_uint_le(stored);
            let computed = self.checksum.calculate(len) & size_mask(size);
            if stored != computed {
                return Err(header_checksum_mismatch(header, stored, computed));
            }
            // A checksum that maps zeros to zero (CRC-16/XMODEM) would
            // accept a zeroed header; the framer never writes one.
            if stored == 0 && *len == [0; 4] {
                return Err(zero_filled());
            }
        }
        check_len(
            u64::from(u32::from_le_bytes(*len)),
            self.min_payload_len,
            self.max_frame_len,
            header,
        )
    }
    #[inline]
    fn verify(&self, header: &[u8], payload: &[u8]) -> Result<()> {
        let size = C::SIZE;
        if size == 0 {
            return Ok(());
        }
        let at = payload_sum_at(size, self.protect_header);
        let Some(stored) = header.get(at..at + size) else {
            return Err(wrong_header_buffer(header.len(), self.header_len()));
        };
        let expected = read_uint_le(stored);
        let calculated = self.checksum.calculate(payload) & size_mask(size);
        crate::checksum::compare(expected, calculated)
    }
}

/// The largest length a u32 field holds, as a `usize` (saturating on 16-bit
/// targets).
const U32_MAX_LEN: usize = if usize::BITS >= 32 {
    u32::MAX as usize
} else {
    usize::MAX
};

/// Converts a payload length for a 32-bit length field, refusing what does
/// not fit instead of truncating.
#[inline]
pub(crate) fn len_to_u32(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| Error::FrameTooLarge {
        offset: 0,
        len: len as u64,
        max: u64::from(u32::MAX),
    })
}

/// Checks a decoded length against a framing's bounds, converting it to
/// `usize`. `header` is what it was decoded from: a header of zeros below
/// the minimum is reported as a zero-filled region.
#[inline(always)]
pub(crate) fn check_len(len: u64, min: usize, max: usize, header: &[u8]) -> Result<usize> {
    match usize::try_from(len) {
        Ok(n) if n <= max && n >= min => Ok(n),
        Ok(n) if n < min => Err(payload_too_short(n, min, header)),
        _ => Err(Error::FrameTooLarge {
            offset: 0,
            len,
            max: max as u64,
        }),
    }
}

/// The error for a payload below a framing's minimum (`header` empty when
/// writing).
#[cold]
#[inline(never)]
pub(crate) fn payload_too_short(len: usize, min: usize, header: &[u8]) -> Error {
    rejected_header(
        header,
        FrameDefect::PayloadTooShort {
            len: len as u64,
            min: min as u64,
        },
    )
}

/// A header some check rejected with `defect`: reported as a zero-filled
/// region instead when the header is all zeros, whichever check caught it
/// (length below the minimum, magic, header checksum).
#[cold]
pub(crate) fn rejected_header(header: &[u8], defect: FrameDefect) -> Error {
    let zeroed = !header.is_empty() && header.iter().all(|&b| b == 0);
    Error::InvalidFrame {
        offset: 0,
        reason: if zeroed { FrameDefect::ZeroFilled } else { defect },
    }
}

/// The error for a header of zeros.
/// The error for a header whose own checksum does not match (a zero-filled
/// region when the header is all zeros).
#[cold]
#[inline(never)]
pub(crate) fn header_checksum_mismatch(header: &[u8], stored: u64, computed: u64) -> Error {
    rejected_header(header, FrameDefect::HeaderChecksumMismatch { stored, computed })
}

#[cold]
#[inline(never)]
pub(crate) fn zero_filled() -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: FrameDefect::ZeroFilled,
    }
}

/// The writer's error for an empty payload whose protected header would be
/// all zeros (a checksum that maps zeros to zero), which readers refuse.
#[cold]
#[inline(never)]
pub(crate) fn zeroed_protected_header() -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: FrameDefect::Other(
            "an empty payload under this checksum gives a protected header of zero bytes, which readers \
             refuse as a zero-filled region: write a non-empty payload or use another checksum"
                .into(),
        ),
    }
}

/// Reads up to 8 bytes as a little-endian unsigned integer.
#[inline]
pub(crate) fn read_uint_le(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

fn wrong_header_buffer(got: usize, want: usize) -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: format!("header buffer is {got} bytes, the framing needs {want}").into(),
    }
}

/// The first `len` bytes of a header scratch array, or an error for a framer
/// that declares a longer header than any writer supports.
#[inline]
pub(crate) fn header_slot(scratch: &mut [u8; MAX_HEADER_LEN], len: usize) -> Result<&mut [u8]> {
    scratch.get_mut(..len).ok_or_else(|| header_too_long(len))
}

#[cold]
#[inline(never)]
pub(crate) fn header_too_long(len: usize) -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: format!("the framer declares a {len}-byte header; at most {MAX_HEADER_LEN} are supported")
            .into(),
    }
}

/// Zero bytes for padding after a payload.
#[inline]
pub(crate) fn padding_slice(len: usize) -> Result<&'static [u8]> {
    static ZEROS: [u8; MAX_HEADER_LEN] = [0; MAX_HEADER_LEN];
    ZEROS.get(..len).ok_or_else(|| padding_too_long(len))
}

#[cold]
#[inline(never)]
fn padding_too_long(len: usize) -> Error {
    Error::InvalidFrame {
        offset: 0,
        reason: format!("the framer asks for {len} padding bytes; at most {MAX_HEADER_LEN} are supported")
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_to_u32_refuses_instead_of_truncating() {
        assert_eq!(len_to_u32(0).unwrap(), 0);
        assert_eq!(len_to_u32(u32::MAX as usize).unwrap(), u32::MAX);
        match len_to_u32(u32::MAX as usize + 1) {
            Err(Error::FrameTooLarge { len, max, .. }) => {
                assert_eq!(len, u64::from(u32::MAX) + 1);
                assert_eq!(max, u64::from(u32::MAX));
            }
            other => panic!("expected FrameTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn check_len_enforces_the_limit() {
        let header = [1u8; 4];
        assert_eq!(check_len(10, 0, 10, &header).unwrap(), 10);
        assert_eq!(check_len(3, 3, 10, &header).unwrap(), 3);
        assert!(matches!(
            check_len(11, 0, 10, &header),
            Err(Error::FrameTooLarge { len: 11, max: 10, .. })
        ));
        assert!(matches!(
            check_len(u64::MAX, 0, 10, &header),
            Err(Error::FrameTooLarge { .. })
        ));
        assert!(matches!(
            check_len(2, 3, 10, &header),
            Err(Error::InvalidFrame {
                reason: FrameDefect::PayloadTooShort { len: 2, min: 3 },
                ..
            })
        ));
        // Below the minimum from a header of zeros: a zero-filled region.
        assert!(matches!(
            check_len(0, 1, 10, &[0u8; 4]),
            Err(Error::InvalidFrame {
                reason: FrameDefect::ZeroFilled,
                ..
            })
        ));
    }

    #[test]
    fn read_uint_le_reads_each_width() {
        assert_eq!(read_uint_le(&[]), 0);
        assert_eq!(read_uint_le(&[0x34, 0x12]), 0x1234);
        assert_eq!(read_uint_le(&[1, 2, 3, 4, 5, 6, 7, 8]), 0x0807_0605_0403_0201);
    }

    #[test]
    fn decode_frame_reports_what_it_needs() {
        let d = DefaultDeframer::new();
        assert_eq!(d.decode_frame(&[]).unwrap(), Decoded::Incomplete { needed: 4 });
        assert_eq!(
            d.decode_frame(&[3, 0]).unwrap(),
            Decoded::Incomplete { needed: 4 }
        );
        assert_eq!(
            d.decode_frame(&[3, 0, 0, 0, 9]).unwrap(),
            Decoded::Incomplete { needed: 7 }
        );
        assert_eq!(
            d.decode_frame(&[3, 0, 0, 0, 9, 8, 7, 6]).unwrap(),
            Decoded::Frame {
                payload: 4..7,
                frame_len: 7
            }
        );
    }

    #[test]
    fn wrong_header_buffers_are_errors_not_panics() {
        let f = ChecksumFramer::new(NoChecksum);
        assert!(matches!(
            f.encode_header(b"x", &mut [0u8; 3]),
            Err(Error::InvalidFrame { .. })
        ));
        let d = ChecksumDeframer::new(NoChecksum);
        assert!(matches!(
            d.decode_header(&[0u8; 2]),
            Err(Error::InvalidFrame { .. })
        ));
    }
}
