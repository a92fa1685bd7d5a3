//! Large buffers of numbers, zeroed without a pass over them.
//!
//! A chunk of a store is tens of megabytes; glibc maps every allocation above 32 MiB
//! afresh from the kernel, whose pages come zeroed, so asking the allocator for zeroed
//! memory costs no pass of our own. Huge pages (`MADV_HUGEPAGE`) were tried and
//! dropped: once the page cache holds a few GB (a notebook that has read a store),
//! the kernel compacts memory to find them and a 1.14 GB read took 0.4-2.9 s from run
//! to run, against 0.56-0.59 s with plain pages (`bench/engine.py`'s one-chunk store).

use ndarray::{ArrayD, IxDyn};

use super::dtype::DType;
use super::values::Values;

impl Values {
    /// Zeros of a number dtype (integers, floats, complex numbers) and `shape`, from
    /// the allocator's zeroed memory (fresh pages for large arrays: no pass writes the
    /// zeros): what decoders and whole reads write into. `None` for other dtypes.
    pub(crate) fn zeros(dtype: DType, shape: &[usize]) -> Option<Values> {
        fn of<T: bytemuck::Zeroable + super::Element>(shape: &[usize]) -> Values {
            let len = shape.iter().product();
            Values::from_array(
                ArrayD::from_shape_vec(IxDyn(shape), bytemuck::zeroed_vec::<T>(len))
                    .expect("one per element"),
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
