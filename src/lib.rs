//! Workspace-level integration tests and examples for `flatstream` live in
//! `tests/` and `examples/`; this crate holds only the fuzz target bodies
//! shared by `fuzz/` (cargo-fuzz) and the stable test suite.
#![deny(missing_docs)]

pub mod fuzz;
