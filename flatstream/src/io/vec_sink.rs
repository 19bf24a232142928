//! A `Vec<u8>` as the sink of a sync writer, recognised behind the generic
//! `W: Write` so that a frame's parts are appended to it with
//! [`append_parts`](crate::buf::append_parts) rather than through `Write`.
//!
//! Why not `Vec`'s own `write_vectored`: it reserves for the whole frame,
//! then extends by each part, checking the capacity again for every one,
//! and its growth is a call handed a pointer to the `Vec`. The `Vec` of a
//! `StreamWriter` sits inside the writer, so to LLVM that call may change
//! any of the writer's fields: it reloads them around every frame and
//! cannot keep the writer's loop to one path. Built 64-byte payloads into a
//! `Vec` ran at 0.92x of a hand `extend_from_slice` loop that way, and at
//! 1.00x-1.04x with `append_parts`, whose growth is handed the `Vec` by
//! value (`benches/zero_cost.rs`, `write_64B`).

use std::any::TypeId;
#[cfg(test)]
use std::io;

/// Whether a `W` is a `Vec<u8>` or `&mut Vec<u8>` ([`as_vec`] gives it as
/// one); decided at compile time.
#[inline(always)]
pub(crate) fn is_vec<W: ?Sized>() -> bool {
    is_owned_vec::<W>() || is_borrowed_vec::<W>()
}

// `typeid::of` is a type's `TypeId` with its lifetimes erased (`TypeId::of`
// wants `W: 'static`, which a `&mut Vec<u8>` sink is not).

/// Whether `W` is `Vec<u8>`.
#[inline(always)]
fn is_owned_vec<W: ?Sized>() -> bool {
    typeid::of::<W>() == TypeId::of::<Vec<u8>>()
}

/// Whether `W` is `&mut Vec<u8>` (of any lifetime).
#[inline(always)]
fn is_borrowed_vec<W: ?Sized>() -> bool {
    typeid::of::<W>() == TypeId::of::<&'static mut Vec<u8>>()
}

/// `writer` as the `Vec<u8>` it is, when its type is `Vec<u8>` or
/// `&mut Vec<u8>`; `None` for any other type (decided at compile time).
#[inline(always)]
pub(crate) fn as_vec<W: ?Sized>(writer: &mut W) -> Option<&mut Vec<u8>> {
    if is_owned_vec::<W>() {
        // SAFETY: `Vec<u8>` has no lifetime parameters, so a type whose
        // erased `TypeId` is `Vec<u8>`'s is `Vec<u8>` itself: the cast is
        // the identity, and the borrow is `writer`'s.
        Some(unsafe { &mut *(writer as *mut W).cast::<Vec<u8>>() })
    } else if is_borrowed_vec::<W>() {
        // SAFETY: as above, `W` is `&'a mut Vec<u8>` for some `'a`, which
        // outlives the borrow `writer` (a `&mut W` implies `W` outlives
        // it). The reference is read, never written, so no shorter
        // lifetime is stored into `W`, and its target is reborrowed for no
        // longer than `writer` lives.
        let inner = unsafe { &mut *(writer as *mut W).cast::<&mut Vec<u8>>() };
        Some(&mut **inner)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_vec_of_bytes_or_a_mutable_reference_to_one_is_recognised() {
        let mut vec = vec![1u8, 2];
        assert_eq!(as_vec(&mut vec).map(|v| v.as_ptr()), Some(vec.as_ptr()));
        let mut by_ref = &mut vec;
        let target = by_ref.as_ptr();
        assert_eq!(as_vec(&mut by_ref).map(|v| v.as_ptr()), Some(target));
        as_vec(&mut by_ref).unwrap().push(3);
        assert_eq!(vec, [1, 2, 3]);

        assert!(is_vec::<Vec<u8>>() && is_vec::<&mut Vec<u8>>());
        assert!(!is_vec::<&Vec<u8>>() && !is_vec::<Vec<i8>>() && !is_vec::<io::Sink>());
        assert!(as_vec(&mut io::Cursor::new(Vec::<u8>::new())).is_none());
        assert!(as_vec(&mut Box::new(Vec::<u8>::new())).is_none());
        assert!(as_vec(&mut Vec::<i8>::new()).is_none());
        assert!(as_vec(&mut io::sink()).is_none());
        assert!(as_vec(&mut &mut io::Cursor::new(Vec::<u8>::new())).is_none());
        let mut shared = &vec![0u8];
        assert!(as_vec(&mut shared).is_none());
    }
}
