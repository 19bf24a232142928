//! Writing FlatBuffers tables front to back, without `FlatBufferBuilder`.
//!
//! The generic builder writes back to front, searches its vtable cache for
//! every table and keeps a list of the fields it pushed. A derived message
//! knows its table layout at compile time, so its bytes can be written in one
//! forward pass into a reused `Vec`:
//!
//! ```text
//! [root offset: u32][vtable][pad][table: soffset, fields largest first][strings, vectors, sub-tables ...]
//! ```
//!
//! * The vtable is a constant of the type ([`table_vtable`]), copied in a
//!   few wide stores; only the entries of absent fields (`None`, a scalar
//!   equal to its default) are then zeroed. (Wide stores matter: the
//!   checksum reads the payload right after, and bytes stored one at a time
//!   cannot be forwarded to its 8-byte loads.)
//! * The table starts at a position that is 4 modulo 8, so after its 4-byte
//!   vtable offset the 8-byte fields come first, aligned, then the 4-, 2- and
//!   1-byte ones ([`table_offsets`]): no padding inside the table.
//! * Out-of-line data (strings, vectors, sub-tables) follows the table, in
//!   field order, so every `uoffset` points forward, as FlatBuffers requires.
//! * Positions and alignment count from the payload's start, which is what
//!   FlatBuffers requires: the payload is written at the end of any buffer
//!   through an [`Out`], which hides what comes before it (a frame header,
//!   the frames before it in a writer's buffer or a codec's `BytesMut`).
//!
//! The result is a valid FlatBuffers buffer: `tests/tests/derive_properties.rs`
//! checks random messages with both the `flatbuffers` verifier and the
//! derive's own, and against the builder path (same fields stored, same
//! values decoded); `tests/tests/derive_encode.rs` reads payloads back through the
//! `flatbuffers` raw table API.
//! Used by the code `#[derive(StreamSerialize)]` generates; reached through
//! `__private`, not a public API.

use crate::buf::PayloadBuf;
use crate::encode::field_traits::Table;
use crate::encode::out::{ensure_room, pad_to, set_uoffset, table_position, Out, Scalar, ROOT_WORDS};
use crate::encode::sink::PayloadSink;
use crate::error::Result;

/// `StreamSerialize::encode_into` of a derived table: appends `value`'s
/// payload to the sink's buffer, wherever it ends.
#[inline(always)]
pub fn encode_table_into<T: Table + ?Sized, B: PayloadBuf>(
    value: &T,
    out: &mut PayloadSink<'_, B>,
) -> Result<()> {
    let out = out.buf();
    // An empty buffer (a writer's staging buffer) gets its own copy of the
    // code, in which every position is a constant.
    if out.is_empty() {
        value.write_root(&mut Out::at_start(out))
    } else {
        value.write_root(&mut Out::new(out))
    }
}

/// Makes room for a root's fixed part (`end` bytes, zeroed) at the start of
/// `buf` (empty), for `Table::write_root`.
#[inline(always)]
pub fn begin_root<B: PayloadBuf>(buf: &mut Out<'_, B>, end: usize) -> Result<()> {
    debug_assert_eq!(buf.len(), 0);
    ensure_room(buf, end)?;
    buf.extend_zeroed(end);
    Ok(())
}

/// Stores a root's fixed part, `words` up to `end`, as whole 8-byte words
/// aligned to the payload's start. The checksum that follows reads the
/// payload 8 bytes at a time: from stores of 1 to 8 bytes at scattered
/// positions the CPU cannot forward such loads, and they wait for the
/// stores to reach the cache (`benches/store_forwarding.rs`: CRC-32C of
/// the telemetry payload 10 ns after those stores, 3 ns after whole words).
#[inline(always)]
pub fn store_root_words<B: PayloadBuf>(buf: &mut Out<'_, B>, words: &[u64; ROOT_WORDS], end: usize) {
    let whole = end / 8;
    for (i, word) in words.iter().take(whole).enumerate() {
        buf[8 * i..8 * i + 8].copy_from_slice(&word.to_le_bytes());
    }
    let tail = end % 8;
    if tail > 0 {
        let last = words.get(whole).copied().unwrap_or(0).to_le_bytes();
        buf[8 * whole..end].copy_from_slice(&last[..tail]);
    }
}

/// Appends `value` as a payload's root table, a whole FlatBuffers buffer
/// starting where `buf` starts (empty), with the vtable, the table and each
/// field written in place: `Table::write_root` of a table whose fixed part
/// does not fit [`ROOT_WORDS`].
#[inline]
pub fn append_root_in_place<T: Table + ?Sized, B: PayloadBuf>(value: &T, buf: &mut Out<'_, B>) -> Result<()> {
    debug_assert_eq!(buf.len(), 0);
    buf.extend_from_slice(&[0; 4]);
    let table = append_table(value, buf)?;
    set_uoffset(buf, 0, table);
    Ok(())
}

/// Appends `value`'s vtable and table (and, after them, its out-of-line
/// data); returns the table's position.
#[inline]
pub fn append_table<T: Table + ?Sized, B: PayloadBuf>(value: &T, buf: &mut Out<'_, B>) -> Result<usize> {
    append_table_with(value, &value.absent(), buf).map(|(_, table)| table)
}

/// Appends `value`'s vtable (without the `absent` fields) and table;
/// returns both positions.
#[inline(always)]
fn append_table_with<T: Table + ?Sized, B: PayloadBuf>(
    value: &T,
    absent: &T::Absent,
    buf: &mut Out<'_, B>,
) -> Result<(usize, usize)> {
    // The vtable at the next even position, the table right after it at the
    // next position that is 4 modulo 8: both made room for at once.
    let at = buf.len() + buf.len() % 2;
    let table = table_position(at + T::VTABLE.len());
    let end = table + T::TABLE_SIZE;
    ensure_room(buf, end - buf.len())?;
    buf.extend_zeroed(end - buf.len());
    buf[at..at + T::VTABLE.len()].copy_from_slice(T::VTABLE);
    for (word, &bits) in absent.as_ref().iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let entry = at + 4 + 2 * (word * 64 + bits.trailing_zeros() as usize);
            buf[entry..entry + 2].fill(0);
            bits &= bits - 1;
        }
    }
    start_table(value, buf, at, table).map(|table| (at, table))
}

/// Appends `value`'s table, using the vtable already at `vtable`.
#[inline]
fn append_table_sharing<T: Table + ?Sized, B: PayloadBuf>(
    value: &T,
    buf: &mut Out<'_, B>,
    vtable: usize,
) -> Result<usize> {
    let table = table_position(buf.len());
    let end = table + T::TABLE_SIZE;
    ensure_room(buf, end - buf.len())?;
    buf.extend_zeroed(end - buf.len());
    start_table(value, buf, vtable, table)
}

/// Fills the zeroed table at `table`: its offset back to the vtable, then
/// the fields.
#[inline(always)]
fn start_table<T: Table + ?Sized, B: PayloadBuf>(
    value: &T,
    buf: &mut Out<'_, B>,
    vtable: usize,
    table: usize,
) -> Result<usize> {
    buf[table..table + 4].copy_from_slice(&((table - vtable) as i32).to_le_bytes());
    value.write_fields(buf, table)?;
    Ok(table)
}

/// Appends a string (length, bytes, terminating zero) and points `at` to it.
#[inline(always)]
pub fn append_string<B: PayloadBuf>(buf: &mut Out<'_, B>, at: usize, text: &[u8]) -> Result<()> {
    let target = append_string_data(buf, text)?;
    set_uoffset(buf, at, target);
    Ok(())
}

/// Appends a string and returns its offset from `at` (for
/// `Field::slot_bits`: the slot itself is written by the caller).
#[inline(always)]
pub fn append_string_offset<B: PayloadBuf>(buf: &mut Out<'_, B>, at: usize, text: &[u8]) -> Result<u64> {
    let target = append_string_data(buf, text)?;
    Ok((target - at) as u64)
}

#[inline(always)]
fn append_string_data<B: PayloadBuf>(buf: &mut Out<'_, B>, text: &[u8]) -> Result<usize> {
    ensure_room(buf, text.len().saturating_add(8))?;
    let target = buf.len().next_multiple_of(4);
    // One reservation, and padding and length as one 8-byte store (a
    // string's bytes are usually short, and every separate append pays a
    // capacity check).
    let pad = target - buf.len();
    buf.reserve(8 + text.len() + 1);
    // Built as an integer: bytes stored into a stack array and read back
    // wider would stall store forwarding.
    let head = (u64::from(text.len() as u32) << (8 * pad)).to_le_bytes();
    buf.append_first(&head, pad + 4);
    buf.extend_from_slice(text);
    buf.push(0);
    Ok(target)
}

/// Starts a vector of `len` elements of `width` bytes: pads so the elements
/// are aligned to `width` and the length to 4, writes the length, points
/// `at` to it, and leaves the elements zeroed; returns where they start.
#[inline]
fn start_vector<B: PayloadBuf>(buf: &mut Out<'_, B>, at: usize, len: usize, width: usize) -> Result<usize> {
    let bytes = len.saturating_mul(width);
    ensure_room(buf, bytes.saturating_add(12))?;
    let align = width.max(4);
    let target = pad_to(buf, align, align - 4);
    buf.extend_from_slice(&(len as u32).to_le_bytes());
    buf.extend_zeroed(bytes);
    set_uoffset(buf, at, target);
    Ok(target + 4)
}

/// Appends a vector of scalars (`repr` maps each item to its scalar: the
/// identity for scalars, the discriminant for enums) and points `at` to it.
#[inline]
pub fn append_scalar_vector<T, S: Scalar, B: PayloadBuf>(
    buf: &mut Out<'_, B>,
    at: usize,
    items: &[T],
    repr: impl Fn(&T) -> S,
) -> Result<()> {
    let start = start_vector(buf, at, items.len(), S::SIZE)?;
    for (dst, item) in buf[start..].chunks_exact_mut(S::SIZE).zip(items) {
        repr(item).put(dst);
    }
    Ok(())
}

/// Appends a vector of scalars and points `at` to it; bytes in one copy.
#[inline]
pub fn append_scalars<S: Scalar, B: PayloadBuf>(buf: &mut Out<'_, B>, at: usize, items: &[S]) -> Result<()> {
    match S::as_stored_bytes(items) {
        Some(bytes) => {
            ensure_room(buf, bytes.len().saturating_add(8))?;
            let target = pad_to(buf, 4, 0);
            buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            buf.extend_from_slice(bytes);
            set_uoffset(buf, at, target);
            Ok(())
        }
        None => append_scalar_vector(buf, at, items, |&v| v),
    }
}

/// Appends a vector of strings: the offsets, then each string.
pub fn append_string_vector<T: AsRef<str>, B: PayloadBuf>(
    buf: &mut Out<'_, B>,
    at: usize,
    items: &[T],
) -> Result<()> {
    let start = start_vector(buf, at, items.len(), 4)?;
    for (index, item) in items.iter().enumerate() {
        let target = append_string_data(buf, item.as_ref().as_bytes())?;
        set_uoffset(buf, start + 4 * index, target);
    }
    Ok(())
}

/// Appends a vector of tables: the offsets, then each table. Consecutive
/// tables with equal vtables share one, as the builder's vtable cache does.
pub fn append_table_vector<T: Table, B: PayloadBuf>(
    buf: &mut Out<'_, B>,
    at: usize,
    items: &[T],
) -> Result<()> {
    let start = start_vector(buf, at, items.len(), 4)?;
    let mut shared: Option<(T::Absent, usize)> = None;
    for (index, item) in items.iter().enumerate() {
        let absent = item.absent();
        let table = match shared {
            Some((previous, vtable_at)) if previous == absent => append_table_sharing(item, buf, vtable_at)?,
            _ => {
                let (vtable_at, table) = append_table_with(item, &absent, buf)?;
                shared = Some((absent, vtable_at));
                table
            }
        };
        set_uoffset(buf, start + 4 * index, table);
    }
    Ok(())
}

/// Appends a string as a payload's root, starting at `buf.len()` (a
/// multiple of 4): the layout `flatstream-rs` 0.2 wrote, byte for byte what
/// `FlatBufferBuilder` makes of it (the end padded to 4).
pub fn append_root_string<B: PayloadBuf>(buf: &mut B, text: &str) -> Result<()> {
    let buf = &mut Out::new(buf);
    buf.extend_from_slice(&[0; 4]);
    append_string(buf, 0, text.as_bytes())?;
    pad_to(buf, 4, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::out::{table_offsets, table_size, table_vtable, MAX_FLATBUFFER_LEN};
    use crate::error::Error;

    #[test]
    fn offsets_put_large_fields_first_and_aligned() {
        // u8, u64, u16, u32 (offset), f64
        let sizes = [1, 8, 2, 4, 8];
        let offsets = table_offsets(sizes);
        assert_eq!(offsets, [26, 4, 24, 20, 12]);
        assert_eq!(table_size(&sizes), 27);
        for (offset, size) in offsets.iter().zip(sizes) {
            // The table sits at 4 modulo 8.
            assert_eq!((4 + *offset as usize) % size, 0);
        }
        let vtable: [u8; 14] = table_vtable(&offsets, 27);
        assert_eq!(vtable, [14, 0, 27, 0, 26, 0, 4, 0, 24, 0, 20, 0, 12, 0]);
    }

    #[test]
    fn root_strings_match_the_builder() {
        let mut buf = Vec::new();
        for text in ["", "a", "ab", "abc", "abcd", "hello", "a longer string of text"] {
            let mut b = flatbuffers::FlatBufferBuilder::new();
            let s = b.create_string(text);
            b.finish_minimal(s);
            buf.clear();
            append_root_string(&mut buf, text).unwrap();
            assert_eq!(buf, b.finished_data(), "{text:?}");
        }
    }

    /// A buffer holding `lead` bytes before the payload (a frame header,
    /// earlier frames), and the payload's first `pre` bytes, zeroed.
    fn payload_after(lead: usize, pre: usize) -> Vec<u8> {
        let mut buf = vec![0xEE; lead];
        Out::new(&mut buf).extend_zeroed(pre);
        buf
    }

    #[test]
    fn vectors_align_their_elements_from_the_payloads_start() {
        for lead in 0..9 {
            for pre in 0..16 {
                let mut buf = payload_after(lead, 4 + pre);
                let mut out = Out::with_base(&mut buf, lead);
                append_scalar_vector(&mut out, 0, &[1u64, 2], |&v| v).unwrap();
                let target = out.len() - 20;
                assert_eq!(target % 8, 4, "length at 4 mod 8, so elements at 0 mod 8");
                assert_eq!(u32::from_le_bytes(out[..4].try_into().unwrap()) as usize, target);
                assert_eq!(
                    &out[target..],
                    [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
                );
                assert!(buf[..lead].iter().all(|&b| b == 0xEE), "what precedes is kept");
            }
        }
    }

    #[test]
    fn byte_vectors_are_one_copy_and_equal_to_the_general_path() {
        for lead in [0, 3, 8] {
            for pre in 0..8 {
                let bytes: Vec<u8> = (0..=255).collect();
                let (mut fast, mut general) = (payload_after(lead, 4 + pre), payload_after(lead, 4 + pre));
                append_scalars(&mut Out::with_base(&mut fast, lead), 0, &bytes).unwrap();
                append_scalar_vector(&mut Out::with_base(&mut general, lead), 0, &bytes, |&v| v).unwrap();
                assert_eq!(fast, general);
            }
        }
        let mut buf = vec![0u8; 8];
        assert!(append_scalars(&mut Out::with_base(&mut buf, 0), 0, &[1.5f64, -2.0]).is_ok());
    }

    #[test]
    fn oversized_data_is_refused_not_truncated() {
        let mut buf = payload_after(5, 8);
        let mut out = Out::with_base(&mut buf, 5);
        let err = start_vector(&mut out, 0, usize::MAX / 2, 8).unwrap_err();
        assert!(matches!(err, Error::Serialize { .. }), "{err:?}");
        // The limit counts the payload, not what precedes it.
        assert!(ensure_room(&out, MAX_FLATBUFFER_LEN - 8).is_ok());
        assert!(ensure_room(&out, MAX_FLATBUFFER_LEN - 7).is_err());
        assert_eq!(out.len(), 8, "nothing appended on refusal");
    }

    #[test]
    fn scalars_compare_by_bits() {
        assert!(!(-0.0f64).same_bits(0.0));
        assert!(f32::NAN.same_bits(f32::NAN));
        assert!(true.same_bits(true) && !true.same_bits(false));
    }
}
