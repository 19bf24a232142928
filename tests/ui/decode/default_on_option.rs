use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize)]
struct Reading {
    #[flatstream(default)]
    maybe: Option<u32>,
    #[flatstream(default = 1 + 1)]
    value: u32,
}

fn main() {}
