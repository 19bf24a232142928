use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Location {
    lat: f64,
}

// `Location` derives StreamSerialize but not StreamDeserialize.
#[derive(StreamSerialize, StreamDeserialize)]
struct Reading {
    location: Location,
}

fn main() {}
