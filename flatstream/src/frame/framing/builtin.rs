//! The runtime framers: [`DefaultFramer`] (the original design's format)
//! and [`ChecksumFramer`], with their deframers.

use crate::buf::append_parts;
use crate::checksum::{size_mask, Checksum, NoChecksum};
use crate::error::Result;
use crate::framing::{
    check_len, header_checksum_mismatch, header_slot, len_to_u32, payload_too_short, read_uint_le,
    wrong_header_buffer, zero_filled, zeroed_protected_header, Deframer, Framer, DEFAULT_MAX_FRAME_LEN,
    MAX_HEADER_LEN, U32_MAX_LEN,
};

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
    #[inline(always)]
    fn encode_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        ChecksumFramer::new(NoChecksum).encode_frame(payload, out)
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
        // Never protected: the check of the flag folds away.
        self.inner.decode_header_as::<false>(header)
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
    /// The header is built in a local, so it reaches `out` in one store
    /// behind one reservation (the default zeroes room in `out` and writes
    /// the header into it field by field: 0.7x of a hand loop at 64 bytes).
    #[inline(always)]
    fn encode_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut scratch = [0u8; MAX_HEADER_LEN];
        let header = header_slot(&mut scratch, self.header_len())?;
        self.encode_header(payload, header)?;
        append_parts(out, [header, payload])?;
        Ok(())
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
        if self.protect_header {
            self.decode_header_as::<true>(header)
        } else {
            self.decode_header_as::<false>(header)
        }
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

impl<C: Checksum> ChecksumDeframer<C> {
    /// `decode_header` with the protected-header setting a constant.
    #[inline(always)]
    fn decode_header_as<const PROTECT_HEADER: bool>(&self, header: &[u8]) -> Result<usize> {
        let Some(len) = header.first_chunk::<4>() else {
            return Err(wrong_header_buffer(header.len(), self.header_len()));
        };
        if PROTECT_HEADER {
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
}
