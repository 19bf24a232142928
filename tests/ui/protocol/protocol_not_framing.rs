use flatstream::prelude::*;

struct NotAProtocol;

#[derive(StreamSerialize)]
#[frame(protocol = NotAProtocol)]
struct Reading {
    value: f64,
}

fn main() {}
