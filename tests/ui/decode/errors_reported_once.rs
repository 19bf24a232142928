use flatstream::prelude::*;

// Both derives read #[frame] and #[flatstream]; each mistake is reported once.
#[derive(StreamSerialize, StreamDeserialize)]
#[frame(checksum = crc99)]
struct Reading {
    #[flatstream(idd = 0)]
    value: u32,
}

fn main() {}
