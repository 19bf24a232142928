//! The hand-written baseline for the telemetry message, shared by the
//! `paths` benchmark and `examples/perf.rs` so both measure the same code:
//! what a careful user writes with the `flatbuffers` crate alone (the
//! builder for writing; the verifier over the four fields, then the raw
//! table, for reading).

use flatbuffers::{FlatBufferBuilder, ForwardsUOffset, Table, Verifier, VerifierOptions};

/// Builds `table Telemetry { timestamp: ulong; sensor_id: uint; value:
/// double; unit: string; }` with the builder, largest fields first.
#[inline]
pub fn hand_build(b: &mut FlatBufferBuilder, timestamp: u64, sensor_id: u32, value: f64, unit: &str) {
    let unit = b.create_string(unit);
    let start = b.start_table();
    b.push_slot::<u64>(4, timestamp, 0);
    b.push_slot::<f64>(8, value, 0.0);
    b.push_slot_always(10, unit);
    b.push_slot::<u32>(6, sensor_id, 0);
    let root = b.end_table(start);
    b.finish_minimal(root);
}

/// Verifies a telemetry payload and reads its `value`.
#[inline]
pub fn hand_value(payload: &[u8]) -> Option<f64> {
    let opts = VerifierOptions::default();
    let mut v = Verifier::new(&opts, payload);
    let pos = v.get_uoffset(0).ok()? as usize;
    v.visit_table(pos)
        .ok()?
        .visit_field::<u64>("timestamp", 4, false)
        .ok()?
        .visit_field::<u32>("sensor_id", 6, false)
        .ok()?
        .visit_field::<f64>("value", 8, false)
        .ok()?
        .visit_field::<ForwardsUOffset<&str>>("unit", 10, true)
        .ok()?
        .finish();
    // SAFETY: verified just above, with these field types.
    unsafe { Table::new(payload, pos).get::<f64>(8, Some(0.0)) }
}
