//! The fast verifier the derive specialises per message type: the
//! `flatbuffers` verifier's checks, without building error values. Not a
//! public API (reached through `__private`).

use std::ops::Range;

use crate::decode::limits::VerifyLimits;

/// A rejection by the [`FastVerifier`]. It carries nothing: the precise
/// error comes from running the `flatbuffers` verifier on the payload the
/// fast one rejected (rejections are the rare path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject;

/// The result of a fast verification step.
pub type Fast<T = ()> = core::result::Result<T, Reject>;

/// A verifier specialised by the derive for each message type: the same
/// checks as the `flatbuffers` verifier, in the same way (offsets in bounds,
/// alignment, vtable sizes, UTF-8 and terminators of strings, depth, table
/// count, apparent size), with no error values to build on the way.
/// `tests/tests/fast_verifier.rs` checks that it accepts and rejects exactly what
/// the `flatbuffers` verifier does.
pub struct FastVerifier<'b> {
    buf: &'b [u8],
    depth: usize,
    tables: usize,
    apparent: usize,
    limits: VerifyLimits,
}

/// The high bit of every byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether `buf[range]` is ASCII, 8 bytes at a time. A text of at most 8
/// bytes (a unit, a name, a key: most strings in messages) is one load of
/// the 8 bytes that end where it ends, the bytes before it (the string's
/// length, at least) masked off; a longer one is its whole words, then the
/// last 8 bytes again. (An OR over the bytes one by one, which the
/// compiler vectorised only in 4-byte steps with a byte loop after, was a
/// fifth of verifying the telemetry message.)
#[inline(always)]
fn ascii_within(buf: &[u8], range: Range<usize>) -> bool {
    let Some(text) = buf.get(range.clone()) else {
        return false;
    };
    let word = |bytes: &[u8]| bytes.try_into().map_or(u64::MAX, u64::from_le_bytes);
    if text.len() <= 8 {
        if text.is_empty() {
            return true;
        }
        if let Some(window) = range
            .end
            .checked_sub(8)
            .and_then(|start| buf.get(start..range.end))
        {
            // The text is the window's last bytes: the word's high ones.
            let text_bytes = u64::MAX << (8 * (8 - text.len()));
            return word(window) & text_bytes & HIGH_BITS == 0;
        }
    }
    let mut seen = 0;
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        seen |= word(chunk);
    }
    if !words.remainder().is_empty() {
        // Fewer than 8 bytes left: the last 8 of the text, overlapping,
        // or (a text shorter than 8 at the buffer's start) each byte.
        seen |= match text.len().checked_sub(8) {
            Some(last) => word(&text[last..]),
            None => text.iter().fold(0, |seen, &b| seen | u64::from(b)),
        };
    }
    seen & HIGH_BITS == 0
}

/// A table the fast verifier entered.
#[derive(Clone, Copy)]
pub struct FastTable {
    pos: usize,
    vtable: usize,
    vtable_len: usize,
}

impl FastTable {
    /// The table's position: fields are at offsets from it.
    #[inline(always)]
    pub fn pos(&self) -> usize {
        self.pos
    }
}

impl<'b> FastVerifier<'b> {
    /// A verifier over `buf`.
    #[inline]
    pub fn new(buf: &'b [u8], limits: VerifyLimits) -> Self {
        FastVerifier {
            buf,
            depth: 0,
            tables: 0,
            apparent: 0,
            limits,
        }
    }

    #[inline(always)]
    fn aligned(pos: usize, align: usize) -> Fast {
        if pos.is_multiple_of(align) {
            Ok(())
        } else {
            Err(Reject)
        }
    }

    /// `size` bytes at `pos` in bounds, accounted in the apparent size
    /// without comparing it with the limit: for the fixed-size reads of a
    /// table (scalars, offsets, vtable entries), whose count per table is
    /// bounded by its type, so the comparison can wait for the next
    /// [`range_limited`](Self::range_limited) or the end. The checks of
    /// one table's fields then merge. (The sum only grows, so comparing
    /// later rejects exactly what comparing at once would.)
    #[inline(always)]
    fn range(&mut self, pos: usize, size: usize) -> Fast {
        if pos.saturating_add(size) > self.buf.len() {
            return Err(Reject);
        }
        self.apparent = self.apparent.saturating_add(size);
        Ok(())
    }

    /// [`range`](Self::range), then the apparent size compared with the
    /// limit: for every read whose size or count the payload chooses (a
    /// table, a vector), so verification never does more than the limit
    /// allows before stopping.
    #[inline(always)]
    fn range_limited(&mut self, pos: usize, size: usize) -> Fast {
        self.range(pos, size)?;
        self.within_limit()
    }

    /// The apparent size so far within the limit.
    #[inline(always)]
    fn within_limit(&self) -> Fast {
        if self.apparent > self.limits.max_apparent_size {
            return Err(Reject);
        }
        Ok(())
    }

    /// Ends a verification: the last comparison with the limit.
    #[inline(always)]
    pub fn finish(&self) -> Fast {
        self.within_limit()
    }

    /// The `N` bytes at `pos`, in bounds and accounted as
    /// [`range`](Self::range) accounts them, read in one load: indexing
    /// byte by byte after `range` kept a bounds check and a load per byte
    /// (the compiler cannot see through the saturating sum).
    #[inline(always)]
    fn array_at<const N: usize>(&mut self, pos: usize) -> Fast<[u8; N]> {
        let bytes = *self
            .buf
            .get(pos..)
            .and_then(<[u8]>::first_chunk::<N>)
            .ok_or(Reject)?;
        self.apparent = self.apparent.saturating_add(N);
        Ok(bytes)
    }

    #[inline(always)]
    fn u16_at(&mut self, pos: usize) -> Fast<u16> {
        Self::aligned(pos, 2)?;
        Ok(u16::from_le_bytes(self.array_at(pos)?))
    }

    /// The unsigned offset stored at `pos`.
    #[inline(always)]
    pub fn uoffset(&mut self, pos: usize) -> Fast<usize> {
        Self::aligned(pos, 4)?;
        Ok(u32::from_le_bytes(self.array_at(pos)?) as usize)
    }

    /// Where the forward offset at `pos` points.
    #[inline(always)]
    pub fn forward(&mut self, pos: usize) -> Fast<usize> {
        Ok(self.uoffset(pos)?.saturating_add(pos))
    }

    /// A scalar of `size` bytes and alignment `align` at `pos`.
    #[inline(always)]
    pub fn scalar(&mut self, pos: usize, size: usize, align: usize) -> Fast {
        Self::aligned(pos, align)?;
        self.range(pos, size)
    }

    /// A vector of `elem_size`-byte elements at `pos`; its elements' range.
    /// An empty vector needs no more alignment than its length (4): the C++
    /// builder aligns an empty vector of 8-byte scalars only to 4, and
    /// verifiers must accept that (google/flatbuffers#8374).
    #[inline(always)]
    pub fn vector(&mut self, pos: usize, elem_size: usize, elem_align: usize) -> Fast<Range<usize>> {
        let len = self.uoffset(pos)?;
        let start = pos.saturating_add(4);
        if len > 0 {
            Self::aligned(start, elem_align)?;
        }
        let size = len.saturating_mul(elem_size);
        self.range_limited(start, size)?;
        Ok(start..start.saturating_add(size))
    }

    /// A vector field at `pos` (the field's offset, then the vector) of
    /// scalars of `elem_size` bytes.
    #[inline(always)]
    pub fn scalar_vector(&mut self, pos: usize, elem_size: usize, elem_align: usize) -> Fast {
        let at = self.forward(pos)?;
        self.vector(at, elem_size, elem_align).map(|_| ())
    }

    /// A vector field at `pos` of offsets (to strings or tables), each
    /// target verified by `each` at the position it points to.
    #[inline(always)]
    pub fn offset_vector(&mut self, pos: usize, mut each: impl FnMut(&mut Self, usize) -> Fast) -> Fast {
        let at = self.forward(pos)?;
        for element in self.vector(at, 4, 4)?.step_by(4) {
            let target = self.forward(element)?;
            each(self, target)?;
        }
        Ok(())
    }

    /// A string at `pos`: UTF-8, followed by a zero byte.
    #[inline(always)]
    pub fn string(&mut self, pos: usize) -> Fast {
        let range = self.vector(pos, 1, 1)?;
        if self.buf.get(range.end) != Some(&0) {
            return Err(Reject);
        }
        // ASCII, the common case, is checked inline (`from_utf8` and
        // `is_ascii` are calls: the first was a fifth of reading the
        // telemetry message); anything else goes to `from_utf8`.
        let Some(text) = self.buf.get(range.clone()) else {
            return Err(Reject);
        };
        if !ascii_within(self.buf, range) && std::str::from_utf8(text).is_err() {
            return Err(Reject);
        }
        Ok(())
    }

    /// Enters the table at `pos`.
    #[inline(always)]
    pub fn table(&mut self, pos: usize) -> Fast<FastTable> {
        Self::aligned(pos, 4)?;
        let soffset = i32::from_le_bytes(self.array_at(pos)?);
        let vtable = if soffset > 0 {
            pos.checked_sub(soffset.unsigned_abs() as usize)
        } else {
            pos.checked_add(soffset.unsigned_abs() as usize)
        }
        .filter(|&v| v < self.buf.len())
        .ok_or(Reject)?;
        let vtable_len = self.u16_at(vtable)? as usize;
        Self::aligned(vtable.saturating_add(vtable_len), 2)?;
        self.range_limited(vtable, vtable_len)?;
        self.tables += 1;
        self.depth += 1;
        if self.tables > self.limits.max_tables || self.depth > self.limits.max_depth {
            return Err(Reject);
        }
        Ok(FastTable {
            pos,
            vtable,
            vtable_len,
        })
    }

    /// Where field `slot` of `table` is, if present.
    #[inline(always)]
    pub fn field(&mut self, table: &FastTable, slot: u16) -> Fast<Option<usize>> {
        let slot = usize::from(slot);
        if slot < table.vtable_len {
            let offset = self.u16_at(table.vtable.saturating_add(slot))?;
            if offset > 0 {
                return Ok(Some(table.pos.saturating_add(usize::from(offset))));
            }
        }
        Ok(None)
    }

    /// Whether `table`'s vtable is `canonical` byte for byte: the vtable a
    /// derived type's own writer writes when every field is present. Each
    /// field is then at the position `canonical` names, and the caller
    /// verifies it there without looking its entry up. What
    /// [`field`](Self::field) would have accounted for reading the entries
    /// is accounted here, so the limits see the same apparent size: the
    /// two ways accept exactly the same tables.
    #[inline(always)]
    pub fn has_vtable(&mut self, table: &FastTable, canonical: &[u8]) -> Fast<bool> {
        let entries = table.vtable.saturating_add(4)..table.vtable.saturating_add(table.vtable_len);
        // `canonical` starts with its own length, so equal bytes mean an
        // equal length; the header (checked by `table`) is compared too.
        if table.vtable_len != canonical.len() || self.buf.get(table.vtable..entries.end) != Some(canonical) {
            return Ok(false);
        }
        // Compared with the limit with the fields' own sizes (see `range`).
        self.apparent = self.apparent.saturating_add(entries.len());
        Ok(true)
    }

    /// Leaves the table entered last.
    #[inline(always)]
    pub fn end_table(&mut self) {
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::ascii_within;

    /// Every text length up to 40 at every start up to 12 in a buffer with
    /// bytes around it, each byte of the text (and each byte around it) in
    /// turn set to a non-ASCII value: the answer is `is_ascii`'s.
    #[test]
    fn ascii_within_agrees_with_is_ascii() {
        for start in 0..12 {
            for len in 0..40 {
                for around in [0x00, 0x7F, 0x80, 0xFF] {
                    let mut buf = vec![around; start + len + 9];
                    for b in &mut buf[start..start + len] {
                        *b = b'a';
                    }
                    let range = start..start + len;
                    assert!(ascii_within(&buf, range.clone()), "{start} {len} {around}");
                    for at in 0..len {
                        for bad in [0x80, 0xC3, 0xFF] {
                            buf[start + at] = bad;
                            assert_eq!(ascii_within(&buf, range.clone()), buf[range.clone()].is_ascii());
                            assert!(!ascii_within(&buf, range.clone()), "{start} {len} {at}");
                            buf[start + at] = b'a';
                        }
                    }
                    // The buffer ending right after the text.
                    let cut = &buf[..start + len];
                    assert!(ascii_within(cut, range.clone()));
                }
            }
        }
        assert!(!ascii_within(b"abc", 2..5), "a range past the buffer");
    }
}
