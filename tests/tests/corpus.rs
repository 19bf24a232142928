//! Files written by `flatstream-rs` 0.2.7 (see `tests/corpus/flatstream-rs-0.2/README.md`)
//! read back with our matching deframer, and rewritten byte for byte.
//!
//! The files are a verbatim copy of the shared corpus; when that corpus sits
//! beside the repository (`../shared/corpus`), the copy is checked against it.

use std::path::{Path, PathBuf};

use flatstream::*;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/flatstream-rs-0.2")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const TEXTS: [&str; 5] = ["hello", "", "world", "", "flatstream 😀"];

fn texts() -> Vec<String> {
    let mut t: Vec<String> = TEXTS.iter().map(|s| s.to_string()).collect();
    t[3] = "x".repeat(1000);
    t
}

/// The payloads listed in `payloads.txt`, in order.
fn listed_payloads() -> Vec<Vec<u8>> {
    let text = String::from_utf8(read("payloads.txt")).unwrap();
    let payloads: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let hex = line.split_whitespace().last().unwrap();
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(payloads.len(), 5);
    payloads
}

fn check<F: Framer, D: Deframer + Copy>(file: &str, framer: F, deframer: D) {
    let bytes = read(file);
    let expected = listed_payloads();

    // Reading: exactly the listed payloads, through both readers.
    let got: Vec<Vec<u8>> = StreamReader::new(&bytes[..], deframer)
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(got, expected, "{file}");
    let got: Vec<&[u8]> = SliceReader::new(&bytes, deframer).collect::<Result<_>>().unwrap();
    assert_eq!(got, expected, "{file} via SliceReader");
    // The payloads are the FlatBuffers strings the README lists.
    for (payload, text) in got.iter().zip(texts()) {
        assert_eq!(flatbuffers::root::<&str>(payload).unwrap(), text, "{file}");
    }

    // Writing the same strings reproduces the file byte for byte.
    let mut w = StreamWriter::new(Vec::new(), framer);
    for text in texts() {
        w.write(&text).unwrap();
    }
    assert_eq!(w.into_inner(), bytes, "{file} rewritten");
}

#[test]
fn default_framing() {
    check("default.bin", DefaultFramer, DefaultDeframer::new());
}

#[test]
fn crc32_framing() {
    check(
        "checksum-crc32.bin",
        ChecksumFramer::new(Crc32::new()),
        ChecksumDeframer::new(Crc32::new()),
    );
}

#[test]
fn crc16_framing_is_xmodem() {
    check(
        "checksum-crc16.bin",
        ChecksumFramer::new(Crc16Xmodem::new()),
        ChecksumDeframer::new(Crc16Xmodem::new()),
    );
    // Our own CRC-16 (IBM-SDLC) is a different variant and must say so.
    let bytes = read("checksum-crc16.bin");
    let err = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc16::new()))
        .read_message()
        .unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { offset: 0, .. }), "{err}");
}

#[test]
fn xxhash64_framing_is_xxh3() {
    check(
        "checksum-xxhash64.bin",
        ChecksumFramer::new(Xxh3::new()),
        ChecksumDeframer::new(Xxh3::new()),
    );
    // True XXH64 does not match what that crate wrote.
    let bytes = read("checksum-xxhash64.bin");
    let err = StreamReader::new(&bytes[..], ChecksumDeframer::new(XxHash64::new()))
        .read_message()
        .unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { offset: 0, .. }), "{err}");
}

#[test]
fn copy_matches_the_shared_corpus() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/flatstream-rs-0.2");
    if !shared.is_dir() {
        // A clone without the shared folder beside it: the copy is all there is.
        return;
    }
    let mut names: Vec<_> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        assert_eq!(
            std::fs::read(shared.join(&name)).unwrap(),
            read(&name),
            "{name} differs from the shared corpus"
        );
    }
}
