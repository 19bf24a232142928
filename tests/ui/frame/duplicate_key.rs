use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c, len = u16)]
struct Telemetry {
    value: f64,
}

fn main() {}
