use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u16)]
struct SensorLink {
    value: f64,
}

#[derive(Framing)]
struct NoFrame;

fn main() {}
