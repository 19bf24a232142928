use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Point(f32, f32);

fn main() {}
