//! Property tests for the derived encode/decode pair, and hostile payloads:
//! every single-byte mutation and every truncation of valid payloads. The
//! direct table writer (`encode`) is held to the builder path (`serialize`):
//! valid FlatBuffers, the same fields stored, the same values read back.
//!
//! `PROPTEST_CASES=5000 cargo test --test derive_properties` runs longer.

use flatstream::prelude::*;
use proptest::prelude::*;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
#[repr(i16)]
pub enum Mode {
    Off = -1,
    Idle = 0,
    Run = 300,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Sample {
    pub at: u64,
    pub value: f64,
    pub tag: String,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Record {
    pub flag: bool,
    pub a: u8,
    pub b: i8,
    pub c: u16,
    pub d: i16,
    pub e: u32,
    pub f: i32,
    pub g: u64,
    pub h: i64,
    pub x: f32,
    pub y: f64,
    pub text: String,
    pub blob: Vec<u8>,
    pub ints: Vec<i64>,
    pub floats: Vec<f32>,
    pub flags: Vec<bool>,
    pub words: Vec<String>,
    pub opt_int: Option<u32>,
    pub opt_text: Option<String>,
    pub opt_sample: Option<Sample>,
    pub sample: Sample,
    pub samples: Vec<Sample>,
    pub mode: Mode,
    pub modes: Vec<Mode>,
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Off), Just(Mode::Idle), Just(Mode::Run)]
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        any::<u64>(),
        any::<f64>().prop_filter("NaN != NaN", |v| !v.is_nan()),
        ".{0,12}",
    )
        .prop_map(|(at, value, tag)| Sample { at, value, tag })
}

fn record() -> impl Strategy<Value = Record> {
    let scalars = (
        any::<bool>(),
        any::<u8>(),
        any::<i8>(),
        any::<u16>(),
        any::<i16>(),
        any::<u32>(),
        any::<i32>(),
        any::<u64>(),
        any::<i64>(),
        any::<f32>().prop_filter("NaN", |v| !v.is_nan()),
        any::<f64>().prop_filter("NaN", |v| !v.is_nan()),
    );
    let vectors = (
        ".{0,20}",
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec(any::<i64>(), 0..10),
        prop::collection::vec(any::<f32>().prop_filter("NaN", |v| !v.is_nan()), 0..10),
        prop::collection::vec(any::<bool>(), 0..10),
        prop::collection::vec(".{0,6}", 0..5),
    );
    let rest = (
        any::<Option<u32>>(),
        prop::option::of(".{0,8}"),
        prop::option::of(sample()),
        sample(),
        prop::collection::vec(sample(), 0..4),
        mode(),
        prop::collection::vec(mode(), 0..6),
    );
    (scalars, vectors, rest).prop_map(
        |((flag, a, b, c, d, e, f, g, h, x, y), (text, blob, ints, floats, flags, words), rest)| {
            let (opt_int, opt_text, opt_sample, sample, samples, mode, modes) = rest;
            Record {
                flag,
                a,
                b,
                c,
                d,
                e,
                f,
                g,
                h,
                x,
                y,
                text,
                blob,
                ints,
                floats,
                flags,
                words,
                opt_int,
                opt_text,
                opt_sample,
                sample,
                samples,
                mode,
                modes,
            }
        },
    )
}

fn encode<T: StreamSerialize>(value: &T) -> Vec<u8> {
    let mut b = flatstream::Encoder::new();
    value.encode(&mut b).unwrap().to_vec()
}

fn build<T: StreamSerialize>(value: &T) -> Vec<u8> {
    let mut b = flatstream::flatbuffers::FlatBufferBuilder::new();
    value.serialize(&mut b).unwrap();
    b.finished_data().to_vec()
}

/// Which of the first `fields` ids the root table stores.
fn stored_ids(payload: &[u8], fields: u16) -> Vec<bool> {
    Record::view(payload).unwrap();
    let root = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    // SAFETY: the view above verified the root table and its vtable.
    let table = unsafe { flatstream::flatbuffers::Table::new(payload, root) };
    (0..fields)
        .map(|id| table.vtable().get(4 + 2 * id) != 0)
        .collect()
}

proptest! {
    #[test]
    fn decode_inverts_serialize(r in record()) {
        let payload = encode(&r);
        prop_assert_eq!(Record::decode(&payload).unwrap(), r.clone());
        let v = Record::view(&payload).unwrap();
        prop_assert_eq!(v.flag(), r.flag);
        prop_assert_eq!((v.a(), v.b(), v.c(), v.d()), (r.a, r.b, r.c, r.d));
        prop_assert_eq!((v.e(), v.f(), v.g(), v.h()), (r.e, r.f, r.g, r.h));
        prop_assert_eq!((v.x(), v.y()), (r.x, r.y));
        prop_assert_eq!(v.text(), r.text.as_str());
        prop_assert_eq!(v.blob(), &r.blob[..]);
        prop_assert_eq!(v.ints().iter().collect::<Vec<_>>(), r.ints.clone());
        prop_assert_eq!(v.floats().iter().collect::<Vec<_>>(), r.floats.clone());
        prop_assert_eq!(v.flags().iter().collect::<Vec<_>>(), r.flags.clone());
        prop_assert_eq!(v.words().iter().collect::<Vec<_>>(), r.words.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(v.opt_int(), r.opt_int);
        prop_assert_eq!(v.opt_text(), r.opt_text.as_deref());
        prop_assert_eq!(v.opt_sample().map(|s| s.at()), r.opt_sample.as_ref().map(|s| s.at));
        prop_assert_eq!(v.sample().tag(), r.sample.tag.as_str());
        prop_assert_eq!(v.samples().iter().map(|s| s.value()).collect::<Vec<_>>(), r.samples.iter().map(|s| s.value).collect::<Vec<_>>());
        prop_assert_eq!(v.mode(), r.mode);
        prop_assert_eq!(v.modes().iter().collect::<Vec<_>>(), r.modes.clone());
    }

    #[test]
    fn direct_and_builder_paths_store_the_same(r in record()) {
        let (direct, built) = (encode(&r), build(&r));
        let limits = flatstream::VerifyLimits::DEFAULT;
        prop_assert!(flatstream::__private::flatbuffers_accepts::<Record>(&direct, limits));
        prop_assert!(flatstream::__private::fast_accepts::<Record>(&direct, limits));
        prop_assert_eq!(stored_ids(&direct, 24), stored_ids(&built, 24));
        prop_assert_eq!(Record::decode(&direct).unwrap(), Record::decode(&built).unwrap());
        // Zeroed scalars are left out on both paths alike.
        let zeroed = Record { a: 0, e: 0, y: 0.0, opt_int: Some(0), ..r };
        prop_assert_eq!(stored_ids(&encode(&zeroed), 24), stored_ids(&build(&zeroed), 24));
    }

    /// Alignment counts from the payload's start, so a payload appended
    /// after any number of bytes (a header, earlier frames) is the same
    /// bytes: through `encode_into` into a `Vec`, and through the codec,
    /// which encodes straight into its `BytesMut`.
    #[test]
    fn payloads_are_the_same_bytes_at_any_offset(r in record(), lead in 0usize..24) {
        use tokio_util::codec::{Decoder as _, Encoder as _};
        let payload = encode(&r);
        let mut vec = vec![0xA5; lead];
        r.encode_into(&mut flatstream::PayloadSink::new(&mut vec)).unwrap();
        prop_assert_eq!(&vec[lead..], &payload[..]);
        prop_assert!(vec[..lead].iter().all(|&b| b == 0xA5));

        let mut codec = flatstream::FrameCodec::new(DefaultFramer, DefaultDeframer::new());
        let mut dst = tokio_util::bytes::BytesMut::from(&vec![0xA5; lead][..]);
        codec.encode(&r, &mut dst).unwrap();
        prop_assert!(dst[..lead].iter().all(|&b| b == 0xA5));
        let mut frames = dst.split_off(lead);
        let decoded = codec.decode(&mut frames).unwrap().unwrap();
        prop_assert_eq!(&decoded[..], &payload[..]);
        prop_assert!(frames.is_empty());
    }

    /// The root's fixed part built in registers and stored as whole words
    /// (`Table::write_root`) is byte for byte what the writer that stores
    /// each vtable entry and field in place writes, at any offset; also
    /// with scalars left out (their vtable entries cleared in the words).
    #[test]
    fn word_built_root_is_the_in_place_bytes(r in record(), lead in 0usize..24) {
        use flatstream::__private::{append_root_in_place, Out};
        let zeroed = Record { a: 0, e: 0, y: 0.0, opt_int: None, opt_text: None, ..r.clone() };
        for value in [&r, &zeroed] {
            let words = encode(value);
            let mut in_place = vec![0x5A; lead];
            append_root_in_place(value, &mut Out::new(&mut in_place)).unwrap();
            prop_assert_eq!(&in_place[lead..], &words[..]);
        }
    }

    #[test]
    fn arbitrary_payloads_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(v) = Record::view(&bytes) {
            let _ = format!("{v:?}");
        }
        let _ = Record::decode(&bytes);
    }
}

/// Views every field (through Debug) when the payload is accepted.
fn exercise(payload: &[u8]) {
    if let Ok(v) = Record::view(payload) {
        let _ = format!("{v:?}");
    }
    let _ = Record::decode(payload);
}

#[test]
fn every_byte_mutation_and_truncation_is_handled() {
    let r = Record {
        flag: true,
        a: 1,
        b: -1,
        c: 2,
        d: -2,
        e: 3,
        f: -3,
        g: 4,
        h: -4,
        x: 0.5,
        y: 0.25,
        text: "text".into(),
        blob: vec![1, 2],
        ints: vec![7, 8],
        floats: vec![1.0],
        flags: vec![true],
        words: vec!["w".into()],
        opt_int: Some(0),
        opt_text: Some("o".into()),
        opt_sample: Some(Sample {
            at: 1,
            value: 1.0,
            tag: "s".into(),
        }),
        sample: Sample {
            at: 2,
            value: 2.0,
            tag: "t".into(),
        },
        samples: vec![Sample {
            at: 3,
            value: 3.0,
            tag: "u".into(),
        }],
        mode: Mode::Run,
        modes: vec![Mode::Off, Mode::Idle],
    };
    let payload = encode(&r);
    assert_eq!(Record::decode(&payload).unwrap(), r);
    for cut in 0..payload.len() {
        exercise(&payload[..cut]);
    }
    // Every position, every byte value.
    let mut mutated = payload.clone();
    let mut accepted = 0usize;
    for i in 0..payload.len() {
        for value in 0..=255u8 {
            mutated[i] = value;
            if Record::view(&mutated).is_ok() {
                accepted += 1;
            }
            exercise(&mutated);
        }
        mutated[i] = payload[i];
    }
    // Sanity: at least the unmodified byte value is accepted at every position.
    assert!(accepted >= payload.len());
}

#[test]
fn schema_ids_match_the_encoding() {
    // Each schema field's id is the slot the encoder used: read every scalar
    // field back through the raw table API at 4 + 2 * id.
    let r = Record {
        flag: true,
        a: 11,
        b: 12,
        c: 13,
        d: 14,
        e: 15,
        f: 16,
        g: 17,
        h: 18,
        x: 19.0,
        y: 20.0,
        text: String::new(),
        blob: vec![],
        ints: vec![],
        floats: vec![],
        flags: vec![],
        words: vec![],
        opt_int: Some(21),
        opt_text: None,
        opt_sample: None,
        sample: Sample {
            at: 0,
            value: 0.0,
            tag: String::new(),
        },
        samples: vec![],
        mode: Mode::Run,
        modes: vec![],
    };
    let payload = encode(&r);
    let flatstream::SchemaKind::Table(fields) = Record::SCHEMA.kind else {
        panic!("a table")
    };
    // The payload was just built by the encoder; read its root table raw.
    // SAFETY: a finished buffer starts with the offset of its root table.
    let root = unsafe { flatbuffers::root_unchecked::<flatbuffers::Table>(&payload) };
    let slot = |name: &str| 4 + 2 * fields.iter().find(|f| f.name == name).unwrap().id;
    // SAFETY: each slot is read with the type the schema names for it.
    unsafe {
        assert_eq!(root.get::<bool>(slot("flag"), None), Some(true));
        assert_eq!(root.get::<u8>(slot("a"), None), Some(11));
        assert_eq!(root.get::<i16>(slot("d"), None), Some(14));
        assert_eq!(root.get::<u64>(slot("g"), None), Some(17));
        assert_eq!(root.get::<f64>(slot("y"), None), Some(20.0));
        assert_eq!(root.get::<u32>(slot("opt_int"), None), Some(21));
        assert_eq!(root.get::<i16>(slot("mode"), None), Some(300));
    }
    // Declaration order is id order.
    let ids: Vec<u16> = fields.iter().map(|f| f.id).collect();
    assert_eq!(ids, (0..fields.len() as u16).collect::<Vec<_>>());
}

/// A scalar left out because it equals a declared default other than zero
/// keeps its value in its slot, in the word-built root as in place.
#[test]
fn a_left_out_declared_default_is_the_same_bytes_both_ways() {
    use flatstream::__private::{append_root_in_place, Out};
    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    struct Levels {
        #[flatstream(default = 5)]
        level: u8,
        #[flatstream(default = -2)]
        offset: i64,
        name: String,
    }
    for (level, offset) in [(5, -2), (5, 7), (1, -2), (0, 0)] {
        let value = Levels {
            level,
            offset,
            name: "n".into(),
        };
        let words = encode(&value);
        let mut in_place = Vec::new();
        append_root_in_place(&value, &mut Out::new(&mut in_place)).unwrap();
        assert_eq!(in_place, words, "{value:?}");
        assert_eq!(Levels::decode(&words).unwrap(), value);
    }
}

/// A table whose fixed part is larger than the words built in registers
/// (256 bytes) is written field by field: the same values come back.
#[test]
fn a_table_too_wide_for_the_word_path_round_trips() {
    macro_rules! wide {
        ($($field:ident),*) => {
            #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
            struct Wide { $($field: u64,)* tail: String }
            let mut n = 0u64;
            let value = Wide { $($field: { n += 1; n * 0x0101_0101 },)* tail: "end".into() };
            let payload = encode(&value);
            assert!(payload.len() > 8 * flatstream::__private::ROOT_WORDS);
            assert_eq!(Wide::decode(&payload).unwrap(), value);
            let limits = flatstream::VerifyLimits::DEFAULT;
            assert!(flatstream::__private::flatbuffers_accepts::<Wide>(&payload, limits));
        };
    }
    wide!(
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20, f21,
        f22, f23, f24, f25, f26, f27, f28, f29, f30, f31, f32, f33, f34, f35
    );
}
