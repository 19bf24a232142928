//! Fuzz target `view`: see `flatstream_tests::fuzz::view`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_tests::fuzz::view(data);
});
