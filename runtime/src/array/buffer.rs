//! Large buffers of numbers, zeroed without a pass over them and backed by huge pages.
//!
//! A chunk of a store is tens of megabytes; glibc maps every allocation above 32 MiB
//! afresh from the kernel and hands it back when freed, so each decoded chunk paid a
//! page fault per 4 KiB page on first touch. On `bench/engine.py`'s time-heavy store
//! (24 chunks of 48 MB, zstd, 2 threads) decoding into fresh buffers took 0.95 s and
//! into buffers asking for huge pages 0.77 s (reading and decoding into reused buffers:
//! 0.57 s). numpy asks the same of the kernel for its large arrays.

use ndarray::{ArrayD, IxDyn};

use super::dtype::DType;
use super::values::Values;

/// Buffers at least this long ask for huge pages (smaller ones rarely span one).
const HUGE_BYTES: usize = 4 << 20;

/// `len` zeroed elements. The memory comes zeroed from the allocator (from fresh
/// pages, for large buffers: no pass writes the zeros), and a large buffer asks the
/// kernel for huge pages before anything touches it, so filling it faults once per 2
/// MiB rather than once per 4 KiB.
pub(crate) fn zeroed<T: bytemuck::Zeroable>(len: usize) -> Vec<T> {
    let buffer: Vec<T> = bytemuck::zeroed_vec(len);
    advise_huge(buffer.as_ptr().cast(), len * size_of::<T>());
    buffer
}

/// Asks the kernel to back the whole 2 MiB pages within `len` bytes at `start` with
/// huge pages (transparent huge pages in `madvise` mode, the usual default).
fn advise_huge(start: *const u8, len: usize) {
    #[cfg(target_os = "linux")]
    if len >= HUGE_BYTES {
        const HUGE: usize = 2 << 20;
        let first = (start as usize).next_multiple_of(HUGE);
        let end = (start as usize + len) & !(HUGE - 1);
        if end > first {
            // SAFETY: the range lies within one live allocation; the advice changes
            // how the kernel backs it, never its contents.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, len);
}

impl Values {
    /// Zeros of a number dtype (integers, floats, complex numbers) and `shape`, from
    /// [`zeroed`] memory: what decoders and whole reads write into. `None` for other
    /// dtypes.
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
        for len in [0, 1, 1000, (HUGE_BYTES / 4) + 3] {
            assert!(zeroed::<f32>(len).iter().all(|&x| x == 0.0));
        }
        let zeros = Values::zeros(DType::Int16, &[3, 2]).unwrap();
        assert_eq!(
            zeros,
            Values::from_array(ArrayD::<i16>::zeros(IxDyn(&[3, 2])))
        );
        assert!(Values::zeros(DType::Str, &[1]).is_none());
    }
}
