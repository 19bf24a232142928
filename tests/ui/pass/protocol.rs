use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u16, checksum = crc32c)]
struct SensorLink;

#[derive(StreamSerialize)]
#[frame(protocol = SensorLink)]
struct Reading {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(protocol = crate::SensorLink)]
struct Alarm {
    code: u32,
}

fn main() {
    let mut w = StreamWriter::for_protocol::<SensorLink>(Vec::new());
    w.write(&Reading { value: 1.0 }).unwrap();
    w.write(&Alarm { code: 2 }).unwrap();
}
