use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(covers = frame)]
struct Telemetry {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(checksum = none, covers = frame)]
struct ExplicitNone {
    value: f64,
}

fn main() {}
