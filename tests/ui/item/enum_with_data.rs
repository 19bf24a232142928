use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[repr(u8)]
enum Reading {
    Temperature(f64),
    Missing,
}

fn main() {}
