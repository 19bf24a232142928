//! Fuzz target `reader`: see `flatstream_tests::fuzz::reader`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_tests::fuzz::reader(data);
});
