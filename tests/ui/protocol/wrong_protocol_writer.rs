use flatstream::prelude::*;

#[derive(Framing)]
#[frame(len = u16, checksum = crc32c)]
struct SensorLink;

#[derive(Framing)]
#[frame(len = u32, checksum = xxh3)]
struct Archive;

#[derive(StreamSerialize)]
#[frame(protocol = SensorLink)]
struct Reading {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(protocol = Archive)]
struct Snapshot {
    values: Vec<f64>,
}

fn main() -> Result<(), flatstream::Error> {
    let mut w = StreamWriter::for_protocol::<SensorLink>(Vec::new());
    w.write(&Reading { value: 1.0 })?;
    w.write(&Snapshot { values: vec![] })?;
    Ok(())
}
