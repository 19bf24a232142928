//! What a reader does when it meets damage: stop ([`Recovery::Strict`]),
//! accept an unfinished last frame ([`Recovery::TolerateTornTail`]), or skip
//! to the next intact frame ([`Recovery::SkipCorrupt`]); and what it reports
//! about it ([`TornTail`], [`SkippedRegion`]).
//!
//! The policies are types, so a policy a framing cannot support fails to
//! compile: `SkipCorrupt` needs a framing that can validate a header on its
//! own (a magic, or a checksum over the header), since resynchronising means
//! testing candidate headers at every byte position.

use crate::checksum::Checksum;
use crate::error::Error;
use crate::framing::{ChecksumDeframer, Decoded, Deframer};
use crate::layout::{FrameLayout, LayoutDeframer};

/// A reader's reaction to damage, as a value (see [`Recovery`] for the
/// compile-time checked way to choose one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecoveryMode {
    /// The first error ends the stream.
    #[default]
    Strict,
    /// An incomplete last frame ends the stream cleanly (and is reported).
    TolerateTornTail,
    /// Damaged bytes are skipped (and reported) up to the next intact frame.
    SkipCorrupt,
}

/// The recovery policies, for [`StreamReader::with_recovery`]:
/// `reader.with_recovery(Recovery::SkipCorrupt)?`.
///
/// [`StreamReader::with_recovery`]: crate::StreamReader::with_recovery
#[derive(Debug, Clone, Copy)]
pub struct Recovery;

#[allow(non_upper_case_globals)]
impl Recovery {
    /// The first error ends the stream (the default).
    pub const Strict: Strict = Strict;
    /// An incomplete last frame at the end of the input (a crash during a
    /// write) ends the stream cleanly; [`torn_tail`] reports it. Damage that
    /// only looks like a torn tail (a frame that validates follows the
    /// suspect header) is still an error.
    ///
    /// [`torn_tail`]: crate::StreamReader::torn_tail
    pub const TolerateTornTail: TolerateTornTail = TolerateTornTail;
    /// On a bad header, a checksum mismatch or a verifier rejection, scan
    /// forward to the next frame that validates and go on; every skipped
    /// range is reported ([`take_skipped`]).
    ///
    /// [`take_skipped`]: crate::StreamReader::take_skipped
    pub const SkipCorrupt: SkipCorrupt = SkipCorrupt;
}

/// See [`Recovery::Strict`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Strict;
/// See [`Recovery::TolerateTornTail`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TolerateTornTail;
/// See [`Recovery::SkipCorrupt`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SkipCorrupt;

/// A recovery policy a reader with deframer `D` can use.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used with `{D}`: skipping to the next intact frame needs a framing that can validate a header on its own",
    label = "this framing has no magic and no header checksum",
    note = "add `magic = b\"..\"` or `covers = frame` to #[frame(...)], or use `ChecksumDeframer::with_protected_header()`"
)]
pub trait RecoveryPolicy<D> {
    /// The policy as a value.
    const MODE: RecoveryMode;
}

impl<D: Deframer> RecoveryPolicy<D> for Strict {
    const MODE: RecoveryMode = RecoveryMode::Strict;
}

impl<D: Deframer> RecoveryPolicy<D> for TolerateTornTail {
    const MODE: RecoveryMode = RecoveryMode::TolerateTornTail;
}

/// Layouts whose headers validate on their own (a magic or
/// `covers = frame`); the derive implements it for them.
#[diagnostic::on_unimplemented(
    message = "the framing of `{Self}` cannot validate a header on its own",
    note = "add `magic = b\"..\"` or `covers = frame` to its #[frame(...)]"
)]
pub trait ResyncLayout: FrameLayout {}

impl<L: ResyncLayout> RecoveryPolicy<LayoutDeframer<L>> for SkipCorrupt {
    const MODE: RecoveryMode = RecoveryMode::SkipCorrupt;
}

/// Allowed by type; [`with_recovery`](crate::StreamReader::with_recovery)
/// refuses it at run time unless the deframer has a protected header.
impl<C: Checksum> RecoveryPolicy<ChecksumDeframer<C>> for SkipCorrupt {
    const MODE: RecoveryMode = RecoveryMode::SkipCorrupt;
}

/// Allowed by type; [`with_recovery`](crate::StreamReader::with_recovery)
/// refuses it at run time unless the layout has a magic or `covers=frame`.
impl RecoveryPolicy<crate::DynamicLayout> for SkipCorrupt {
    const MODE: RecoveryMode = RecoveryMode::SkipCorrupt;
}

/// A compressed framing resynchronises as its inner framing does; a frame
/// that fails to decompress is skipped and reported like a damaged one.
impl<D, C, K> RecoveryPolicy<crate::compress::CompressedDeframer<D, C, K>> for SkipCorrupt
where
    SkipCorrupt: RecoveryPolicy<D>,
{
    const MODE: RecoveryMode = RecoveryMode::SkipCorrupt;
}

/// An encrypted framing resynchronises as its inner framing does; a frame
/// that fails to authenticate is skipped and reported like a damaged one.
impl<D, A> RecoveryPolicy<crate::encrypt::EncryptedDeframer<D, A>> for SkipCorrupt
where
    SkipCorrupt: RecoveryPolicy<D>,
{
    const MODE: RecoveryMode = RecoveryMode::SkipCorrupt;
}

/// An incomplete frame at the end of the input, accepted by
/// [`Recovery::TolerateTornTail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TornTail {
    /// Offset of its first header byte.
    pub offset: u64,
    /// Bytes of it that were present.
    pub len: u64,
}

/// Bytes skipped by [`Recovery::SkipCorrupt`].
#[derive(Debug)]
pub struct SkippedRegion {
    /// Offset of the first skipped byte.
    pub offset: u64,
    /// Number of bytes skipped.
    pub len: u64,
    /// Why skipping started there (the error the strict policy would have
    /// returned).
    pub reason: Error,
}

impl SkippedRegion {
    /// A copy (see [`Error::replica`]).
    pub(crate) fn replica(&self) -> SkippedRegion {
        SkippedRegion {
            offset: self.offset,
            len: self.len,
            reason: self.reason.replica(),
        }
    }
}

/// The offset in `bytes` (searching from `from`) of the first complete
/// frame that validates, if the deframer can validate anything at all.
///
/// Sans-IO; used to tell a torn tail from a corrupt length.
pub fn find_valid_frame<D: Deframer>(deframer: &D, bytes: &[u8], from: usize) -> Option<usize> {
    if !deframer.validates_header() && !deframer.validates_payload() {
        return None;
    }
    (from..bytes.len()).find(|&at| matches!(deframer.decode_frame(&bytes[at..]), Ok(Decoded::Frame { .. })))
}
