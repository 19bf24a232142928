//! The buffer a table is written into ([`Out`]), the scalars that go in
//! it, and the table layout computed at compile time: the pieces of the
//! table writer (see `table_writer.rs`) that know nothing of tables.

use std::ops::{Deref, DerefMut};

use crate::buf::{self, PayloadBuf};
use crate::error::{Error, Result};

/// The largest buffer the `flatbuffers` builder can produce (2 GiB - 1);
/// anything longer makes it panic, so we refuse it first.
pub(crate) const MAX_FLATBUFFER_LEN: usize = i32::MAX as usize;

/// A payload being appended to a buffer: its length, positions and indexing
/// count from where the payload starts, as FlatBuffers alignment does,
/// whatever precedes it in the buffer.
pub struct Out<'a, B> {
    buf: &'a mut B,
    /// Where the payload starts in `buf`.
    base: usize,
}

impl<'a, B: PayloadBuf> Out<'a, B> {
    /// A payload starting at the end of `buf`.
    #[inline(always)]
    pub fn new(buf: &'a mut B) -> Self {
        let base = buf.len();
        Out { buf, base }
    }

    /// A payload starting at `base` in `buf`.
    #[cfg(test)]
    pub(crate) fn with_base(buf: &'a mut B, base: usize) -> Self {
        Out { buf, base }
    }

    /// A payload starting at the start of `buf`, which is empty: every
    /// position of the table's fixed part is then a constant.
    #[inline(always)]
    pub(crate) fn at_start(buf: &'a mut B) -> Self {
        debug_assert!(buf.is_empty());
        Out { buf, base: 0 }
    }

    /// Bytes of the payload so far.
    #[inline(always)]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.buf.len() - self.base
    }

    #[inline(always)]
    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.buf.append(bytes);
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, byte: u8) {
        self.buf.append(&[byte]);
    }

    /// Appends `n` zero bytes (see [`buf::extend_zeroed`]).
    #[inline(always)]
    pub(crate) fn extend_zeroed(&mut self, n: usize) {
        buf::extend_zeroed(self.buf, n);
    }

    /// Appends the first `n` bytes of `block` (see [`buf::append_first`]).
    #[inline(always)]
    pub(crate) fn append_first<const N: usize>(&mut self, block: &[u8; N], n: usize) {
        buf::append_first(self.buf, block, n);
    }

    /// Makes room for `additional` more bytes.
    #[inline(always)]
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.buf.reserve_more(additional);
    }
}

impl<B: PayloadBuf> Deref for Out<'_, B> {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        &self.buf[self.base..]
    }
}

impl<B: PayloadBuf> DerefMut for Out<'_, B> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.base..]
    }
}

/// A FlatBuffers scalar: its little-endian bytes and its default test.
pub trait Scalar: Copy {
    /// Width in bytes (also its alignment).
    const SIZE: usize;
    /// Writes the little-endian bytes into `dst` (exactly `SIZE` bytes).
    fn put(self, dst: &mut [u8]);
    /// The stored bytes as a little-endian integer (its low `SIZE` bytes).
    fn bits(self) -> u64;
    /// Whether `self` is bit-for-bit `other`: `-0.0` is not `0.0`, so it is
    /// stored and reads back with its sign; a NaN equals itself.
    fn same_bits(self, other: Self) -> bool;
    /// `items` as their stored bytes, where that needs no conversion
    /// (bytes), so a vector of them is one copy.
    #[inline(always)]
    fn as_stored_bytes(items: &[Self]) -> Option<&[u8]> {
        let _ = items;
        None
    }
}

macro_rules! scalars {
    ($($ty:ty => |$v:ident| $bits:expr),* $(,)?) => {$(
        impl Scalar for $ty {
            const SIZE: usize = std::mem::size_of::<$ty>();
            #[inline(always)]
            fn put(self, dst: &mut [u8]) {
                let $v = self;
                dst.copy_from_slice(&$bits.to_le_bytes());
            }
            #[inline(always)]
            fn bits(self) -> u64 {
                let $v = self;
                let mut wide = [0u8; 8];
                wide[..Self::SIZE].copy_from_slice(&$bits.to_le_bytes());
                u64::from_le_bytes(wide)
            }
            #[inline(always)]
            fn same_bits(self, other: Self) -> bool {
                let bits = |$v: $ty| $bits;
                bits(self) == bits(other)
            }
        }
    )*};
}

impl Scalar for u8 {
    const SIZE: usize = 1;
    #[inline(always)]
    fn put(self, dst: &mut [u8]) {
        dst[0] = self;
    }
    #[inline(always)]
    fn bits(self) -> u64 {
        u64::from(self)
    }
    #[inline(always)]
    fn same_bits(self, other: Self) -> bool {
        self == other
    }
    #[inline(always)]
    fn as_stored_bytes(items: &[u8]) -> Option<&[u8]> {
        Some(items)
    }
}

scalars! {
    bool => |v| v as u8,
    i8 => |v| v, u16 => |v| v, i16 => |v| v,
    u32 => |v| v, i32 => |v| v, u64 => |v| v, i64 => |v| v,
    f32 => |v| v.to_bits(), f64 => |v| v.to_bits(),
}

/// Positions of the fields inside a table, by field id: after the 4-byte
/// vtable offset, largest fields first (ties in id order). With the table
/// at 4 modulo 8, every field lands aligned to its size.
pub const fn table_offsets<const N: usize>(sizes: [usize; N]) -> [u16; N] {
    let mut offsets = [0u16; N];
    let mut at = 4usize;
    let mut size = 8;
    while size > 0 {
        let mut id = 0;
        while id < N {
            let width = sizes[id];
            let class = if width >= 8 {
                8
            } else if width >= 4 {
                4
            } else if width >= 2 {
                2
            } else {
                1
            };
            if class == size {
                assert!(
                    at + width <= u16::MAX as usize,
                    "a FlatBuffers table holds at most 65535 bytes of fields; split this struct"
                );
                offsets[id] = at as u16;
                at += width;
            }
            id += 1;
        }
        size /= 2;
    }
    offsets
}

/// Bytes of a table with fields of `sizes`: the vtable offset and the fields.
pub const fn table_size(sizes: &[usize]) -> usize {
    let mut total = 4;
    let mut id = 0;
    while id < sizes.len() {
        total += sizes[id];
        id += 1;
    }
    assert!(
        total <= u16::MAX as usize,
        "a FlatBuffers table holds at most 65535 bytes of fields; split this struct"
    );
    total
}

/// The vtable of a table with every field present: its own length, the
/// table's length, then each field's position. `M` is `4 + 2 * fields`.
pub const fn table_vtable<const M: usize>(offsets: &[u16], table_size: usize) -> [u8; M] {
    assert!(M == 4 + 2 * offsets.len(), "vtable length must be 4 + 2 * fields");
    let mut vtable = [0u8; M];
    let own = (M as u16).to_le_bytes();
    let table = (table_size as u16).to_le_bytes();
    vtable[0] = own[0];
    vtable[1] = own[1];
    vtable[2] = table[0];
    vtable[3] = table[1];
    let mut id = 0;
    while id < offsets.len() {
        let at = offsets[id].to_le_bytes();
        vtable[4 + 2 * id] = at[0];
        vtable[5 + 2 * id] = at[1];
        id += 1;
    }
    vtable
}

/// The vtable a table with fields of `sizes` (in id order) has when every
/// field is present: what the derive's writer writes, and what its fast
/// verifier recognises. `M` is `4 + 2 * N`.
pub const fn canonical_vtable<const N: usize, const M: usize>(sizes: [usize; N]) -> [u8; M] {
    table_vtable::<M>(&table_offsets(sizes), table_size(&sizes))
}

/// The most 8-byte words of a root table's fixed part (root offset,
/// vtable, table) that the table writer builds in registers: 256 bytes.
pub const ROOT_WORDS: usize = 32;

/// Where a root table with a vtable of `vtable_len` bytes starts (the
/// vtable at 4, right after the root offset) and where its fixed part of
/// `table_size` bytes ends.
pub const fn root_layout(vtable_len: usize, table_size: usize) -> (usize, usize) {
    let table = table_position(4 + vtable_len);
    (table, table + table_size)
}

/// The first position from `from` on that is 4 modulo 8: where a table
/// starts, so its 8-byte fields (after the 4-byte vtable offset) are aligned.
#[inline(always)]
pub(crate) const fn table_position(from: usize) -> usize {
    from + (12 - from % 8) % 8
}

/// The words of a root's fixed part before its fields: the root offset,
/// `vtable` (every field present) at 4, zero padding, the table's offset
/// back to its vtable; the fields' slots zero. Valid when the fixed part
/// fits [`ROOT_WORDS`].
pub const fn root_words(vtable: &[u8], table_size: usize) -> [u64; ROOT_WORDS] {
    let mut words = [0u64; ROOT_WORDS];
    let (table, end) = root_layout(vtable.len(), table_size);
    if end > 8 * ROOT_WORDS {
        return words;
    }
    let root = (table as u32).to_le_bytes();
    let back = ((table - 4) as u32).to_le_bytes();
    let mut i = 0;
    while i < 4 {
        words = put_byte(words, i, root[i]);
        words = put_byte(words, table + i, back[i]);
        i += 1;
    }
    let mut i = 0;
    while i < vtable.len() {
        words = put_byte(words, 4 + i, vtable[i]);
        i += 1;
    }
    words
}

const fn put_byte(mut words: [u64; ROOT_WORDS], at: usize, byte: u8) -> [u64; ROOT_WORDS] {
    words[at / 8] |= (byte as u64) << (8 * (at % 8));
    words
}

/// Refuses growth past what a FlatBuffers buffer can address (2 GiB - 1),
/// the same limit the builder path has.
#[inline]
pub(crate) fn ensure_room(buf: &[u8], bytes: usize) -> Result<()> {
    if bytes > MAX_FLATBUFFER_LEN - buf.len().min(MAX_FLATBUFFER_LEN) {
        return Err(too_large(buf.len(), bytes));
    }
    Ok(())
}

#[cold]
#[inline(never)]
pub(crate) fn too_large(used: usize, bytes: usize) -> Error {
    Error::Serialize {
        reason: format!(
            "adding {bytes} bytes to a {used}-byte message exceeds the 2 GiB a FlatBuffers buffer can hold"
        )
        .into(),
    }
}

/// Zero-pads `buf` to the next position `p` with `p % modulus == rest`.
#[inline(always)]
pub(crate) fn pad_to<B: PayloadBuf>(buf: &mut Out<'_, B>, modulus: usize, rest: usize) -> usize {
    let pad = (rest + modulus - buf.len() % modulus) % modulus;
    buf.extend_zeroed(pad);
    buf.len()
}

/// Stores at `at` the `uoffset` that leads from `at` to `target` (later in
/// the buffer: both are below 2 GiB, so the difference fits).
#[inline(always)]
pub fn set_uoffset(buf: &mut [u8], at: usize, target: usize) {
    buf[at..at + 4].copy_from_slice(&((target - at) as u32).to_le_bytes());
}

/// Writes a scalar into its (zeroed) slot.
#[inline(always)]
pub fn put_scalar<T: Scalar>(buf: &mut [u8], at: usize, value: T) {
    value.put(&mut buf[at..at + T::SIZE]);
}
