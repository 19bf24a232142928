use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(magic = b"FLATSTREAM")]
struct Telemetry {
    value: f64,
}

fn main() {}
