//! Write buffers lent to busy connections and taken back when they go idle.
//!
//! A connection fills one buffer with everything it is owed and writes it at once. Keeping a
//! buffer per connection would cost every idle member tens of KiB; allocating one per write
//! costs an allocation and its growth on every wake. So each worker thread keeps a few
//! buffers, already at full size, for whichever of its connections is writing now.

use std::cell::RefCell;

/// Buffers each thread keeps for reuse.
const KEPT_PER_THREAD: usize = 8;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for at least `capacity` bytes, reused if one is spare.
pub fn take(capacity: usize) -> Vec<u8> {
    let spare = SPARE.with(|spare| spare.borrow_mut().pop());
    match spare {
        Some(mut buf) => {
            buf.reserve(capacity);
            buf
        }
        None => Vec::with_capacity(capacity),
    }
}

/// Gives `buf` back for reuse (or frees it, if enough are spare or it grew too large).
pub fn give_back(mut buf: Vec<u8>, max_capacity: usize) {
    if buf.capacity() > max_capacity {
        return;
    }
    buf.clear();
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < KEPT_PER_THREAD {
            spare.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_buffer_is_reused_empty_with_its_capacity() {
        let mut buf = take(1000);
        buf.extend_from_slice(b"hello");
        let address = buf.as_ptr();
        give_back(buf, 4096);
        let again = take(1000);
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), address);
        assert!(again.capacity() >= 1000);
    }

    #[test]
    fn an_oversized_buffer_is_freed_not_kept() {
        give_back(take(10_000), 4096);
        assert_eq!(take(100).capacity(), 100);
    }
}
