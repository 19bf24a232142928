//! Small pieces only generated code (and the cross-check of the derive's
//! tables) uses, reached through `__private` (the verification machinery
//! has its own modules in `decode/`; the encoder's are in `encode/`).

/// A payload limit given as `u64` (as the derive computes it), saturated to
/// what `usize` holds on this target.
pub const fn clamp_len(n: u64) -> usize {
    if n > usize::MAX as u64 {
        usize::MAX
    } else {
        n as usize
    }
}

/// The scalar field types, with their sizes: the runtime's side of the
/// scalar list the derive's `symbol.rs` must agree with
/// (`tests/tests/keyword_tables.rs` compares them). Every type listed here is
/// checked at compile time to have what the derive's code needs of a
/// scalar: written by the builder and the table writer, and decoded as a
/// field and as a vector element.
macro_rules! scalar_list {
    ($($ty:ident),* $(,)?) => {
        /// The scalar field types and their sizes (see `scalar_list!`).
        pub const SCALAR_TYPES: &[(&str, usize)] = &[$((stringify!($ty), std::mem::size_of::<$ty>())),*];

        const _: () = {
            const fn is_scalar<
                T: crate::encode::out::Scalar
                    + crate::encode::field_traits::Field
                    + crate::encode::field_traits::VectorElement
                    + crate::decode::verify::DecodeField
                    + crate::decode::verify::DecodeElement,
            >() {
            }
            $(is_scalar::<$ty>();)*
        };
    };
}

scalar_list!(bool, u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_len_saturates() {
        assert_eq!(clamp_len(7), 7);
        assert_eq!(clamp_len(u64::MAX), usize::MAX);
    }
}
