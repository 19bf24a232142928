//! Packing (compressing) full blocks on a second thread while the writer
//! fills the next ones: [`StreamWriter::with_background_packing`](crate::StreamWriter::with_background_packing).
//!
//! The writer sends each full block to the thread, which frames it with its
//! own clone of the framer, and takes the frames back in the order the
//! blocks went, so the stream is byte for byte the one the writer makes
//! alone. At most [`DEPTH`] blocks are out at once: the writer waits for the
//! oldest when it has a third to send, so the thread always has a block
//! queued while the writer fills the next, and memory stays bounded.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::framing::{append_packed_frame, Framer, Packing};

/// Blocks out at the thread at most.
pub(crate) const DEPTH: usize = 2;

/// A block for the thread, and a buffer for its frame.
struct Job {
    block: Vec<u8>,
    frame: Vec<u8>,
}

/// A block's frame (or the error packing it), with both buffers back.
struct Done {
    block: Vec<u8>,
    frame: Vec<u8>,
    packed: Result<bool>,
}

/// The packing thread of one writer.
pub(crate) struct PackThread {
    /// `None` once the thread is told to stop.
    jobs: Option<SyncSender<Job>>,
    done: Receiver<Done>,
    /// Blocks sent and not yet taken back.
    in_flight: usize,
    /// Buffers back from the thread, for the next blocks (so no block
    /// allocates once warm).
    spare_blocks: Vec<Vec<u8>>,
    spare_frames: Vec<Vec<u8>>,
    thread: Option<JoinHandle<()>>,
}

impl PackThread {
    /// Starts a thread packing blocks with `framer`.
    pub(crate) fn spawn<F: Framer + Send + 'static>(framer: F) -> Result<Self> {
        let (jobs, job_queue) = sync_channel::<Job>(DEPTH);
        let (done_queue, done) = sync_channel::<Done>(DEPTH);
        let thread = std::thread::Builder::new()
            .name("flatstream-pack".into())
            .spawn(move || {
                // Ends when the writer drops its sender (or its receiver).
                while let Ok(Job { block, mut frame }) = job_queue.recv() {
                    frame.clear();
                    let packed = append_packed_frame(&framer, &mut frame, |out| {
                        framer.pack(&block, Packing::Block, out).map(|()| true)
                    });
                    if done_queue.send(Done { block, frame, packed }).is_err() {
                        break;
                    }
                }
            })?;
        Ok(PackThread {
            jobs: Some(jobs),
            done,
            in_flight: 0,
            spare_blocks: Vec::new(),
            spare_frames: Vec::new(),
            thread: Some(thread),
        })
    }

    /// Blocks sent and not yet taken back.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Sends `block` to be packed, leaving an empty buffer (a spare one)
    /// in its place. The caller takes a frame back first when
    /// [`DEPTH`] are out, so this does not wait.
    pub(crate) fn send(&mut self, block: &mut Vec<u8>) -> Result<()> {
        debug_assert!(self.in_flight < DEPTH);
        let job = Job {
            block: std::mem::replace(block, self.spare_blocks.pop().unwrap_or_default()),
            frame: self.spare_frames.pop().unwrap_or_default(),
        };
        self.jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(job)
            .map_err(|_| stopped())?;
        self.in_flight += 1;
        Ok(())
    }

    /// Waits for the oldest block sent and appends its frame to `out`:
    /// `Ok(true)` when it made one. An error is the framer's, with offsets
    /// within the frame (the caller shifts them to where it goes).
    pub(crate) fn take_oldest(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        debug_assert!(self.in_flight > 0);
        let Done {
            mut block,
            frame,
            packed,
        } = self.receive()?;
        self.in_flight -= 1;
        let made = packed.inspect(|&made| {
            if made {
                out.extend_from_slice(&frame);
            }
        });
        block.clear();
        self.spare_blocks.push(block);
        self.spare_frames.push(frame);
        made
    }

    /// The next block back. The writer waits for one only when the thread
    /// is behind, and then not for long (a block's compression): it polls
    /// for a while before it sleeps, because waking a sleeping thread is a
    /// system call for the packing thread on every block.
    fn receive(&self) -> Result<Done> {
        let started = std::time::Instant::now();
        loop {
            match self.done.try_recv() {
                Ok(done) => return Ok(done),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return Err(stopped()),
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            }
            if started.elapsed() > SPIN {
                return self.done.recv().map_err(|_| stopped());
            }
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
    }
}

/// How long the writer polls for a block before it sleeps: longer than
/// compressing a default 64 KiB block takes.
const SPIN: std::time::Duration = std::time::Duration::from_micros(200);

/// The thread ended before it should have: only a framer that panicked
/// ends it.
#[cold]
fn stopped() -> Error {
    Error::Io(std::io::Error::other(
        "the background packing thread stopped: the framer panicked while packing a block",
    ))
}

impl Drop for PackThread {
    fn drop(&mut self) {
        // Blocks still out are the writer's to have taken back (its drop
        // hands over before this runs); the thread ends once its sender is
        // gone and it has packed what it holds.
        self.jobs = None;
        while self.in_flight > 0 && self.done.recv().is_ok() {
            self.in_flight -= 1;
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
