//! `DynamicLayout`, the run-time form of `#[frame(...)]`: for every shape a
//! derive can declare, the layout parsed from the same keys writes the same
//! bytes, reads the derived framing's frames, and rejects every damaged
//! byte with the same error. The presets read the flatstream-rs 0.2 corpus.

use flatstream::prelude::*;
use flatstream::{ChecksumKind, DynamicLayout, Framer};

mod common;
use common::pseudo_random_bytes;

/// Payloads of several lengths, FlatBuffers-sized (at least 4 bytes).
fn payloads() -> Vec<Vec<u8>> {
    [4usize, 5, 13, 64, 100, 1000, 4000]
        .iter()
        .enumerate()
        .map(|(i, &n)| pseudo_random_bytes(i as u64 + 1, n))
        .collect()
}

/// Compares a derived framing with the layout parsed from `spec`.
fn same<F: Framer + Copy, D: Deframer + Copy>(framer: F, deframer: D, spec: &str) {
    let dynamic: DynamicLayout = spec.parse().unwrap_or_else(|e| panic!("{spec}: {e}"));
    assert_eq!(Framer::header_len(&dynamic), framer.header_len(), "{spec}");
    assert_eq!(Framer::max_frame_len(&dynamic), framer.max_frame_len(), "{spec}");
    let (mut derived, mut runtime) = (Vec::new(), Vec::new());
    for p in payloads() {
        let a = framer.encode_frame(&p, &mut derived).map_err(|e| e.to_string());
        let b = dynamic.encode_frame(&p, &mut runtime).map_err(|e| e.to_string());
        assert_eq!(a, b, "{spec}: {} bytes", p.len());
    }
    assert_eq!(derived, runtime, "{spec}");
    // Each reads the other's frames, and every flipped byte is refused the
    // same way by both.
    let read = |bytes: &[u8]| -> Vec<String> {
        let mut out = Vec::new();
        for d in [0, 1] {
            let got: Vec<String> = if d == 0 {
                SliceReader::new(bytes, deframer)
                    .map(|r| format!("{r:?}"))
                    .collect()
            } else {
                SliceReader::new(bytes, dynamic)
                    .map(|r| format!("{r:?}"))
                    .collect()
            };
            out.push(got.join("|"));
        }
        out
    };
    let both = read(&derived);
    assert_eq!(both[0], both[1], "{spec}");
    assert!(!both[0].contains("Err"), "{spec}: {}", both[0]);
    for at in (0..derived.len()).step_by(7) {
        let mut damaged = derived.clone();
        damaged[at] ^= 0x5A;
        let both = read(&damaged);
        assert_eq!(both[0], both[1], "{spec}, byte {at} flipped");
    }
}

macro_rules! shapes {
    ($($name:ident: [$($key:tt)*] => $spec:literal;)*) => {$(
        {
            #[derive(Framing)]
            #[frame($($key)*)]
            struct $name;
            same($name::framer(), $name::deframer(), $spec);
        }
    )*};
}

#[test]
fn every_shape_writes_and_reads_as_the_derived_framing() {
    shapes! {
        Plain: [len = u32] => "len=u32";
        Narrow: [len = u16, checksum = crc32c] => "len=u16,checksum=crc32c";
        Byte: [len = u8, checksum = crc16, max_len = 200] => "len=u8,checksum=crc16,max_len=200";
        Wide: [len = u64, checksum = xxh3] => "len=u64,checksum=xxh3";
        Big: [len = u32, checksum = crc64, endian = big] => "len=u32,checksum=crc64,endian=big";
        Magic: [magic = b"FSv1", len = u32, checksum = crc32c, covers = frame] => "magic=FSv1,len=u32,checksum=crc32c,covers=frame";
        Hex: [magic = b"\x00\xF5", len = u16, checksum = crc32] => "magic=0x00f5,len=u16,checksum=crc32";
        Aligned: [len = u32, checksum = xxhash64, align = 8] => "len=u32,checksum=xxhash64,align=8";
        Xmodem: [len = u32, checksum = crc16_xmodem, covers = frame, max_len = 4096] => "len=u32,checksum=crc16_xmodem,covers=frame,max_len=4KiB";
        MinLen: [len = u32, checksum = crc32c, min_len = 13] => "len=u32,checksum=crc32c,min_len=13";
    }
}

#[test]
fn the_spec_round_trips_and_bad_specs_say_what_to_write() {
    for spec in [
        "len=u16,checksum=crc32c",
        "magic=FS,len=u64,covers=frame,checksum=xxh3,align=16,endian=big",
    ] {
        let layout: DynamicLayout = spec.parse().unwrap();
        assert_eq!(layout.spec().parse::<DynamicLayout>().unwrap(), layout, "{spec}");
    }
    for (spec, says) in [
        ("len=u24", "write `len=u8`"),
        ("checksum=crc99", "not one of none"),
        ("len=u16,max_len=70000", "does not fit `len=u16`"),
        ("checksum=crc16,max_len=1MiB", "too large for `checksum=crc16`"),
        ("covers=frame", "needs a checksum"),
        ("magic=ABCDEFGHI", "give 1 to 8"),
        ("align=3", "power of two"),
        ("len=u32,len=u16", "given twice"),
        ("colour=blue", "unknown key `colour`"),
        ("flatstream-rs-9", "neither a preset"),
        ("max_len=12XB", "unknown unit"),
    ] {
        let err = spec.parse::<DynamicLayout>().unwrap_err().to_string();
        assert!(err.contains(says), "{spec}: {err}");
    }
    // The CRC-16 default bound.
    let crc16: DynamicLayout = "checksum=crc16".parse().unwrap();
    assert_eq!(Framer::max_frame_len(&crc16), 4096);
    assert_eq!(crc16.checksum_kind(), ChecksumKind::Crc16);
}

#[test]
fn presets_read_the_flatstream_rs_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/flatstream-rs-0.2");
    let expected: Vec<Vec<u8>> = std::fs::read_to_string(dir.join("payloads.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|hex| hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(expected.len(), 5);
    for (file, preset) in [
        ("default.bin", "flatstream-rs-0.2"),
        ("checksum-crc32.bin", "flatstream-rs-0.2-crc32"),
        ("checksum-crc16.bin", "flatstream-rs-0.2-crc16"),
        ("checksum-xxhash64.bin", "flatstream-rs-0.2-xxhash64"),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let layout: DynamicLayout = preset.parse().unwrap();
        let got: Vec<&[u8]> = SliceReader::new(&bytes, layout)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, expected, "{file} as {preset}");
        // And the preset writes the file back byte for byte.
        let mut w = StreamWriter::new(Vec::new(), layout);
        for p in &expected {
            w.write(&RawPayload(p)).unwrap();
        }
        assert_eq!(w.into_inner(), bytes, "{preset} writes {file}");
    }
}

#[test]
fn skip_corrupt_needs_a_header_that_validates() {
    let plain: DynamicLayout = "len=u32,checksum=crc32c".parse().unwrap();
    assert!(StreamReader::new(&b""[..], plain)
        .with_recovery(Recovery::SkipCorrupt)
        .is_err());
    let framed: DynamicLayout = "len=u32,checksum=crc32c,covers=frame".parse().unwrap();
    assert!(StreamReader::new(&b""[..], framed)
        .with_recovery(Recovery::SkipCorrupt)
        .is_ok());
}
