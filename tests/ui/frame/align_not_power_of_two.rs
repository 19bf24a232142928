use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(align = 12)]
struct Telemetry {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(align = 128)]
struct TooWide {
    value: f64,
}

fn main() {}
