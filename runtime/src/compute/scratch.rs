//! Byte buffers reused by the tasks of a run: the encoded bytes of a chunk as read and
//! its decoded bytes before they are placed, tens of megabytes each, taken and given
//! back by every chunk read. Fresh buffers that large cost a page fault per 4 KiB on
//! first touch (see `array/buffer.rs`); reused ones cost nothing. A run drops what it
//! kept when it ends, so an idle kernel holds none.

use std::sync::Mutex;

/// Buffers given back and not yet taken again.
pub(crate) struct Scratch {
    kept: Mutex<Vec<Vec<u8>>>,
}

/// The kernel's buffers.
pub(crate) static SCRATCH: Scratch = Scratch::new();

impl Scratch {
    const fn new() -> Self {
        Self {
            kept: Mutex::new(Vec::new()),
        }
    }

    /// A buffer of at least `len` bytes (its contents are whatever it last held): the
    /// smallest kept one that is long enough, else the longest kept one grown (so that
    /// chunks of slightly different sizes do not each leave a buffer behind), else a
    /// new one.
    pub(crate) fn take(&self, len: usize) -> Vec<u8> {
        let mut kept = self.kept.lock().expect("scratch lock");
        let fits = (0..kept.len())
            .filter(|&i| kept[i].len() >= len)
            .min_by_key(|&i| kept[i].len());
        if let Some(i) = fits {
            return kept.swap_remove(i);
        }
        let longest = (0..kept.len()).max_by_key(|&i| kept[i].len());
        let mut buffer = longest.map(|i| kept.swap_remove(i)).unwrap_or_default();
        drop(kept);
        // Large buffers are their own mappings, which grow without a copy; to `len`
        // exactly, not to the doubled capacity `resize` would reserve.
        buffer.reserve_exact(len.saturating_sub(buffer.len()));
        buffer.resize(len, 0);
        buffer
    }

    /// Gives `buffer` back for the next [`take`](Self::take).
    pub(crate) fn give(&self, buffer: Vec<u8>) {
        if !buffer.is_empty() {
            self.kept.lock().expect("scratch lock").push(buffer);
        }
    }

    /// Drops every kept buffer: the end of a run.
    pub(crate) fn release(&self) {
        self.kept.lock().expect("scratch lock").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_taken_again_when_long_enough() {
        let scratch = Scratch::new();
        let (small, large) = (scratch.take(1000), scratch.take(5000));
        assert!(small.len() >= 1000 && large.len() >= 5000);
        let at = small.as_ptr();
        scratch.give(small);
        scratch.give(large);
        let taken = scratch.take(500);
        assert_eq!(taken.as_ptr(), at, "the smallest that fits");
        // None fits: the longest kept one grows instead of a third joining them.
        scratch.give(taken);
        let grown = scratch.take(8000);
        assert!(grown.len() >= 8000);
        assert_eq!(
            scratch.kept.lock().unwrap().len(),
            1,
            "the other one is kept"
        );
        scratch.release();
        assert!(scratch.kept.lock().unwrap().is_empty());
    }
}
