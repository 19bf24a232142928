//! The cipher behind each `#[frame(encrypt = ...)]` keyword, as a macro the
//! derive invokes at the keyword's span: the cipher type when its cargo
//! feature is on, otherwise a compile error there that names the feature
//! (as `checksum_keywords.rs` does for checksums).

use super::{Cipher, EncryptedFramer, EncryptionKey, TAG_LEN};
use crate::error::{Error, Result};
use crate::framing::Framer;

/// How the generated `T::encrypted_framer(&key)` keys its cipher.
#[doc(hidden)]
pub trait DerivedCipher: Cipher {
    /// The cipher keyed with `key`.
    fn keyed(key: &EncryptionKey) -> Self;
}

/// The framer of the generated `T::encrypted_framer(&key)`: a fresh nonce
/// prefix from the operating system (a cipher feature is on whenever the
/// code compiles: a disabled keyword is a compile error).
#[doc(hidden)]
pub fn new_encrypted_framer<F: Framer, A: Cipher>(inner: F, cipher: A) -> Result<EncryptedFramer<F, A>> {
    #[cfg(any(feature = "chacha20poly1305", feature = "aes-gcm"))]
    return EncryptedFramer::new(inner, cipher);
    #[cfg(not(any(feature = "chacha20poly1305", feature = "aes-gcm")))]
    {
        let _ = (inner, cipher);
        Err(Error::InvalidConfig {
            reason: "no cipher feature of flatstream is on".into(),
        })
    }
}

/// The cipher a disabled keyword expands to, beside its compile error, so
/// the error is the only one reported.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CipherDisabled<const N: usize>;

impl<const N: usize> Cipher for CipherDisabled<N> {
    const ID: u8 = 255;
    const NAME: &'static str = "disabled";
    fn seal(&self, _nonce: &[u8; 12], _ad: &[u8], _buffer: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        Err(Error::InvalidConfig {
            reason: "this cipher's cargo feature is off".into(),
        })
    }
    fn open(
        &self,
        _nonce: &[u8; 12],
        _ad: &[u8],
        _ciphertext: &[u8],
        _out: &mut [u8],
        _tag: &[u8; TAG_LEN],
    ) -> bool {
        false
    }
}

impl<const N: usize> DerivedCipher for CipherDisabled<N> {
    fn keyed(_key: &EncryptionKey) -> Self {
        CipherDisabled
    }
}

#[cfg(feature = "chacha20poly1305")]
#[doc(hidden)]
#[macro_export]
macro_rules! __cipher_chacha20poly1305 {
    () => {
        $crate::encrypt::ChaCha20Poly1305
    };
}
#[cfg(not(feature = "chacha20poly1305"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __cipher_chacha20poly1305 {
    () => {
        $crate::__private::CipherDisabled<
            {
                ::core::compile_error!(
                    "`encrypt = chacha20poly1305` needs the cargo feature `chacha20poly1305` of flatstream: add `features = [\"chacha20poly1305\"]` to the flatstream entry in Cargo.toml"
                );
                0
            },
        >
    };
}
pub use crate::__cipher_chacha20poly1305 as cipher_chacha20poly1305;

#[cfg(feature = "aes-gcm")]
#[doc(hidden)]
#[macro_export]
macro_rules! __cipher_aes256gcm {
    () => {
        $crate::encrypt::Aes256Gcm
    };
}
#[cfg(not(feature = "aes-gcm"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __cipher_aes256gcm {
    () => {
        $crate::__private::CipherDisabled<
            {
                ::core::compile_error!(
                    "`encrypt = aes256gcm` needs the cargo feature `aes-gcm` of flatstream: add `features = [\"aes-gcm\"]` to the flatstream entry in Cargo.toml"
                );
                0
            },
        >
    };
}
pub use crate::__cipher_aes256gcm as cipher_aes256gcm;
