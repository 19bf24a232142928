//! The corruption matrix: write 10,000 frames, damage the stream in one of
//! several ways, read it back under a framing and a recovery policy, and
//! count what came back. Shared by `tests/tests/corruption_matrix.rs` (which
//! asserts on it) and `examples/corruption_matrix.rs` (which prints it).

use std::collections::{HashMap, HashSet};
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
    /// 4 KiB zeroed from the start of a frame (a lost block that begins
    /// at a frame boundary: the zeros are read as a header).
    ZeroedPageAtFrame,
    /// 4 to 8 KiB of zeros after the last frame (a preallocated or
    /// extended file).
    ZeroFilledTail,
    /// A region of up to 4 KiB repeated right after itself.
    DuplicatedRegion,
    /// The stream cut at a random position.
    Truncation,
}

impl Damage {
    /// Every kind.
    pub const ALL: [Damage; 9] = [
        Damage::BitFlip,
        Damage::Burst,
        Damage::DroppedByte,
        Damage::InsertedByte,
        Damage::ZeroedPage,
        Damage::ZeroedPageAtFrame,
        Damage::ZeroFilledTail,
        Damage::DuplicatedRegion,
        Damage::Truncation,
    ];
}

/// The framings compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `[u32 len][payload]`: what a plain length-delimited codec writes.
    LengthOnly,
    /// `ChecksumFramer<Crc32c>`: a checksum over the payload (payloads
    /// of at least 1 byte: `with_min_payload_len(1)`).
    PayloadCrc,
    /// `ChecksumFramer<Crc32c>::with_protected_header()` (payloads of at
    /// least 1 byte).
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
    /// Frames read back that were not written where they were read: a
    /// phantom frame is wrong even when its bytes equal some other frame's.
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

/// The runtime framings' shared settings: the matrix's payloads are never
/// empty, and saying so keeps zero-filled regions from reading as frames.
const MIN_PAYLOAD_LEN: usize = 1;

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
        Framing::PayloadCrc => with(
            ChecksumFramer::new(Crc32c::new()).with_min_payload_len(MIN_PAYLOAD_LEN),
            payloads,
        ),
        Framing::ProtectedHeader => with(
            ChecksumFramer::new(Crc32c::new())
                .with_min_payload_len(MIN_PAYLOAD_LEN)
                .with_protected_header(),
            payloads,
        ),
        Framing::MagicProtected => with(MagicProtected::framer(), payloads),
    }
}

/// What one damage did to a stream.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The damaged byte range, in the original stream's coordinates.
    pub hit: Range<usize>,
    /// How offsets moved.
    pub edit: Edit,
}

/// How a damage moved the bytes after it.
#[derive(Debug, Clone, Copy)]
pub enum Edit {
    /// Bytes changed or cut off in place: offsets are unchanged.
    InPlace,
    /// One byte removed at `at`.
    Removed {
        /// Where, in the original stream.
        at: usize,
    },
    /// `len` bytes inserted at `at`: a copy of the original bytes from
    /// `copy_of` on, or new bytes.
    Inserted {
        /// Where, in the original stream.
        at: usize,
        /// How many.
        len: usize,
        /// What they copy, if anything.
        copy_of: Option<usize>,
    },
}

impl Edit {
    /// The original stream offset whose bytes sit at `offset` of the
    /// damaged stream (`None`: bytes that were never written).
    pub fn original(self, offset: usize) -> Option<usize> {
        match self {
            Edit::InPlace => Some(offset),
            Edit::Removed { at } => Some(if offset < at { offset } else { offset + 1 }),
            Edit::Inserted { at, len, copy_of } => {
                if offset < at {
                    Some(offset)
                } else if offset < at + len {
                    copy_of.map(|c| c + (offset - at))
                } else {
                    Some(offset - len)
                }
            }
        }
    }
}

/// Applies one `damage` to the stream `bytes` of frames at `spans`.
pub fn apply(damage: Damage, bytes: &mut Vec<u8>, spans: &[Range<usize>], rng: &mut Rng) -> Applied {
    let len = bytes.len();
    let in_place = |hit| Applied {
        hit,
        edit: Edit::InPlace,
    };
    match damage {
        Damage::BitFlip => {
            let at = rng.range(0..len);
            bytes[at] ^= 1 << rng.range(0..8);
            in_place(at..at + 1)
        }
        Damage::Burst => {
            let bits = rng.range(2..65);
            let start_bit = rng.range(0..len * 8 - bits);
            for bit in start_bit..start_bit + bits {
                bytes[bit / 8] ^= 1 << (bit % 8);
            }
            in_place(start_bit / 8..(start_bit + bits).div_ceil(8))
        }
        Damage::DroppedByte => {
            let at = rng.range(0..len);
            bytes.remove(at);
            Applied {
                hit: at..at + 1,
                edit: Edit::Removed { at },
            }
        }
        Damage::InsertedByte => {
            let at = rng.range(0..len);
            bytes.insert(at, rng.next_u64() as u8);
            Applied {
                hit: at..at + 1,
                edit: Edit::Inserted {
                    at,
                    len: 1,
                    copy_of: None,
                },
            }
        }
        Damage::ZeroedPage => {
            let page = rng.range(0..len.div_ceil(4096)) * 4096;
            let end = (page + 4096).min(len);
            bytes[page..end].fill(0);
            in_place(page..end)
        }
        Damage::ZeroedPageAtFrame => {
            let start = spans[rng.range(0..spans.len())].start;
            let end = (start + 4096).min(len);
            bytes[start..end].fill(0);
            in_place(start..end)
        }
        Damage::ZeroFilledTail => {
            let zeros = 4096 + rng.range(0..4097);
            bytes.resize(len + zeros, 0);
            Applied {
                hit: len..len,
                edit: Edit::Inserted {
                    at: len,
                    len: zeros,
                    copy_of: None,
                },
            }
        }
        Damage::DuplicatedRegion => {
            let start = rng.range(0..len);
            let end = (start + rng.range(1..4097)).min(len);
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
            Applied {
                hit: end..end + 1,
                edit: Edit::Inserted {
                    at: end,
                    len: end - start,
                    copy_of: Some(start),
                },
            }
        }
        Damage::Truncation => {
            let at = rng.range(0..len);
            bytes.truncate(at);
            in_place(at..len)
        }
    }
}

/// A frame read back: where it started in the damaged stream, and its
/// payload.
pub type ReadFrame = (usize, Vec<u8>);

/// Reads `bytes` under `framing` and `mode` and returns the frames read
/// and whether reading ended in an error.
pub fn read(framing: Framing, mode: RecoveryMode, bytes: &[u8]) -> (Vec<ReadFrame>, bool) {
    /// Reads to the end or the first error.
    fn drain<D: Deframer>(reader: flatstream::Result<StreamReader<&[u8], D>>) -> (Vec<ReadFrame>, bool) {
        let Ok(mut reader) = reader else {
            return (Vec::new(), true);
        };
        let header_len = reader.deframer().header_len();
        let mut frames = Vec::new();
        loop {
            match reader.read_message() {
                // The matrix's framings have no padding: the frame ends
                // where the reader now is.
                Ok(Some(p)) => {
                    let len = p.len();
                    frames.push((0, p.to_vec()));
                    let end = reader.position() as usize;
                    frames.last_mut().expect("just pushed").0 = end - len - header_len;
                }
                Ok(None) => return (frames, false),
                Err(_) => return (frames, true),
            }
        }
    }
    /// Framings that can resynchronise take every policy.
    fn any_policy<D: Deframer + Copy>(d: D, mode: RecoveryMode, bytes: &[u8]) -> (Vec<ReadFrame>, bool)
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
        Framing::PayloadCrc => any_policy(
            ChecksumDeframer::new(Crc32c::new()).with_min_payload_len(MIN_PAYLOAD_LEN),
            mode,
            bytes,
        ),
        Framing::ProtectedHeader => any_policy(
            ChecksumDeframer::new(Crc32c::new())
                .with_min_payload_len(MIN_PAYLOAD_LEN)
                .with_protected_header(),
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
    let (clean, spans) = write(framing, &written);
    // Which frame was written at each offset.
    let frame_at: HashMap<usize, usize> = spans.iter().enumerate().map(|(i, s)| (s.start, i)).collect();
    let mut tally = Tally::default();
    for _ in 0..trials {
        let mut bytes = clean.clone();
        let Applied { hit, edit } = apply(damage, &mut bytes, &spans, &mut rng);
        let (read, failed) = read(framing, mode, &bytes);
        // A frame is right when the frame written where it was read (in the
        // original stream) has its bytes.
        let mut got = HashSet::new();
        for (offset, payload) in &read {
            match edit.original(*offset).and_then(|o| frame_at.get(&o)) {
                Some(&i) if written[i] == *payload => {
                    got.insert(i);
                }
                _ => tally.wrong += 1,
            }
        }
        tally.written += frames as u64;
        tally.recovered += got.len() as u64;
        tally.lost += (frames - got.len()) as u64;
        tally.errors += u64::from(failed);
        tally.untouched_lost += spans
            .iter()
            .enumerate()
            .filter(|(i, span)| (span.end <= hit.start || span.start >= hit.end) && !got.contains(i))
            .count() as u64;
    }
    tally
}
