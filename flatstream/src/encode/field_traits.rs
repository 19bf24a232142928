//! The traits a derived message's fields, vector elements, tables and
//! enums implement, for both encoding paths: the builder
//! (`FlatBufferBuilder`) and the table writer ([`Out`]). Used by the code
//! `#[derive(StreamSerialize)]` generates; reached through `__private`.

use flatbuffers::{FlatBufferBuilder, Push, UnionWIPOffset, WIPOffset};

use crate::buf::PayloadBuf;
use crate::encode::out::{Out, Scalar};
use crate::error::Result;

/// An offset to anything created in the builder, with its type erased.
pub type Offset = WIPOffset<UnionWIPOffset>;

/// A field type of a derived message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a flatstream message",
    label = "unsupported field type",
    // The text of `SUPPORTED_TYPES` in the derive's `symbol.rs`
    // (`tests/tests/keyword_tables.rs` holds them equal).
    note = "supported: bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, String, &str, Vec<u8>, &[u8], \
            Vec<scalar>, Vec<String>, Option<T> of these, and structs or fieldless #[repr] enums \
            that #[derive(StreamSerialize)]"
)]
pub trait Field {
    /// What [`prepare`](Self::prepare) leaves for [`push`](Self::push).
    type Prepared: Copy;
    /// Bytes the field takes inside the table (offsets take 4); fields are
    /// pushed largest first so the table needs no padding.
    const INLINE_SIZE: usize;
    /// Creates out-of-line data (strings, vectors, sub-tables).
    fn prepare(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Self::Prepared>;
    /// Stores the field in `slot`, leaving scalars out when they equal their
    /// default (the FlatBuffers convention; readers see the default).
    fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Self::Prepared);
    /// Stores the field in `slot` even when it equals the default (for
    /// `Option<scalar>`, where `Some(0)` and `None` must differ).
    /// The default is [`push`](Self::push): only scalars leave anything out.
    #[inline(always)]
    fn push_always(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Self::Prepared) {
        Self::push(b, slot, value);
    }
    /// Whether the direct path stores the field: `None` and a scalar equal
    /// (bit for bit) to its default are left out, as [`push`](Self::push)
    /// leaves them out. Strings, vectors and tables are always stored.
    #[inline(always)]
    fn is_present(&self) -> bool {
        true
    }
    /// [`push`](Self::push) for a field declared with
    /// `#[flatstream(default = ..)]`: an enum leaves out a value equal to
    /// `default()` (scalars get the literal compared by the derive);
    /// everything else is stored as `push` stores it, and `default` is
    /// never called (a `String` default is not built per message).
    #[inline(always)]
    fn push_unless(
        b: &mut FlatBufferBuilder<'_>,
        slot: u16,
        value: Self::Prepared,
        default: impl FnOnce() -> Self,
    ) where
        Self: Sized,
    {
        let _ = default;
        Self::push(b, slot, value);
    }
    /// [`is_present`](Self::is_present) for a field declared with
    /// `#[flatstream(default = ..)]`, as [`push_unless`](Self::push_unless).
    #[inline(always)]
    fn is_present_unless(&self, default: impl FnOnce() -> Self) -> bool
    where
        Self: Sized,
    {
        let _ = default;
        self.is_present()
    }
    /// Writes the field into its zeroed slot `buf[at..at + INLINE_SIZE]`,
    /// appending any out-of-line data to `buf`.
    fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()>;
    /// The field's slot as the little-endian integer of its `INLINE_SIZE`
    /// bytes, its out-of-line data appended to `buf` (an offset counts from
    /// `at`), for a writer that stores the table's fixed part as whole
    /// words ([`Table::write_root`]). The default writes the slot and reads
    /// it back; scalars and strings give it without a store.
    #[inline(always)]
    fn slot_bits<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<u64> {
        self.write_direct(buf, at)?;
        let mut wide = [0u8; 8];
        let size = Self::INLINE_SIZE.min(8);
        if let Some(slot) = buf.get(at..at + size) {
            wide[..size].copy_from_slice(slot);
        }
        Ok(u64::from_le_bytes(wide))
    }
}

/// A type that can be an element of a `Vec` field.
pub trait VectorElement: Sized {
    /// Creates a vector of `items` in the builder.
    fn create_vector(items: &[Self], b: &mut FlatBufferBuilder<'_>) -> Result<Offset>;
    /// Appends a vector of `items` to `buf` and points the offset at `at` to it.
    fn write_vector<B: PayloadBuf>(items: &[Self], buf: &mut Out<'_, B>, at: usize) -> Result<()>;
}

/// A derived struct, written as a FlatBuffers table.
pub trait Table {
    /// Writes the table (and everything it refers to) into the builder.
    fn build_table(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Offset>;
    /// Bytes of the table inline: its vtable offset and its fields.
    const TABLE_SIZE: usize;
    /// The vtable with every field present: `4 + 2 * fields` bytes, a
    /// constant of the type.
    const VTABLE: &'static [u8];
    /// A bit per field id, `[u64; (fields + 63) / 64]` (at least one word).
    type Absent: Copy + PartialEq + AsRef<[u64]>;
    /// The fields this value leaves out (`None`, a scalar equal to its
    /// default): their vtable entries are zeroed.
    fn absent(&self) -> Self::Absent;
    /// Writes the fields into the zeroed table at `buf[table..]`, appending
    /// their out-of-line data.
    fn write_fields<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, table: usize) -> Result<()>;
    /// Appends `self` as a payload's root table, at the start of `buf`
    /// (empty), its fixed part stored as whole 8-byte words built in
    /// registers (see `table_writer::encode_table_into`).
    fn write_root<B: PayloadBuf>(&self, buf: &mut Out<'_, B>) -> Result<()>;
}

/// A fieldless `#[repr(..)]` enum, written as its representation.
pub trait EnumRepr {
    /// The `#[repr]` integer type.
    type Repr: Field<Prepared = Self::Repr> + VectorElement + Push + Scalar + PartialEq;
    /// The value an absent field reads as, and so the one left out: the
    /// variant valued 0, or (an enum without one) the first variant, which
    /// the exported schema names as the default.
    const DEFAULT_REPR: Self::Repr;
    /// The discriminant of this variant.
    fn to_repr(&self) -> Self::Repr;
}
