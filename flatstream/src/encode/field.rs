//! How each supported field type is written into a FlatBuffers table. Used by
//! the code `#[derive(StreamSerialize)]` generates; not a public API (it is
//! reached through `__private` and may change in any release).
//!
//! Writing a table happens in two steps, as FlatBuffers requires: first every
//! out-of-line value (strings, vectors, sub-tables) is created and its offset
//! kept ([`Field::prepare`]), then the table is started and each field pushed
//! into its slot ([`Field::push`]). Scalars "prepare" to themselves.
//!
//! The derive's own encoding path skips the builder: [`Field::write_direct`]
//! writes a field into a table laid out at compile time
//! ([`crate::encode::table_writer`]). Both paths store the same fields with the same
//! values; `tests/tests/derive_properties.rs` holds them to it.

use flatbuffers::{FlatBufferBuilder, Push, WIPOffset};

use crate::buf::PayloadBuf;
use crate::encode::field_traits::{Field, Offset, Table, VectorElement};
use crate::encode::out::{put_scalar, Out, Scalar, MAX_FLATBUFFER_LEN};
use crate::encode::table_writer;
use crate::error::{Error, Result};

/// Refuses out-of-line data that would grow the buffer past the 2 GiB the
/// `flatbuffers` builder supports (it panics beyond that).
#[inline]
pub fn check_room(b: &FlatBufferBuilder<'_>, bytes: usize) -> Result<()> {
    // 1 MiB of headroom for the tables, vtables and offsets around the data.
    const HEADROOM: usize = 1 << 20;
    let used = b.unfinished_data().len();
    if bytes > MAX_FLATBUFFER_LEN - HEADROOM - used.min(MAX_FLATBUFFER_LEN - HEADROOM) {
        return Err(Error::Serialize {
            reason: format!(
                "adding {bytes} bytes to a {used}-byte message exceeds the 2 GiB a FlatBuffers buffer can hold"
            )
            .into(),
        });
    }
    Ok(())
}

macro_rules! scalar_fields {
    ($($ty:ty = $zero:expr),* $(,)?) => {$(
        impl Field for $ty {
            type Prepared = $ty;
            const INLINE_SIZE: usize = std::mem::size_of::<$ty>();
            #[inline(always)]
            fn prepare(&self, _b: &mut FlatBufferBuilder<'_>) -> Result<$ty> {
                Ok(*self)
            }
            #[inline(always)]
            fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: $ty) {
                push_unless_default(b, slot, value, $zero);
            }
            #[inline(always)]
            fn push_always(b: &mut FlatBufferBuilder<'_>, slot: u16, value: $ty) {
                b.push_slot_always::<$ty>(slot, value);
            }
            #[inline(always)]
            fn is_present(&self) -> bool {
                !self.same_bits($zero)
            }
            #[inline(always)]
            fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()> {
                put_scalar(buf, at, *self);
                Ok(())
            }
            #[inline(always)]
            fn slot_bits<B: PayloadBuf>(&self, _buf: &mut Out<'_, B>, _at: usize) -> Result<u64> {
                Ok(Scalar::bits(*self))
            }
        }

        impl VectorElement for $ty {
            #[inline]
            fn create_vector(items: &[$ty], b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
                check_room(b, std::mem::size_of_val(items))?;
                Ok(b.create_vector(items).as_union_value())
            }
            #[inline]
            fn write_vector<B: PayloadBuf>(items: &[$ty], buf: &mut Out<'_, B>, at: usize) -> Result<()> {
                table_writer::append_scalars(buf, at, items)
            }
        }
    )*};
}

scalar_fields! {
    bool = false,
    u8 = 0, i8 = 0, u16 = 0, i16 = 0, u32 = 0, i32 = 0, u64 = 0, i64 = 0,
    f32 = 0.0, f64 = 0.0,
}

/// Pushes a scalar unless it is (bit for bit) `default`: FlatBuffers leaves
/// defaults out, but `-0.0` is not `0.0` and keeps its sign.
#[inline(always)]
pub fn push_unless_default<T: Scalar + Push>(b: &mut FlatBufferBuilder<'_>, slot: u16, value: T, default: T)
where
    T::Output: 'static,
{
    if !value.same_bits(default) {
        b.push_slot_always::<T>(slot, value);
    }
}

/// Pushes an offset into a slot (offsets have no default to leave out).
#[inline(always)]
fn push_offset(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Offset) {
    b.push_slot_always::<Offset>(slot, value);
}

impl Field for str {
    type Prepared = Offset;
    const INLINE_SIZE: usize = 4;
    #[inline]
    fn prepare(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
        check_room(b, self.len())?;
        Ok(b.create_string(self).as_union_value())
    }
    #[inline(always)]
    fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Offset) {
        push_offset(b, slot, value);
    }
    #[inline]
    fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()> {
        table_writer::append_string(buf, at, self.as_bytes())
    }
    #[inline(always)]
    fn slot_bits<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<u64> {
        table_writer::append_string_offset(buf, at, self.as_bytes())
    }
}

/// Forwards every method of `Field` to the type the wrapper derefs to.
macro_rules! forward_field {
    ($(impl[$($gen:tt)*] for $ty:ty => $target:ty;)*) => {$(
        impl<$($gen)*> Field for $ty {
            type Prepared = <$target as Field>::Prepared;
            const INLINE_SIZE: usize = <$target as Field>::INLINE_SIZE;
            #[inline(always)]
            fn prepare(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Self::Prepared> {
                <$target as Field>::prepare(self, b)
            }
            #[inline(always)]
            fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Self::Prepared) {
                <$target as Field>::push(b, slot, value)
            }
            #[inline(always)]
            fn push_always(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Self::Prepared) {
                <$target as Field>::push_always(b, slot, value)
            }
            #[inline(always)]
            fn is_present(&self) -> bool {
                <$target as Field>::is_present(self)
            }
            #[inline(always)]
            fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()> {
                <$target as Field>::write_direct(self, buf, at)
            }
            #[inline(always)]
            fn slot_bits<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<u64> {
                <$target as Field>::slot_bits(self, buf, at)
            }
        }
    )*};
}

forward_field! {
    impl[] for String => str;
    impl[T: VectorElement] for Vec<T> => [T];
    impl['a, T: Field + ?Sized] for &'a T => T;
    impl[T: Field + ?Sized] for Box<T> => T;
}

impl<T: VectorElement> Field for [T] {
    type Prepared = Offset;
    const INLINE_SIZE: usize = 4;
    #[inline]
    fn prepare(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
        T::create_vector(self, b)
    }
    #[inline(always)]
    fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Offset) {
        push_offset(b, slot, value);
    }
    #[inline]
    fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()> {
        T::write_vector(self, buf, at)
    }
}

impl<T: Field> Field for Option<T> {
    type Prepared = Option<T::Prepared>;
    const INLINE_SIZE: usize = T::INLINE_SIZE;
    #[inline(always)]
    fn prepare(&self, b: &mut FlatBufferBuilder<'_>) -> Result<Self::Prepared> {
        match self {
            Some(value) => value.prepare(b).map(Some),
            None => Ok(None),
        }
    }
    #[inline(always)]
    fn push(b: &mut FlatBufferBuilder<'_>, slot: u16, value: Self::Prepared) {
        if let Some(value) = value {
            T::push_always(b, slot, value);
        }
    }
    /// `Some` is stored even when it holds the default, so `Some(0)`
    /// differs from `None`.
    #[inline(always)]
    fn is_present(&self) -> bool {
        self.is_some()
    }
    #[inline(always)]
    fn write_direct<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<()> {
        match self {
            Some(value) => value.write_direct(buf, at),
            None => Ok(()),
        }
    }
    #[inline(always)]
    fn slot_bits<B: PayloadBuf>(&self, buf: &mut Out<'_, B>, at: usize) -> Result<u64> {
        match self {
            Some(value) => value.slot_bits(buf, at),
            None => Ok(0),
        }
    }
}

/// Vectors of strings and of tables: every element is created first, then
/// the vector of their offsets.
fn create_offset_vector<T>(
    items: &[T],
    b: &mut FlatBufferBuilder<'_>,
    mut create: impl FnMut(&T, &mut FlatBufferBuilder<'_>) -> Result<Offset>,
) -> Result<Offset> {
    check_room(b, items.len().saturating_mul(4))?;
    let offsets = items
        .iter()
        .map(|item| create(item, b))
        .collect::<Result<Vec<Offset>>>()?;
    Ok(b.create_vector(&offsets).as_union_value())
}

impl VectorElement for String {
    fn create_vector(items: &[String], b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
        create_offset_vector(items, b, |s, b| s.as_str().prepare(b))
    }
    fn write_vector<B: PayloadBuf>(items: &[String], buf: &mut Out<'_, B>, at: usize) -> Result<()> {
        table_writer::append_string_vector(buf, at, items)
    }
}

impl VectorElement for &str {
    fn create_vector(items: &[&str], b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
        create_offset_vector(items, b, |s, b| s.prepare(b))
    }
    fn write_vector<B: PayloadBuf>(items: &[&str], buf: &mut Out<'_, B>, at: usize) -> Result<()> {
        table_writer::append_string_vector(buf, at, items)
    }
}

/// `Vec` of a derived struct: a vector of tables.
pub fn create_table_vector<T: Table>(items: &[T], b: &mut FlatBufferBuilder<'_>) -> Result<Offset> {
    create_offset_vector(items, b, |t, b| t.build_table(b))
}

/// `Vec` of a derived enum: a vector of its representation.
pub fn create_enum_vector<'fbb, T, R: Push + Copy>(
    items: &[T],
    b: &mut FlatBufferBuilder<'fbb>,
    repr: impl Fn(&T) -> R,
) -> Result<Offset>
where
    R::Output: 'fbb,
{
    check_room(b, items.len().saturating_mul(8))?;
    Ok(b.create_vector_from_iter(items.iter().map(repr)).as_union_value())
}

/// Ends a table started with `start_table`, erasing its type.
#[inline(always)]
pub fn end_table(
    b: &mut FlatBufferBuilder<'_>,
    start: WIPOffset<flatbuffers::TableUnfinishedWIPOffset>,
) -> Offset {
    WIPOffset::new(b.end_table(start).value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_room_refuses_what_the_builder_cannot_hold() {
        let b = FlatBufferBuilder::new();
        assert!(check_room(&b, 1000).is_ok());
        assert!(matches!(check_room(&b, usize::MAX), Err(Error::Serialize { .. })));
        assert!(matches!(
            check_room(&b, MAX_FLATBUFFER_LEN),
            Err(Error::Serialize { .. })
        ));
    }
}
