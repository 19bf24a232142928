//! The specialised verifier the derive generates accepts and rejects exactly
//! what the `flatbuffers` verifier does: over every single-byte mutation and
//! every truncation of valid payloads, random payloads, and tight limits.

use flatstream::__private::{fast_accepts, flatbuffers_accepts, VerifyTable};
use flatstream::prelude::*;
use flatstream_tests::fuzz::{Guarded, Record, Tiny};
use proptest::prelude::*;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
#[repr(i16)]
pub enum Mode {
    Off = -1,
    On = 1,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Deep {
    pub flag: bool,
    pub small: u8,
    pub wide: u64,
    pub ratio: f32,
    pub words: Vec<String>,
    pub modes: Vec<Mode>,
    pub mode: Mode,
    pub maybe: Option<Tiny>,
    pub records: Vec<Record>,
    #[flatstream(default)]
    pub note: String,
}

fn sample() -> Deep {
    let record = Record {
        id: 7,
        name: "rec".into(),
        blob: vec![1, 2, 3],
        values: vec![0.5, 1.5],
        tags: vec!["a".into(), "bb".into()],
        maybe: Some(-4),
        inner: Guarded {
            seq: 9,
            body: vec![4; 5],
        },
        list: vec![Tiny { value: 3 }, Tiny { value: 0 }],
    };
    Deep {
        flag: true,
        small: 200,
        wide: u64::MAX / 3,
        ratio: 0.25,
        words: vec!["x".into(), "".into(), "zzz".into()],
        modes: vec![Mode::On, Mode::Off],
        mode: Mode::Off,
        maybe: Some(Tiny { value: 11 }),
        records: vec![record.clone(), record],
        note: "n".into(),
    }
}

fn encode<T: StreamSerialize>(value: &T) -> Vec<u8> {
    let mut b = flatstream::Encoder::new();
    value.encode(&mut b).unwrap().to_vec()
}

fn same<T: VerifyTable>(payload: &[u8], limits: VerifyLimits) -> (bool, bool) {
    (
        fast_accepts::<T>(payload, limits),
        flatbuffers_accepts::<T>(payload, limits),
    )
}

fn exhaustive<T: VerifyTable>(payload: &[u8]) {
    let limits = VerifyLimits::DEFAULT;
    assert_eq!(same::<T>(payload, limits), (true, true));
    for cut in 0..payload.len() {
        let (fast, slow) = same::<T>(&payload[..cut], limits);
        assert_eq!(fast, slow, "truncated at {cut}");
    }
    let mut mutated = payload.to_vec();
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..payload.len() {
        for value in 0..=255u8 {
            mutated[i] = value;
            let (fast, slow) = same::<T>(&mutated, limits);
            assert_eq!(fast, slow, "byte {i} = {value}");
            if fast {
                accepted += 1;
            } else {
                rejected += 1;
            }
        }
        mutated[i] = payload[i];
    }
    // The mutations exercised both outcomes.
    assert!(accepted > 0 && rejected > 0);
}

#[test]
fn every_mutation_and_truncation_agrees() {
    exhaustive::<Deep>(&encode(&sample()));
    // Every field present: the root table's vtable is the canonical one, so
    // the verifier's shortcut runs (and every mutation of the vtable leaves it).
    exhaustive::<Deep>(&encode(&Deep {
        mode: Mode::On,
        ..sample()
    }));
    exhaustive::<Record>(&encode(&sample().records[0]));
    exhaustive::<Guarded>(&encode(&Guarded {
        seq: 1,
        body: vec![1, 2, 3],
    }));
}

#[test]
fn limits_agree() {
    let payload = encode(&sample());
    for depth in 1..6 {
        for tables in [1, 2, 3, 5, 8, 100] {
            for apparent in [8, 64, 100, 200, 400, 1 << 20] {
                let limits = VerifyLimits {
                    max_depth: depth,
                    max_tables: tables,
                    max_apparent_size: apparent,
                };
                assert_eq!(
                    fast_accepts::<Deep>(&payload, limits),
                    flatbuffers_accepts::<Deep>(&payload, limits),
                    "{limits:?}"
                );
            }
        }
    }
}

/// Every apparent-size limit, one byte at a time, around what the payloads
/// add up to: the two verifiers account the same bytes (on the canonical
/// vtable's shortcut too) and stop at the same limit.
#[test]
fn every_apparent_size_limit_agrees() {
    let all_present = Deep {
        mode: Mode::On,
        ..sample()
    };
    let tiny = Tiny { value: 5 };
    let payloads = [encode(&all_present), encode(&sample()), encode(&tiny)];
    for payload in &payloads {
        let mut flipped = 0;
        for apparent in 0..payload.len() * 4 {
            let limits = VerifyLimits {
                max_apparent_size: apparent,
                ..VerifyLimits::DEFAULT
            };
            let fast = fast_accepts::<Deep>(payload, limits);
            assert_eq!(fast, flatbuffers_accepts::<Deep>(payload, limits), "{apparent}");
            let fast_tiny = fast_accepts::<Tiny>(payload, limits);
            assert_eq!(
                fast_tiny,
                flatbuffers_accepts::<Tiny>(payload, limits),
                "{apparent}"
            );
            flipped += usize::from(fast || fast_tiny);
        }
        assert!(flipped > 0, "some limit accepts each payload");
    }
}

proptest! {
    #[test]
    fn random_payloads_agree(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let limits = VerifyLimits::DEFAULT;
        prop_assert_eq!(fast_accepts::<Deep>(&bytes, limits), flatbuffers_accepts::<Deep>(&bytes, limits));
        prop_assert_eq!(fast_accepts::<Record>(&bytes, limits), flatbuffers_accepts::<Record>(&bytes, limits));
        prop_assert_eq!(fast_accepts::<Tiny>(&bytes, limits), flatbuffers_accepts::<Tiny>(&bytes, limits));
    }
}

/// `{"a": 3, "longs": []}` as flatc 2.0.8 builds it for `table Longs { a:
/// uint; longs: [ulong] (required); }`: the empty vector's elements would
/// start at byte 28, 4-aligned but not 8-aligned, which verifiers must
/// accept (google/flatbuffers#8374); the same place holding an element is
/// misaligned data, refused by both verifiers.
#[test]
fn empty_vectors_of_8_byte_scalars_need_only_4_byte_alignment() {
    #[derive(StreamSerialize, StreamDeserialize, Debug, PartialEq)]
    struct Longs {
        a: u32,
        longs: Vec<u64>,
    }
    const FLATC: [u8; 28] = [
        12, 0, 0, 0, 8, 0, 12, 0, 4, 0, 8, 0, 8, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0,
    ];
    let limits = VerifyLimits::DEFAULT;
    assert!(fast_accepts::<Longs>(&FLATC, limits));
    assert!(flatbuffers_accepts::<Longs>(&FLATC, limits));
    assert_eq!(Longs::decode(&FLATC).unwrap(), Longs { a: 3, longs: vec![] });
    assert!(Longs::view(&FLATC).unwrap().longs().is_empty());

    let mut one = FLATC.to_vec();
    one[24] = 1;
    one.extend_from_slice(&[0; 8]);
    assert!(!fast_accepts::<Longs>(&one, limits));
    assert!(!flatbuffers_accepts::<Longs>(&one, limits));
    assert!(matches!(
        Longs::decode(&one),
        Err(flatstream::Error::InvalidFlatBuffer { .. })
    ));
}

/// The fast verifier's shortcut (fields at the positions of the vtable the
/// derive's writer writes) is taken only if both sides compute that vtable
/// from the same inline sizes: for every field kind, the decoder's size is
/// the encoder's, and a derived table's canonical vtable is its writer's.
#[test]
fn the_decoder_knows_the_vtable_the_writer_writes() {
    use flatstream::__private::{canonical_vtable, DecodeField, Field, Table};
    macro_rules! same_size {
        ($($ty:ty),* $(,)?) => {$(
            assert_eq!(
                <$ty as Field>::INLINE_SIZE,
                <$ty as DecodeField>::INLINE_SIZE,
                "{}",
                stringify!($ty)
            );
        )*};
    }
    same_size!(
        bool,
        u8,
        i8,
        u16,
        i16,
        u32,
        i32,
        u64,
        i64,
        f32,
        f64,
        String,
        Vec<u8>,
        Vec<u64>,
        Vec<String>,
        Vec<Tiny>,
        Vec<Mode>,
        Option<u16>,
        Option<String>,
        Option<Tiny>,
        Box<Tiny>,
        Tiny,
        Mode,
        Deep,
    );
    // `Deep` has every kind; its writer's vtable is the one the verifier knows.
    let sizes = [
        <bool as DecodeField>::INLINE_SIZE,
        <u8 as DecodeField>::INLINE_SIZE,
        <u64 as DecodeField>::INLINE_SIZE,
        <f32 as DecodeField>::INLINE_SIZE,
        <Vec<String> as DecodeField>::INLINE_SIZE,
        <Vec<Mode> as DecodeField>::INLINE_SIZE,
        <Mode as DecodeField>::INLINE_SIZE,
        <Option<Tiny> as DecodeField>::INLINE_SIZE,
        <Vec<Record> as DecodeField>::INLINE_SIZE,
        <String as DecodeField>::INLINE_SIZE,
    ];
    assert_eq!(<Deep as Table>::VTABLE, canonical_vtable::<10, 24>(sizes));
    // And a written `Deep` with every field present carries it (`sample`'s
    // `mode` is the default, left out).
    let payload = encode(&Deep {
        mode: Mode::On,
        ..sample()
    });
    let root = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    let soffset = i32::from_le_bytes(payload[root..root + 4].try_into().unwrap());
    let vtable = (root as i64 - i64::from(soffset)) as usize;
    assert_eq!(&payload[vtable..vtable + 24], <Deep as Table>::VTABLE);
}
