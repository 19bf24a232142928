use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u16, checksum = crc32c)]
struct SensorLink;

#[derive(StreamSerialize)]
#[frame(protocol = SensorLink, checksum = crc16, len = u32)]
struct Reading {
    value: f64,
}

fn main() {}
