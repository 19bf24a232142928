//! Fuzz target `packed`: see `flatstream_tests::fuzz::packed`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_tests::fuzz::packed(data);
});
