use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u8, min_len = 300)]
struct Tiny;

#[derive(Framing)]
#[frame(max_len = 10, min_len = 11)]
struct Crossed;

fn main() {}
