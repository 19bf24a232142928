use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame]
struct Telemetry {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(len)]
struct MissingValue {
    value: f64,
}

fn main() {}
