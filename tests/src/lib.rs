//! Workspace-level integration tests and examples for `flatstream` live in
//! `tests/` and `examples/`; this crate holds the fuzz target bodies shared by
//! `fuzz/` (cargo-fuzz) and the stable test suite, and the corruption matrix
//! shared by its test and its example.
#![deny(missing_docs)]

pub mod fuzz;
pub mod matrix;
