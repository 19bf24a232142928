use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u16)]
struct Base;

#[derive(Framing)]
#[frame(protocol = Base)]
struct Derived;

fn main() {}
