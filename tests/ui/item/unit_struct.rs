use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(checksum = crc32c)]
struct Heartbeat;

fn main() {}
