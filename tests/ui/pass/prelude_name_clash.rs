// Another import named like a flatstream trait (tokio_util's `Framed` is the
// common one) shadows the prelude's name, but the trait's functions still
// resolve: the prelude also imports every trait anonymously.
#![allow(dead_code)]

use flatstream::prelude::*;
use tokio_util::codec::Framed;

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(checksum = crc32c)]
struct Telemetry {
    value: f64,
}

fn main() {
    let framer = Telemetry::framer();
    let _ = Telemetry::deframer();
    let _ = Telemetry::HEADER_LEN;
    let _ = Telemetry::SCHEMA;
    let mut w = StreamWriter::new(Vec::new(), framer);
    w.write(&Telemetry { value: 1.0 }).unwrap();
    let bytes = w.into_inner();
    let payload = &bytes[8..];
    assert_eq!(Telemetry::view(payload).unwrap().value(), 1.0);
    let _codec: Option<Framed<tokio::io::DuplexStream, _>> = Some(Framed::new(tokio::io::duplex(64).0, Telemetry::codec()));
}
