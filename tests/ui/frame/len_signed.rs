use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = i32)]
struct Telemetry {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(len = usize)]
struct Platform {
    value: f64,
}

fn main() {}
