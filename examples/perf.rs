//! Messages per second for the main paths, in a few seconds (criterion
//! benchmarks give the careful numbers: `cargo bench -p flatstream`).
//!
//! cargo run --release --example perf

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::time::{Duration, Instant};

use flatstream::prelude::*;

#[path = "../flatstream/benches/shared/hand_telemetry.rs"]
mod hand_telemetry;
use hand_telemetry::hand_value;

#[derive(StreamSerialize, StreamDeserialize, Clone)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const N: u64 = 1_000_000;

/// Rounds: every path runs once per round, paths interleaved, and the best
/// round counts. On a shared machine the file system and the other tenants
/// change speed over seconds; interleaving gives every path the same chances.
const ROUNDS: usize = 5;

/// A result of the examples' closures.
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// One measured path: a label and a run that returns a value to check.
type Path<'a> = (&'static str, Box<dyn FnMut() -> Outcome<f64> + 'a>);

/// Runs the paths; `before(i)` runs untimed before each run of path `i`.
fn run_paths(paths: &mut [Path<'_>], before: impl Fn(usize) -> Outcome<()>) -> Outcome<Vec<f64>> {
    let mut fastest = vec![Duration::MAX; paths.len()];
    let mut results = vec![0.0; paths.len()];
    for _ in 0..ROUNDS {
        for (i, (_, run)) in paths.iter_mut().enumerate() {
            before(i)?;
            let started = Instant::now();
            results[i] = run()?;
            fastest[i] = fastest[i].min(started.elapsed());
        }
    }
    for ((label, _), elapsed) in paths.iter().zip(&fastest) {
        println!(
            "{label:<52} {:>8.2} M msg/s  ({elapsed:.2?})",
            N as f64 / elapsed.as_secs_f64() / 1e6
        );
    }
    Ok(results)
}

/// Writes every message with one `write` each, then flushes.
fn write_each<W: Write, F: Framer>(mut w: StreamWriter<W, F>, msgs: &[Telemetry]) -> Outcome<f64> {
    for m in msgs {
        w.write(m)?;
    }
    w.flush()?;
    Ok(0.0)
}

/// The hand-written baseline's builder code (`hand_telemetry.rs`, shared
/// with the `paths` benchmark), then a length + CRC + payload loop.
fn hand_build(b: &mut flatbuffers::FlatBufferBuilder, t: &Telemetry) {
    hand_telemetry::hand_build(b, t.timestamp, t.sensor_id, t.value, &t.unit);
}

fn main() -> Outcome<()> {
    let msgs: Vec<Telemetry> = (0..N)
        .map(|i| Telemetry {
            timestamp: i,
            sensor_id: (i % 16) as u32,
            value: i as f64,
            unit: "C".into(),
        })
        .collect();
    let file = std::env::temp_dir().join(format!("flatstream-perf-{}.bin", std::process::id()));
    let hand_file = file.with_extension("hand.bin");
    let expected: f64 = (0..N).map(|i| i as f64).sum();
    // The stream's bytes, framed in advance, for the I/O floor below.
    let framed = {
        let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
        w.write_batch(&msgs)?;
        w.into_inner()
    };
    let frame_len = framed.len() / N as usize;
    let floor_file = file.with_extension("floor.bin");
    let batch_file = file.with_extension("batch.bin");
    let buffered_file = file.with_extension("buffered.bin");

    // End to end through a 64 KiB buffered file, CRC-32C.
    println!("End to end, 1 M telemetry messages through a 64 KiB buffered file, CRC-32C:");
    // Each writing path starts from no file, as a first run does: truncating
    // the 68 MB of the previous round inside the timed part would add the
    // kernel's freeing of its pages to every path alike.
    let written = [&file, &buffered_file, &batch_file, &hand_file, &floor_file];
    let remove_previous = |i: usize| -> Outcome<()> {
        match written.get(i).map(std::fs::remove_file) {
            Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    };
    let results = run_paths(
        &mut [
            (
                "derived write",
                Box::new(|| {
                    let w = StreamWriter::new(
                        BufWriter::with_capacity(64 << 10, File::create(&file)?),
                        Telemetry::framer(),
                    );
                    write_each(w, &msgs)
                }),
            ),
            (
                "derived write, StreamWriter::with_capacity(64 KiB) as the buffer",
                Box::new(|| {
                    let w = StreamWriter::with_capacity(
                        64 << 10,
                        File::create(&buffered_file)?,
                        Telemetry::framer(),
                    );
                    write_each(w, &msgs)
                }),
            ),
            (
                "derived write_batch",
                Box::new(|| {
                    let mut w = StreamWriter::new(
                        BufWriter::with_capacity(64 << 10, File::create(&batch_file)?),
                        Telemetry::framer(),
                    );
                    w.write_batch(&msgs)?;
                    w.flush()?;
                    Ok(0.0)
                }),
            ),
            (
                "hand-written builder + write loop",
                Box::new(|| {
                    let mut out = BufWriter::with_capacity(64 << 10, File::create(&hand_file)?);
                    let mut b = flatbuffers::FlatBufferBuilder::new();
                    for m in &msgs {
                        b.reset();
                        hand_build(&mut b, m);
                        let payload = b.finished_data();
                        out.write_all(&(payload.len() as u32).to_le_bytes())?;
                        out.write_all(&(Crc32c::new().calculate(payload) as u32).to_le_bytes())?;
                        out.write_all(payload)?;
                    }
                    out.flush()?;
                    Ok(0.0)
                }),
            ),
            (
                "I/O floor: the same frames, made in advance",
                Box::new(|| {
                    let mut out = BufWriter::with_capacity(64 << 10, File::create(&floor_file)?);
                    for frame in framed.chunks(frame_len) {
                        out.write_all(frame)?;
                    }
                    out.flush()?;
                    Ok(0.0)
                }),
            ),
            (
                "derived read_view (verified)",
                Box::new(|| {
                    let mut r = StreamReader::new(File::open(&file)?, Telemetry::deframer());
                    let mut sum = 0.0;
                    while let Some(t) = r.read_view::<Telemetry>()? {
                        sum += t.value();
                    }
                    Ok(sum)
                }),
            ),
            (
                "hand-written read loop + flatbuffers verifier",
                Box::new(|| {
                    let mut input = BufReader::with_capacity(64 << 10, File::open(&hand_file)?);
                    let (mut header, mut payload, mut sum) = ([0u8; 8], Vec::new(), 0.0);
                    while input.read_exact(&mut header).is_ok() {
                        let len = u32::from_le_bytes(header[..4].try_into()?) as usize;
                        payload.resize(len, 0);
                        input.read_exact(&mut payload)?;
                        if Crc32c::new().calculate(&payload) as u32
                            != u32::from_le_bytes(header[4..].try_into()?)
                        {
                            return Err("checksum".into());
                        }
                        sum += hand_value(&payload).ok_or("invalid payload")?;
                    }
                    Ok(sum)
                }),
            ),
        ],
        remove_previous,
    )?;
    std::fs::remove_file(&file)?;
    std::fs::remove_file(&hand_file)?;
    std::fs::remove_file(&floor_file)?;
    std::fs::remove_file(&batch_file)?;
    std::fs::remove_file(&buffered_file)?;
    assert_eq!(results[5], expected);
    assert_eq!(results[6], expected);

    // In memory.
    println!("\nIn memory, 1 M telemetry messages:");
    let mut encoder = flatstream::Encoder::new();
    let mut builder = flatbuffers::FlatBufferBuilder::new();
    let mut hand_out = Vec::with_capacity(80 << 20);
    let mut writer = StreamWriter::new(Vec::with_capacity(80 << 20), Telemetry::framer());
    let mut batch_writer = StreamWriter::new(Vec::with_capacity(80 << 20), Telemetry::framer());
    let mut buffered_writer =
        StreamWriter::with_capacity(64 << 10, Vec::with_capacity(80 << 20), Telemetry::framer());
    let results = run_paths(
        &mut [
            (
                "derived encode (table writer)",
                Box::new(|| {
                    let mut bytes = 0;
                    for m in &msgs {
                        bytes += m.encode(&mut encoder)?.len();
                    }
                    Ok(bytes as f64)
                }),
            ),
            (
                "hand-written FlatBufferBuilder encode",
                Box::new(|| {
                    let mut bytes = 0;
                    for m in &msgs {
                        builder.reset();
                        hand_build(&mut builder, m);
                        bytes += builder.finished_data().len();
                    }
                    Ok(bytes as f64)
                }),
            ),
            (
                "derived write, crc32c",
                Box::new(|| {
                    writer.get_mut().clear();
                    for m in &msgs {
                        writer.write(m)?;
                    }
                    Ok(writer.get_ref().len() as f64)
                }),
            ),
            (
                "derived write, buffered (with_capacity 64 KiB), crc32c",
                Box::new(|| {
                    buffered_writer.get_mut().clear();
                    for m in &msgs {
                        buffered_writer.write(m)?;
                    }
                    buffered_writer.flush()?;
                    Ok(buffered_writer.get_ref().len() as f64)
                }),
            ),
            (
                "derived write_batch, crc32c",
                Box::new(|| {
                    batch_writer.get_mut().clear();
                    batch_writer.write_batch(&msgs)?;
                    Ok(batch_writer.get_ref().len() as f64)
                }),
            ),
            (
                "hand-written builder + extend loop, crc32c",
                Box::new(|| {
                    hand_out.clear();
                    let mut b = flatbuffers::FlatBufferBuilder::new();
                    for m in &msgs {
                        b.reset();
                        hand_build(&mut b, m);
                        let payload = b.finished_data();
                        hand_out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
                        hand_out.extend_from_slice(&(Crc32c::new().calculate(payload) as u32).to_le_bytes());
                        hand_out.extend_from_slice(payload);
                    }
                    Ok(hand_out.len() as f64)
                }),
            ),
        ],
        |_| Ok(()),
    )?;
    assert!(results.iter().all(|&r| r > 0.0));
    let bytes = writer.into_inner();
    let results = run_paths(
        &mut [(
            "SliceReader::read_message (checksum verified)",
            Box::new(|| {
                let mut s = SliceReader::new(&bytes, Telemetry::deframer());
                let mut count = 0u64;
                while s.read_message()?.is_some() {
                    count += 1;
                }
                Ok(count as f64)
            }),
        )],
        |_| Ok(()),
    )?;
    assert_eq!(results[0], N as f64);
    Ok(())
}
