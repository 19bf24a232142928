//! The derive and the runtime each keep a table of what `#[frame(...)]`
//! keywords and field types mean (the derive runs before the runtime is
//! compiled, so it cannot read the runtime's). This test holds the two
//! equal: every checksum keyword with its header size and payload bound,
//! every scalar type with its size, and the supported-types text.

use flatstream::Checksum;

#[test]
fn checksum_keywords_match_the_runtime() {
    let (derive, _, _) = flatstream_derive::__derive_tables!();
    let runtime: Vec<(&str, usize, u64)> = flatstream::ChecksumKind::ALL
        .iter()
        .map(|k| (k.keyword(), k.size(), k.max_safe_len()))
        .collect();
    assert_eq!(derive, runtime.as_slice());
    // And the runtime's entries are its types' own constants.
    assert_eq!(flatstream::Crc16::MAX_SAFE_LEN, 4096);
    assert_eq!(<flatstream::Crc32c as Checksum>::SIZE, 4);
}

/// The keyword macros the derive expands to name the same checksum types
/// as `ChecksumKind` (same size, same algorithm).
#[test]
fn keyword_macros_match_the_checksum_kinds() {
    use flatstream::ChecksumKind;
    fn check<C: Checksum + Default>(kind: ChecksumKind) {
        assert_eq!(C::SIZE, kind.size(), "{kind:?}");
        assert_eq!(C::default().name(), kind.name(), "{kind:?}");
        assert_eq!(
            C::default().calculate(b"123456789"),
            kind.calculate(b"123456789"),
            "{kind:?}"
        );
    }
    check::<flatstream::__private::checksum_none!()>(ChecksumKind::None);
    check::<flatstream::__private::checksum_crc16!()>(ChecksumKind::Crc16);
    check::<flatstream::__private::checksum_crc16_xmodem!()>(ChecksumKind::Crc16Xmodem);
    check::<flatstream::__private::checksum_crc32!()>(ChecksumKind::Crc32);
    check::<flatstream::__private::checksum_crc32c!()>(ChecksumKind::Crc32c);
    check::<flatstream::__private::checksum_crc64!()>(ChecksumKind::Crc64);
    check::<flatstream::__private::checksum_xxhash64!()>(ChecksumKind::XxHash64);
    check::<flatstream::__private::checksum_xxh3!()>(ChecksumKind::Xxh3);
    assert_eq!(ChecksumKind::ALL.len(), 8);
}

#[test]
fn scalar_types_match_the_runtime() {
    let (_, derive, _) = flatstream_derive::__derive_tables!();
    let names_sizes: Vec<(&str, usize)> = derive.iter().map(|&(name, size, _)| (name, size)).collect();
    assert_eq!(names_sizes, flatstream::__private::SCALAR_TYPES);
    // The FlatBuffers names are the schema's: a message with one field of
    // each scalar type exports exactly them.
    #[derive(flatstream::StreamSerialize, flatstream::StreamDeserialize)]
    struct Every {
        a: bool,
        b: u8,
        c: i8,
        d: u16,
        e: i16,
        f: u32,
        g: i32,
        h: u64,
        i: i64,
        j: f32,
        k: f64,
    }
    use flatstream::HasSchema;
    let schema = Every::SCHEMA.to_string();
    for (field, &(_, _, fbs)) in "abcdefghijk".chars().zip(derive) {
        assert!(
            schema.contains(&format!("  {field}: {fbs} ")),
            "{field}: {fbs} in\n{schema}"
        );
    }
}

#[test]
fn the_supported_types_text_is_the_runtimes() {
    let (_, _, derive) = flatstream_derive::__derive_tables!();
    let source = include_str!("../../flatstream/src/encode/field_traits.rs");
    // The note of `Field`'s `on_unimplemented`, with its line continuations
    // joined.
    let start = source.find("note = \"supported: ").expect("Field's note") + "note = \"supported: ".len();
    let note: String = source[start..]
        .split("\"\n")
        .next()
        .unwrap()
        .split("\\\n")
        .map(str::trim_start)
        .collect();
    assert_eq!(note, derive);
}
