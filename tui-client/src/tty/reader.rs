//! The thread that reads the terminal: blocking `read()`s of whatever is there, each sent as
//! one [`Chunk`] to the main loop. A blocking read returns all the bytes waiting (up to the
//! buffer), so a burst is never left behind waiting for the next key.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::os::fd::{AsFd, AsRawFd};

use tokio::sync::mpsc;

/// How much one read takes: a whole 10 KB paste is a few reads (the terminal driver hands
/// over about 4 KiB at a time), and a flood costs one wake-up of the loop per 64 KiB.
pub const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Chunks in flight between the thread and the loop. When the loop falls behind the thread
/// waits, the terminal's buffer fills and the terminal stops sending: input is never dropped
/// and memory stays bounded (here, at most 1 MiB).
pub const CHUNKS_IN_FLIGHT: usize = 16;

/// Bytes from one read of the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// What was read.
    pub bytes: Vec<u8>,
    /// The read filled the buffer, so more is probably waiting (see
    /// [`super::parser::Parser::feed`]).
    pub more: bool,
}

/// Starts the reading thread on the terminal: standard input when it is one, else `/dev/tty`
/// (as crossterm picks it). The receiver closes when the terminal goes away (end of file or an
/// error such as EIO after a hangup); the thread ends then, or when the receiver is dropped,
/// or with the process.
pub fn spawn() -> io::Result<mpsc::Receiver<Chunk>> {
    let tty = open_terminal()?;
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    std::thread::Builder::new()
        .name("papo-tty".into())
        .spawn(move || read_loop(tty, &tx))?;
    Ok(rx)
}

/// The terminal to read, as a file of its own (a duplicate of standard input, which shares
/// its state, or `/dev/tty` opened afresh).
fn open_terminal() -> io::Result<File> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        Ok(File::from(stdin.as_fd().try_clone_to_owned()?))
    } else {
        File::open("/dev/tty")
    }
}

fn read_loop(mut tty: File, tx: &mpsc::Sender<Chunk>) {
    let mut buf = vec![0; READ_BUFFER_BYTES];
    loop {
        match tty.read(&mut buf) {
            // End of file: the terminal hung up.
            Ok(0) => return,
            Ok(n) => {
                let chunk = Chunk {
                    bytes: buf[..n].to_vec(),
                    more: n == buf.len(),
                };
                if tx.blocking_send(chunk).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Standard input left non-blocking by another program (it is shared with the
            // shell): wait for input instead of spinning.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_readable(&tty),
            // EIO and the like: the terminal is gone.
            Err(_) => return,
        }
    }
}

/// Blocks until `file` has something to read (or an error or hangup to report, which the next
/// read returns).
fn wait_readable(file: &File) {
    let mut fds = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `fds` is one valid, initialised pollfd for an open descriptor, and the count
    // passed is 1; poll only writes its `revents`. An error (EINTR) just means reading again.
    unsafe {
        libc::poll(&raw mut fds, 1, -1);
    }
}
