//! The drivers: the frame scanner every reader shares, the read and write
//! cores, and the thin `Read`/`Write`, async and codec layers over them.

#[cfg(feature = "tokio")]
pub(crate) mod async_reader;
#[cfg(feature = "tokio")]
pub(crate) mod async_writer;
#[cfg(feature = "tokio")]
pub(crate) mod batch_codec;
#[cfg(feature = "tokio")]
pub(crate) mod codec;
pub(crate) mod pack_thread;
pub(crate) mod read_core;
pub(crate) mod reader;
pub(crate) mod scan;
pub(crate) mod sync_io;
#[cfg(feature = "tokio")]
pub(crate) mod typed_codec;
pub(crate) mod unpack;
pub(crate) mod vec_sink;
pub(crate) mod write_core;
pub(crate) mod writer;
