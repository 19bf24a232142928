use flatstream::prelude::*;

#[derive(StreamSerialize)]
struct Wrapper<T> {
    value: T,
}

fn main() {}
