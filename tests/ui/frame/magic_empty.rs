use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(magic = b"")]
struct Telemetry {
    value: f64,
}

fn main() {}
