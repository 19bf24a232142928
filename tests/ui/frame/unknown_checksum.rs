use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(checksum = crc8)]
struct Telemetry {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(checksum = crc23c)]
struct Typo {
    value: f64,
}

fn main() {}
