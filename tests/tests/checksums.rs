//! Every checksum against its published check value, an independent
//! reference implementation, every alignment and the empty input.

use flatstream::checksum::*;

mod common;
use common::pseudo_random_bytes;

/// A bit-at-a-time CRC written from the catalogue parameters, independent of
/// the crates the library uses.
fn reference_crc(
    width: u32,
    poly: u64,
    init: u64,
    refin: bool,
    refout: bool,
    xorout: u64,
    data: &[u8],
) -> u64 {
    let top = 1u64 << (width - 1);
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let mut crc = init;
    for &byte in data {
        let byte = if refin { byte.reverse_bits() } else { byte };
        crc ^= u64::from(byte) << (width - 8);
        for _ in 0..8 {
            crc = if crc & top != 0 {
                (crc << 1) ^ poly
            } else {
                crc << 1
            };
            crc &= mask;
        }
    }
    if refout {
        crc = crc.reverse_bits() >> (64 - width);
    }
    (crc ^ xorout) & mask
}

fn reference(name: &str, data: &[u8]) -> u64 {
    match name {
        "CRC-16/IBM-SDLC" => reference_crc(16, 0x1021, 0xFFFF, true, true, 0xFFFF, data),
        "CRC-16/XMODEM" => reference_crc(16, 0x1021, 0, false, false, 0, data),
        "CRC-32/ISO-HDLC" => reference_crc(32, 0x04C1_1DB7, 0xFFFF_FFFF, true, true, 0xFFFF_FFFF, data),
        "CRC-32C/ISCSI" => reference_crc(32, 0x1EDC_6F41, 0xFFFF_FFFF, true, true, 0xFFFF_FFFF, data),
        "CRC-64/XZ" => reference_crc(64, 0x42F0_E1EB_A9EA_3693, u64::MAX, true, true, u64::MAX, data),
        "XXH64" => {
            // The streaming hasher, fed in uneven pieces, against the one-shot call.
            let mut h = xxhash_rust::xxh64::Xxh64::new(0);
            data.chunks(977).for_each(|c| h.update(c));
            h.digest()
        }
        "XXH3-64" => {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            data.chunks(977).for_each(|c| h.update(c));
            h.digest()
        }
        other => panic!("no reference for {other}"),
    }
}

/// A checksum as a closure, its name, its published check value and its size.
type Entry = (Box<dyn Fn(&[u8]) -> u64>, &'static str, u64, usize);

/// (checksum, published check value of b"123456789", size in bytes)
fn all() -> Vec<Entry> {
    fn entry<C: Checksum + 'static>(c: C, check: u64) -> Entry {
        (Box::new(move |d| c.calculate(d)), c.name(), check, c.size())
    }
    vec![
        entry(Crc16::new(), 0x906E),
        entry(Crc16Xmodem::new(), 0x31C3),
        entry(Crc32::new(), 0xCBF4_3926),
        entry(Crc32c::new(), 0xE306_9283),
        entry(Crc64::new(), 0x995D_C9BB_DF19_39FA),
        // Values from the reference C implementation (python-xxhash).
        entry(XxHash64::new(), 0x8CB8_41DB_40E6_AE83),
        entry(Xxh3::new(), 0x72DC_B18B_67A1_7DFF),
    ]
}

#[test]
fn published_check_values() {
    for (calc, name, check, _) in all() {
        assert_eq!(calc(b"123456789"), check, "{name}");
        assert_eq!(reference(name, b"123456789"), check, "reference for {name}");
    }
}

#[test]
fn sizes_match_the_header_widths() {
    let sizes: Vec<(&str, usize)> = all().into_iter().map(|(_, n, _, s)| (n, s)).collect();
    assert_eq!(
        sizes,
        [
            ("CRC-16/IBM-SDLC", 2),
            ("CRC-16/XMODEM", 2),
            ("CRC-32/ISO-HDLC", 4),
            ("CRC-32C/ISCSI", 4),
            ("CRC-64/XZ", 8),
            ("XXH64", 8),
            ("XXH3-64", 8),
        ]
    );
    assert_eq!(NoChecksum.size(), 0);
}

#[test]
fn values_fit_in_their_size() {
    let data = pseudo_random_bytes(1, 4096);
    for (calc, name, _, size) in all() {
        for len in 0..200 {
            let v = calc(&data[..len]);
            if size < 8 {
                assert_eq!(v >> (size * 8), 0, "{name} len {len}");
            }
        }
    }
}

#[test]
fn empty_input() {
    for (calc, name, _, _) in all() {
        assert_eq!(calc(b""), reference(name, b""), "{name}");
    }
    // Known values: CRCs of nothing are init ^ xorout after reflection.
    assert_eq!(Crc32::new().calculate(b""), 0);
    assert_eq!(Crc16Xmodem::new().calculate(b""), 0);
    assert_eq!(Xxh3::new().calculate(b""), 0x2D06_8005_38D3_94C2);
}

#[test]
fn every_length_up_to_300_matches_the_reference() {
    // Every way a length can split into the implementations' blocks and
    // tails (8-byte words and a 4/2/1-byte rest, table and SIMD ranges).
    let data = pseudo_random_bytes(3, 300);
    for (calc, name, _, _) in all() {
        for len in 0..=data.len() {
            assert_eq!(
                calc(&data[..len]),
                reference(name, &data[..len]),
                "{name} len {len}"
            );
        }
    }
}

#[test]
fn every_start_alignment_gives_the_same_value() {
    // The original design's CRC-64 crashed on a misaligned pointer: hash the
    // same bytes placed at every offset 0..16 inside a larger buffer, for
    // lengths around every SIMD/slicing block boundary.
    let data = pseudo_random_bytes(7, 5000);
    let mut buffer = vec![0u8; 5000 + 64];
    for (calc, name, _, _) in all() {
        for len in [
            0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 300,
        ] {
            let expected = reference(name, &data[..len]);
            for align in 0..16 {
                buffer[align..align + len].copy_from_slice(&data[..len]);
                assert_eq!(
                    calc(&buffer[align..align + len]),
                    expected,
                    "{name} len {len} align {align}"
                );
            }
        }
    }
}

#[test]
fn one_mebibyte_against_the_reference() {
    let data = pseudo_random_bytes(42, 1 << 20);
    for (calc, name, _, _) in all() {
        assert_eq!(calc(&data), reference(name, &data), "{name}");
        // Off by one byte at an odd start too.
        assert_eq!(calc(&data[1..]), reference(name, &data[1..]), "{name} offset 1");
    }
}

#[test]
fn verify_accepts_the_right_value_only() {
    for (calc, name, _, _) in all() {
        let v = calc(b"payload");
        assert_ne!(calc(b"paylaod"), v, "{name} misses a swap");
    }
    let c = Crc32c::new();
    let v = c.calculate(b"payload");
    assert!(c.verify(v, b"payload").is_ok());
    assert!(matches!(
        c.verify(v ^ 1, b"payload"),
        Err(flatstream::Error::ChecksumMismatch { expected, calculated, .. }) if expected == v ^ 1 && calculated == v
    ));
}
