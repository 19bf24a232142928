use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(max_len = 0)]
struct Telemetry {
    value: f64,
}

fn main() {}
