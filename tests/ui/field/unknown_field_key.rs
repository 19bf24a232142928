use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Telemetry {
    #[flatstream(ids = 0)]
    value: f64,
    #[flatstream(skip = true)]
    cache: u64,
}

fn main() {}
