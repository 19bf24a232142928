use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(lenght = u32)]
struct Telemetry {
    value: f64,
}

fn main() {}
