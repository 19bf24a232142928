//! `#[derive(StreamSerialize)]`: the bytes are a valid FlatBuffers table,
//! read back here with the `flatbuffers` crate's raw table API, independently
//! of the derive. Both encoding paths are checked: the direct table writer
//! (`encode`, what writers use) and the builder (`serialize`).

use flatbuffers::{ForwardsUOffset, Table, Vector, Verifier, VerifierOptions};
use flatstream::prelude::*;

#[derive(StreamSerialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc16)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

#[derive(StreamSerialize, Debug, Clone, Copy, PartialEq)]
#[repr(u8)]
enum Quality {
    Good = 1,
    Suspect = 2,
    Bad = 7,
}

#[derive(StreamSerialize, Debug, Clone, PartialEq)]
struct Point {
    x: f32,
    y: f32,
}

#[derive(StreamSerialize, Debug, Clone, PartialEq)]
struct Everything<'a> {
    flag: bool,
    u8_: u8,
    i8_: i8,
    u16_: u16,
    i16_: i16,
    u32_: u32,
    i32_: i32,
    u64_: u64,
    i64_: i64,
    f32_: f32,
    f64_: f64,
    text: String,
    borrowed: &'a str,
    bytes: Vec<u8>,
    borrowed_bytes: &'a [u8],
    numbers: Vec<i32>,
    words: Vec<String>,
    maybe: Option<u16>,
    maybe_zero: Option<u16>,
    maybe_text: Option<String>,
    nothing: Option<String>,
    point: Point,
    points: Vec<Point>,
    quality: Quality,
    qualities: Vec<Quality>,
    #[flatstream(skip)]
    cache: Vec<u64>,
}

fn slot(id: u16) -> u16 {
    4 + 2 * id
}

/// The root table of a payload, after the flatbuffers verifier checked the
/// root offset and the table's vtable.
fn root_table(payload: &[u8]) -> Table<'_> {
    let opts = VerifierOptions::default();
    let mut v = Verifier::new(&opts, payload);
    let pos = v.get_uoffset(0).unwrap() as usize;
    v.visit_table(pos).unwrap().finish();
    // SAFETY: the verifier checked that `pos` holds a table whose vtable lies
    // inside the buffer.
    unsafe { Table::new(payload, pos) }
}

/// The payload from the direct table writer, then from the builder.
fn both_paths<T: StreamSerialize>(value: &T) -> [Vec<u8>; 2] {
    let direct = value.encode(&mut flatstream::Encoder::new()).unwrap().to_vec();
    let mut b = flatbuffers::FlatBufferBuilder::new();
    value.serialize(&mut b).unwrap();
    [direct, b.finished_data().to_vec()]
}

#[test]
fn telemetry_is_a_flatbuffers_table() {
    let t = Telemetry {
        timestamp: 1_700_000_000_123,
        sensor_id: 7,
        value: 21.5,
        unit: "C".into(),
    };
    for payload in both_paths(&t) {
        let table = root_table(&payload);
        // SAFETY: each slot is read with the type the derive wrote into it.
        unsafe {
            assert_eq!(table.get::<u64>(slot(0), Some(0)), Some(1_700_000_000_123));
            assert_eq!(table.get::<u32>(slot(1), Some(0)), Some(7));
            assert_eq!(table.get::<f64>(slot(2), Some(0.0)), Some(21.5));
            assert_eq!(table.get::<ForwardsUOffset<&str>>(slot(3), None), Some("C"));
        }
    }
}

#[test]
fn every_field_type_reads_back_through_the_raw_table_api() {
    let e = Everything {
        flag: true,
        u8_: 200,
        i8_: -5,
        u16_: 60_000,
        i16_: -30_000,
        u32_: 4_000_000_000,
        i32_: -2_000_000_000,
        u64_: u64::MAX,
        i64_: i64::MIN,
        f32_: 1.5,
        f64_: -2.25,
        text: "owned".into(),
        borrowed: "borrowed",
        bytes: vec![1, 2, 3],
        borrowed_bytes: &[9, 8],
        numbers: vec![-1, 0, 1, i32::MAX],
        words: vec!["a".into(), "".into(), "ccc".into()],
        maybe: Some(5),
        maybe_zero: Some(0),
        maybe_text: Some("here".into()),
        nothing: None,
        point: Point { x: 1.0, y: -1.0 },
        points: vec![Point { x: 0.5, y: 0.25 }, Point { x: 0.0, y: 0.0 }],
        quality: Quality::Bad,
        qualities: vec![Quality::Good, Quality::Suspect],
        cache: vec![1, 2, 3],
    };
    for payload in both_paths(&e) {
        check_everything(&payload);
    }
}

fn check_everything(payload: &[u8]) {
    let t = root_table(payload);
    type Str<'a> = ForwardsUOffset<&'a str>;
    // SAFETY: each slot is read with the type the derive wrote into it; the
    // verifier checked the table's vtable, and the buffer is one the builder
    // finished.
    unsafe {
        assert_eq!(t.get::<bool>(slot(0), Some(false)), Some(true));
        assert_eq!(t.get::<u8>(slot(1), Some(0)), Some(200));
        assert_eq!(t.get::<i8>(slot(2), Some(0)), Some(-5));
        assert_eq!(t.get::<u16>(slot(3), Some(0)), Some(60_000));
        assert_eq!(t.get::<i16>(slot(4), Some(0)), Some(-30_000));
        assert_eq!(t.get::<u32>(slot(5), Some(0)), Some(4_000_000_000));
        assert_eq!(t.get::<i32>(slot(6), Some(0)), Some(-2_000_000_000));
        assert_eq!(t.get::<u64>(slot(7), Some(0)), Some(u64::MAX));
        assert_eq!(t.get::<i64>(slot(8), Some(0)), Some(i64::MIN));
        assert_eq!(t.get::<f32>(slot(9), Some(0.0)), Some(1.5));
        assert_eq!(t.get::<f64>(slot(10), Some(0.0)), Some(-2.25));
        assert_eq!(t.get::<Str>(slot(11), None), Some("owned"));
        assert_eq!(t.get::<Str>(slot(12), None), Some("borrowed"));
        assert_eq!(
            t.get::<ForwardsUOffset<Vector<u8>>>(slot(13), None)
                .unwrap()
                .bytes(),
            [1, 2, 3]
        );
        assert_eq!(
            t.get::<ForwardsUOffset<Vector<u8>>>(slot(14), None)
                .unwrap()
                .bytes(),
            [9, 8]
        );
        let numbers: Vec<i32> = t
            .get::<ForwardsUOffset<Vector<i32>>>(slot(15), None)
            .unwrap()
            .iter()
            .collect();
        assert_eq!(numbers, [-1, 0, 1, i32::MAX]);
        let words: Vec<&str> = t
            .get::<ForwardsUOffset<Vector<Str>>>(slot(16), None)
            .unwrap()
            .iter()
            .collect();
        assert_eq!(words, ["a", "", "ccc"]);
        assert_eq!(t.get::<u16>(slot(17), None), Some(5));
        // Some(0) is stored (unlike a plain scalar 0), so it differs from None.
        assert_eq!(t.get::<u16>(slot(18), None), Some(0));
        assert_eq!(t.get::<Str>(slot(19), None), Some("here"));
        assert_eq!(t.get::<Str>(slot(20), None), None);
        let point = t.get::<ForwardsUOffset<Table>>(slot(21), None).unwrap();
        assert_eq!(point.get::<f32>(slot(0), Some(0.0)), Some(1.0));
        assert_eq!(point.get::<f32>(slot(1), Some(0.0)), Some(-1.0));
        let points = t
            .get::<ForwardsUOffset<Vector<ForwardsUOffset<Table>>>>(slot(22), None)
            .unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!(points.get(0).get::<f32>(slot(1), Some(0.0)), Some(0.25));
        // A zero scalar is left out and reads as its default.
        assert_eq!(points.get(1).get::<f32>(slot(0), None), None);
        assert_eq!(t.get::<u8>(slot(23), Some(0)), Some(7));
        let qualities: Vec<u8> = t
            .get::<ForwardsUOffset<Vector<u8>>>(slot(24), None)
            .unwrap()
            .iter()
            .collect();
        assert_eq!(qualities, [1, 2]);
        // The skipped field takes no slot.
        assert_eq!(t.vtable().num_fields(), 25);
    }
}

#[derive(StreamSerialize)]
struct Pinned {
    #[flatstream(id = 2)]
    c: u32,
    #[flatstream(id = 0)]
    a: u32,
    #[flatstream(id = 1)]
    b: u32,
}

#[derive(StreamSerialize)]
struct InOrder {
    a: u32,
    b: u32,
    c: u32,
}

#[test]
fn pinned_ids_make_source_order_irrelevant() {
    assert_eq!(
        both_paths(&Pinned { c: 3, a: 1, b: 2 }),
        both_paths(&InOrder { a: 1, b: 2, c: 3 })
    );
}

#[test]
fn derived_framing_writes_and_reads() {
    let items: Vec<Telemetry> = (0..100)
        .map(|i| Telemetry {
            timestamp: i,
            sensor_id: i as u32 % 4,
            value: i as f64,
            unit: "K".into(),
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write_batch(&items).unwrap();
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Telemetry::deframer());
    let mut n = 0;
    while let Some(payload) = r.read_message().unwrap() {
        let t = root_table(payload);
        // SAFETY: slot 0 holds the u64 timestamp.
        assert_eq!(unsafe { t.get::<u64>(slot(0), Some(0)) }, Some(n));
        n += 1;
    }
    assert_eq!(n, 100);
    assert_eq!(Telemetry::HEADER_LEN, 6);
    // crc16's safe bound lowers the default limit to 4 KiB.
    assert_eq!(Telemetry::MAX_FRAME_LEN, 4096);
}

#[test]
fn negative_zero_keeps_its_sign_on_both_paths() {
    for payload in both_paths(&Point { x: -0.0, y: 0.0 }) {
        let t = root_table(&payload);
        // SAFETY: slots read with the types the derive wrote.
        unsafe {
            let x = t
                .get::<f32>(slot(0), None)
                .expect("-0.0 is not the default, so it is stored");
            assert!(x == 0.0 && x.is_sign_negative());
            assert_eq!(t.vtable().get(slot(1)), 0, "+0.0 is the default, left out");
        }
    }
}

#[derive(StreamSerialize)]
struct Path {
    points: Vec<Point>,
}

#[test]
fn tables_in_a_vector_share_equal_vtables() {
    let points = [(1.0, 1.0), (2.0, 2.0), (3.0, 0.0), (4.0, 4.0)];
    let path = Path {
        points: points.iter().map(|&(x, y)| Point { x, y }).collect(),
    };
    let [direct, _] = both_paths(&path);
    let t = root_table(&direct);
    // SAFETY: slots read with the types the derive wrote; the verifier
    // checked the root table.
    let tables: Vec<Table<'_>> = unsafe {
        t.get::<ForwardsUOffset<Vector<ForwardsUOffset<Table>>>>(slot(0), None)
            .unwrap()
            .iter()
            .collect()
    };
    let vtable_at = |i: usize| tables[i].vtable().as_bytes().as_ptr();
    assert_eq!(vtable_at(0), vtable_at(1), "equal vtables are shared");
    assert_ne!(vtable_at(1), vtable_at(2), "y = 0 is left out: another vtable");
    assert_ne!(vtable_at(2), vtable_at(3));
    for (table, &(x, y)) in tables.iter().zip(&points) {
        // SAFETY: as above.
        unsafe {
            assert_eq!(table.get::<f32>(slot(0), Some(0.0)), Some(x));
            assert_eq!(table.get::<f32>(slot(1), Some(0.0)), Some(y));
        }
    }
}

/// More than 64 fields: the set of absent fields spans two words.
macro_rules! wide {
    ($($field:ident),*) => {
        #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq, Default)]
        pub struct Wide {
            $(pub $field: u16,)*
        }
        impl Wide {
            /// Field `id` set to `value`.
            fn set(&mut self, id: usize, value: u16) {
                let fields = [$(&mut self.$field),*];
                *fields.into_iter().nth(id).unwrap() = value;
            }
        }
    };
}
wide!(
    f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20, f21, f22,
    f23, f24, f25, f26, f27, f28, f29, f30, f31, f32, f33, f34, f35, f36, f37, f38, f39, f40, f41, f42, f43,
    f44, f45, f46, f47, f48, f49, f50, f51, f52, f53, f54, f55, f56, f57, f58, f59, f60, f61, f62, f63, f64,
    f65, f66, f67, f68, f69
);

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Wides {
    items: Vec<Wide>,
}

#[test]
fn seventy_fields_store_what_the_builder_stores() {
    let patterns: Vec<Wide> = (0..6)
        .map(|p| {
            let mut w = Wide::default();
            for id in 0..70 {
                // Zero (left out) where (id + p) % 3 == 0, so the absent set
                // differs in both words from one pattern to the next.
                w.set(id, if (id + p) % 3 == 0 { 0 } else { id as u16 + 1 });
            }
            w
        })
        .collect();
    for (p, w) in patterns.iter().enumerate() {
        let [direct, built] = both_paths(w);
        assert_eq!(Wide::decode(&direct).unwrap(), *w);
        let stored = |payload: &[u8]| -> Vec<bool> {
            let t = root_table(payload);
            (0..70).map(|id| t.vtable().get(slot(id)) != 0).collect()
        };
        assert_eq!(stored(&direct), stored(&built));
        let absent = stored(&direct).iter().filter(|&&s| !s).count();
        assert_eq!(absent, (0..70).filter(|id| (id + p) % 3 == 0).count());
    }
    // Tables in a vector share a vtable only when their absent sets (both
    // words) are equal; a wrong share would change what decodes.
    let items: Vec<Wide> = [0, 0, 1, 1, 2, 0].iter().map(|&p| patterns[p].clone()).collect();
    let wides = Wides { items: items.clone() };
    let [direct, _] = both_paths(&wides);
    assert_eq!(Wides::decode(&direct).unwrap().items, items);
}
