//! The telemetry message the examples (and `tests/tests/telemetry_payload.rs`) write, with a hand-written
//! `StreamSerialize` impl (the table a `.fbs` schema
//! `table Telemetry { timestamp: ulong; sensor_id: uint; value: double; unit: string; }`
//! describes).

use flatstream::flatbuffers::{FlatBufferBuilder, ForwardsUOffset, Table, Verifier, VerifierOptions};
use flatstream::{Result, StreamSerialize};

/// One sensor reading.
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Telemetry {
    pub timestamp: u64,
    pub sensor_id: u32,
    pub value: f64,
    pub unit: String,
}

// vtable slot offsets of the four fields: 4 + 2 * field id.
const TIMESTAMP: u16 = 4;
const SENSOR_ID: u16 = 6;
const VALUE: u16 = 8;
const UNIT: u16 = 10;

impl StreamSerialize for Telemetry {
    fn serialize(&self, b: &mut FlatBufferBuilder) -> Result<()> {
        let unit = b.create_string(&self.unit);
        let table = b.start_table();
        b.push_slot_always(TIMESTAMP, self.timestamp);
        b.push_slot_always(VALUE, self.value);
        b.push_slot_always(UNIT, unit);
        b.push_slot_always(SENSOR_ID, self.sensor_id);
        let root = b.end_table(table);
        b.finish(root, None);
        Ok(())
    }
}

#[allow(dead_code)]
impl Telemetry {
    /// A made-up reading number `i`.
    pub fn sample(i: u64) -> Self {
        Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 16) as u32,
            value: 20.0 + (i % 100) as f64 / 10.0,
            unit: "C".to_string(),
        }
    }

    /// Reads a payload back, verifying it first.
    pub fn from_payload(payload: &[u8]) -> Option<Self> {
        let opts = VerifierOptions::default();
        let mut v = Verifier::new(&opts, payload);
        let pos = v.get_uoffset(0).ok()? as usize;
        v.visit_table(pos)
            .ok()?
            .visit_field::<u64>("timestamp", TIMESTAMP, false)
            .ok()?
            .visit_field::<u32>("sensor_id", SENSOR_ID, false)
            .ok()?
            .visit_field::<f64>("value", VALUE, false)
            .ok()?
            .visit_field::<ForwardsUOffset<&str>>("unit", UNIT, false)
            .ok()?
            .finish();
        // SAFETY: the verifier above checked the root offset, the table and
        // every field read below against the buffer's bounds.
        let t = unsafe { Table::new(payload, pos) };
        // SAFETY: as above.
        unsafe {
            Some(Telemetry {
                timestamp: t.get::<u64>(TIMESTAMP, Some(0))?,
                sensor_id: t.get::<u32>(SENSOR_ID, Some(0))?,
                value: t.get::<f64>(VALUE, Some(0.0))?,
                unit: t.get::<ForwardsUOffset<&str>>(UNIT, None)?.to_string(),
            })
        }
    }
}
