//! Authenticated encryption of whole streams, sans-IO:
//! [`EncryptedFramer`]/[`EncryptedDeframer`] over any framing (compressed
//! ones included: compress, then encrypt), with the [`Cipher`] trait and
//! its implementations [`ChaCha20Poly1305`] (feature `chacha20poly1305`) and
//! [`Aes256Gcm`] (feature `aes-gcm`).
//!
//! The construction is the one of libsodium's secretstream and age's
//! STREAM: one key, a random per-stream nonce prefix, and a frame counter.
//!
//! * The first frame's payload begins with the **stream header**:
//!   `"FE" [version = 1] [cipher] [key id: u32 LE] [nonce prefix: 7 bytes]`.
//! * Every frame's payload is `[flags][ciphertext][tag: 16 bytes]`, flags
//!   bit 0 marking the **final** frame and bit 1 a block of messages.
//! * Frame `n`'s nonce is `prefix (7) || n (u32 BE) || flags (1)`: never
//!   stored, never reused (the prefix comes from the OS's random source for
//!   each stream, the counter never repeats within one). With the prefix,
//!   `n` and the flags in the nonce, a frame authenticates only as the
//!   `n`-th frame of its own stream, with its own flags; the AEAD
//!   authenticates the ciphertext's length itself.
//! * Frame 0 authenticates the stream header as associated data; the
//!   other frames have none (they are bound to the header through the
//!   prefix in their nonce). Associated data on every frame cost a hash
//!   block each, and RustCrypto's Poly1305 then left its 4-block parallel
//!   path for the whole frame: 10% - 17% of ChaCha20-Poly1305's time at
//!   64 KiB.
//! * A writer's [`finish`](crate::StreamWriter::finish) writes a final frame
//!   (no messages, the final flag set); a stream without it is refused as
//!   truncated ([`FrameDefect::StreamUnfinished`]).
//!
//! So a frame altered, forged, dropped, repeated, moved, or taken from
//! another stream under the same key fails to authenticate or leaves a gap
//! in the counter, and both are errors with the frame's offset; nothing is
//! returned before its tag verifies. See `docs/security.md` for the threat
//! model and `docs/wire-format.md` for the bytes.

#[cfg(any(feature = "chacha20poly1305", feature = "aes-gcm"))]
mod ciphers;
mod key;
pub(crate) mod keywords;

use std::cell::{Cell, RefCell};

#[cfg(feature = "aes-gcm")]
pub use ciphers::Aes256Gcm;
#[cfg(feature = "chacha20poly1305")]
pub use ciphers::ChaCha20Poly1305;
pub use key::EncryptionKey;

use crate::error::{Error, FrameDefect, Result};
use crate::framing::{Decoded, Deframer, Framer, Packing, Unpacked};

/// The bytes that start an encrypted stream's header.
pub const STREAM_MARKER: [u8; 2] = *b"FE";
/// The encrypted stream format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Bytes of the stream header.
pub const STREAM_HEADER_LEN: usize = 15;
/// Bytes of the authentication tag at the end of every frame's payload.
pub const TAG_LEN: usize = 16;
/// How many frames after the one due a reader tries, to tell a frame
/// after a gap (reported as [`FrameDefect::FramesMissing`]) from a forged
/// one. Each try is one tag computation, on a frame that failed.
pub const GAP_WINDOW: u64 = 64;

const FLAG_FINAL: u8 = 1;
const FLAG_BLOCK: u8 = 2;
const KNOWN_FLAGS: u8 = FLAG_FINAL | FLAG_BLOCK;
/// The nonce prefix's length: the rest of the 12-byte nonce is the
/// counter (4) and the flags (1).
const PREFIX_LEN: usize = 7;

/// An AEAD cipher with 12-byte nonces and 16-byte tags, for
/// [`EncryptedFramer`] and [`EncryptedDeframer`].
///
/// Implemented by [`ChaCha20Poly1305`] and [`Aes256Gcm`]; implement it to
/// bring your own (an id from 128 to 255).
pub trait Cipher {
    /// The cipher's id in the stream header. 1: ChaCha20-Poly1305;
    /// 2: AES-256-GCM.
    const ID: u8;
    /// The cipher's name, for errors.
    const NAME: &'static str;

    /// Encrypts `buffer` in place; returns the tag over it and `ad`.
    fn seal(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut [u8]) -> Result<[u8; TAG_LEN]>;

    /// Checks `tag` over `ciphertext` and `ad`, and only then decrypts
    /// `ciphertext` into `out` (as long as it). `false`, with `out`
    /// unspecified, when the tag does not verify. (Out of place: the
    /// readers decrypt from their read buffer into their message buffer,
    /// the copy and the decryption in one pass.)
    fn open(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool;

    /// An id of the key, written in the stream header so that a reader
    /// with another key says so at the first frame. It must reveal nothing
    /// of the key: the default is the first 4 bytes of the tag of an empty
    /// message under a nonce no frame uses (its last byte is 0xFF; frames'
    /// are 0 or 1).
    fn key_id(&self) -> u32 {
        let tag = self
            .seal(&[0xFF; 12], b"flatstream key id v1", &mut [])
            .unwrap_or([0; TAG_LEN]);
        u32::from_le_bytes([tag[0], tag[1], tag[2], tag[3]])
    }
}

/// The name of a cipher id, for errors.
pub(crate) fn cipher_name(id: u8) -> &'static str {
    match id {
        1 => "ChaCha20-Poly1305",
        2 => "AES-256-GCM",
        128.. => "a cipher of your own",
        _ => "unknown",
    }
}

/// The parsed stream header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StreamHeader {
    bytes: [u8; STREAM_HEADER_LEN],
}

impl StreamHeader {
    fn new(cipher: u8, key_id: u32, prefix: [u8; PREFIX_LEN]) -> Self {
        let mut bytes = [0; STREAM_HEADER_LEN];
        bytes[..2].copy_from_slice(&STREAM_MARKER);
        bytes[2] = FORMAT_VERSION;
        bytes[3] = cipher;
        bytes[4..8].copy_from_slice(&key_id.to_le_bytes());
        bytes[8..].copy_from_slice(&prefix);
        StreamHeader { bytes }
    }

    fn prefix(&self) -> [u8; PREFIX_LEN] {
        let mut prefix = [0; PREFIX_LEN];
        prefix.copy_from_slice(&self.bytes[8..]);
        prefix
    }

    /// Frame `counter`'s nonce, with its flags (known ones only: others
    /// are refused before a frame is opened).
    fn nonce(&self, counter: u64, flags: u8) -> [u8; 12] {
        let mut nonce = [0; 12];
        nonce[..PREFIX_LEN].copy_from_slice(&self.bytes[8..]);
        nonce[PREFIX_LEN..11].copy_from_slice(&(counter as u32).to_be_bytes());
        nonce[11] = flags & KNOWN_FLAGS;
        nonce
    }

    /// Frame `counter`'s associated data: the stream header for frame 0,
    /// which carries it; nothing for the others.
    fn ad(&self, counter: u64) -> &[u8] {
        match counter {
            0 => &self.bytes,
            _ => &[],
        }
    }
}

/// A [`Framer`] that encrypts every frame's payload with `A` (after the
/// inner framer `F` packed it, when `F` compresses), for one stream.
///
/// Made with a cipher keyed for the stream
/// (`EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&key))`);
/// it draws the stream's nonce prefix from the operating system. It is
/// neither `Clone` nor `Copy`: two writers sharing one framer's state
/// would reuse nonces. End the stream with
/// [`StreamWriter::finish`](crate::StreamWriter::finish), which writes
/// the final frame: a reader refuses a stream without it as truncated.
pub struct EncryptedFramer<F, A> {
    inner: F,
    cipher: A,
    header: StreamHeader,
    /// The next frame's number.
    next: Cell<u64>,
    /// Set once the final frame is packed: nothing may follow it.
    finished: Cell<bool>,
    /// What the inner framer packed, before it is encrypted.
    scratch: RefCell<Vec<u8>>,
}

impl<F: Framer, A: Cipher> EncryptedFramer<F, A> {
    /// Encrypts the frames of `inner` with `cipher`, under a nonce prefix
    /// from the operating system's random source. Fails only when that
    /// source does.
    #[cfg(any(feature = "chacha20poly1305", feature = "aes-gcm"))]
    pub fn new(inner: F, cipher: A) -> Result<Self> {
        let mut prefix = [0; PREFIX_LEN];
        getrandom::fill(&mut prefix).map_err(|e| Error::InvalidConfig {
            reason: format!("the operating system's random source failed: {e}").into(),
        })?;
        Ok(Self::with_nonce_prefix(inner, cipher, prefix))
    }

    /// Encrypts with a nonce prefix of your choosing. **It must never be
    /// used for two streams under the same key**: that reuses nonces, which
    /// lets an attacker decrypt and forge. For known-answer tests and
    /// reproducible fixtures; use [`new`](Self::new) otherwise.
    pub fn with_nonce_prefix(inner: F, cipher: A, prefix: [u8; 7]) -> Self {
        let header = StreamHeader::new(A::ID, cipher.key_id(), prefix);
        EncryptedFramer {
            inner,
            cipher,
            header,
            next: Cell::new(0),
            finished: Cell::new(false),
            scratch: RefCell::new(Vec::new()),
        }
    }

    /// The stream's nonce prefix.
    pub fn nonce_prefix(&self) -> [u8; 7] {
        self.header.prefix()
    }

    /// The inner framer.
    pub fn inner(&self) -> &F {
        &self.inner
    }

    /// Frames packed so far (the next frame's number).
    pub fn frames(&self) -> u64 {
        self.next.get()
    }

    /// Appends the encrypted payload of frame `self.next` to `out`:
    /// `plaintext` (`None`: the scratch buffer) under `flags`.
    fn seal_frame(&self, plaintext: Option<&[u8]>, flags: u8, out: &mut Vec<u8>) -> Result<()> {
        if self.finished.get() {
            return Err(Error::InvalidConfig {
                reason: "the encrypted stream is finished: its final frame is written".into(),
            });
        }
        let counter = self.next.get();
        if counter > u64::from(u32::MAX) {
            return Err(Error::InvalidConfig {
                reason: "an encrypted stream holds at most 2^32 frames: start a new stream (a new \\
                         EncryptedFramer, which draws a new nonce prefix)"
                    .into(),
            });
        }
        let scratch = self.scratch.borrow();
        let plaintext = plaintext.unwrap_or(&scratch);
        let start = out.len();
        if counter == 0 {
            out.extend_from_slice(&self.header.bytes);
        }
        let payload_len = out.len() - start + 1 + plaintext.len() + TAG_LEN;
        // Refused before sealing: a frame sealed and then refused by the
        // inner framer would leave a gap in the counter.
        let max = self.inner.max_frame_len().min(u32::MAX as usize);
        if payload_len > max {
            out.truncate(start);
            return Err(Error::FrameTooLarge {
                offset: 0,
                len: payload_len as u64,
                max: max as u64,
            });
        }
        out.push(flags);
        let body = out.len();
        out.extend_from_slice(plaintext);
        match self.cipher.seal(
            &self.header.nonce(counter, flags),
            self.header.ad(counter),
            &mut out[body..],
        ) {
            Ok(tag) => out.extend_from_slice(&tag),
            Err(e) => {
                out.truncate(start);
                return Err(e);
            }
        }
        self.next.set(counter + 1);
        if flags & FLAG_FINAL != 0 {
            self.finished.set(true);
        }
        Ok(())
    }
}

impl<F: std::fmt::Debug, A> std::fmt::Debug for EncryptedFramer<F, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedFramer")
            .field("inner", &self.inner)
            .field("cipher", &cipher_name(self.header.bytes[3]))
            .field("frames", &self.next.get())
            .field("finished", &self.finished.get())
            .finish_non_exhaustive()
    }
}

impl<F: Framer, A: Cipher> Framer for EncryptedFramer<F, A> {
    const PACKS: bool = true;

    crate::framing::frame_like_inner_framer!();

    /// The inner framer's grouping, when it packs (compresses); each
    /// message in its own frame otherwise.
    fn block_len(&self) -> usize {
        if F::PACKS {
            self.inner.block_len()
        } else {
            0
        }
    }

    fn pack(&self, content: &[u8], packing: Packing, out: &mut Vec<u8>) -> Result<()> {
        if F::PACKS {
            let mut scratch = self.scratch.borrow_mut();
            scratch.clear();
            self.inner.pack(content, packing, &mut scratch)?;
            drop(scratch);
            return self.seal_frame(None, 0, out);
        }
        let flags = if packing == Packing::Block { FLAG_BLOCK } else { 0 };
        self.seal_frame(Some(content), flags, out)
    }

    fn end_payload(&self, out: &mut Vec<u8>) -> Result<bool> {
        self.seal_frame(Some(&[]), FLAG_FINAL, out).map(|()| true)
    }
}

/// A [`Deframer`] for streams written by an [`EncryptedFramer`]: the inner
/// deframer `D` finds and checks each frame; its payload is authenticated
/// and decrypted with `A` into the reader's buffer (then unpacked by `D`
/// when `D` decompresses). Every frame must authenticate as the next frame
/// of the stream the first frame's header opened; nothing is returned
/// before its tag verifies.
///
/// One deframer reads one stream: it keeps the stream's header and its
/// frame counter.
pub struct EncryptedDeframer<D, A> {
    inner: D,
    cipher: A,
    key_id: u32,
    header: Cell<Option<StreamHeader>>,
    next: Cell<u64>,
    finished: Cell<bool>,
    notice: Cell<Option<(u64, u64)>>,
    scratch: RefCell<Vec<u8>>,
}

impl<D: Deframer, A: Cipher> EncryptedDeframer<D, A> {
    /// Authenticates and decrypts the frames `inner` finds with `cipher`.
    pub fn new(inner: D, cipher: A) -> Self {
        EncryptedDeframer {
            key_id: cipher.key_id(),
            inner,
            cipher,
            header: Cell::new(None),
            next: Cell::new(0),
            finished: Cell::new(false),
            notice: Cell::new(None),
            scratch: RefCell::new(Vec::new()),
        }
    }

    /// The inner deframer.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The stream's nonce prefix, once its header is read.
    pub fn nonce_prefix(&self) -> Option<[u8; 7]> {
        self.header.get().map(|h| h.prefix())
    }

    /// Reads the stream header at the start of the first frame's payload;
    /// the rest of the payload.
    fn open_stream<'p>(&self, payload: &'p [u8]) -> Result<&'p [u8], FrameDefect> {
        let Some(bytes) = payload.get(..STREAM_HEADER_LEN) else {
            return Err(FrameDefect::NotEncrypted);
        };
        if bytes[..2] != STREAM_MARKER {
            return Err(FrameDefect::NotEncrypted);
        }
        let (version, cipher) = (bytes[2], bytes[3]);
        if version != FORMAT_VERSION {
            return Err(FrameDefect::UnsupportedEncryption { version, cipher });
        }
        if cipher != A::ID {
            return Err(FrameDefect::CipherMismatch {
                found: cipher,
                expected: A::NAME,
            });
        }
        let key_id = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if key_id != self.key_id {
            return Err(FrameDefect::KeyMismatch {
                found: key_id,
                expected: self.key_id,
            });
        }
        let mut header = [0; STREAM_HEADER_LEN];
        header.copy_from_slice(bytes);
        self.header.set(Some(StreamHeader { bytes: header }));
        Ok(&payload[STREAM_HEADER_LEN..])
    }

    /// Authenticates and decrypts `payload` (a frame's whole payload) into
    /// the start of `out`: its flags and plaintext length.
    fn open_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(u8, usize), FrameDefect> {
        if self.finished.get() {
            return Err(FrameDefect::AfterFinalFrame);
        }
        let (header, body) = match self.header.get() {
            Some(header) => (header, payload),
            None => {
                let body = self.open_stream(payload)?;
                (self.header.get().ok_or(FrameDefect::NotEncrypted)?, body)
            }
        };
        let too_short = FrameDefect::PayloadTooShort {
            len: payload.len() as u64,
            min: (payload.len() - body.len() + 1 + TAG_LEN) as u64,
        };
        let Some((&flags, rest)) = body.split_first() else {
            return Err(too_short);
        };
        if rest.len() < TAG_LEN {
            return Err(too_short);
        }
        if flags & !KNOWN_FLAGS != 0 {
            return Err(FrameDefect::AuthenticationFailed);
        }
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| FrameDefect::AuthenticationFailed)?;
        let len = ciphertext.len();
        if out.len() < len {
            out.resize(len, 0);
        }
        let due = self.next.get();
        // The frame due, then the ones after it: a frame that authenticates
        // further on follows a gap, which is reported; one that does not
        // authenticate at all is refused.
        for counter in due..due.saturating_add(GAP_WINDOW).min(u64::from(u32::MAX) + 1) {
            if self.cipher.open(
                &header.nonce(counter, flags),
                header.ad(counter),
                ciphertext,
                &mut out[..len],
                tag,
            ) {
                self.next.set(counter + 1);
                if counter != due {
                    self.notice.set(Some((due, counter)));
                }
                if flags & FLAG_FINAL != 0 {
                    self.finished.set(true);
                }
                return Ok((flags, len));
            }
        }
        Err(FrameDefect::AuthenticationFailed)
    }
}

/// A clone reads on from where this deframer is in its stream (the same
/// header, the same next frame): for a [`BatchCodec`](crate::BatchCodec),
/// whose decoder clones plain deframers into its batches (it never clones
/// this one), or to read a copy of the stream twice. It holds its own copy of the keyed cipher, wiped on drop as this
/// one's is.
impl<D: Clone, A: Clone> Clone for EncryptedDeframer<D, A> {
    fn clone(&self) -> Self {
        EncryptedDeframer {
            inner: self.inner.clone(),
            cipher: self.cipher.clone(),
            key_id: self.key_id,
            header: self.header.clone(),
            next: self.next.clone(),
            finished: self.finished.clone(),
            notice: self.notice.clone(),
            scratch: RefCell::new(Vec::new()),
        }
    }
}

impl<D: std::fmt::Debug, A> std::fmt::Debug for EncryptedDeframer<D, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedDeframer")
            .field("inner", &self.inner)
            .field("key_id", &format_args!("{:#010x}", self.key_id))
            .field("frames", &self.next.get())
            .field("finished", &self.finished.get())
            .finish_non_exhaustive()
    }
}

impl<D: Deframer, A: Cipher> Deframer for EncryptedDeframer<D, A> {
    const PACKED: bool = true;

    crate::framing::deframe_like_inner_deframer!();

    fn unpack(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<Unpacked> {
        let invalid = |reason| Error::InvalidFrame { offset: 0, reason };
        if !D::PACKED {
            let (flags, len) = self.open_frame(payload, out).map_err(invalid)?;
            return Ok(match flags & FLAG_FINAL {
                // The final frame holds no messages.
                0 if flags & FLAG_BLOCK == 0 => Unpacked {
                    packing: Packing::Message,
                    len,
                },
                0 => Unpacked {
                    packing: Packing::Block,
                    len,
                },
                _ => Unpacked {
                    packing: Packing::Block,
                    len: 0,
                },
            });
        }
        let mut scratch = self.scratch.borrow_mut();
        let (flags, len) = self.open_frame(payload, &mut scratch).map_err(invalid)?;
        if flags & FLAG_FINAL != 0 {
            return Ok(Unpacked {
                packing: Packing::Block,
                len: 0,
            });
        }
        self.inner.unpack(&scratch[..len], out)
    }

    fn end_of_stream(&self) -> Result<()> {
        if self.finished.get() {
            return Ok(());
        }
        Err(Error::InvalidFrame {
            offset: 0,
            reason: FrameDefect::StreamUnfinished,
        })
    }

    fn take_notice(&self) -> Option<Error> {
        self.notice.take().map(|(expected, found)| Error::InvalidFrame {
            offset: 0,
            reason: FrameDefect::FramesMissing { expected, found },
        })
    }
}
