//! Checks of header fields (lengths against limits and widths) and the
//! frame errors they build, kept out of line and cold: shared by the
//! built-in framers, derived layouts and the drivers.

use crate::error::{Error, FrameDefect, Result};
use crate::framing::MAX_HEADER_LEN;

/// The largest length a u32 field holds, as a `usize` (saturating on 16-bit
/// targets).
pub(crate) const U32_MAX_LEN: usize = if usize::BITS >= 32 {
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
        Ok(n) if len_within(n, min, max) => Ok(n),
        _ => Err(len_refused(len, min, max, header)),
    }
}

/// `min <= n && n <= max` in one comparison when `min <= max` (`n - min`
/// wraps above the span for `n < min`): a runtime framing's limits are
/// fields, and a derived one's minimum is often not 0, so the two compares
/// were both on every frame.
#[inline(always)]
pub(crate) fn len_within(n: usize, min: usize, max: usize) -> bool {
    min <= max && n.wrapping_sub(min) <= max - min
}

/// Why [`check_len`] or a framer refused `len` (`header` empty when
/// writing).
#[cold]
#[inline(never)]
pub(crate) fn len_refused(len: u64, min: usize, max: usize, header: &[u8]) -> Error {
    match usize::try_from(len) {
        Ok(n) if n < min => payload_too_short(n, min, header),
        _ => Error::FrameTooLarge {
            offset: 0,
            len,
            max: max as u64,
        },
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

pub(crate) fn wrong_header_buffer(got: usize, want: usize) -> Error {
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
    use crate::checksum::NoChecksum;
    use crate::framing::{ChecksumDeframer, ChecksumFramer, Decoded, DefaultDeframer, Deframer, Framer};

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
        // Every length against small bounds, the one-comparison form
        // against the plain reading of them, bounds crossed included.
        for min in 0..6 {
            for max in 0..6 {
                for len in 0..8u64 {
                    let accepted = check_len(len, min, max, &header).ok();
                    let expected = (len >= min as u64 && len <= max as u64).then_some(len as usize);
                    assert_eq!(accepted, expected, "len {len}, min {min}, max {max}");
                }
            }
        }
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
