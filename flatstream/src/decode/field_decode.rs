//! The per-field decoders: [`DecodeField`] and [`DecodeElement`] for the
//! scalars, strings, byte and scalar vectors, `Vec`, `Option` and `Box`.
//! Each `unsafe impl` reads exactly what its verifier checked (the traits'
//! contract, in `verify.rs`). Derived tables and enums get theirs from the
//! derive.

use flatbuffers::{Follow, ForwardsUOffset, InvalidFlatbuffer, TableVerifier, Vector};

use crate::decode::fast_verify::{Fast, FastVerifier};
use crate::decode::vector::VectorView;
use crate::decode::verify::{DecodeElement, DecodeField, ScalarVector, TableRef};
use crate::error::Result;

macro_rules! scalar_decode {
    ($($ty:ty),*) => {$(
        // SAFETY: verified as this scalar, read as this scalar.
        unsafe impl DecodeField for $ty {
            type View<'a> = $ty;
            const INLINE_SIZE: usize = std::mem::size_of::<$ty>();
            #[inline]
            fn verify<'v, 'o, 'b>(
                tv: TableVerifier<'v, 'o, 'b>,
                name: &'static str,
                slot: u16,
                required: bool,
            ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
                tv.visit_field::<$ty>(name, slot, required)
            }
            #[inline(always)]
            fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
                fv.scalar(pos, std::mem::size_of::<$ty>(), std::mem::align_of::<$ty>())
            }
            #[inline(always)]
            unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<$ty> {
                // SAFETY: the caller verified the slot as this scalar.
                unsafe { t.get::<$ty>(slot) }
            }
            #[inline(always)]
            fn absent<'a>() -> Self::View<'a> {
                <$ty>::default()
            }
            #[inline(always)]
            fn to_owned(view: $ty) -> Result<$ty> {
                Ok(view)
            }
        }
    )*};
}

macro_rules! scalar_elements {
    ($($ty:ty),*) => {$(
        // SAFETY: verified as a vector of this scalar, read as one.
        unsafe impl DecodeElement for $ty {
            type Fb<'a> = $ty;
            type ElemView<'a> = $ty;
            type VecView<'a> = VectorView<'a, $ty>;
            #[inline]
            fn verify_vec<'v, 'o, 'b>(
                tv: TableVerifier<'v, 'o, 'b>,
                name: &'static str,
                slot: u16,
                required: bool,
            ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
                tv.visit_field::<ForwardsUOffset<ScalarVector<$ty>>>(name, slot, required)
            }
            #[inline(always)]
            fn fast_verify_vec(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
                fv.scalar_vector(pos, std::mem::size_of::<$ty>(), std::mem::align_of::<$ty>())
            }
            #[inline(always)]
            fn elem_view<'a>(inner: <Self::Fb<'a> as Follow<'a>>::Inner) -> Self::ElemView<'a> {
                inner
            }
            #[inline]
            fn vec_view<'a>(v: Option<Vector<'a, $ty>>) -> VectorView<'a, $ty> {
                VectorView::new(v)
            }
            fn vec_to_owned(view: VectorView<'_, $ty>) -> Result<Vec<$ty>> {
                Ok(view.iter().collect())
            }
        }
    )*};
}

scalar_decode!(bool, u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);
scalar_elements!(bool, i8, u16, i16, u32, i32, u64, i64, f32, f64);

/// Byte vectors read as `&[u8]`.
// SAFETY: verified as a vector of bytes, read as one.
unsafe impl DecodeElement for u8 {
    type Fb<'a> = u8;
    type ElemView<'a> = u8;
    type VecView<'a> = &'a [u8];
    #[inline]
    fn verify_vec<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        tv.visit_field::<ForwardsUOffset<Vector<'_, u8>>>(name, slot, required)
    }
    #[inline(always)]
    fn fast_verify_vec(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        fv.scalar_vector(pos, 1, 1)
    }
    #[inline(always)]
    fn elem_view<'a>(inner: <Self::Fb<'a> as Follow<'a>>::Inner) -> Self::ElemView<'a> {
        inner
    }
    #[inline]
    fn vec_view<'a>(v: Option<Vector<'a, u8>>) -> &'a [u8] {
        v.map_or(&[], |v| v.bytes())
    }
    fn vec_to_owned(view: &[u8]) -> Result<Vec<u8>> {
        Ok(view.to_vec())
    }
}

// SAFETY: verified as a string (in bounds, UTF-8, terminated), read as one.
unsafe impl DecodeField for String {
    type View<'a> = &'a str;
    const REQUIRED: bool = true;
    const INLINE_SIZE: usize = 4;
    #[inline]
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        tv.visit_field::<ForwardsUOffset<&str>>(name, slot, required)
    }
    #[inline(always)]
    fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        let at = fv.forward(pos)?;
        fv.string(at)
    }
    #[inline(always)]
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<&'a str> {
        // SAFETY: the caller verified the slot as a string.
        unsafe { t.get::<ForwardsUOffset<&'a str>>(slot) }
    }
    #[inline(always)]
    fn absent<'a>() -> Self::View<'a> {
        ""
    }
    #[inline]
    fn to_owned(view: &str) -> Result<String> {
        Ok(view.to_owned())
    }
}

// SAFETY: verified as a vector of strings, read as one.
unsafe impl DecodeElement for String {
    type Fb<'a> = ForwardsUOffset<&'a str>;
    type ElemView<'a> = &'a str;
    type VecView<'a> = VectorView<'a, String>;
    #[inline]
    fn verify_vec<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        tv.visit_field::<ForwardsUOffset<Vector<'_, ForwardsUOffset<&str>>>>(name, slot, required)
    }
    fn fast_verify_vec(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        fv.offset_vector(pos, FastVerifier::string)
    }
    #[inline(always)]
    fn elem_view<'a>(inner: <Self::Fb<'a> as Follow<'a>>::Inner) -> Self::ElemView<'a> {
        inner
    }
    #[inline]
    fn vec_view<'a>(v: Option<Vector<'a, ForwardsUOffset<&'a str>>>) -> VectorView<'a, String> {
        VectorView::new(v)
    }
    fn vec_to_owned(view: VectorView<'_, String>) -> Result<Vec<String>> {
        Ok(view.iter().map(str::to_owned).collect())
    }
}

// SAFETY: verified and read through `T`'s vector functions, whose contract
// `T: DecodeElement` carries.
unsafe impl<T: DecodeElement> DecodeField for Vec<T> {
    type View<'a> = T::VecView<'a>;
    const NEEDS_CHECK: bool = T::NEEDS_CHECK;
    const REQUIRED: bool = true;
    const INLINE_SIZE: usize = 4;
    #[inline]
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        T::verify_vec(tv, name, slot, required)
    }
    #[inline(always)]
    fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        T::fast_verify_vec(fv, pos)
    }
    #[inline(always)]
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<T::VecView<'a>> {
        // SAFETY: the caller verified the slot as a vector of `T`.
        let v = unsafe { t.get::<ForwardsUOffset<Vector<'a, T::Fb<'a>>>>(slot) }?;
        Some(T::vec_view(Some(v)))
    }
    unsafe fn check<M>(t: TableRef<'_, M>, slot: u16) -> Result<()> {
        // SAFETY: the caller verified the slot as a vector of `T`.
        if let Some(v) = unsafe { t.get::<ForwardsUOffset<Vector<'_, T::Fb<'_>>>>(slot) } {
            for i in 0..v.len() {
                T::check_elem(v.get(i))?;
            }
        }
        Ok(())
    }
    #[inline(always)]
    fn absent<'a>() -> Self::View<'a> {
        T::vec_view(None)
    }
    #[inline]
    fn to_owned(view: T::VecView<'_>) -> Result<Vec<T>> {
        T::vec_to_owned(view)
    }
}

// SAFETY: verified, checked and read as `T` throughout.
unsafe impl<T: DecodeField> DecodeField for Box<T> {
    type View<'a> = T::View<'a>;
    const NEEDS_CHECK: bool = T::NEEDS_CHECK;
    const REQUIRED: bool = T::REQUIRED;
    const INLINE_SIZE: usize = T::INLINE_SIZE;
    #[inline]
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        T::verify(tv, name, slot, required)
    }
    #[inline(always)]
    fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        T::fast_verify(fv, pos)
    }
    #[inline(always)]
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<T::View<'a>> {
        // SAFETY: forwarded to the caller.
        unsafe { T::read(t, slot) }
    }
    #[inline]
    unsafe fn check<M>(t: TableRef<'_, M>, slot: u16) -> Result<()> {
        // SAFETY: forwarded to the caller.
        unsafe { T::check(t, slot) }
    }
    #[inline(always)]
    fn absent<'a>() -> Self::View<'a> {
        T::absent()
    }
    #[inline]
    fn to_owned(view: T::View<'_>) -> Result<Box<T>> {
        T::to_owned(view).map(Box::new)
    }
}

// SAFETY: verified and read as `T` (absence is allowed, and read as `None`).
unsafe impl<T: DecodeField> DecodeField for Option<T> {
    type View<'a> = Option<T::View<'a>>;
    const NEEDS_CHECK: bool = T::NEEDS_CHECK;
    const INLINE_SIZE: usize = T::INLINE_SIZE;
    #[inline]
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        name: &'static str,
        slot: u16,
        _required: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        T::verify(tv, name, slot, false)
    }
    #[inline(always)]
    fn fast_verify(fv: &mut FastVerifier<'_>, pos: usize) -> Fast {
        T::fast_verify(fv, pos)
    }
    #[inline(always)]
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<Option<T::View<'a>>> {
        // SAFETY: forwarded to the caller.
        Some(unsafe { T::read(t, slot) })
    }
    #[inline]
    unsafe fn check<M>(t: TableRef<'_, M>, slot: u16) -> Result<()> {
        // SAFETY: forwarded to the caller.
        if unsafe { T::read(t, slot) }.is_some() {
            // SAFETY: forwarded to the caller.
            unsafe { T::check(t, slot) }
        } else {
            Ok(())
        }
    }
    #[inline(always)]
    fn absent<'a>() -> Self::View<'a> {
        None
    }
    #[inline]
    fn to_owned(view: Option<T::View<'_>>) -> Result<Option<T>> {
        view.map(T::to_owned).transpose()
    }
}
