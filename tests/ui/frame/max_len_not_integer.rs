use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(max_len = "64 KiB")]
struct Telemetry {
    value: f64,
}

fn main() {}
