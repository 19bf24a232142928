use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(endian = middle, covers = header)]
struct Telemetry {
    value: f64,
}

fn main() {}
