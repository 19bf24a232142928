use flatstream::prelude::*;

// A struct with fields may declare its own framing (its payloads written
// by another encoder, e.g. serde); an enum may not.
#[derive(Framing)]
#[frame(len = u16)]
struct WithFields {
    value: f64,
}

#[derive(Framing)]
#[frame(len = u16)]
enum Kind {
    A,
}

#[derive(Framing)]
struct NoFrame;

fn main() {
    let _ = WithFields::framer();
}
