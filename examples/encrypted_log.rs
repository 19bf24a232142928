//! An encrypted, compressed audit log: messages compressed in LZ4 blocks,
//! then sealed with ChaCha20-Poly1305, written to a file, finished, and read
//! back; then what a reader says about a wrong key, a flipped bit, a
//! dropped frame and a truncated file.
//!
//! cargo run --release --example encrypted_log

use std::time::Instant;

use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4};
use flatstream::encrypt::{ChaCha20Poly1305, EncryptedDeframer, EncryptedFramer, EncryptionKey};
use flatstream::prelude::*;
use flatstream::LayoutDeframer;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"AU")]
struct AuditEvent {
    at: u64,
    user: String,
    action: String,
}

const EVENTS: u64 = 200_000;

fn event(i: u64) -> AuditEvent {
    AuditEvent {
        at: 1_700_000_000_000 + i * 37,
        user: format!("user{}", i % 50),
        action: ["login", "read /reports/q3", "export", "logout"][i as usize % 4].into(),
    }
}

fn deframer(
    key: &EncryptionKey,
) -> EncryptedDeframer<CompressedDeframer<LayoutDeframer<AuditEvent>, Lz4>, ChaCha20Poly1305> {
    EncryptedDeframer::new(
        CompressedDeframer::new(AuditEvent::deframer(), Lz4),
        ChaCha20Poly1305::new(key),
    )
}

/// Reads `bytes` to the end or the first error: how many events, and how it ended.
fn read(bytes: &[u8], key: &EncryptionKey) -> (u64, String) {
    let mut r = StreamReader::new(bytes, deframer(key));
    let mut n = 0;
    loop {
        match r.read_view::<AuditEvent>() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return (n, "complete".into()),
            Err(e) => return (n, e.to_string()),
        }
    }
}

fn main() -> flatstream::Result<()> {
    let key = EncryptionKey::generate()?;
    println!("key: {key:?}"); // never printed
    let path = std::env::temp_dir().join(format!("flatstream-encrypted-log-{}", std::process::id()));

    let started = Instant::now();
    let framer = EncryptedFramer::new(
        CompressedFramer::blocks(AuditEvent::framer(), Lz4, 64 * 1024),
        ChaCha20Poly1305::new(&key),
    )?;
    let mut w = StreamWriter::new(std::fs::File::create(&path)?, framer);
    for i in 0..EVENTS {
        w.write(&event(i))?;
    }
    w.finish()?; // the final frame: without it a reader reports truncation
    let size = w.position();
    let wrote = started.elapsed();
    drop(w);

    let started = Instant::now();
    let mut r = StreamReader::new(std::fs::File::open(&path)?, deframer(&key));
    let mut i = 0;
    while let Some(view) = r.read_view::<AuditEvent>()? {
        assert_eq!(view.at(), event(i).at);
        i += 1;
    }
    assert_eq!(i, EVENTS);
    let read_time = started.elapsed();
    let plain = {
        let mut w = StreamWriter::new(Vec::new(), AuditEvent::framer());
        for i in 0..EVENTS {
            w.write(&event(i))?;
        }
        w.position()
    };
    println!(
        "{EVENTS} events: {:.1} bytes each encrypted and compressed ({:.1} plain), written at {:.0} and read at {:.0} events/s",
        size as f64 / EVENTS as f64,
        plain as f64 / EVENTS as f64,
        EVENTS as f64 / wrote.as_secs_f64(),
        EVENTS as f64 / read_time.as_secs_f64(),
    );

    let bytes = std::fs::read(&path)?;
    std::fs::remove_file(&path)?;
    let frames: Vec<std::ops::Range<usize>> = {
        let mut s = SliceReader::new(&bytes, AuditEvent::deframer());
        let mut ranges = Vec::new();
        let mut start = 0;
        while s.read_message()?.is_some() {
            ranges.push(start..s.position());
            start = s.position();
        }
        ranges
    };
    println!("{} frames (blocks), the last one the final frame", frames.len());

    println!("\nwhat a reader says:");
    let (n, how) = read(&bytes, &EncryptionKey::generate()?);
    println!("  another key:        {n} events, then: {how}");
    let mut flipped = bytes.clone();
    let middle = frames[frames.len() / 2].clone();
    flipped[middle.start + middle.len() / 2] ^= 0x01;
    let (n, how) = read(&flipped, &key);
    println!("  one bit flipped:    {n} events, then: {how}");
    let mut dropped = bytes[..middle.start].to_vec();
    dropped.extend_from_slice(&bytes[middle.end..]);
    let (n, how) = read(&dropped, &key);
    println!("  a frame dropped:    {n} events, then: {how}");
    let last = frames[frames.len() - 1].clone();
    let (n, how) = read(&bytes[..last.start], &key);
    println!("  final frame cut:    {n} events, then: {how}");
    Ok(())
}
