//! How much work verification may do before a payload is trusted.

use flatbuffers::VerifierOptions;

/// Limits the verifier enforces before a payload is trusted.
///
/// The defaults (`VerifyLimits::DEFAULT`): depth 64, 1,000,000 tables, an
/// apparent size of 1 GiB. Set them per type with
/// `#[frame(max_depth = .., max_tables = ..)]` and per reader with
/// [`StreamReader::with_verify_limits`](crate::StreamReader::with_verify_limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyLimits {
    /// Deepest nesting of tables accepted.
    pub max_depth: usize,
    /// Most tables accepted in one payload.
    pub max_tables: usize,
    /// Largest size of the payload as if every shared object were copied out
    /// (guards against small payloads that expand into huge trees).
    pub max_apparent_size: usize,
}

impl VerifyLimits {
    /// Depth 64, 1,000,000 tables, apparent size 1 GiB.
    pub const DEFAULT: VerifyLimits = VerifyLimits {
        max_depth: 64,
        max_tables: 1_000_000,
        max_apparent_size: 1 << 30,
    };

    pub(crate) fn options(&self) -> VerifierOptions {
        VerifierOptions {
            max_depth: self.max_depth,
            max_tables: self.max_tables,
            max_apparent_size: self.max_apparent_size,
            ignore_missing_null_terminator: false,
        }
    }
}

impl Default for VerifyLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
