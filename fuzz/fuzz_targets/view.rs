//! Fuzz target `view`: see `flatstream_suite::fuzz::view`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_suite::fuzz::view(data);
});
