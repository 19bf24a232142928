use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(magic = "FS")]
struct Telemetry {
    value: f64,
}

fn main() {}
