use flatstream::prelude::*;
use std::collections::HashMap;

#[derive(StreamSerialize)]
struct Telemetry {
    pair: (u8, u8),
    wide: u128,
    index: usize,
    letter: char,
    table: HashMap<String, u32>,
    fixed: [u8; 4],
    nested: Vec<Vec<u8>>,
    maybe_many: Vec<Option<u32>>,
    twice: Option<Option<u32>>,
}

fn main() {}
