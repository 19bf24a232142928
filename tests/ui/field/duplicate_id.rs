use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Telemetry {
    #[flatstream(id = 0)]
    timestamp: u64,
    #[flatstream(id = 0)]
    value: f64,
}

fn main() {}
