use flatstream::prelude::*;

#[derive(StreamSerialize)]
enum Unit {
    Celsius,
    Kelvin,
}

fn main() {}
