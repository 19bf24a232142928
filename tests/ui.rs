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
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/frame/*.rs");
    t.compile_fail("tests/ui/item/*.rs");
    t.compile_fail("tests/ui/field/*.rs");
    t.compile_fail("tests/ui/protocol/*.rs");
    t.compile_fail("tests/ui/decode/*.rs");
    t.compile_fail("tests/ui/soundness/*.rs");
}
