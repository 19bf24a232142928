//! A `Vec<u8>` as the sink of a sync writer: recognised behind the generic
//! `W: Write`, and a frame's parts appended to it with one capacity check.
//!
//! Why not `Vec`'s own `write_vectored`: it reserves for the whole frame,
//! then extends by each part, checking the capacity again for every one,
//! and its growth is a call handed a pointer to the `Vec`. The `Vec` of a
//! `StreamWriter` sits inside the writer, so to LLVM that call may change
//! any of the writer's fields: it reloads them around every frame and
//! cannot keep the writer's loop to one path. Built 64-byte payloads into a
//! `Vec` ran at 0.92x of a hand `extend_from_slice` loop that way, and at
//! 1.00x-1.04x with the append below, whose growth is handed the `Vec` by
//! value (`benches/zero_cost.rs`, `write_64B`).

use std::any::TypeId;
use std::collections::TryReserveError;
use std::io;

/// Whether a `W` is a `Vec<u8>` or `&mut Vec<u8>` ([`as_vec`] gives it as
/// one); decided at compile time.
#[inline(always)]
pub(crate) fn is_vec<W: ?Sized>() -> bool {
    let id = typeid::of::<W>();
    id == TypeId::of::<Vec<u8>>() || id == TypeId::of::<&'static mut Vec<u8>>()
}

/// `writer` as the `Vec<u8>` it is, when its type is `Vec<u8>` or
/// `&mut Vec<u8>`; `None` for any other type (decided at compile time).
#[inline(always)]
pub(crate) fn as_vec<W: ?Sized>(writer: &mut W) -> Option<&mut Vec<u8>> {
    // `typeid::of` is `W`'s `TypeId` with its lifetimes erased (`TypeId::of`
    // wants `W: 'static`, which a `&mut Vec<u8>` sink is not).
    let id = typeid::of::<W>();
    if id == TypeId::of::<Vec<u8>>() {
        // SAFETY: `Vec<u8>` has no lifetime parameters, so a type whose
        // erased `TypeId` is `Vec<u8>`'s is `Vec<u8>` itself: the cast is
        // the identity, and the borrow is `writer`'s.
        Some(unsafe { &mut *(writer as *mut W).cast::<Vec<u8>>() })
    } else if id == TypeId::of::<&'static mut Vec<u8>>() {
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

/// Appends `parts` to `vec`: one capacity check,
/// copies into the spare capacity, one length update. A `Vec` that cannot
/// grow by `total` bytes is left as it was, with an `OutOfMemory` error
/// (where `Vec`'s own `Write` would panic or abort).
#[inline(always)]
pub(crate) fn append_parts<const N: usize>(vec: &mut Vec<u8>, parts: [&[u8]; N]) -> io::Result<()> {
    let total = parts.iter().map(|part| part.len()).sum::<usize>();
    let start = vec.len();
    if vec.capacity() - start < total {
        // Handed over by value, so the call is given no pointer into the
        // writer that holds the `Vec` (see the module comment).
        let (grown, reserved) = reserve_by_value(std::mem::take(vec), total);
        *vec = grown;
        reserved.map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
    }
    let mut at = start;
    for part in parts {
        // SAFETY: the capacity is at least `start + total` (checked or
        // reserved above) and the parts add up to `total`: so every copy
        // lands in the spare capacity, from `at` to `at + part.len()`.
        // The source is a shared slice, the destination owned by `vec`,
        // which we borrow mutably: they do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), vec.as_mut_ptr().add(at), part.len()) };
        at += part.len();
    }
    // SAFETY: the `total` bytes after `start` were initialized just above,
    // within the capacity.
    unsafe { vec.set_len(start + total) };
    Ok(())
}

/// `vec` with room for `additional` more bytes, or as it was with the
/// error; out of line, taking and giving back the `Vec` by value.
#[cold]
#[inline(never)]
fn reserve_by_value(mut vec: Vec<u8>, additional: usize) -> (Vec<u8>, Result<(), TryReserveError>) {
    let reserved = vec.try_reserve(additional);
    (vec, reserved)
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

    /// Every split of up to three parts at every starting length and spare
    /// capacity, including none (the growth) and exactly enough.
    #[test]
    fn parts_are_appended_whole_after_what_the_vec_holds() {
        let bytes: Vec<u8> = (0..40).collect();
        for start in [0, 1, 7] {
            for spare in [0, 1, 5, 39, 40, 64] {
                for a in 0..=bytes.len() {
                    for b in a..=bytes.len() {
                        let mut vec = Vec::with_capacity(start + spare);
                        vec.extend((0..start).map(|i| 200 + i as u8));
                        let parts = [&bytes[..a], &bytes[a..b], &bytes[b..]];
                        append_parts(&mut vec, parts).unwrap();
                        assert_eq!(
                            vec[..start],
                            (0..start).map(|i| 200 + i as u8).collect::<Vec<_>>()[..]
                        );
                        assert_eq!(vec[start..], bytes[..]);
                        assert!(vec.capacity() >= vec.len());
                    }
                }
            }
        }
    }

    /// (Parts that large cannot exist on a 64-bit machine, so the growth
    /// is asked directly.)
    #[test]
    fn a_vec_that_cannot_grow_is_given_back_as_it_was() {
        let vec = vec![9u8; 3];
        let before = vec.as_ptr();
        let (vec, reserved) = reserve_by_value(vec, usize::MAX - 1);
        assert!(reserved.is_err());
        assert_eq!((vec.as_ptr(), &vec[..]), (before, &[9u8, 9, 9][..]));
        let (vec, reserved) = reserve_by_value(vec, 100);
        assert!(reserved.is_ok() && vec.capacity() >= 103 && vec == [9, 9, 9]);
    }
}
