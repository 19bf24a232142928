//! The byte buffers payloads and frames are appended to, the helpers every
//! layer uses on them (appending zeros fast, appending a frame's parts to
//! a `Vec` with one capacity check), and the readers' hint to the CPU to
//! fetch the bytes ahead of the next header.

use std::collections::TryReserveError;
use std::io;
use std::ops::DerefMut;

/// A growable byte buffer a payload can be appended to: `Vec<u8>`, and
/// with the `tokio` feature the codec's `BytesMut`, so a codec encodes
/// straight into its output.
pub trait PayloadBuf: DerefMut<Target = [u8]> {
    /// Appends `bytes`.
    fn append(&mut self, bytes: &[u8]);
    /// Shortens the buffer to `len` bytes.
    fn cut(&mut self, len: usize);
    /// Grows the buffer to `len` bytes with zeros.
    fn grow_zeroed(&mut self, len: usize);
    /// Makes room for `additional` more bytes.
    fn reserve_more(&mut self, additional: usize);
}

/// `PayloadBuf` for a buffer with `Vec`'s methods (`Vec<u8>` here, the
/// codec's `BytesMut` in `codec.rs`).
macro_rules! vec_like_payload_buf {
    ($ty:ty) => {
        impl $crate::buf::PayloadBuf for $ty {
            #[inline(always)]
            fn append(&mut self, bytes: &[u8]) {
                self.extend_from_slice(bytes);
            }
            #[inline(always)]
            fn cut(&mut self, len: usize) {
                self.truncate(len);
            }
            #[inline(always)]
            fn grow_zeroed(&mut self, len: usize) {
                self.resize(len, 0);
            }
            #[inline(always)]
            fn reserve_more(&mut self, additional: usize) {
                self.reserve(additional);
            }
        }
    };
}
// Used by the codec (`io/codec.rs`), which only the `tokio` feature builds.
#[allow(unused_imports)]
pub(crate) use vec_like_payload_buf;

vec_like_payload_buf!(Vec<u8>);

/// Appends `n` zero bytes. Up to 64 are stored as one constant block and
/// the length cut back: a few vector stores, where `resize` stores one byte
/// at a time and a `memset` call costs more than a small table.
#[inline(always)]
pub(crate) fn extend_zeroed<B: PayloadBuf + ?Sized>(buf: &mut B, n: usize) {
    const ZEROS: [u8; 64] = [0; 64];
    if n <= ZEROS.len() {
        append_first(buf, &ZEROS, n);
    } else {
        buf.grow_zeroed(buf.len() + n);
    }
}

/// Appends the first `n` bytes of `block` (`n <= N`): the whole block in
/// constant-size stores, then the length cut back, which is cheaper than a
/// copy of a length known only at run time.
#[inline(always)]
pub(crate) fn append_first<B: PayloadBuf + ?Sized, const N: usize>(buf: &mut B, block: &[u8; N], n: usize) {
    let end = buf.len() + n;
    buf.append(block);
    buf.cut(end);
}

/// Appends `parts` to `vec`: one capacity check, copies into the spare
/// capacity, one length update, so the frames the writers and framers
/// append to a `Vec` cost what a hand `extend_from_slice` loop costs
/// (`io/vec_sink.rs` says why `Vec`'s own `Write` does not). A `Vec` that
/// cannot grow by the parts' length is left as it was, with an
/// `OutOfMemory` error (where `extend_from_slice` would panic or abort).
#[inline(always)]
pub(crate) fn append_parts<const N: usize>(vec: &mut Vec<u8>, parts: [&[u8]; N]) -> io::Result<()> {
    // A slice spans at most `isize::MAX` bytes, so two lengths cannot
    // overflow `usize`. Three could (one slice passed more than once, on a
    // 32-bit target): their sum saturates, asking for `usize::MAX` bytes,
    // which no `Vec` can grow by, so they are refused below instead of
    // wrapping to a length the copies would overrun. (Saturating two
    // lengths cost the writer of 64-byte frames 4%.)
    let total = if N <= 2 {
        parts.iter().map(|part| part.len()).sum::<usize>()
    } else {
        parts
            .iter()
            .fold(0usize, |sum, part| sum.saturating_add(part.len()))
    };
    let start = vec.len();
    if vec.capacity() - start < total {
        // Handed over by value, so the call is given no pointer into the
        // writer that may hold the `Vec` (see `io/vec_sink.rs`).
        let (grown, reserved) = reserve_by_value(std::mem::take(vec), total);
        *vec = grown;
        reserved.map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
    }
    let mut at = start;
    for part in parts {
        // SAFETY: the capacity is at least `start + total` (checked or
        // reserved above; `total` did not saturate, or no reservation
        // could have succeeded) and the parts add up to `total`: so every copy
        // lands in the spare capacity, from `at` to `at + part.len()`.
        // The source is a shared slice, the destination owned by `vec`,
        // which we borrow mutably: they do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), vec.as_mut_ptr().add(at), part.len()) };
        at += part.len();
    }
    // SAFETY: the `total` bytes after `start` were initialized just above,
    // within the capacity.
    unsafe { vec.set_len(start + total) };
    Ok(())
}

/// `vec` with room for `additional` more bytes, or as it was with the
/// error; out of line, taking and giving back the `Vec` by value.
#[cold]
#[inline(never)]
fn reserve_by_value(mut vec: Vec<u8>, additional: usize) -> (Vec<u8>, Result<(), TryReserveError>) {
    let reserved = vec.try_reserve(additional);
    (vec, reserved)
}

/// How far past the next header the readers ask the CPU to start loading
/// the input (see [`prefetch_ahead`]).
const PREFETCH_DISTANCE: usize = 1024;

/// The longest frame after which [`prefetch_ahead`] asks for the bytes
/// ahead: past it the headers are too far apart for the hint to reach the
/// next one, and a line fetched for nothing cost frames of 64 KiB 10% – 18%
/// (`framing`, `none/65536B/read`).
const PREFETCH_MAX_FRAME: usize = 4096;

/// The shortest input [`prefetch_ahead`] gives hints for: a smaller one
/// fits a first-level cache (32 – 48 KiB on current CPUs), where the hint
/// only costs (an input of 27 KB read 0.76x – 0.94x of the hand loop with
/// it, 0.91x – 0.93x without).
const PREFETCH_MIN_INPUT: usize = 64 << 10;

/// Asks the CPU to start loading the cache line [`PREFETCH_DISTANCE`]
/// bytes past the start of `next`, the input after a frame of
/// `frame_len` bytes, for an input of `input_len` bytes in all (for frames
/// up to [`PREFETCH_MAX_FRAME`], inputs from [`PREFETCH_MIN_INPUT`]).
/// `next` need not reach that far: it is a hint, nothing is read.
///
/// Why: where each frame starts depends on the length in the header
/// before it, so a reader's loop waits for every header's load, and from
/// beyond the first-level cache (an input over 48 KiB here) the hardware's
/// own prefetching did not hide that wait: `SliceReader` of 64-byte frames
/// ran at 0.9x – 1.0x of a hand loop without the hint, 1.5x – 1.8x with it
/// (`zero_cost`, docs/performance.md). A no-op on targets other than x86-64.
#[inline(always)]
pub(crate) fn prefetch_ahead(next: &[u8], frame_len: usize, input_len: usize) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    if frame_len <= PREFETCH_MAX_FRAME && input_len >= PREFETCH_MIN_INPUT {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // Never dereferenced, so it may point past `next` (hence
        // `wrapping_add`, which is defined for any offset).
        let ahead = next.as_ptr().wrapping_add(PREFETCH_DISTANCE);
        // SAFETY: `_mm_prefetch` requires SSE, which the `cfg` above makes
        // sure the target has. A prefetch reads and writes no memory and
        // never faults, whatever the address, so `ahead` may be past the
        // end of `next` or of any allocation
        // (`prefetching_past_the_end_of_the_input_is_harmless` reads frames
        // that end at the last byte of a mapped region).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead.cast()) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = (next, frame_len, input_len);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every split into two and three parts at every starting length and
    /// spare capacity, including none (the growth) and exactly enough.
    #[test]
    fn parts_are_appended_whole_after_what_the_vec_holds() {
        let bytes: Vec<u8> = (0..40).collect();
        for start in [0, 1, 7] {
            let held: Vec<u8> = (0..start).map(|i| 200 + i as u8).collect();
            for spare in [0, 1, 5, 39, 40, 64] {
                let fresh = || {
                    let mut vec = Vec::with_capacity(start + spare);
                    vec.extend_from_slice(&held);
                    vec
                };
                let check = |vec: Vec<u8>| {
                    assert_eq!((&vec[..start], &vec[start..]), (&held[..], &bytes[..]));
                    assert!(vec.capacity() >= vec.len());
                };
                for a in 0..=bytes.len() {
                    let mut vec = fresh();
                    append_parts(&mut vec, [&bytes[..a], &bytes[a..]]).unwrap();
                    check(vec);
                    for b in a..=bytes.len() {
                        let mut vec = fresh();
                        append_parts(&mut vec, [&bytes[..a], &bytes[a..b], &bytes[b..]]).unwrap();
                        check(vec);
                    }
                }
            }
        }
    }

    /// (Parts that large cannot exist on a 64-bit machine, so the growth
    /// is asked directly.)
    #[test]
    fn a_vec_that_cannot_grow_is_given_back_as_it_was() {
        let vec = vec![9u8; 3];
        let before = vec.as_ptr();
        let (vec, reserved) = reserve_by_value(vec, usize::MAX - 1);
        assert!(reserved.is_err());
        assert_eq!((vec.as_ptr(), &vec[..]), (before, &[9u8, 9, 9][..]));
        let (vec, reserved) = reserve_by_value(vec, 100);
        assert!(reserved.is_ok() && vec.capacity() >= 103 && vec == [9, 9, 9]);
    }

    /// The hint may point past the input, even into memory the process
    /// may not touch: frames ending at the last byte of a mapped region
    /// followed by an inaccessible page read whole (the region large
    /// enough for the reader to give hints), and hints right at the end
    /// do not fault.
    #[cfg(unix)]
    #[test]
    fn prefetching_past_the_end_of_the_input_is_harmless() {
        use crate::framing::{DefaultDeframer, DefaultFramer, Framer};
        use crate::SliceReader;

        // SAFETY: `sysconf` has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap();
        let len = PREFETCH_MIN_INPUT.next_multiple_of(page);
        // SAFETY: an anonymous private mapping, no address hint; the
        // result is checked before use.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len + page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED);
        let base = base.cast::<u8>();
        // SAFETY: the page after the first `len` bytes lies within the
        // mapping made above.
        assert_eq!(
            unsafe { libc::mprotect(base.add(len).cast(), page, libc::PROT_NONE) },
            0
        );
        // SAFETY: the first `len` bytes are mapped readable and writable,
        // zeroed, and nothing else refers to them until the `munmap` below.
        let region = unsafe { std::slice::from_raw_parts_mut(base, len) };

        let mut stream = Vec::new();
        let mut payloads = 0;
        while stream.len() + 4 + 60 <= len {
            DefaultFramer
                .encode_frame(&[payloads as u8; 60], &mut stream)
                .unwrap();
            payloads += 1;
        }
        let start = len - stream.len();
        region[start..].copy_from_slice(&stream);
        let input = &region[start..];
        assert!(input.len() >= PREFETCH_MIN_INPUT, "the reader gives hints");
        let mut reader = SliceReader::new(input, DefaultDeframer::new());
        let mut read = 0;
        while let Some(payload) = reader.read_message().unwrap() {
            assert_eq!(payload, [read as u8; 60]);
            read += 1;
        }
        assert_eq!(read, payloads);
        prefetch_ahead(&region[len..], 0, len);
        prefetch_ahead(&region[len - 1..], 1, len);

        // SAFETY: unmaps exactly the mapping made above; `region` and
        // `input` are not used after this.
        assert_eq!(unsafe { libc::munmap(base.cast(), len + page) }, 0);
    }
}
