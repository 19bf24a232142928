//! Workspace-level integration tests and examples for `flatstream` live in
//! `tests/` and `examples/`; this crate has no code of its own.
