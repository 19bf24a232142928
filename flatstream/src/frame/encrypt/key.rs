//! [`EncryptionKey`]: a 256-bit key, wiped on drop, never printed.

use zeroize::{Zeroize, ZeroizeOnDrop};

#[cfg(any(feature = "chacha20poly1305", feature = "aes-gcm"))]
use crate::error::{Error, Result};

/// A 256-bit key. Wiped from memory when dropped; never printed (its
/// `Debug` shows only that it is a key).
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl Drop for EncryptionKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for EncryptionKey {}

impl EncryptionKey {
    /// A key from its 32 bytes (from your key store; wipe your copy).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionKey(bytes)
    }

    /// A new random key from the operating system's random source
    /// (features `chacha20poly1305` or `aes-gcm`).
    #[cfg(any(feature = "chacha20poly1305", feature = "aes-gcm"))]
    pub fn generate() -> Result<Self> {
        let mut key = EncryptionKey([0; 32]);
        getrandom::fill(&mut key.0).map_err(|e| Error::InvalidConfig {
            reason: format!("the operating system's random source failed: {e}").into(),
        })?;
        Ok(key)
    }

    /// The key's bytes, to store it.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(<redacted>)")
    }
}
