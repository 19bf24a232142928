use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Telemetry {
    #[flatstream(id = 0)]
    timestamp: u64,
    #[flatstream(id = 2)]
    value: f64,
}

fn main() {}
