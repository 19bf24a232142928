use flatstream::prelude::*;

#[derive(StreamSerialize)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
