//! Fuzz target `reader`: see `flatstream_suite::fuzz::reader`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flatstream_suite::fuzz::reader(data);
});
