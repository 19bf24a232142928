use flatstream::prelude::*;

// Every mistake of the item is reported in one build.
#[derive(StreamSerialize)]
#[frame(len = i16, checksum = crc99, magic = b"", align = 3)]
struct Telemetry {
    value: f64,
    pair: (u8, u8),
}

fn main() {}
