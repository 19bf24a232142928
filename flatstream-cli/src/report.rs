//! `verify`, `inspect` and `stats`: what is in a stream, and what is wrong
//! with it.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use serde_json::json;

use crate::input::Input;
use crate::walk::{walk, Event, Policy, Totals};
use crate::{layout, Source, Verdict};

/// A damaged region, as one line.
fn damage_line(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Frame { .. } => None,
        Event::Skipped { offset, len, reason } => {
            Some(format!("damaged: {len} bytes at offset {offset}: {reason}"))
        }
        Event::TornTail { offset, len } => Some(format!(
            "torn tail: an incomplete last frame of {len} bytes at offset {offset}"
        )),
        Event::Stopped { offset, reason } => Some(match offset {
            Some(offset) => format!("damaged at offset {offset}: {reason}"),
            None => format!("damaged: {reason}"),
        }),
    }
}

/// `flatstream verify`.
pub fn verify(source: &Source) -> Verdict {
    let layout = layout(&source.framing)?;
    let input = Input::open(&source.file, source.quiet)?;
    let mut out = io::stdout().lock();
    let totals = walk(input, layout, source.recovery, false, |event| {
        if let Some(line) = damage_line(&event) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    })?;
    let recovered = match source.recovery {
        Policy::TornTail | Policy::SkipCorrupt => " recovered",
        Policy::Auto | Policy::Strict => "",
    };
    if totals.intact() {
        writeln!(
            out,
            "ok: {} frames, {} bytes, intact",
            totals.frames, totals.bytes
        )?;
    } else {
        writeln!(
            out,
            "damaged: {} frames{recovered} ({} bytes), {} damaged regions ({} bytes)",
            totals.frames, totals.bytes, totals.damaged_regions, totals.damaged_bytes
        )?;
    }
    Ok(totals.intact())
}

/// `flatstream inspect`.
pub fn inspect(source: &Source, json: bool) -> Verdict {
    let layout = layout(&source.framing)?;
    let input = Input::open(&source.file, source.quiet)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let checksum = layout.checksum_kind();
    let status = if checksum.size() > 0 {
        "checksum ok"
    } else {
        "no checksum"
    };
    let totals = walk(input, layout, source.recovery, false, |event| {
        if json {
            let value = match &event {
                Event::Frame {
                    index,
                    offset,
                    header_len,
                    payload_len,
                    ..
                } => json!({"frame": index, "offset": offset, "header_len": header_len,
                    "payload_len": payload_len, "checksum": checksum.keyword(), "status": "ok"}),
                Event::Skipped { offset, len, reason } => {
                    json!({"damaged": "skipped", "offset": offset, "len": len, "reason": reason})
                }
                Event::TornTail { offset, len } => {
                    json!({"damaged": "torn_tail", "offset": offset, "len": len})
                }
                Event::Stopped { offset, reason } => {
                    json!({"damaged": "stopped", "offset": offset, "reason": reason})
                }
            };
            writeln!(out, "{value}")?;
        } else if let Event::Frame {
            index,
            offset,
            header_len,
            payload_len,
            ..
        } = event
        {
            writeln!(
                out,
                "frame {index} at {offset}: header {header_len} bytes, payload {payload_len} bytes, {status}"
            )?;
        } else if let Some(line) = damage_line(&event) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    })?;
    summary(&mut out, &totals, json)?;
    out.flush()?;
    Ok(totals.intact())
}

fn summary(out: &mut impl Write, totals: &Totals, json: bool) -> io::Result<()> {
    if json {
        let value = json!({"summary": {"frames": totals.frames, "bytes": totals.bytes,
            "payload_bytes": totals.payload_bytes, "damaged_regions": totals.damaged_regions,
            "damaged_bytes": totals.damaged_bytes, "intact": totals.intact()}});
        writeln!(out, "{value}")
    } else {
        writeln!(
            out,
            "{} frames, {} bytes ({} of payload), {} damaged regions ({} bytes)",
            totals.frames, totals.bytes, totals.payload_bytes, totals.damaged_regions, totals.damaged_bytes
        )
    }
}

/// The payload size at quantile `q` (0 to 1) of a size histogram.
fn quantile(sizes: &BTreeMap<usize, u64>, count: u64, q: f64) -> usize {
    let rank = ((count as f64 - 1.0) * q).round() as u64;
    let mut seen = 0;
    for (&size, &n) in sizes {
        seen += n;
        if seen > rank {
            return size;
        }
    }
    0
}

/// `flatstream stats`.
pub fn stats(source: &Source, json: bool) -> Verdict {
    let layout = layout(&source.framing)?;
    let input = Input::open(&source.file, source.quiet)?;
    // Exact sizes (bounded by the framing's max_len, so by the distinct
    // sizes, not the frame count).
    let mut sizes: BTreeMap<usize, u64> = BTreeMap::new();
    let totals = walk(input, layout, source.recovery, false, |event| {
        if let Event::Frame { payload_len, .. } = event {
            *sizes.entry(payload_len).or_default() += 1;
        }
        Ok(())
    })?;
    let n = totals.frames;
    let (min, max) = (
        sizes.keys().next().copied().unwrap_or(0),
        sizes.keys().next_back().copied().unwrap_or(0),
    );
    let (median, p99) = (quantile(&sizes, n, 0.5), quantile(&sizes, n, 0.99));
    let overhead = totals.bytes - totals.payload_bytes;
    // Power-of-two buckets: [0, 1], [2, 3], [4, 7], ...
    let mut buckets: BTreeMap<u32, u64> = BTreeMap::new();
    for (&size, &count) in &sizes {
        *buckets.entry(usize::BITS - size.leading_zeros()).or_default() += count;
    }
    let bucket_range = |b: u32| {
        if b == 0 {
            (0, 0)
        } else {
            (1usize << (b - 1), (1usize << b) - 1)
        }
    };
    let mut out = io::stdout().lock();
    if json {
        let histogram: Vec<_> = buckets
            .iter()
            .map(|(&b, &count)| {
                let (lo, hi) = bucket_range(b);
                json!({"min": lo, "max": hi, "frames": count})
            })
            .collect();
        let value = json!({"frames": n, "bytes": totals.bytes, "payload_bytes": totals.payload_bytes,
            "header_overhead_bytes": overhead, "payload_len": {"min": min, "median": median, "p99": p99, "max": max},
            "histogram": histogram, "damaged_regions": totals.damaged_regions, "damaged_bytes": totals.damaged_bytes});
        writeln!(out, "{value}")?;
    } else {
        writeln!(out, "frames:          {n}")?;
        writeln!(
            out,
            "bytes:           {} ({} payload)",
            totals.bytes, totals.payload_bytes
        )?;
        let share = if totals.bytes > 0 {
            100.0 * overhead as f64 / totals.bytes as f64
        } else {
            0.0
        };
        writeln!(out, "header overhead: {overhead} bytes ({share:.1}%)")?;
        writeln!(
            out,
            "payload bytes:   min {min}, median {median}, p99 {p99}, max {max}"
        )?;
        let widest = buckets.values().copied().max().unwrap_or(1).max(1);
        for (&b, &count) in &buckets {
            let (lo, hi) = bucket_range(b);
            let bar = "#".repeat(((40 * count).div_ceil(widest)) as usize);
            writeln!(out, "{lo:>10} - {hi:<10} {count:>10} {bar}")?;
        }
        if !totals.intact() {
            writeln!(
                out,
                "damaged:         {} regions ({} bytes)",
                totals.damaged_regions, totals.damaged_bytes
            )?;
        }
    }
    Ok(totals.intact())
}
