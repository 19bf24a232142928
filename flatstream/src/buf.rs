//! The byte buffers payloads and frames are appended to, and the one
//! helper every layer uses on them: appending zeros fast.

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
