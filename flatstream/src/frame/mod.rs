//! The frame layer, sans-IO: checksums, the framing traits and built-in
//! framers, derived layouts, and what recovery needs to resynchronise.
//! Depends on nothing but the error type and `buf`.

pub mod checksum;
pub(crate) mod checksum_keywords;
pub mod compress;
pub mod dynamic;
pub mod encrypt;
pub mod framing;
pub mod layout;
pub mod recovery;
