//! Small pieces only generated code uses, reached through `__private`
//! (the verification machinery has its own modules, `verify` and
//! `fast_verify`; the encoder's are `field` and `table_writer`).

/// A payload limit given as `u64` (as the derive computes it), saturated to
/// what `usize` holds on this target.
pub const fn clamp_len(n: u64) -> usize {
    if n > usize::MAX as u64 {
        usize::MAX
    } else {
        n as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_len_saturates() {
        assert_eq!(clamp_len(7), 7);
        assert_eq!(clamp_len(u64::MAX), usize::MAX);
    }
}
