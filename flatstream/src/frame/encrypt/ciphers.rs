//! The built-in ciphers, through RustCrypto: [`ChaCha20Poly1305`] (feature
//! `chacha20poly1305`) and [`Aes256Gcm`] (feature `aes-gcm`).

use super::{Cipher, EncryptionKey, TAG_LEN};
use crate::error::{Error, Result};

/// A [`Cipher`] over a RustCrypto AEAD with 12-byte nonces and 16-byte
/// tags: the wrapper type, its constructor from an [`EncryptionKey`], and
/// the trait impls (the key never printed).
macro_rules! rustcrypto_cipher {
    (
        feature = $feature:literal,
        $(#[$doc:meta])*
        $name:ident($krate:ident :: $aead:ident),
        id = $id:literal,
        display = $display:literal $(,)?
    ) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Clone)]
        pub struct $name($krate::$aead);

        #[cfg(feature = $feature)]
        impl $name {
            /// The cipher keyed with `key` (the expanded key is wiped on
            /// drop).
            pub fn new(key: &EncryptionKey) -> Self {
                use $krate::KeyInit;
                $name($krate::$aead::new(&(*key.as_bytes()).into()))
            }
        }

        #[cfg(feature = $feature)]
        impl Cipher for $name {
            const ID: u8 = $id;
            const NAME: &'static str = $display;

            fn seal(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8]) -> Result<[u8; TAG_LEN]> {
                use $krate::AeadInOut;
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
                use $krate::aead::inout::InOutBuf;
                use $krate::AeadInOut;
                let Ok(buffer) = InOutBuf::new(ciphertext, out) else {
                    return false;
                };
                self.0
                    .decrypt_inout_detached(&(*nonce).into(), ad, buffer, &(*tag).into())
                    .is_ok()
            }
        }

        #[cfg(feature = $feature)]
        impl super::keywords::DerivedCipher for $name {
            fn keyed(key: &EncryptionKey) -> Self {
                $name::new(key)
            }
        }

        #[cfg(feature = $feature)]
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<keyed>)"))
            }
        }
    };
}

rustcrypto_cipher! {
    feature = "chacha20poly1305",
    /// ChaCha20-Poly1305 (RFC 8439), the default choice: fast everywhere,
    /// constant-time without special instructions.
    ChaCha20Poly1305(chacha20poly1305::ChaCha20Poly1305),
    id = 1,
    display = "ChaCha20-Poly1305",
}

rustcrypto_cipher! {
    feature = "aes-gcm",
    /// AES-256-GCM (NIST SP 800-38D): fastest where the CPU has AES and
    /// carry-less multiplication instructions.
    Aes256Gcm(aes_gcm::Aes256Gcm),
    id = 2,
    display = "AES-256-GCM",
}

/// Sealing fails only for a message beyond the cipher's limit (2^36 bytes
/// and more), which no frame reaches.
fn seal_failed(name: &str) -> Error {
    Error::Serialize {
        reason: format!("{name} refused to encrypt the frame").into(),
    }
}
