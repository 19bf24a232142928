use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = u8, max_len = 300)]
struct Telemetry {
    value: f64,
}

fn main() {}
