//! Is framing zero-cost? The framers against the loop a careful user
//! writes by hand, over the same built 64-byte payloads, in the two call
//! contexts user code has:
//!
//! * `fn`: inside an `#[inline(never)]` function that propagates errors
//!   with `?`;
//! * `closure`: inside the benchmark closure, every frame `.unwrap()`ed
//!   and passed through `black_box`, the closure inlined into the timing
//!   loop (as criterion's `iter` does);
//! * `callback` (the slice rows): the same closure called through
//!   `dyn FnMut`, so it is compiled on its own.
//!
//! Rows (1,000 frames per iteration):
//!
//! * `slice/*`: `SliceReader::read_message` with `DefaultDeframer` and a
//!   derived `#[frame(len = u32)]` against a slice loop bounds-checked with
//!   `get`, with a length limit and errors;
//! * `stream/*`: `StreamReader::read_message` over a `&[u8]` (through
//!   `Read`) against a hand `read_exact` loop into a reused `Vec`;
//! * `write/*`: `Framer::encode_frame` and `StreamWriter::write` of built
//!   payloads into a `Vec` against a hand `extend_from_slice` loop.
//!
//! The hand loops are monomorphic, inlined and do no work twice; they
//! return errors as a `&'static str`, as small as an error can be. The
//! hand writer refuses what the hand readers refuse (a payload over the
//! 16 MiB limit) rather than truncate a length into its `u32`.
//!
//! `FLATSTREAM_RATIOS=1` instead times each row against its context's hand
//! loop in interleaved rounds and prints the per-round ratios' median with
//! the 10th and 90th percentiles: on a shared machine, whose speed drifts
//! over a criterion run, the steadier comparison.
//!
//! cargo bench -p flatstream --bench zero_cost

use std::hint::black_box;
use std::io::Read;
use std::time::Instant;

use criterion::{criterion_group, Criterion, Throughput};
use flatstream::prelude::*;
use flatstream::SliceReader;

#[path = "shared/ratios.rs"]
mod ratios;

#[derive(StreamSerialize)]
#[frame(len = u32)]
struct Derived {}

const FRAMES: usize = 1000;
const PAYLOAD: usize = 64;
const MAX_LEN: usize = 16 << 20;

fn payloads() -> Vec<Vec<u8>> {
    (0..FRAMES).map(|i| vec![(i % 251) as u8; PAYLOAD]).collect()
}

/// The next `[u32 LE len][payload]` frame of `bytes` at `*at`.
#[inline(always)]
fn hand_next<'a>(bytes: &'a [u8], at: &mut usize) -> Result<Option<&'a [u8]>, &'static str> {
    let Some(header) = bytes.get(*at..*at + 4) else {
        return if *at == bytes.len() {
            Ok(None)
        } else {
            Err("torn header")
        };
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if len > MAX_LEN {
        return Err("frame too large");
    }
    let payload = bytes.get(*at + 4..*at + 4 + len).ok_or("torn frame")?;
    *at += 4 + len;
    Ok(Some(payload))
}

#[inline(never)]
fn hand_slice_fn(bytes: &[u8]) -> Result<usize, &'static str> {
    let (mut at, mut n) = (0, 0);
    while let Some(p) = hand_next(bytes, &mut at)? {
        n += p.len();
    }
    Ok(n)
}

#[inline(never)]
fn slice_fn<D: Deframer>(deframer: D, bytes: &[u8]) -> flatstream::Result<usize> {
    let mut r = SliceReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message()? {
        n += p.len();
    }
    Ok(n)
}

/// The hand `read_exact` loop: a header, a length limit, the payload into
/// a reused buffer.
#[inline(always)]
fn hand_stream<R: Read>(mut input: R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut n = 0;
    let mut header = [0u8; 4];
    loop {
        match input.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(n),
            Err(e) => return Err(e),
        }
        let len = u32::from_le_bytes(header) as usize;
        if len > MAX_LEN {
            return Err(std::io::Error::other("frame too large"));
        }
        buf.resize(len, 0);
        input.read_exact(&mut buf[..len])?;
        n += buf[..len].len();
    }
}

#[inline(never)]
fn stream_fn<D: Deframer>(deframer: D, bytes: &[u8]) -> flatstream::Result<usize> {
    let mut r = StreamReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message()? {
        n += p.len();
    }
    Ok(n)
}

/// The hand write of one `[u32 LE len][payload]` frame. Careful, as the
/// hand reader is: a payload its reader would refuse (over `MAX_LEN`) is
/// refused here too, and the length never truncated into the `u32`.
#[inline(always)]
fn hand_frame(p: &[u8], out: &mut Vec<u8>) -> Result<(), &'static str> {
    if p.len() > MAX_LEN {
        return Err("frame too large");
    }
    out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    out.extend_from_slice(p);
    Ok(())
}

#[inline(never)]
fn hand_stream_fn(bytes: &[u8], buf: &mut Vec<u8>) -> std::io::Result<usize> {
    hand_stream(bytes, buf)
}

#[inline(never)]
fn encode_frame_fn<F: Framer>(framer: &F, payloads: &[Vec<u8>], out: &mut Vec<u8>) -> flatstream::Result<()> {
    out.clear();
    for p in payloads {
        framer.encode_frame(p, out)?;
    }
    Ok(())
}

#[inline(never)]
fn write_fn<F: Framer>(w: &mut StreamWriter<Vec<u8>, F>, payloads: &[Vec<u8>]) -> flatstream::Result<()> {
    w.get_mut().clear();
    for p in payloads {
        w.write(&RawPayload(p))?;
    }
    Ok(())
}

/// A measured loop: its group (`slice_64B`, `stream_64B`, `write_64B`),
/// its name (`context/path`) and the loop, run the given number of times,
/// owning its buffers.
struct Row<'a> {
    group: &'static str,
    name: &'static str,
    run: Box<dyn FnMut(u64) + 'a>,
}

/// A row whose `body` is inlined into its timing loop, as in criterion's
/// `iter` (the "fn" and "closure" contexts).
fn row<'a>(group: &'static str, name: &'static str, mut body: impl FnMut() + 'a) -> Row<'a> {
    Row {
        group,
        name,
        run: Box::new(move |iters| (0..iters).for_each(|_| body())),
    }
}

/// A row whose `body` is a callback, called through `dyn FnMut` from its
/// timing loop (the "callback" context).
fn callback<'a>(group: &'static str, name: &'static str, body: impl FnMut() + 'a) -> Row<'a> {
    let mut body: Box<dyn FnMut() + 'a> = Box::new(body);
    Row {
        group,
        name,
        run: Box::new(move |iters| (0..iters).for_each(|_| body())),
    }
}

/// Every row, each checked once against the hand loop's result first.
fn rows<'a>(payloads: &'a [Vec<u8>], bytes: &'a [u8]) -> Vec<Row<'a>> {
    let total = FRAMES * PAYLOAD;
    assert_eq!(hand_slice_fn(bytes), Ok(total));
    assert_eq!(slice_fn(Derived::deframer(), bytes).unwrap(), total);
    assert_eq!(slice_fn(DefaultDeframer::new(), bytes).unwrap(), total);
    assert_eq!(hand_stream_fn(bytes, &mut Vec::new()).unwrap(), total);
    assert_eq!(stream_fn(Derived::deframer(), bytes).unwrap(), total);
    assert_eq!(stream_fn(DefaultDeframer::new(), bytes).unwrap(), total);
    let out = || Vec::with_capacity(FRAMES * (PAYLOAD + 16));
    let writer = || StreamWriter::new(out(), Derived::framer());
    let (mut check, mut w) = (out(), writer());
    encode_frame_fn(&Derived::framer(), payloads, &mut check).unwrap();
    assert_eq!(check, bytes);
    encode_frame_fn(&DefaultFramer, payloads, &mut check).unwrap();
    assert_eq!(check, bytes);
    write_fn(&mut w, payloads).unwrap();
    assert_eq!(w.get_ref(), bytes);

    let mut rows = vec![
        row("slice_64B", "fn/hand", move || {
            black_box(hand_slice_fn(black_box(bytes)).unwrap());
        }),
        row("slice_64B", "fn/runtime", move || {
            black_box(slice_fn(DefaultDeframer::new(), black_box(bytes)).unwrap());
        }),
        row("slice_64B", "fn/derived", move || {
            black_box(slice_fn(Derived::deframer(), black_box(bytes)).unwrap());
        }),
        row("slice_64B", "closure/hand", move || {
            let bytes = black_box(bytes);
            let (mut at, mut n) = (0, 0);
            while let Some(p) = hand_next(bytes, &mut at).unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
        row("slice_64B", "closure/runtime", move || {
            let mut r = SliceReader::new(black_box(bytes), DefaultDeframer::new());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
        row("slice_64B", "closure/derived", move || {
            let mut r = SliceReader::new(black_box(bytes), Derived::deframer());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
        // The closure rows' bodies again, written out rather than made by
        // one helper for both: closures returned by a helper were not
        // inlined into the timing loop, and the closure rows then measured
        // what the callback rows measure (0.77x, before the reader
        // prefetched).
        callback("slice_64B", "callback/hand", move || {
            let bytes = black_box(bytes);
            let (mut at, mut n) = (0, 0);
            while let Some(p) = hand_next(bytes, &mut at).unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
        callback("slice_64B", "callback/runtime", move || {
            let mut r = SliceReader::new(black_box(bytes), DefaultDeframer::new());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
        callback("slice_64B", "callback/derived", move || {
            let mut r = SliceReader::new(black_box(bytes), Derived::deframer());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            black_box(n);
        }),
    ];
    let mut buf = Vec::new();
    rows.push(row("stream_64B", "fn/hand", move || {
        black_box(hand_stream_fn(black_box(bytes), &mut buf).unwrap());
    }));
    rows.push(row("stream_64B", "fn/runtime", move || {
        black_box(stream_fn(DefaultDeframer::new(), black_box(bytes)).unwrap());
    }));
    rows.push(row("stream_64B", "fn/derived", move || {
        black_box(stream_fn(Derived::deframer(), black_box(bytes)).unwrap());
    }));
    let mut buf = Vec::new();
    rows.push(row("stream_64B", "closure/hand", move || {
        let mut input = black_box(bytes);
        let mut header = [0u8; 4];
        let mut n = 0;
        while input.read_exact(&mut header).is_ok() {
            let len = u32::from_le_bytes(header) as usize;
            assert!(len <= MAX_LEN, "frame too large");
            buf.resize(len, 0);
            input.read_exact(&mut buf[..len]).unwrap();
            n += black_box(&buf[..len]).len();
        }
        black_box(n);
    }));
    rows.push(row("stream_64B", "closure/runtime", move || {
        let mut r = StreamReader::new(black_box(bytes), DefaultDeframer::new());
        let mut n = 0;
        while let Some(p) = r.read_message().unwrap() {
            n += black_box(p).len();
        }
        black_box(n);
    }));
    rows.push(row("stream_64B", "closure/derived", move || {
        let mut r = StreamReader::new(black_box(bytes), Derived::deframer());
        let mut n = 0;
        while let Some(p) = r.read_message().unwrap() {
            n += black_box(p).len();
        }
        black_box(n);
    }));
    let mut o = out();
    rows.push(row("write_64B", "fn/hand", move || {
        hand_write_fn(black_box(payloads), &mut o).unwrap()
    }));
    let mut o = out();
    rows.push(row("write_64B", "fn/encode_frame_runtime", move || {
        encode_frame_fn(&DefaultFramer, black_box(payloads), &mut o).unwrap()
    }));
    let mut o = out();
    rows.push(row("write_64B", "fn/encode_frame_derived", move || {
        encode_frame_fn(&Derived::framer(), black_box(payloads), &mut o).unwrap()
    }));
    rows.push(row("write_64B", "fn/write_derived", move || {
        write_fn(&mut w, black_box(payloads)).unwrap()
    }));
    let mut o = out();
    rows.push(row("write_64B", "closure/hand", move || {
        o.clear();
        for p in black_box(payloads) {
            hand_frame(p, &mut o).unwrap();
        }
    }));
    let mut o = out();
    rows.push(row("write_64B", "closure/encode_frame_runtime", move || {
        o.clear();
        for p in black_box(payloads) {
            DefaultFramer.encode_frame(p, &mut o).unwrap();
        }
    }));
    let mut o = out();
    rows.push(row("write_64B", "closure/encode_frame_derived", move || {
        o.clear();
        let framer = Derived::framer();
        for p in black_box(payloads) {
            framer.encode_frame(p, &mut o).unwrap();
        }
    }));
    let mut w = writer();
    rows.push(row("write_64B", "closure/write_derived", move || {
        w.get_mut().clear();
        for p in black_box(payloads) {
            w.write(&RawPayload(p)).unwrap();
        }
    }));
    rows
}

fn inputs() -> (Vec<Vec<u8>>, Vec<u8>) {
    let payloads = payloads();
    let mut bytes = Vec::new();
    hand_write_fn(&payloads, &mut bytes).unwrap();
    (payloads, bytes)
}

fn zero_cost(c: &mut Criterion) {
    let (payloads, bytes) = inputs();
    let mut rows = rows(&payloads, &bytes);
    let mut at = 0;
    while at < rows.len() {
        let name = rows[at].group;
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(FRAMES as u64));
        for row in rows[at..].iter_mut().take_while(|r| r.group == name) {
            group.bench_function(row.name, |b| {
                b.iter_custom(|iters| {
                    let started = Instant::now();
                    (row.run)(iters);
                    started.elapsed()
                })
            });
            at += 1;
        }
        group.finish();
    }
}

/// Each row against the hand loop of its group and context in interleaved
/// rounds: the hand loop's time over ours, per round (above 1: ours is
/// faster), each timing 100 iterations of both three times.
fn ratios() {
    const ROUNDS: usize = 31;
    const REPEAT: u64 = 100;
    let (payloads, bytes) = inputs();
    let mut rows = rows(&payloads, &bytes);
    println!("hand / ours over {ROUNDS} interleaved rounds: median (10th - 90th percentile)");
    for ours in 0..rows.len() {
        if rows[ours].name.ends_with("/hand") {
            continue;
        }
        let context = rows[ours].name.split('/').next().unwrap_or_default();
        let hand_name = format!("{context}/hand");
        let hand = rows
            .iter()
            .position(|r| r.group == rows[ours].group && r.name == hand_name)
            .expect("every context has a hand loop");
        let (a, b) = if hand < ours {
            let (left, right) = rows.split_at_mut(ours);
            (&mut left[hand], &mut right[0])
        } else {
            let (left, right) = rows.split_at_mut(hand);
            (&mut right[0], &mut left[ours])
        };
        let ratios = ratios::interleaved(ROUNDS, &mut || (a.run)(REPEAT), &mut || (b.run)(REPEAT));
        println!("{:<12} {:<32} {ratios}", b.group, b.name);
    }
}

#[inline(never)]
fn hand_write_fn(payloads: &[Vec<u8>], out: &mut Vec<u8>) -> Result<(), &'static str> {
    out.clear();
    for p in payloads {
        hand_frame(p, out)?;
    }
    Ok(())
}

criterion_group!(benches, zero_cost);

fn main() {
    ratios::main_with(ratios, benches);
}
