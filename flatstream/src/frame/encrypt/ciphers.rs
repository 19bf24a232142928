//! The built-in ciphers, through RustCrypto: [`ChaCha20Poly1305`] (feature
//! `chacha20poly1305`) and [`Aes256Gcm`] (feature `aes-gcm`), and the
//! [`EncryptionKey`] both take.

use super::{Cipher, EncryptionKey, TAG_LEN};
use crate::error::{Error, Result};

#[cfg(feature = "chacha20poly1305")]
impl super::keywords::DerivedCipher for ChaCha20Poly1305 {
    fn keyed(key: &EncryptionKey) -> Self {
        ChaCha20Poly1305::new(key)
    }
}

#[cfg(feature = "aes-gcm")]
impl super::keywords::DerivedCipher for Aes256Gcm {
    fn keyed(key: &EncryptionKey) -> Self {
        Aes256Gcm::new(key)
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
        ChaCha20Poly1305(chacha20poly1305::ChaCha20Poly1305::new(&(*key.as_bytes()).into()))
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

    fn open(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        use chacha20poly1305::aead::inout::InOutBuf;
        use chacha20poly1305::AeadInOut;
        let Ok(buffer) = InOutBuf::new(ciphertext, out) else {
            return false;
        };
        self.0
            .decrypt_inout_detached(&(*nonce).into(), ad, buffer, &(*tag).into())
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
        Aes256Gcm(aes_gcm::Aes256Gcm::new(&(*key.as_bytes()).into()))
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

    fn open(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        use aes_gcm::aead::inout::InOutBuf;
        use aes_gcm::AeadInOut;
        let Ok(buffer) = InOutBuf::new(ciphertext, out) else {
            return false;
        };
        self.0
            .decrypt_inout_detached(&(*nonce).into(), ad, buffer, &(*tag).into())
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
