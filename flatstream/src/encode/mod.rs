//! The encode layer: [`StreamSerialize`](serialize::StreamSerialize), the
//! sink payloads are appended to, and the table writer the derive's
//! generated encoders call (with the builder-based field helpers).
//!
//! Leaf first: `sink` (where bytes go) and `out` (the table's buffer,
//! scalars, layout), `field_traits`, `table_writer`, `field` (the impls),
//! then `serialize` on top.

pub(crate) mod field;
pub(crate) mod field_traits;
pub(crate) mod out;
pub(crate) mod serialize;
pub(crate) mod sink;
pub(crate) mod table_writer;
