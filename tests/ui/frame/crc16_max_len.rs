use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(checksum = crc16, max_len = 65536)]
struct Telemetry {
    value: f64,
}

fn main() {}
