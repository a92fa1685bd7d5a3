//! Large buffers of numbers, zeroed without a pass over them.
//!
//! A chunk of a store is tens of megabytes; glibc maps every allocation above 32 MiB
//! afresh from the kernel, whose pages come zeroed, so asking the allocator for zeroed
//! memory costs no pass of our own.
//!
//! Its pages are still mapped one fault per 4 KiB page as they are first written, and
//! on a virtual machine (a cloud hub node) each fault is a trap out of the guest: a
//! fifth of a full read's time went to faults. A large buffer therefore has its pages
//! mapped in one call per 16 MiB before it is written, on the idle threads: a full
//! read of `bench/engine.py`'s stores (1.14 GB, uncompressed or blosc, 2 threads) went
//! from 0.63-0.79 s to 0.43-0.62 s. Huge pages (`MADV_HUGEPAGE`, which numpy asks for)
//! were tried and dropped: on the same machine mapping 1.14 GB in huge pages took
//! 0.66-3.0 s from run to run, in 4 KiB pages 0.38-0.42 s, and populating them
//! 0.26 s (1.85 s once, the first time).

use ndarray::{ArrayD, IxDyn};

use super::dtype::DType;
use super::values::Values;

/// Buffers at least this long have their pages mapped before anything is written.
const POPULATE_BYTES: usize = 4 << 20;

/// How much one thread maps at a time when several share a buffer's mapping.
const POPULATE_PIECE: usize = 16 << 20;

/// `len` zeroed elements from the allocator's zeroed memory; a large buffer has its
/// pages mapped ([`populate`]) before it is returned.
fn zeroed<T: bytemuck::Zeroable>(len: usize) -> Vec<T> {
    let mut buffer: Vec<T> = bytemuck::zeroed_vec(len);
    // SAFETY: the buffer's bytes are all initialised (zeros) and owned here.
    populate(unsafe {
        std::slice::from_raw_parts_mut(buffer.as_mut_ptr().cast::<u8>(), len * size_of::<T>())
    });
    buffer
}

/// Asks the kernel to map the pages of `bytes` now (`MADV_POPULATE_WRITE`), in 16 MiB
/// pieces ([`in_pieces`](super::in_pieces): on the idle threads when the pool has
/// them). A kernel before Linux 5.14 refuses the advice and the pages are mapped as
/// they are first written, as before.
fn populate(bytes: &mut [u8]) {
    #[cfg(target_os = "linux")]
    if bytes.len() >= POPULATE_BYTES {
        const PAGE: usize = 4096;
        const MADV_POPULATE_WRITE: libc::c_int = 23;
        let _ = super::in_pieces(bytes, POPULATE_PIECE, |_, piece| {
            // The whole pages the piece touches: those at its ends are mapped already
            // (they hold the buffer's or its neighbours' bytes).
            let first = (piece.as_ptr() as usize) & !(PAGE - 1);
            let end = (piece.as_ptr() as usize + piece.len()).next_multiple_of(PAGE);
            // SAFETY: the pages are mapped in this process; populating them never
            // changes what they hold.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, MADV_POPULATE_WRITE);
            }
            Ok::<(), std::convert::Infallible>(())
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

impl Values {
    /// Zeros of a number dtype (integers, floats, complex numbers) and `shape`, from
    /// the allocator's zeroed memory (fresh pages for large arrays: no pass writes the
    /// zeros): what decoders and whole reads write into. `None` for other dtypes.
    pub(crate) fn zeros(dtype: DType, shape: &[usize]) -> Option<Values> {
        fn of<T: bytemuck::Zeroable + super::Element>(shape: &[usize]) -> Values {
            let len = shape.iter().product();
            Values::from_array(
                ArrayD::from_shape_vec(IxDyn(shape), zeroed::<T>(len)).expect("one per element"),
            )
        }
        Some(match dtype {
            DType::Int8 => of::<i8>(shape),
            DType::Int16 => of::<i16>(shape),
            DType::Int32 => of::<i32>(shape),
            DType::Int64 => of::<i64>(shape),
            DType::UInt8 => of::<u8>(shape),
            DType::UInt16 => of::<u16>(shape),
            DType::UInt32 => of::<u32>(shape),
            DType::UInt64 => of::<u64>(shape),
            DType::Float16 => of::<half::f16>(shape),
            DType::Float32 => of::<f32>(shape),
            DType::Float64 => of::<f64>(shape),
            DType::Complex64 => of::<num_complex::Complex32>(shape),
            DType::Complex128 => of::<num_complex::Complex64>(shape),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_are_zero_at_every_size_and_dtype() {
        for len in [0, 1, 1000, (64 << 20) + 3] {
            let zeros = Values::zeros(DType::Float32, &[len]).unwrap();
            assert!(zeros.array::<f32>().unwrap().iter().all(|&x| x == 0.0));
        }
        let zeros = Values::zeros(DType::Int16, &[3, 2]).unwrap();
        assert_eq!(
            zeros,
            Values::from_array(ArrayD::<i16>::zeros(IxDyn(&[3, 2])))
        );
        assert!(Values::zeros(DType::Str, &[1]).is_none());
    }
}
