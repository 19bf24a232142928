//! The corruption matrix: write 10,000 frames, damage the stream in one of
//! several ways, read it back under a framing and a recovery policy, and
//! count what came back. Shared by `tests/corruption_matrix.rs` (which
//! asserts on it) and `examples/corruption_matrix.rs` (which prints it).

use std::collections::HashSet;
use std::ops::Range;

use flatstream::prelude::*;
use flatstream::recovery::RecoveryPolicy;
use flatstream::RecoveryMode;

/// A derived framing with a magic and a protected header.
#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"FS")]
pub struct MagicProtected {}

/// The kinds of damage applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// One bit flipped at a random position.
    BitFlip,
    /// 2 to 64 consecutive bits flipped.
    Burst,
    /// One byte removed.
    DroppedByte,
    /// One random byte inserted.
    InsertedByte,
    /// A 4 KiB-aligned 4 KiB page zeroed (a lost disk block).
    ZeroedPage,
    /// A region of up to 4 KiB repeated right after itself.
    DuplicatedRegion,
    /// The stream cut at a random position.
    Truncation,
}

impl Damage {
    /// Every kind.
    pub const ALL: [Damage; 7] = [
        Damage::BitFlip,
        Damage::Burst,
        Damage::DroppedByte,
        Damage::InsertedByte,
        Damage::ZeroedPage,
        Damage::DuplicatedRegion,
        Damage::Truncation,
    ];
}

/// The framings compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `[u32 len][payload]`: what a plain length-delimited codec writes.
    LengthOnly,
    /// `ChecksumFramer<Crc32c>`: a checksum over the payload.
    PayloadCrc,
    /// `ChecksumFramer<Crc32c>::with_protected_header()`.
    ProtectedHeader,
    /// `#[frame(magic = b"FS", covers = frame, checksum = crc32c)]`.
    MagicProtected,
}

impl Framing {
    /// Every framing.
    pub const ALL: [Framing; 4] = [
        Framing::LengthOnly,
        Framing::PayloadCrc,
        Framing::ProtectedHeader,
        Framing::MagicProtected,
    ];

    /// Whether damage can be told from data (a checksum).
    pub fn checksummed(self) -> bool {
        self != Framing::LengthOnly
    }

    /// Whether the framing can resynchronise (`SkipCorrupt`).
    pub fn resyncs(self) -> bool {
        matches!(self, Framing::ProtectedHeader | Framing::MagicProtected)
    }
}

/// What came back from one configuration over all trials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Frames written, summed over trials.
    pub written: u64,
    /// Written frames read back.
    pub recovered: u64,
    /// Written frames not read back.
    pub lost: u64,
    /// Frames read back that were never written.
    pub wrong: u64,
    /// Frames no damage touched that were not read back.
    pub untouched_lost: u64,
    /// Trials that ended in an error (rather than a clean end).
    pub errors: u64,
}

/// Deterministic xorshift random numbers.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `range`.
    pub fn range(&mut self, range: Range<usize>) -> usize {
        range.start + (self.next_u64() % (range.end - range.start).max(1) as u64) as usize
    }
}

/// `count` distinct payloads of 8 to 72 bytes.
pub fn payloads(count: usize, rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let mut p = (i as u64).to_le_bytes().to_vec();
            let extra = rng.range(0..64);
            p.extend((0..extra).map(|_| rng.next_u64() as u8));
            p
        })
        .collect()
}

/// The stream of `payloads` under `framing`, and each frame's byte range.
pub fn write(framing: Framing, payloads: &[Vec<u8>]) -> (Vec<u8>, Vec<Range<usize>>) {
    fn with<F: Framer>(framer: F, payloads: &[Vec<u8>]) -> (Vec<u8>, Vec<Range<usize>>) {
        let mut w = StreamWriter::new(Vec::new(), framer);
        let mut spans = Vec::with_capacity(payloads.len());
        for p in payloads {
            let start = w.position() as usize;
            w.write(&RawPayload(p)).expect("in memory");
            spans.push(start..w.position() as usize);
        }
        (w.into_inner(), spans)
    }
    match framing {
        Framing::LengthOnly => with(DefaultFramer, payloads),
        Framing::PayloadCrc => with(ChecksumFramer::new(Crc32c::new()), payloads),
        Framing::ProtectedHeader => with(
            ChecksumFramer::new(Crc32c::new()).with_protected_header(),
            payloads,
        ),
        Framing::MagicProtected => with(MagicProtected::framer(), payloads),
    }
}

/// Applies one `damage` to `bytes`; returns the damaged byte range (in the
/// original stream's coordinates) and whether everything after it is gone.
pub fn apply(damage: Damage, bytes: &mut Vec<u8>, rng: &mut Rng) -> Range<usize> {
    let len = bytes.len();
    match damage {
        Damage::BitFlip => {
            let at = rng.range(0..len);
            bytes[at] ^= 1 << rng.range(0..8);
            at..at + 1
        }
        Damage::Burst => {
            let bits = rng.range(2..65);
            let start_bit = rng.range(0..len * 8 - bits);
            for bit in start_bit..start_bit + bits {
                bytes[bit / 8] ^= 1 << (bit % 8);
            }
            start_bit / 8..(start_bit + bits).div_ceil(8)
        }
        Damage::DroppedByte => {
            let at = rng.range(0..len);
            bytes.remove(at);
            at..at + 1
        }
        Damage::InsertedByte => {
            let at = rng.range(0..len);
            bytes.insert(at, rng.next_u64() as u8);
            at..at + 1
        }
        Damage::ZeroedPage => {
            let page = rng.range(0..len.div_ceil(4096)) * 4096;
            let end = (page + 4096).min(len);
            bytes[page..end].fill(0);
            page..end
        }
        Damage::DuplicatedRegion => {
            let start = rng.range(0..len);
            let end = (start + rng.range(1..4097)).min(len);
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
            end..end + 1
        }
        Damage::Truncation => {
            let at = rng.range(0..len);
            bytes.truncate(at);
            at..len
        }
    }
}

/// Reads `bytes` under `framing` and `mode` and returns the payloads read
/// and whether reading ended in an error.
pub fn read(framing: Framing, mode: RecoveryMode, bytes: &[u8]) -> (Vec<Vec<u8>>, bool) {
    /// Reads to the end or the first error.
    fn drain<D: Deframer>(reader: flatstream::Result<StreamReader<&[u8], D>>) -> (Vec<Vec<u8>>, bool) {
        let Ok(mut reader) = reader else {
            return (Vec::new(), true);
        };
        let mut frames = Vec::new();
        loop {
            match reader.read_message() {
                Ok(Some(p)) => frames.push(p.to_vec()),
                Ok(None) => return (frames, false),
                Err(_) => return (frames, true),
            }
        }
    }
    /// Framings that can resynchronise take every policy.
    fn any_policy<D: Deframer + Copy>(d: D, mode: RecoveryMode, bytes: &[u8]) -> (Vec<Vec<u8>>, bool)
    where
        flatstream::recovery::SkipCorrupt: RecoveryPolicy<D>,
    {
        let reader = StreamReader::new(bytes, d);
        drain(match mode {
            RecoveryMode::Strict => reader.with_recovery(Recovery::Strict),
            RecoveryMode::TolerateTornTail => reader.with_recovery(Recovery::TolerateTornTail),
            RecoveryMode::SkipCorrupt => reader.with_recovery(Recovery::SkipCorrupt),
        })
    }
    match framing {
        Framing::LengthOnly => {
            let reader = StreamReader::new(bytes, DefaultDeframer::new());
            drain(match mode {
                RecoveryMode::TolerateTornTail => reader.with_recovery(Recovery::TolerateTornTail),
                _ => reader.with_recovery(Recovery::Strict),
            })
        }
        Framing::PayloadCrc => any_policy(ChecksumDeframer::new(Crc32c::new()), mode, bytes),
        Framing::ProtectedHeader => any_policy(
            ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
            mode,
            bytes,
        ),
        Framing::MagicProtected => any_policy(MagicProtected::deframer(), mode, bytes),
    }
}

/// One cell of the matrix: a framing, a recovery policy it supports, a kind
/// of damage, and the cell's own random seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The framing written and read.
    pub framing: Framing,
    /// The recovery policy read under.
    pub mode: RecoveryMode,
    /// The damage applied.
    pub damage: Damage,
    /// Seed of the cell's random numbers, fixed per framing and damage.
    pub seed: u64,
}

/// Every cell, in the printed order: each framing under each policy it
/// supports (`SkipCorrupt` only where it can resynchronise), each damage.
pub fn cells() -> impl Iterator<Item = Cell> {
    Framing::ALL.into_iter().enumerate().flat_map(|(f, framing)| {
        [
            RecoveryMode::Strict,
            RecoveryMode::TolerateTornTail,
            RecoveryMode::SkipCorrupt,
        ]
        .into_iter()
        .filter(move |&mode| mode != RecoveryMode::SkipCorrupt || framing.resyncs())
        .flat_map(move |mode| {
            Damage::ALL.into_iter().enumerate().map(move |(d, damage)| Cell {
                framing,
                mode,
                damage,
                seed: (f * 100 + d) as u64 + 1,
            })
        })
    })
}

/// Runs `trials` trials of `damage` on `frames` frames under `framing` and
/// `mode`.
pub fn run(
    framing: Framing,
    mode: RecoveryMode,
    damage: Damage,
    frames: usize,
    trials: usize,
    seed: u64,
) -> Tally {
    let mut rng = Rng::new(seed);
    let written = payloads(frames, &mut rng);
    let set: HashSet<&[u8]> = written.iter().map(Vec::as_slice).collect();
    let (clean, spans) = write(framing, &written);
    let mut tally = Tally::default();
    for _ in 0..trials {
        let mut bytes = clean.clone();
        let hit = apply(damage, &mut bytes, &mut rng);
        let (read, failed) = read(framing, mode, &bytes);
        let got: HashSet<&[u8]> = read
            .iter()
            .map(Vec::as_slice)
            .filter(|p| set.contains(p))
            .collect();
        tally.written += frames as u64;
        tally.recovered += got.len() as u64;
        tally.lost += (frames - got.len()) as u64;
        tally.wrong += read.iter().filter(|p| !set.contains(p.as_slice())).count() as u64;
        tally.errors += u64::from(failed);
        tally.untouched_lost += spans
            .iter()
            .zip(&written)
            .filter(|(span, p)| {
                (span.end <= hit.start || span.start >= hit.end) && !got.contains(p.as_slice())
            })
            .count() as u64;
    }
    tally
}
