//! Derive macros for [`flatstream`](https://docs.rs/flatstream).
//!
//! Use them through `flatstream` (feature `derive`, on by default) rather than
//! depending on this crate directly. The derives themselves arrive with the
//! `#[derive(StreamSerialize)]` work; this crate is the skeleton they grow in.
#![deny(missing_docs)]
