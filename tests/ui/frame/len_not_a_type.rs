use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = 32)]
struct Telemetry {
    value: f64,
}

fn main() {}
