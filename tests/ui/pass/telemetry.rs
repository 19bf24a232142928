// The example from the README and issue: derive, write, read back.
use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc16)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

fn main() -> Result<(), flatstream::Error> {
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write(&Telemetry { timestamp: 1, sensor_id: 7, value: 21.5, unit: "C".into() })?;
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Telemetry::deframer());
    let mut n = 0;
    while let Some(payload) = r.read_message()? {
        assert!(!payload.is_empty());
        n += 1;
    }
    assert_eq!(n, 1);
    Ok(())
}
