use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[repr(u8)]
#[frame(checksum = crc32c)]
enum Unit {
    Celsius,
    Kelvin,
}

fn main() {}
