//! What generated code reads verified payloads with: table references
//! tagged with the type they were verified as, the verification traits, and
//! per-field decoders. Not a public API: reached through `__private`.
//!
//! # Soundness
//!
//! Accessors read fields without bounds checks, trusting that verification
//! checked each one as the type it is read as. Two things carry that trust,
//! so that no safe code can break it:
//!
//! - A [`TableRef<'a, T>`](TableRef) says "verified as `T`": safe code only
//!   gets one from verification ([`verified_root::<T>`](verified_root), or
//!   following an offset that `T`'s verifier checked), and a view built from
//!   it ([`TableView::from_table`]) must be `T`'s own. Anything else is an
//!   `unsafe fn` with a `# Safety` contract.
//! - The traits whose methods verification relies on ([`VerifyTable`],
//!   [`DecodeField`], [`DecodeElement`]) are `unsafe trait`s: implementing
//!   one promises that its verifier checks what its readers read.

use std::fmt;
use std::marker::PhantomData;

use flatbuffers::{
    Follow, ForwardsUOffset, InvalidFlatbuffer, Table, TableVerifier, Vector, Verifiable, Verifier,
};

use crate::decode::fast_verify::{Fast, FastVerifier};
use crate::decode::limits::VerifyLimits;
use crate::decode::schema::{Schema, SchemaKind};
use crate::error::{Error, Result};

/// A table verified as a `T`: safe code gets one only from `T`'s
/// verification, so reading the fields `T` verified is in bounds.
pub struct TableRef<'a, T> {
    table: Table<'a>,
    verified_as: PhantomData<fn() -> T>,
}

impl<T> Clone for TableRef<'_, T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for TableRef<'_, T> {}

impl<'a, T> TableRef<'a, T> {
    /// # Safety
    ///
    /// `buf` must hold, at `loc`, a table that `T`'s verification accepted
    /// (or one that every field `T` reads is absent from).
    #[inline]
    pub unsafe fn new_unchecked(buf: &'a [u8], loc: usize) -> Self {
        TableRef {
            // SAFETY: forwarded to the caller.
            table: unsafe { Table::new(buf, loc) },
            verified_as: PhantomData,
        }
    }

    /// The root table of a payload.
    ///
    /// # Safety
    ///
    /// As [`new_unchecked`](Self::new_unchecked), for the root table.
    #[inline]
    pub unsafe fn root_unchecked(buf: &'a [u8]) -> Self {
        // SAFETY: forwarded to the caller, who vouches for the root offset.
        unsafe { Self::new_unchecked(buf, <ForwardsUOffset<Table<'a>>>::follow(buf, 0).loc()) }
    }

    /// Reads `slot` as `F`, `None` when absent.
    ///
    /// # Safety
    ///
    /// The slot was verified as an `F`.
    #[inline(always)]
    pub(crate) unsafe fn get<F: Follow<'a> + 'a>(&self, slot: u16) -> Option<F::Inner> {
        // SAFETY: forwarded to the caller.
        unsafe { self.table.get::<F>(slot, None) }
    }
}

/// Verifies the root table of `payload` as `T`, turning the verifier's
/// errors into ours.
pub fn verify_root<T: VerifyTable>(payload: &[u8], limits: VerifyLimits) -> Result<()> {
    let options = limits.options();
    let mut verifier = Verifier::new(&options, payload);
    let result = verifier
        .get_uoffset(0)
        .and_then(|root| T::verify_table(&mut verifier, root as usize));
    result.map_err(invalid)
}

/// Our error for a verifier rejection.
pub fn invalid(e: InvalidFlatbuffer) -> Error {
    match e {
        InvalidFlatbuffer::MissingRequiredField { required, .. } => Error::MissingField {
            offset: 0,
            field: required,
        },
        source => Error::InvalidFlatBuffer {
            offset: 0,
            source: Box::new(source),
        },
    }
}

/// Whether the fast verifier accepts `payload` as `T` (for tests comparing
/// it with the `flatbuffers` verifier).
pub fn fast_accepts<T: VerifyTable>(payload: &[u8], limits: VerifyLimits) -> bool {
    let mut fv = FastVerifier::new(payload, limits);
    fv.uoffset(0)
        .and_then(|root| T::fast_verify_table(&mut fv, root))
        .and_then(|()| fv.finish())
        .is_ok()
}

/// Whether the `flatbuffers` verifier accepts `payload` as `T`.
pub fn flatbuffers_accepts<T: VerifyTable>(payload: &[u8], limits: VerifyLimits) -> bool {
    verify_root::<T>(payload, limits).is_ok()
}

/// The table verification the derive generates for a struct.
///
/// # Safety
///
/// Accessors of views over a [`TableRef<'_, Self>`](TableRef) read the
/// fields this verification checked without checking them again: an
/// implementation must check (in both [`verify_table`](Self::verify_table)
/// and [`fast_verify_table`](Self::fast_verify_table), accepting the same
/// tables) every field the type's view and [`check_table`](Self::check_table)
/// read, as the type they read it as.
pub unsafe trait VerifyTable {
    /// Verifies the table at `pos` (and everything it refers to).
    fn verify_table(v: &mut Verifier<'_, '_>, pos: usize) -> Result<(), InvalidFlatbuffer>;
    /// The same verification, specialised: see [`FastVerifier`].
    fn fast_verify_table(fv: &mut FastVerifier<'_>, pos: usize) -> Fast;
    /// Checks what the structural verifier cannot (enum values), on a table
    /// that passed [`verify_table`](Self::verify_table).
    fn check_table(t: TableRef<'_, Self>) -> Result<()>
    where
        Self: Sized;
    /// Whether [`check_table`](Self::check_table) has anything to check.
    const NEEDS_CHECK: bool;
}

/// A derived struct's view type, built from a table verified as its
/// message type (and only such a table: a table verified as another type
/// does not type-check).
pub trait TableView<'a>: Copy {
    /// The message type whose verified tables this views.
    type Message;
    /// The view of `table`.
    fn from_table(table: TableRef<'a, Self::Message>) -> Self;
}

/// A derived struct as a field: the link between the struct, its view and
/// its table verification.
pub trait NestedTable: VerifyTable + Sized + 'static {
    /// The struct's view type.
    type Ref<'a>: TableView<'a, Message = Self> + fmt::Debug;
    /// Copies a view out.
    fn owned(view: Self::Ref<'_>) -> Result<Self>;
}

/// A vector of scalars `T`, verified as `flatbuffers` verifies
/// `Vector<T>` (the same checks, the same apparent size), except that an
/// empty vector needs no more alignment than its 4-byte length: the C++
/// builder aligns an empty vector of 8-byte scalars only to 4, and
/// verifiers must accept that (google/flatbuffers#8374). Reading an empty
/// vector reads nothing, so its elements' alignment is never relied on.
pub struct ScalarVector<T>(PhantomData<T>);

impl<T> Verifiable for ScalarVector<T> {
    #[inline]
    fn run_verifier(v: &mut Verifier<'_, '_>, pos: usize) -> Result<(), InvalidFlatbuffer> {
        let len = v.get_uoffset(pos)? as usize;
        let start = pos.saturating_add(4);
        if len > 0 {
            v.is_aligned::<T>(start)?;
        }
        v.range_in_buffer(start, len.saturating_mul(std::mem::size_of::<T>()))
    }
}

/// The flatbuffers type of a nested table `T` (verified with `T`'s rules).
pub struct Nested<T>(PhantomData<T>);

impl<'a, T: 'a> Follow<'a> for Nested<T> {
    type Inner = TableRef<'a, T>;
    #[inline(always)]
    unsafe fn follow(buf: &'a [u8], loc: usize) -> TableRef<'a, T> {
        // SAFETY: `Follow::follow` requires a valid table at `loc`; the
        // verifier ran `Nested<T>::run_verifier`, `T`'s verification, on it.
        unsafe { TableRef::new_unchecked(buf, loc) }
    }
}

impl<T: VerifyTable> Verifiable for Nested<T> {
    #[inline]
    fn run_verifier(v: &mut Verifier<'_, '_>, pos: usize) -> Result<(), InvalidFlatbuffer> {
        T::verify_table(v, pos)
    }
}

/// A field type that can be read back.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a message that derives StreamDeserialize",
    label = "not readable",
    note = "readable: bool, u8..u64, i8..i64, f32, f64, String, Vec<u8>, Vec<scalar>, Vec<String>, structs and \
            #[repr] enums that derive StreamDeserialize, Vec<T> of those, and Option<T> or Box<T> of all these"
)]
///
/// # Safety
///
/// [`read`](Self::read) and [`check`](Self::check) read a slot that
/// [`verify`](Self::verify) (or [`fast_verify`](Self::fast_verify), which
/// must accept the same) checked, without checking it again: they must read
/// nothing those did not check.
pub unsafe trait DecodeField: Sized {
    /// What the accessor returns.
    type View<'a>: fmt::Debug;
    /// Whether reading may fail a check after structural verification.
    const NEEDS_CHECK: bool = false;
    /// Whether the field must be present unless it has a default (strings,
    /// vectors and tables; scalars read as their default when absent).
    const REQUIRED: bool = false;
    /// Bytes the field takes inside its table (offsets take 4), as the
    /// encoder's `Field::INLINE_SIZE`: from them the derive computes the
    /// vtable its own writer writes, which the fast verifier recognises
    /// (see [`FastVerifier::has_vtable`]). A wrong size costs only that
    /// shortcut, never a check.
    const INLINE_SIZE: usize;
    /// Verifies the field in `slot` (`name` is reported if it is missing).
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer>;
    /// [`verify`](Self::verify) in the [`FastVerifier`], for a field that
    /// is present at `pos`.
    fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast;
    /// Reads the field, `None` when absent.
    ///
    /// # Safety
    ///
    /// `t` was verified with [`verify`](Self::verify) for `slot`.
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<Self::View<'a>>;
    /// Checks beyond structure (enum values) on a verified table.
    ///
    /// # Safety
    ///
    /// As [`read`](Self::read).
    #[inline]
    unsafe fn check<M>(t: TableRef<'_, M>, slot: u16) -> Result<()> {
        let _ = (t, slot);
        Ok(())
    }
    /// The view of an absent field (never shown for required fields, which
    /// verification rejects when absent; a total fallback instead of a panic).
    fn absent<'a>() -> Self::View<'a>;
    /// Copies a view out.
    fn to_owned(view: Self::View<'_>) -> Result<Self>;
}

/// A type that can be an element of a `Vec` field that is read back.
///
/// # Safety
///
/// The vector accessors follow [`Fb`](Self::Fb) over what
/// [`verify_vec`](Self::verify_vec) (and [`fast_verify_vec`](Self::fast_verify_vec),
/// which must accept the same) checked: those must check a vector of `Fb`.
pub unsafe trait DecodeElement: Sized {
    /// The flatbuffers element type.
    type Fb<'a>: Follow<'a> + 'a;
    /// One element's view.
    type ElemView<'a>: fmt::Debug;
    /// What the accessor of a `Vec<Self>` field returns.
    type VecView<'a>: Copy + fmt::Debug;
    /// Whether elements need a check after structural verification.
    const NEEDS_CHECK: bool = false;
    /// Verifies a vector field of this element type.
    fn verify_vec<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer>;
    /// [`verify_vec`](Self::verify_vec) in the [`FastVerifier`], for a
    /// vector field present at `pos`.
    fn fast_verify_vec(fv: &mut FastVerifier<'_>, pos: usize) -> Fast;
    /// One element's view.
    fn elem_view<'a>(inner: <Self::Fb<'a> as Follow<'a>>::Inner) -> Self::ElemView<'a>;
    /// The accessor's view of a vector (`None` when absent).
    fn vec_view<'a>(v: Option<Vector<'a, Self::Fb<'a>>>) -> Self::VecView<'a>;
    /// Copies a vector view out.
    fn vec_to_owned(view: Self::VecView<'_>) -> Result<Vec<Self>>;
    /// Checks one element of a verified vector (enum values).
    #[inline]
    fn check_elem<'a>(inner: <Self::Fb<'a> as Follow<'a>>::Inner) -> Result<()> {
        let _ = inner;
        Ok(())
    }
}

/// A buffer holding one empty table: the view of a required nested table
/// that is absent (which verification rejects, so it is only a total
/// fallback: every field of it reads as absent).
static EMPTY_TABLE: [u8; 12] = [8, 0, 0, 0, 4, 0, 4, 0, 4, 0, 0, 0];

/// The empty table, as a table of any type `T` (see `EMPTY_TABLE`): every
/// field `T` reads is absent from it.
pub fn empty_table<T>() -> TableRef<'static, T> {
    // SAFETY: EMPTY_TABLE is a root offset (8), a 4-byte vtable with no
    // fields at 4, and a table at 8 pointing back 4 bytes to it; a table
    // with no fields reads every slot as absent, which is what `new_unchecked`
    // allows for any `T`. A test verifies it.
    unsafe { TableRef::root_unchecked(&EMPTY_TABLE) }
}

/// The default a schema states for a field whose type has schema `used`
/// (`declared`: the variant named by `#[flatstream(default = ..)]`): only
/// enums have one to state. `= null` for an optional enum (a FlatBuffers
/// optional scalar), the declared variant, or, when the enum has no
/// variant valued 0, its first variant (flatc refuses the implicit 0).
pub const fn field_default(
    used: &Schema,
    declared: Option<&'static str>,
    optional: bool,
) -> Option<&'static str> {
    let SchemaKind::Enum { variants, .. } = used.kind else {
        return None;
    };
    if optional {
        return Some("null");
    }
    if declared.is_some() {
        return declared;
    }
    let mut i = 0;
    while i < variants.len() {
        if variants[i].1 == 0 {
            return None;
        }
        i += 1;
    }
    match variants.first() {
        Some((name, _)) => Some(name),
        None => None,
    }
}

/// `DecodeField::verify` for a nested table `T`.
#[inline]
pub fn verify_nested<'v, 'o, 'b, T: VerifyTable>(
    tv: TableVerifier<'v, 'o, 'b>,
    name: &'static str,
    slot: u16,
    required: bool,
) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
    tv.visit_field::<ForwardsUOffset<Nested<T>>>(name, slot, required)
}

/// `DecodeElement::verify_vec` for a vector of tables `T`.
#[inline]
pub fn verify_nested_vec<'v, 'o, 'b, T: VerifyTable>(
    tv: TableVerifier<'v, 'o, 'b>,
    name: &'static str,
    slot: u16,
    required: bool,
) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
    tv.visit_field::<ForwardsUOffset<Vector<'_, ForwardsUOffset<Nested<T>>>>>(name, slot, required)
}

/// `DecodeField::fast_verify` for a nested table `T`.
#[inline]
pub fn fast_verify_nested<T: VerifyTable>(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
    let at = fv.forward(pos)?;
    T::fast_verify_table(fv, at)
}

/// `DecodeElement::fast_verify_vec` for a vector of tables `T`.
pub fn fast_verify_nested_vec<T: VerifyTable>(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
    fv.offset_vector(pos, |fv, table| T::fast_verify_table(fv, table))
}

/// `DecodeField::read` for a nested table `T`.
///
/// # Safety
///
/// The slot was verified with [`verify_nested::<T>`](verify_nested).
#[inline]
pub unsafe fn read_nested<'a, T: NestedTable, M>(t: TableRef<'a, M>, slot: u16) -> Option<T::Ref<'a>> {
    // SAFETY: forwarded to the caller.
    unsafe { t.get::<ForwardsUOffset<Nested<T>>>(slot) }.map(T::Ref::from_table)
}

/// `DecodeField::check` for a nested table `T`.
///
/// # Safety
///
/// As [`read_nested`].
#[inline]
pub unsafe fn check_nested<T: NestedTable, M>(t: TableRef<'_, M>, slot: u16) -> Result<()> {
    // SAFETY: forwarded to the caller.
    match unsafe { t.get::<ForwardsUOffset<Nested<T>>>(slot) } {
        Some(inner) => T::check_table(inner),
        None => Ok(()),
    }
}

/// Verifies a payload as `T`'s root table and returns the checked table.
#[inline]
pub fn verified_root<T: VerifyTable>(payload: &[u8], limits: VerifyLimits) -> Result<TableRef<'_, T>> {
    if fast_accepts::<T>(payload, limits) {
        // The fast verifier's accept path is what the unchecked reads
        // below trust: with debug assertions (the test suite), the
        // reference verifier must agree.
        debug_assert!(
            verify_root::<T>(payload, limits).is_ok(),
            "the fast verifier accepted a payload the flatbuffers verifier rejects: {payload:02x?}"
        );
    } else {
        // Rejected: the flatbuffers verifier says precisely why. (Should it
        // accept, it is the reference, and the payload is valid.)
        verify_root::<T>(payload, limits)?;
    }
    // SAFETY: verified as `T` just above, by the fast verifier (the same
    // checks, proven equal on the fuzz corpus) or the flatbuffers one.
    let table = unsafe { TableRef::root_unchecked(payload) };
    if T::NEEDS_CHECK {
        T::check_table(table)?;
    }
    Ok(table)
}

/// A fieldless enum read back from its representation.
pub trait EnumDecode: Sized {
    /// The `#[repr]` integer.
    type Repr: Copy + Into<i128> + Default;
    /// The variant with this value, if any.
    fn from_repr(repr: Self::Repr) -> Option<Self>;
    /// The variant returned where verification guarantees a valid value but
    /// the type system cannot see it (never observed).
    fn fallback() -> Self;
    /// What an absent field holds: the variant valued 0, or (an enum without
    /// one) the first variant, which the exported schema names as the
    /// field's default.
    const DEFAULT: Self::Repr;
    /// The enum's name, for errors.
    const NAME: &'static str;
}

/// The error for a value that is no variant of enum `E`.
pub fn invalid_enum<E: EnumDecode>(value: E::Repr) -> Error {
    Error::InvalidEnumValue {
        offset: 0,
        enum_name: E::NAME,
        value: value.into(),
    }
}

/// Checks a verified enum value (absent reads as the enum's default).
#[inline]
pub fn check_enum<E: EnumDecode>(raw: Option<E::Repr>) -> Result<()> {
    let value = raw.unwrap_or(E::DEFAULT);
    match E::from_repr(value) {
        Some(_) => Ok(()),
        None => Err(invalid_enum::<E>(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flatbuffers::VerifierOptions;

    #[test]
    fn the_empty_table_verifies_and_has_no_fields() {
        let options = VerifierOptions::default();
        let mut v = Verifier::new(&options, &EMPTY_TABLE);
        let root = v.get_uoffset(0).unwrap() as usize;
        v.visit_table(root).unwrap().finish();
        let t = empty_table::<()>();
        // SAFETY: reading absent slots of a verified table.
        unsafe {
            assert_eq!(<u64 as DecodeField>::read(t, 4), None);
            assert_eq!(<String as DecodeField>::read(t, 10), None);
        }
    }
}
