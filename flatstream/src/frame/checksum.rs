//! Checksum algorithms that protect frame payloads.
//!
//! A checksum is a small `Copy` value (all the built-in ones are zero-sized)
//! that hashes bytes to a `u64`, of which the low [`Checksum::size`] bytes are
//! stored in the frame header. Each algorithm sits behind its own cargo
//! feature; `all_checksums` turns them all on.
//!
//! | type | feature | bytes | exact algorithm | check value of `b"123456789"` |
//! |---|---|---|---|---|
//! | [`NoChecksum`] | — | 0 | none | — |
//! | `Crc16` | `crc16` | 2 | CRC-16/IBM-SDLC (also called CRC-16/X-25) | `0x906E` |
//! | `Crc16Xmodem` | `crc16` | 2 | CRC-16/XMODEM (what `flatstream-rs` 0.2 calls CRC16) | `0x31C3` |
//! | `Crc32` | `crc32` | 4 | CRC-32/ISO-HDLC (zlib, PNG, Ethernet) | `0xCBF43926` |
//! | `Crc32c` | `crc32c` | 4 | CRC-32/ISCSI (Castagnoli) | `0xE3069283` |
//! | `Crc64` | `crc64` | 8 | CRC-64/XZ (also called CRC-64/GO-ECMA) | `0x995DC9BBDF1939FA` |
//! | `XxHash64` | `xxhash64` | 8 | XXH64, seed 0 | `0x8CB841DB40E6AE83` |
//! | `Xxh3` | `xxh3` | 8 | XXH3-64, seed 0 (what `flatstream-rs` 0.2 calls XxHash64) | `0x72DCB18B67A17DFF` |
//!
//! None of the implementations reads memory through a pointer cast, so they
//! work at any alignment of the input (the CRC-64 crate the original design
//! tried crashed on unaligned input; the tests run every algorithm at every
//! start offset 0..16).

use crate::error::{Error, Result};

/// A checksum algorithm over a frame's bytes.
///
/// Implement it to plug in your own algorithm; [`ChecksumFramer`] and
/// [`ChecksumDeframer`] store `size()` bytes of `calculate()` little-endian in
/// every frame header.
///
/// [`ChecksumFramer`]: crate::ChecksumFramer
/// [`ChecksumDeframer`]: crate::ChecksumDeframer
pub trait Checksum: Copy {
    /// Bytes the checksum occupies in a frame header: 0, 2, 4 or 8 for the
    /// built-in ones, at most 8 for any.
    const SIZE: usize;

    /// The longest payload for which the checksum detects every 1- and
    /// 2-bit error: about 4 KiB for the CRC-16s, 512 MiB for the CRC-32s;
    /// `u64::MAX` where no such bound applies (none, CRC-64 and the hashes,
    /// which detect such errors with probability `1 - 2^-64` at any
    /// length). Derived framings refuse a `max_len` above it; tools that
    /// convert streams refuse frames above it.
    const MAX_SAFE_LEN: u64 = u64::MAX;

    /// [`SIZE`](Self::SIZE), as a method (the original design's API).
    #[inline]
    fn size(&self) -> usize {
        Self::SIZE
    }

    /// The checksum of `data`. Only the low `size()` bytes are stored; bits
    /// above them must be zero.
    fn calculate(&self, data: &[u8]) -> u64;

    /// A short human-readable name of the exact algorithm, e.g. `"CRC-32C"`.
    fn name(&self) -> &'static str;

    /// Checks `data` against the `expected` checksum.
    ///
    /// On mismatch this returns [`Error::ChecksumMismatch`] with `offset` 0:
    /// the checksum does not know where the data sits in a stream; deframers
    /// report the frame's real offset.
    fn verify(&self, expected: u64, data: &[u8]) -> Result<()> {
        compare(expected, self.calculate(data))
    }
}

/// No checksum at all: zero bytes in the header, nothing verified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoChecksum;

impl NoChecksum {
    /// The (zero-sized) no-op checksum.
    pub const fn new() -> Self {
        NoChecksum
    }
}

impl Checksum for NoChecksum {
    const SIZE: usize = 0;
    #[inline]
    fn calculate(&self, _data: &[u8]) -> u64 {
        0
    }
    fn name(&self) -> &'static str {
        "none"
    }
}

/// Declares one zero-sized checksum type. Every built-in algorithm is the
/// same shape (a unit struct, `new()`, a one-line `calculate`); the macro
/// keeps the docs, derives and trait impl from being written seven times.
macro_rules! checksum_type {
    (
        $(#[$doc:meta])*
        feature = $feature:literal, name = $name:literal, size = $size:literal, max_safe_len = $safe:expr,
        $ty:ident, |$data:ident| $calc:expr
    ) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $ty;

        #[cfg(feature = $feature)]
        impl $ty {
            #[doc = concat!("The ", $name, " checksum.")]
            pub const fn new() -> Self {
                $ty
            }
        }

        #[cfg(feature = $feature)]
        impl Checksum for $ty {
            const SIZE: usize = $size;
            const MAX_SAFE_LEN: u64 = $safe;
            #[inline]
            fn calculate(&self, $data: &[u8]) -> u64 {
                $calc
            }
            fn name(&self) -> &'static str {
                $name
            }
        }
    };
}

#[cfg(feature = "crc16")]
static CRC16_IBM_SDLC: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_IBM_SDLC);
#[cfg(feature = "crc16")]
static CRC16_XMODEM: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_XMODEM);
#[cfg(feature = "crc32c")]
static CRC32_ISCSI: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
#[cfg(feature = "crc64")]
static CRC64_XZ: crc::Crc<u64, crc::Table<16>> = crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_XZ);

/// Payload sizes from which the SIMD implementation (`crc-fast`, feature
/// `fast-crc`) beats the slice-by-16 table, measured on x86_64 with
/// `cargo bench --bench checksums`; below them the table is faster (the
/// SIMD setup costs more than it saves).
#[cfg(feature = "fast-crc")]
mod simd_from {
    pub const CRC16: usize = 256;
    pub const CRC32C: usize = 32;
    pub const CRC64: usize = 64;
}

/// CRC-32C with the CPU's own `crc32` instruction (SSE4.2), for small
/// inputs: eight bytes per instruction and no set-up, where `crc-fast`'s
/// folding pays for its set-up only on longer inputs (measured: it costs
/// about 110 instructions for a 56-byte payload, this about 25).
#[cfg(all(feature = "crc32c", target_arch = "x86_64"))]
mod crc32c_sse42 {
    use std::arch::x86_64::{_mm_crc32_u16, _mm_crc32_u32, _mm_crc32_u64, _mm_crc32_u8};

    /// Inputs shorter than this take the instruction; longer ones, where
    /// carry-less folding runs several streams at once, go to `crc-fast`.
    pub const UP_TO: usize = 256;

    /// The CRC-32C of `data`, or `None` on a CPU without SSE4.2.
    #[inline]
    pub fn checksum(data: &[u8]) -> Option<u32> {
        if std::arch::is_x86_feature_detected!("sse4.2") {
            // SAFETY: `sse42` only needs SSE4.2, which the CPU was just
            // found to have.
            Some(unsafe { sse42(data) })
        } else {
            None
        }
    }

    #[target_feature(enable = "sse4.2")]
    fn sse42(data: &[u8]) -> u32 {
        let mut crc = u64::from(u32::MAX);
        // 32 bytes per loop step: the instructions wait for each other
        // either way, but fewer loop-counting instructions leave more room
        // for the work around the checksum (encoding the next message).
        let mut blocks = data.chunks_exact(32);
        for block in &mut blocks {
            // Four words, no rest: the block is 32 bytes.
            for word in block.as_chunks::<8>().0 {
                crc = _mm_crc32_u64(crc, u64::from_le_bytes(*word));
            }
        }
        let (words, mut rest) = blocks.remainder().as_chunks::<8>();
        for word in words {
            crc = _mm_crc32_u64(crc, u64::from_le_bytes(*word));
        }
        // The rest (under 8 bytes) in at most three steps, not one per
        // byte: each step waits for the one before (3 cycles), and a
        // FlatBuffers payload, a multiple of 4 bytes, often ends in 4.
        let mut crc = crc as u32;
        if let Some((word, tail)) = rest.split_first_chunk::<4>() {
            crc = _mm_crc32_u32(crc, u32::from_le_bytes(*word));
            rest = tail;
        }
        if let Some((half, tail)) = rest.split_first_chunk::<2>() {
            crc = _mm_crc32_u16(crc, u16::from_le_bytes(*half));
            rest = tail;
        }
        if let Some(&byte) = rest.first() {
            crc = _mm_crc32_u8(crc, byte);
        }
        !crc
    }
}

/// A CRC through `crc-fast` from `$min` bytes on, else through `$table`.
#[cfg(any(feature = "crc16", feature = "crc32c", feature = "crc64"))]
macro_rules! crc_hybrid {
    ($data:expr, $table:expr, $algorithm:ident, $min:ident) => {{
        let data: &[u8] = $data;
        #[cfg(feature = "fast-crc")]
        {
            if data.len() >= simd_from::$min {
                return crc_fast::checksum(crc_fast::CrcAlgorithm::$algorithm, data);
            }
        }
        u64::from($table.checksum(data))
    }};
}

checksum_type! {
    /// CRC-16/IBM-SDLC (also known as CRC-16/X-25): 2 bytes, check value `0x906E`.
    ///
    /// Detects every 1- and 2-bit error in payloads up to about 4 KiB; use a
    /// 4-byte checksum above that. For files written by `flatstream-rs` 0.2,
    /// whose CRC-16 is XMODEM, use [`Crc16Xmodem`].
    feature = "crc16", name = "CRC-16/IBM-SDLC", size = 2, max_safe_len = 4096,
    Crc16, |data| crc_hybrid!(data, CRC16_IBM_SDLC, Crc16IbmSdlc, CRC16)
}

checksum_type! {
    /// CRC-16/XMODEM: 2 bytes, check value `0x31C3`.
    ///
    /// The variant `flatstream-rs` 0.2 stores under the name "CRC16"; use it
    /// to read and write streams compatible with that crate. For new streams
    /// prefer [`Crc16`] (which, unlike XMODEM, also notices leading zero
    /// bytes) or a 4-byte checksum.
    feature = "crc16", name = "CRC-16/XMODEM", size = 2, max_safe_len = 4096,
    Crc16Xmodem, |data| crc_hybrid!(data, CRC16_XMODEM, Crc16Xmodem, CRC16)
}

checksum_type! {
    /// CRC-32/ISO-HDLC, the common "CRC-32" of zlib, PNG and Ethernet:
    /// 4 bytes, check value `0xCBF43926`. Computed with `crc32fast`
    /// (SIMD where the CPU has it, a portable table otherwise).
    feature = "crc32", name = "CRC-32/ISO-HDLC", size = 4, max_safe_len = 512 << 20,
    Crc32, |data| u64::from(crc32fast::hash(data))
}

checksum_type! {
    /// CRC-32/ISCSI (Castagnoli, "CRC-32C"): 4 bytes, check value `0xE3069283`.
    ///
    /// Better error detection than [`Crc32`] for the same size; the default
    /// choice for new streams.
    feature = "crc32c", name = "CRC-32C/ISCSI", size = 4, max_safe_len = 512 << 20,
    Crc32c, |data| {
        #[cfg(target_arch = "x86_64")]
        if data.len() < crc32c_sse42::UP_TO {
            if let Some(crc) = crc32c_sse42::checksum(data) {
                return u64::from(crc);
            }
        }
        crc32c_general(data)
    }
}

/// CRC-32C of inputs the instruction path does not take, kept out of line
/// so the short-input path inlined into every framer stays a few
/// instructions (it had to save registers for this code on every call).
#[cfg(feature = "crc32c")]
#[inline(never)]
fn crc32c_general(data: &[u8]) -> u64 {
    crc_hybrid!(data, CRC32_ISCSI, Crc32Iscsi, CRC32C)
}

checksum_type! {
    /// CRC-64/XZ (also known as CRC-64/GO-ECMA): 8 bytes, check value
    /// `0x995DC9BBDF1939FA`. A byte-wise table implementation: no pointer
    /// casts, so any alignment of the input works.
    feature = "crc64", name = "CRC-64/XZ", size = 8, max_safe_len = u64::MAX,
    Crc64, |data| crc_hybrid!(data, CRC64_XZ, Crc64Xz, CRC64)
}

checksum_type! {
    /// XXH64 with seed 0: 8 bytes, a fast non-cryptographic hash.
    ///
    /// Note: `flatstream-rs` 0.2 used the name "XxHash64" for XXH3; to read
    /// its files use [`Xxh3`].
    feature = "xxhash64", name = "XXH64", size = 8, max_safe_len = u64::MAX,
    XxHash64, |data| xxhash_rust::xxh64::xxh64(data, 0)
}

checksum_type! {
    /// XXH3-64 with seed 0: 8 bytes, the fastest checksum here on large
    /// payloads. Matches what `flatstream-rs` 0.2 stored as "XxHash64".
    feature = "xxh3", name = "XXH3-64", size = 8, max_safe_len = u64::MAX,
    Xxh3, |data| xxhash_rust::xxh3::xxh3_64(data)
}

/// `Ok` when the stored and computed checksums agree, else the mismatch
/// (offset 0: callers that know the frame's position shift it).
#[inline]
pub(crate) fn compare(expected: u64, calculated: u64) -> Result<()> {
    if expected == calculated {
        Ok(())
    } else {
        Err(Error::ChecksumMismatch {
            offset: 0,
            expected,
            calculated,
        })
    }
}

/// The mask that keeps the low `size` bytes of a checksum value.
#[inline]
pub(crate) const fn size_mask(size: usize) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The instruction path against the table, at every length across its
    /// switch-over to `crc-fast` and every alignment of the start (the
    /// instruction reads unaligned 8-byte words, then single bytes).
    #[cfg(all(feature = "crc32c", target_arch = "x86_64"))]
    #[test]
    fn crc32c_instruction_matches_the_table() {
        let data: Vec<u8> = (0..crc32c_sse42::UP_TO as u32 + 24)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        if !std::arch::is_x86_feature_detected!("sse4.2") {
            assert_eq!(crc32c_sse42::checksum(&data), None);
            return;
        }
        for start in 0..8 {
            for end in start..data.len() {
                let slice = &data[start..end];
                let table = CRC32_ISCSI.checksum(slice);
                assert_eq!(crc32c_sse42::checksum(slice), Some(table), "{start}..{end}");
                assert_eq!(Crc32c.calculate(slice), u64::from(table), "{start}..{end}");
            }
        }
        assert_eq!(crc32c_sse42::checksum(b"123456789"), Some(0xE306_9283));
    }

    #[test]
    fn no_checksum_is_empty_and_accepts_all() {
        assert_eq!(NoChecksum::new().size(), 0);
        assert_eq!(NoChecksum.calculate(b"abc"), 0);
        assert!(NoChecksum.verify(0, b"whatever").is_ok());
    }

    #[test]
    fn verify_reports_both_values() {
        #[derive(Clone, Copy)]
        struct Sum;
        impl Checksum for Sum {
            const SIZE: usize = 2;
            fn calculate(&self, d: &[u8]) -> u64 {
                d.iter().map(|&b| u64::from(b)).sum::<u64>() & 0xFFFF
            }
            fn name(&self) -> &'static str {
                "sum"
            }
        }
        assert!(Sum.verify(6, &[1, 2, 3]).is_ok());
        match Sum.verify(7, &[1, 2, 3]) {
            Err(Error::ChecksumMismatch {
                expected: 7,
                calculated: 6,
                ..
            }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn size_mask_keeps_low_bytes() {
        assert_eq!(size_mask(0), 0);
        assert_eq!(size_mask(2), 0xFFFF);
        assert_eq!(size_mask(4), 0xFFFF_FFFF);
        assert_eq!(size_mask(8), u64::MAX);
    }
}
