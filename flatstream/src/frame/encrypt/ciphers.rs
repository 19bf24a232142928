//! The built-in ciphers, through RustCrypto: [`ChaCha20Poly1305`] (feature
//! `chacha20poly1305`) and [`Aes256Gcm`] (feature `aes-gcm`), and the
//! [`EncryptionKey`] both take.

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{Cipher, TAG_LEN};
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

    /// A new random key from the operating system's random source.
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

/// ChaCha20-Poly1305 (RFC 8439), the default choice: fast everywhere,
/// constant-time without special instructions.
#[cfg(feature = "chacha20poly1305")]
#[derive(Clone)]
pub struct ChaCha20Poly1305(chacha20poly1305::ChaCha20Poly1305);

#[cfg(feature = "chacha20poly1305")]
impl ChaCha20Poly1305 {
    /// The cipher keyed with `key` (the expanded key is wiped on drop).
    pub fn new(key: &EncryptionKey) -> Self {
        use chacha20poly1305::KeyInit;
        ChaCha20Poly1305(chacha20poly1305::ChaCha20Poly1305::new(&key.0.into()))
    }
}

#[cfg(feature = "chacha20poly1305")]
impl Cipher for ChaCha20Poly1305 {
    const ID: u8 = 1;
    const NAME: &'static str = "ChaCha20-Poly1305";

    fn seal(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        use chacha20poly1305::AeadInOut;
        self.0
            .encrypt_inout_detached(&(*nonce).into(), ad, buffer.into())
            .map(Into::into)
            .map_err(|_| seal_failed(Self::NAME))
    }

    fn open(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8], tag: &[u8; TAG_LEN]) -> bool {
        use chacha20poly1305::AeadInOut;
        self.0
            .decrypt_inout_detached(&(*nonce).into(), ad, buffer.into(), &(*tag).into())
            .is_ok()
    }
}

#[cfg(feature = "chacha20poly1305")]
impl std::fmt::Debug for ChaCha20Poly1305 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChaCha20Poly1305(<keyed>)")
    }
}

/// AES-256-GCM (NIST SP 800-38D): fastest where the CPU has AES and
/// carry-less multiplication instructions.
#[cfg(feature = "aes-gcm")]
#[derive(Clone)]
pub struct Aes256Gcm(aes_gcm::Aes256Gcm);

#[cfg(feature = "aes-gcm")]
impl Aes256Gcm {
    /// The cipher keyed with `key` (the expanded key is wiped on drop).
    pub fn new(key: &EncryptionKey) -> Self {
        use aes_gcm::KeyInit;
        Aes256Gcm(aes_gcm::Aes256Gcm::new(&key.0.into()))
    }
}

#[cfg(feature = "aes-gcm")]
impl Cipher for Aes256Gcm {
    const ID: u8 = 2;
    const NAME: &'static str = "AES-256-GCM";

    fn seal(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        use aes_gcm::AeadInOut;
        self.0
            .encrypt_inout_detached(&(*nonce).into(), ad, buffer.into())
            .map(Into::into)
            .map_err(|_| seal_failed(Self::NAME))
    }

    fn open(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8], tag: &[u8; TAG_LEN]) -> bool {
        use aes_gcm::AeadInOut;
        self.0
            .decrypt_inout_detached(&(*nonce).into(), ad, buffer.into(), &(*tag).into())
            .is_ok()
    }
}

#[cfg(feature = "aes-gcm")]
impl std::fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Aes256Gcm(<keyed>)")
    }
}

/// Sealing fails only for a message beyond the cipher's limit (2^38 bytes
/// for both), which no frame reaches.
fn seal_failed(name: &str) -> Error {
    Error::Serialize {
        reason: format!("{name} refused to encrypt the frame").into(),
    }
}
