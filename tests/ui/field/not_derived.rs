use flatstream::prelude::*;

struct Location {
    lat: f64,
    lon: f64,
}

#[derive(StreamSerialize)]
struct Telemetry {
    value: f64,
    location: Location,
}

fn main() {}
