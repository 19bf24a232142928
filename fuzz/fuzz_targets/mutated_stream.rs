//! Fuzz target `mutated_stream`: see `flatstream_tests::fuzz::mutated_stream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_tests::fuzz::mutated_stream(data);
});
