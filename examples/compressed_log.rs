//! A block-compressed telemetry log: 1,000,000 messages written to a file
//! plain, in LZ4 blocks and in zstd blocks, then read back (verified views,
//! every message checked), printing bytes per message and messages per
//! second of each. Then one message compressed alone with zstd, without
//! and with a dictionary trained on samples of them.
//!
//! cargo run --release --example compressed_log

use std::fs::File;
use std::io::BufReader;
use std::time::{Duration, Instant};

use flatstream::compress::{
    CompressedDeframer, CompressedFramer, Lz4, Zstd, ZstdDictionary, DEFAULT_BLOCK_LEN,
};
use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize, Clone)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"TM")]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const MESSAGES: u64 = 1_000_000;

fn telemetry(i: u64) -> Telemetry {
    Telemetry {
        timestamp: 1_700_000_000_000 + i * 100,
        sensor_id: (i % 64) as u32,
        value: 20.0 + ((i * 7) % 1000) as f64 / 10.0,
        unit: if i.is_multiple_of(5) { "kelvin" } else { "celsius" }.into(),
    }
}

/// Writes every message to `path` with `framer`; the file's size.
fn write<F: Framer>(path: &std::path::Path, framer: F) -> flatstream::Result<u64> {
    // Buffered, so the plain stream does not make a system call per
    // message (a compressing writer writes whole blocks anyway).
    let mut w = StreamWriter::with_capacity(64 * 1024, File::create(path)?, framer);
    for i in 0..MESSAGES {
        w.write(&telemetry(i))?;
    }
    w.flush()?; // writes the last, partly filled block
    Ok(w.position())
}

/// [`write`] in LZ4 blocks compressed on a second thread while the writer
/// fills the next (`with_background_packing`).
fn write_lz4_background(path: &std::path::Path) -> flatstream::Result<u64> {
    let framer = CompressedFramer::blocks(Telemetry::framer(), Lz4, DEFAULT_BLOCK_LEN);
    let mut w =
        StreamWriter::with_capacity(64 * 1024, File::create(path)?, framer).with_background_packing()?;
    for i in 0..MESSAGES {
        w.write(&telemetry(i))?;
    }
    w.flush()?; // waits for the blocks at the thread, writes the last one
    Ok(w.position())
}

/// Reads `path` back with `deframer`, checking every message.
fn read<D: Deframer>(path: &std::path::Path, deframer: D) -> flatstream::Result<()> {
    let mut r = StreamReader::new(File::open(path)?, deframer);
    let mut i = 0;
    while let Some(view) = r.read_view::<Telemetry>()? {
        let expected = telemetry(i);
        assert_eq!(
            (view.timestamp(), view.sensor_id()),
            (expected.timestamp, expected.sensor_id)
        );
        i += 1;
    }
    assert_eq!(i, MESSAGES);
    Ok(())
}

/// Writes and reads back `path`: the file's size, and how long each took.
fn run<D: Deframer>(
    path: &std::path::Path,
    write: impl FnOnce(&std::path::Path) -> flatstream::Result<u64>,
    deframer: D,
) -> flatstream::Result<(u64, Duration, Duration)> {
    let started = Instant::now();
    let size = write(path)?;
    let wrote = started.elapsed();
    let started = Instant::now();
    read(path, deframer)?;
    Ok((size, wrote, started.elapsed()))
}

fn main() -> flatstream::Result<()> {
    let dir = std::env::temp_dir().join(format!("flatstream-compressed-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("{MESSAGES} telemetry messages, written to a file and read back:");
    println!(
        "{:<24} {:>10} {:>14} {:>14}",
        "stream", "bytes/msg", "write msg/s", "read msg/s"
    );
    let rows = [
        (
            "plain",
            run(
                &dir.join("plain"),
                |p| write(p, Telemetry::framer()),
                Telemetry::deframer(),
            )?,
        ),
        (
            "lz4, 64 KiB blocks",
            run(
                &dir.join("lz4"),
                |p| {
                    write(
                        p,
                        CompressedFramer::blocks(Telemetry::framer(), Lz4, DEFAULT_BLOCK_LEN),
                    )
                },
                CompressedDeframer::new(Telemetry::deframer(), Lz4),
            )?,
        ),
        (
            "lz4, background thread",
            run(
                &dir.join("lz4-background"),
                write_lz4_background,
                CompressedDeframer::new(Telemetry::deframer(), Lz4),
            )?,
        ),
        (
            "zstd, 64 KiB blocks",
            run(
                &dir.join("zstd"),
                |p| {
                    write(
                        p,
                        CompressedFramer::blocks(Telemetry::framer(), Zstd::new(), DEFAULT_BLOCK_LEN),
                    )
                },
                CompressedDeframer::new(Telemetry::deframer(), Zstd::new()),
            )?,
        ),
    ];
    let plain_size = rows[0].1 .0;
    for (name, (size, wrote, read)) in rows {
        let smaller = match name {
            "plain" => String::new(),
            _ => format!("   {:.1}x smaller", plain_size as f64 / size as f64),
        };
        println!(
            "{name:<24} {:>10.2} {:>14.0} {:>14.0}{smaller}",
            size as f64 / MESSAGES as f64,
            MESSAGES as f64 / wrote.as_secs_f64(),
            MESSAGES as f64 / read.as_secs_f64(),
        );
    }

    // One message alone: zstd cannot compress 60 bytes by itself, but a
    // dictionary trained on samples holds what the messages share. Saved
    // beside the log, it is loaded by the reader.
    let samples: Vec<Vec<u8>> = (0..5_000)
        .map(|i| {
            telemetry(i * 13)
                .encode(&mut flatstream::Encoder::new())
                .map(<[u8]>::to_vec)
        })
        .collect::<Result<_, _>>()?;
    let dictionary = ZstdDictionary::train(&samples, 8 * 1024)?;
    let dictionary_path = dir.join("telemetry.dict");
    std::fs::write(&dictionary_path, dictionary.as_bytes())?;
    let loaded = ZstdDictionary::from_bytes(std::fs::read(&dictionary_path)?)?;
    let one = telemetry(123_457);
    let framed_len = |framer: CompressedFramer<_, Zstd>| -> flatstream::Result<usize> {
        let mut w = StreamWriter::new(Vec::new(), framer);
        w.write(&one)?;
        Ok(w.into_inner().len())
    };
    let plain = {
        let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
        w.write(&one)?;
        w.into_inner()
    };
    let without = framed_len(CompressedFramer::new(Telemetry::framer(), Zstd::new()))?;
    let with = framed_len(CompressedFramer::new(
        Telemetry::framer(),
        Zstd::new().with_dictionary(loaded.clone()),
    ))?;
    println!(
        "\none message alone: {} bytes plain, {without} with zstd (stored: it does not shrink), \
         {with} with zstd and a {}-byte dictionary (id {:#010x})",
        plain.len(),
        dictionary.as_bytes().len(),
        dictionary.id()
    );
    // Read back with the loaded dictionary; without it, refused by name.
    let mut w = StreamWriter::new(
        Vec::new(),
        CompressedFramer::new(Telemetry::framer(), Zstd::new().with_dictionary(loaded.clone())),
    );
    w.write(&one)?;
    let bytes = w.into_inner();
    let mut r = StreamReader::new(
        BufReader::new(&bytes[..]),
        CompressedDeframer::new(Telemetry::deframer(), Zstd::new().with_dictionary(loaded)),
    );
    assert_eq!(
        r.read_view::<Telemetry>()?.map(|v| v.timestamp()),
        Some(one.timestamp)
    );
    let wrong = StreamReader::new(
        &bytes[..],
        CompressedDeframer::new(Telemetry::deframer(), Zstd::new()),
    )
    .read_view::<Telemetry>()
    .map(|_| ())
    .unwrap_err();
    println!("read without the dictionary: {wrong}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
