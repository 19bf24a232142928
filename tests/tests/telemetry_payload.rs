//! The examples' hand-written Telemetry reader (raw table API behind the
//! flatbuffers verifier) never panics on damaged payloads.

#[path = "../../examples/shared/telemetry.rs"]
mod telemetry;

use flatstream::StreamSerialize;
use telemetry::Telemetry;

#[test]
fn reads_back_what_was_written() {
    let mut b = flatstream::Encoder::new();
    for i in [0, 1, 99, 12345] {
        let t = Telemetry::sample(i);
        assert_eq!(Telemetry::from_payload(t.encode(&mut b).unwrap()), Some(t));
    }
}

#[test]
fn every_truncation_and_byte_mutation_is_handled() {
    let mut b = flatstream::Encoder::new();
    let payload = Telemetry::sample(7).encode(&mut b).unwrap().to_vec();
    for cut in 0..payload.len() {
        // Either rejected or a value; never a panic or an out-of-bounds read.
        let _ = Telemetry::from_payload(&payload[..cut]);
    }
    assert!(Telemetry::from_payload(&payload[..payload.len() / 2]).is_none());
    for i in 0..payload.len() {
        for v in [0x00, 0x01, 0x7F, 0x80, 0xFF] {
            let mut m = payload.clone();
            m[i] = v;
            let _ = Telemetry::from_payload(&m);
        }
    }
}
