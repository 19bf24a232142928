//! Compile-time errors are part of the interface: every misuse of the derives
//! and `#[frame]` has a case here with its expected message checked in
//! (`tests/ui/**/*.stderr`), and every feature a case that must compile.
//! One trybuild run builds them all.
//!
//! After changing a message: `TRYBUILD=overwrite cargo test --test ui`, then
//! review the `.stderr` diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/frame/*.rs");
    t.compile_fail("ui/item/*.rs");
    t.compile_fail("ui/field/*.rs");
    t.compile_fail("ui/protocol/*.rs");
    t.compile_fail("ui/decode/*.rs");
    t.compile_fail("ui/soundness/*.rs");
}
