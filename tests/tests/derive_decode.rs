//! `#[derive(StreamDeserialize)]`: verified zero-copy views, owned decode,
//! schema export, evolution and interop with hand-built FlatBuffers.

use flatbuffers::FlatBufferBuilder;
use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c)]
pub struct Telemetry {
    pub timestamp: u64,
    pub sensor_id: u32,
    pub value: f64,
    pub unit: String,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
#[repr(u8)]
pub enum Quality {
    Good = 1,
    Suspect = 2,
    Bad = 7,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Everything {
    pub flag: bool,
    pub small: i8,
    pub count: u16,
    pub delta: i64,
    pub ratio: f32,
    pub name: String,
    pub bytes: Vec<u8>,
    pub numbers: Vec<i32>,
    pub words: Vec<String>,
    pub maybe: Option<u16>,
    pub maybe_text: Option<String>,
    pub point: Point,
    pub points: Vec<Point>,
    pub quality: Quality,
    pub qualities: Vec<Quality>,
    pub maybe_point: Option<Point>,
    #[flatstream(skip)]
    pub cache: u64,
    #[flatstream(default = 42)]
    pub answer: u32,
}

fn encode<T: StreamSerialize>(value: &T) -> Vec<u8> {
    let mut b = flatstream::Encoder::new();
    value.encode(&mut b).unwrap().to_vec()
}

fn sample() -> Everything {
    Everything {
        flag: true,
        small: -3,
        count: 65_000,
        delta: -1,
        ratio: 0.5,
        name: "sensor".into(),
        bytes: vec![0, 1, 255],
        numbers: vec![i32::MIN, 0, i32::MAX],
        words: vec!["a".into(), "".into()],
        maybe: Some(0),
        maybe_text: None,
        point: Point { x: 1.0, y: 2.0 },
        points: vec![Point { x: 3.0, y: 4.0 }, Point::default()],
        quality: Quality::Suspect,
        qualities: vec![Quality::Bad, Quality::Good],
        maybe_point: Some(Point { x: -1.0, y: 0.0 }),
        cache: 99,
        answer: 7,
    }
}

#[test]
fn views_read_every_field_in_place() {
    let payload = encode(&sample());
    let v = Everything::view(&payload).unwrap();
    assert!(v.flag());
    assert_eq!(v.small(), -3);
    assert_eq!(v.count(), 65_000);
    assert_eq!(v.delta(), -1);
    assert_eq!(v.ratio(), 0.5);
    assert_eq!(v.name(), "sensor");
    assert_eq!(v.bytes(), [0, 1, 255]);
    assert_eq!(v.numbers().iter().collect::<Vec<_>>(), [i32::MIN, 0, i32::MAX]);
    assert_eq!(v.words().len(), 2);
    assert_eq!(v.words().get(0), Some("a"));
    assert_eq!(v.words().get(2), None);
    assert_eq!(v.maybe(), Some(0));
    assert_eq!(v.maybe_text(), None);
    assert_eq!(v.point().y(), 2.0);
    let xs: Vec<f32> = v.points().iter().map(|p| p.x()).collect();
    assert_eq!(xs, [3.0, 0.0]);
    assert_eq!(v.quality(), Quality::Suspect);
    assert_eq!(
        v.qualities().iter().collect::<Vec<_>>(),
        [Quality::Bad, Quality::Good]
    );
    assert_eq!(v.maybe_point().map(|p| p.x()), Some(-1.0));
    assert_eq!(v.answer(), 7);
    // The view borrows the payload: a string points into it.
    let name = v.name();
    assert!(payload.as_ptr_range().contains(&name.as_ptr()));
    // Debug shows the fields.
    let debug = format!("{v:?}");
    assert!(
        debug.starts_with("EverythingRef {") && debug.contains("name: \"sensor\""),
        "{debug}"
    );
}

#[test]
fn decode_round_trips_and_skips() {
    let value = sample();
    let back = Everything::decode(&encode(&value)).unwrap();
    assert_eq!(back, Everything { cache: 0, ..value });
}

#[test]
fn defaults_and_absent_fields() {
    // `answer` (id 16) equal to its declared default is left out and reads
    // back, on both encoding paths; any other value is stored.
    fn answer_stored(payload: &[u8]) -> bool {
        Everything::view(payload).unwrap();
        let root = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
        // SAFETY: the view above verified the root table and its vtable.
        let table = unsafe { flatbuffers::Table::new(payload, root) };
        table.vtable().get(4 + 2 * 16) != 0
    }
    let builder_path = |value: &Everything| {
        let mut b = FlatBufferBuilder::new();
        value.serialize(&mut b).unwrap();
        b.finished_data().to_vec()
    };
    let mut value = sample();
    for answer in [42, 41, 0] {
        value.answer = answer;
        for payload in [encode(&value), builder_path(&value)] {
            assert_eq!(answer_stored(&payload), answer != 42);
            assert_eq!(Everything::view(&payload).unwrap().answer(), answer);
        }
    }
}

#[test]
fn missing_required_field_is_reported() {
    // A table with only a timestamp: `unit` (a string) is required.
    let mut b = FlatBufferBuilder::new();
    let t = b.start_table();
    b.push_slot::<u64>(4, 5, 0);
    let root = b.end_table(t);
    b.finish_minimal(root);
    match Telemetry::view(b.finished_data()) {
        Err(Error::MissingField { offset: 0, field }) => assert_eq!(field, "Telemetry.unit"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_enum_values_are_rejected() {
    let mut value = sample();
    value.quality = Quality::Good;
    let mut payload = encode(&value);
    // Find the byte holding Quality::Good (1) by flipping candidates until the
    // view reports the enum error: exactly that error, never a panic.
    let mut seen = false;
    for i in 0..payload.len() {
        let saved = payload[i];
        payload[i] = 3; // not a variant
        if let Err(Error::InvalidEnumValue {
            enum_name: "Quality",
            value: 3,
            ..
        }) = Everything::view(&payload)
        {
            seen = true;
        }
        payload[i] = saved;
    }
    assert!(seen);
}

#[test]
fn interop_hand_built_payload_reads_through_the_view() {
    // Built with the flatbuffers builder directly, no derive involved.
    let mut b = FlatBufferBuilder::new();
    let unit = b.create_string("kPa");
    let t = b.start_table();
    b.push_slot_always::<u64>(4, 123);
    b.push_slot_always::<u32>(6, 9);
    b.push_slot_always::<f64>(8, 101.3);
    b.push_slot_always(10, unit);
    let root = b.end_table(t);
    b.finish_minimal(root);
    let v = Telemetry::view(b.finished_data()).unwrap();
    assert_eq!(
        (v.timestamp(), v.sensor_id(), v.value(), v.unit()),
        (123, 9, 101.3, "kPa")
    );
}

#[test]
fn streams_read_typed() {
    let items: Vec<Telemetry> = (0..1000)
        .map(|i| Telemetry {
            timestamp: i,
            sensor_id: (i % 7) as u32,
            value: i as f64 / 2.0,
            unit: "C".into(),
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write_batch(&items).unwrap();
    let bytes = w.into_inner();

    let mut r = StreamReader::new(&bytes[..], Telemetry::deframer());
    let mut total = 0.0;
    while let Some(t) = r.read_view::<Telemetry>().unwrap() {
        total += t.value();
        assert_eq!(t.unit(), "C");
    }
    assert_eq!(total, items.iter().map(|t| t.value).sum::<f64>());

    let owned: Vec<Telemetry> = StreamReader::new(&bytes[..], Telemetry::deframer())
        .typed::<Telemetry>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(owned, items);
    let owned: Vec<Telemetry> = StreamReader::new(&bytes[..], Telemetry::deframer())
        .into_typed()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(owned, items);

    let mut s = SliceReader::new(&bytes, Telemetry::deframer());
    assert_eq!(s.read::<Telemetry>().unwrap().unwrap(), items[0]);
    // Slice views borrow the input, not the reader: they outlive it.
    let view = {
        let mut reader = s;
        reader.read_view::<Telemetry>().unwrap().unwrap()
    };
    assert_eq!(view.timestamp(), 1);
}

#[test]
fn verification_errors_carry_the_frame_offset() {
    #[derive(StreamSerialize, StreamDeserialize, Debug)]
    #[frame(len = u32)]
    struct Note {
        text: String,
    }
    let mut w = StreamWriter::new(Vec::new(), Note::framer());
    w.write(&Note { text: "first".into() }).unwrap();
    let second_at = w.position();
    w.write(&RawPayload(&[1, 2, 3, 4, 5])).unwrap(); // not a FlatBuffers table
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Note::deframer());
    assert_eq!(r.read::<Note>().unwrap().unwrap().text, "first");
    match r.read::<Note>() {
        Err(Error::InvalidFlatBuffer { offset, .. }) => assert_eq!(offset, second_at),
        other => panic!("{other:?}"),
    }
}

#[test]
fn per_type_and_per_reader_limits() {
    #[derive(StreamSerialize, StreamDeserialize, Debug)]
    #[frame(max_depth = 2)]
    struct Outer {
        inner: Middle,
    }
    #[derive(StreamSerialize, StreamDeserialize, Debug)]
    struct Middle {
        point: Point,
    }
    assert_eq!(Outer::VERIFY_LIMITS.max_depth, 2);
    let payload = encode(&Outer {
        inner: Middle {
            point: Point { x: 1.0, y: 1.0 },
        },
    });
    match Outer::view(&payload) {
        Err(Error::InvalidFlatBuffer { source, .. }) => {
            assert!(
                matches!(*source, flatbuffers::InvalidFlatbuffer::DepthLimitReached),
                "{source}"
            )
        }
        other => panic!("{other:?}"),
    }
    let generous = VerifyLimits {
        max_depth: 8,
        ..VerifyLimits::DEFAULT
    };
    assert_eq!(
        Outer::view_with(&payload, generous).unwrap().inner().point().x(),
        1.0
    );
    // Per reader.
    let mut w = StreamWriter::new(Vec::new(), Outer::framer());
    w.write(&Outer {
        inner: Middle {
            point: Point { x: 1.0, y: 1.0 },
        },
    })
    .unwrap();
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Outer::deframer()).with_verify_limits(generous);
    assert!(r.read::<Outer>().unwrap().is_some());
    let strict = VerifyLimits {
        max_tables: 1,
        ..VerifyLimits::DEFAULT
    };
    let mut r = StreamReader::new(&bytes[..], Outer::deframer()).with_verify_limits(strict);
    assert!(matches!(r.read::<Outer>(), Err(Error::InvalidFlatBuffer { .. })));
    // SliceReader and the batch codec take the same limits, with the same
    // outcome.
    let mut r = SliceReader::new(&bytes, Outer::deframer()).with_verify_limits(generous);
    assert!(r.read_view::<Outer>().unwrap().is_some());
    let mut r = SliceReader::new(&bytes, Outer::deframer()).with_verify_limits(strict);
    assert!(matches!(
        r.read_view::<Outer>(),
        Err(Error::InvalidFlatBuffer { offset: 0, .. })
    ));
    let mut r = SliceReader::new(&bytes, Outer::deframer()).with_verify_limits(strict);
    assert!(matches!(
        r.read::<Outer>(),
        Err(Error::InvalidFlatBuffer { offset: 0, .. })
    ));
    for (limits, accepted) in [(generous, true), (strict, false)] {
        use tokio_util::codec::Decoder;
        let mut codec = Outer::codec().batched().with_verify_limits(limits);
        let mut src = tokio_util::bytes::BytesMut::from(&bytes[..]);
        let batch = codec.decode(&mut src).unwrap().unwrap();
        let views: Vec<_> = batch.views::<Outer>().collect();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].is_ok(), accepted);
        let mut typed = Outer::codec().typed::<Outer>().with_verify_limits(limits);
        let mut src = tokio_util::bytes::BytesMut::from(&bytes[..]);
        assert_eq!(typed.decode(&mut src).is_ok(), accepted);
    }
}

/// Enum defaults and `Box` fields (issue: interoperability).
mod enum_defaults {
    use flatstream::prelude::*;

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
    #[repr(u8)]
    enum Quality {
        Good = 1,
        Suspect = 2,
        Bad = 7,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
    #[repr(i16)]
    enum Color {
        Red = 0,
        Green = 1,
        Blue = 2,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    struct Point {
        x: f64,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    struct Enums {
        quality: Quality,
        color: Color,
        maybe: Option<Color>,
        #[flatstream(default = Color::Blue)]
        painted: Color,
        boxed: Box<Point>,
    }

    /// Every variant of every enum field round-trips, the declared default's
    /// zero variant included; and an enum's default (its 0 variant, or the
    /// first variant of an enum without one, or the declared one) is exactly
    /// what is left out and what an absent field reads as.
    #[test]
    fn enum_defaults_are_left_out_and_read_back_consistently() {
        let mut encoder = flatstream::Encoder::new();
        let colors = [Color::Red, Color::Green, Color::Blue];
        for quality in [Quality::Good, Quality::Suspect, Quality::Bad] {
            for &color in &colors {
                for maybe in [None, Some(Color::Red), Some(Color::Blue)] {
                    for &painted in &colors {
                        let value = Enums {
                            quality,
                            color,
                            maybe,
                            painted,
                            boxed: Box::new(Point { x: 1.5 }),
                        };
                        let payload = value.encode(&mut encoder).unwrap().to_vec();
                        assert_eq!(Enums::decode(&payload).unwrap(), value);
                        // The builder path stores the same.
                        let mut fbb = flatbuffers::FlatBufferBuilder::new();
                        value.serialize(&mut fbb).unwrap();
                        assert_eq!(Enums::decode(fbb.finished_data()).unwrap(), value);
                    }
                }
            }
        }
        // Which fields are left out: read the vtable of the direct payload.
        let stored = |value: &Enums| -> Vec<bool> {
            let mut encoder = flatstream::Encoder::new();
            let p = value.encode(&mut encoder).unwrap().to_vec();
            let table = u32::from_le_bytes(p[0..4].try_into().unwrap()) as usize;
            let vtable = table - i32::from_le_bytes(p[table..table + 4].try_into().unwrap()) as usize;
            let vtable_len = u16::from_le_bytes(p[vtable..vtable + 2].try_into().unwrap()) as usize;
            (0..4)
                .map(|id| {
                    let at = vtable + 4 + 2 * id;
                    at < vtable + vtable_len && u16::from_le_bytes(p[at..at + 2].try_into().unwrap()) != 0
                })
                .collect()
        };
        let defaults = Enums {
            quality: Quality::Good,
            color: Color::Red,
            maybe: Some(Color::Red),
            painted: Color::Blue,
            boxed: Box::new(Point { x: 0.0 }),
        };
        assert_eq!(stored(&defaults), [false, false, true, false]);
        let others = Enums {
            quality: Quality::Bad,
            color: Color::Green,
            maybe: None,
            painted: Color::Red,
            ..defaults.clone()
        };
        assert_eq!(stored(&others), [true, true, false, true]);

        // An absent field (a table with none of them: an older writer) reads as
        // the default, and passes the enum check.
        let mut fbb = flatbuffers::FlatBufferBuilder::new();
        let point = {
            let p = fbb.start_table();
            fbb.end_table(p)
        };
        let start = fbb.start_table();
        fbb.push_slot_always(12, point);
        let root = fbb.end_table(start);
        fbb.finish_minimal(root);
        let view = Enums::view(fbb.finished_data()).unwrap();
        assert_eq!(
            (view.quality(), view.color(), view.maybe(), view.painted()),
            (Quality::Good, Color::Red, None, Color::Blue)
        );
        assert_eq!(
            Enums::decode(fbb.finished_data()).unwrap().boxed,
            Box::new(Point { x: 0.0 })
        );
    }
}
