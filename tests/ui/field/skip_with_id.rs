use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Telemetry {
    value: f64,
    #[flatstream(skip, id = 1)]
    cache: u64,
}

fn main() {}
