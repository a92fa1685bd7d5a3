//! Where a bare read writes a chunk: its region of the whole result's bytes, disjoint
//! from every other chunk's, so workers fill one result side by side.

use std::ops::Range;

use unsafe_cell_slice::UnsafeCellSlice;
use zarrs::array::{ArrayBytesFixedDisjointView, ArraySubset};

use crate::Error;

/// The region of one chunk in the bytes (native-endian numbers, C order) of a whole
/// result, which [`ChunkSource::read_into`](super::ChunkSource::read_into) writes. A
/// chunk whose region is one run of the result's bytes (a chunk spanning every axis
/// after its first, as a field per time step does) is decoded straight into it;
/// others are copied in row by row.
pub struct ChunkTarget<'a> {
    bytes: UnsafeCellSlice<'a, u8>,
    item: usize,
    shape: &'a [u64],
    region: Vec<Range<usize>>,
}

impl<'a> ChunkTarget<'a> {
    /// The `region` of a result of `shape` with elements of `item` bytes, in `bytes`.
    ///
    /// # Safety
    ///
    /// No other target over the same bytes may cover any element of `region`.
    pub unsafe fn new(
        bytes: UnsafeCellSlice<'a, u8>,
        item: usize,
        shape: &'a [u64],
        region: Vec<Range<usize>>,
    ) -> Result<Self, Error> {
        let elements = shape.iter().try_fold(1_usize, |n, &len| {
            usize::try_from(len).ok().and_then(|len| n.checked_mul(len))
        });
        let fits = region.len() == shape.len()
            && region
                .iter()
                .zip(shape)
                .all(|(r, &n)| r.start <= r.end && r.end as u64 <= n)
            && elements.and_then(|n| n.checked_mul(item)) == Some(bytes.len());
        if !fits {
            return Err(Error::Shape(format!(
                "region {region:?} of {item}-byte elements does not lie within an array of \
                 shape {shape:?} held in {} bytes",
                bytes.len()
            )));
        }
        Ok(Self {
            bytes,
            item,
            shape,
            region,
        })
    }

    /// The region's length along each axis.
    pub fn lengths(&self) -> Vec<usize> {
        self.region.iter().map(ExactSizeIterator::len).collect()
    }

    /// The region's bytes, when they are one run of the result's: what a decoder writes
    /// into directly.
    pub fn contiguous(&mut self) -> Option<&mut [u8]> {
        let mut stride = self.item;
        let (mut first, mut last) = (0, 0);
        for (r, &n) in self.region.iter().zip(self.shape).rev() {
            if r.is_empty() {
                return None;
            }
            first += r.start * stride;
            last += (r.end - 1) * stride;
            stride *= usize::try_from(n).ok()?;
        }
        let len = self.lengths().iter().product::<usize>() * self.item;
        // SAFETY: the region is this target's alone (see `new`), and `&mut self` keeps
        // the slice the only way to it while it lives.
        (last + self.item - first == len)
            .then(|| unsafe { self.bytes.index_mut(first..first + len) })
    }

    /// Copies `bytes`, the region's elements in C order, into place: run by run, a run
    /// being the trailing axes the region spans whole and the one before them.
    pub fn copy_from_slice(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let lengths = self.lengths();
        let len = lengths.iter().product::<usize>() * self.item;
        if bytes.len() != len {
            return Err(Error::Shape(format!(
                "{} bytes for a region of {len} bytes",
                bytes.len()
            )));
        }
        if len == 0 {
            return Ok(());
        }
        let shape: Vec<usize> = self.shape.iter().map(|&n| n as usize).collect();
        let (run, starts) = runs(&shape, &self.region, self.item);
        for (from, at) in bytes.chunks_exact(run).zip(starts) {
            // SAFETY: the region is this target's alone (see `new`), and the run lies
            // within it.
            unsafe { self.bytes.index_mut(at..at + run) }.copy_from_slice(from);
        }
        Ok(())
    }

    /// zarrs' view of the same region, for zarrs to decode into.
    pub fn view(&mut self) -> ArrayBytesFixedDisjointView<'_> {
        let subset = ArraySubset::new_with_ranges(
            &self
                .region
                .iter()
                .map(|r| r.start as u64..r.end as u64)
                .collect::<Vec<_>>(),
        );
        // SAFETY: the region is this target's alone (see `new`); the view borrows the
        // target mutably, so nothing else writes to it while the view lives.
        unsafe { ArrayBytesFixedDisjointView::new(self.bytes, self.item, self.shape, subset) }
            .expect("a region checked to lie within its array")
    }
}

/// The block `region` (not empty) of a C-order array of `shape` with elements of
/// `item` bytes, as runs of contiguous bytes in the block's C order: how long each run
/// is (the trailing axes the block spans whole, and the one before them), and where
/// each starts in the array's bytes.
pub(crate) fn runs(
    shape: &[usize],
    region: &[Range<usize>],
    item: usize,
) -> (usize, impl Iterator<Item = usize>) {
    let lengths: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
    let ndim = shape.len();
    // Bytes from one index of each axis to the next, in the array.
    let mut strides = vec![item; ndim];
    for d in (0..ndim.saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    // Axes `first..` make one run.
    let (mut first, mut run) = (ndim, item);
    while first > 0 {
        first -= 1;
        run *= lengths[first];
        if lengths[first] != shape[first] {
            break;
        }
    }
    let start = region.get(first).map_or(0, |r| r.start * strides[first]);
    let count = lengths.iter().product::<usize>() * item / run;
    let starts: Vec<usize> = region.iter().map(|r| r.start).collect();
    let at = move |k: usize| {
        // Run `k`: its index along the axes before `first`, from the last.
        let (mut rest, mut at) = (k, start);
        for d in (0..first).rev() {
            at += (starts[d] + rest % lengths[d]) * strides[d];
            rest /= lengths[d];
        }
        at
    };
    (run, (0..count).map(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_spanning_the_trailing_axes_are_one_run() {
        let mut bytes = vec![0_u8; 4 * 3 * 2];
        let shape = [4, 3, 2];
        let cell = UnsafeCellSlice::new(&mut bytes);
        // SAFETY: the three targets cover disjoint regions.
        let mut rows =
            unsafe { ChunkTarget::new(cell, 1, &shape, vec![2..4, 0..3, 0..2]) }.unwrap();
        assert_eq!(rows.contiguous().map(|r| r.len()), Some(12));
        rows.copy_from_slice(&[7; 12]).unwrap();
        let mut column =
            unsafe { ChunkTarget::new(cell, 1, &shape, vec![0..2, 1..3, 1..2]) }.unwrap();
        assert!(column.contiguous().is_none());
        column.copy_from_slice(&[9; 4]).unwrap();
        let mut pair =
            unsafe { ChunkTarget::new(cell, 1, &shape, vec![0..1, 0..1, 0..2]) }.unwrap();
        assert_eq!(pair.contiguous().map(|r| r.len()), Some(2));
        assert!(pair.copy_from_slice(&[1; 3]).is_err());
        assert!(unsafe { ChunkTarget::new(cell, 1, &shape, vec![0..5, 0..3, 0..2]) }.is_err());
        assert_eq!(&bytes[12..], &[7; 12]);
        assert_eq!((bytes[3], bytes[5], bytes[9], bytes[11]), (9, 9, 9, 9));
        assert_eq!((bytes[0], bytes[4], bytes[10]), (0, 0, 0));
    }

    #[test]
    fn a_block_at_the_origin_moves_to_the_front_run_by_run_in_place() {
        // As an edge chunk stored padded to 3 x 4 x 5 is cut to its block.
        let chunk = ndarray::Array3::from_shape_fn((3, 4, 5), |(i, j, k)| {
            u8::try_from(i * 20 + j * 5 + k).unwrap()
        });
        for block in [[3, 3, 5], [2, 4, 3], [1, 1, 1], [3, 4, 5]] {
            let region: Vec<Range<usize>> = block.iter().map(|&n| 0..n).collect();
            let mut bytes = chunk.clone().into_raw_vec_and_offset().0;
            let (run, starts) = runs(&[3, 4, 5], &region, 1);
            for (k, from) in starts.enumerate() {
                bytes.copy_within(from..from + run, k * run);
            }
            let want = chunk.slice(ndarray::s![..block[0], ..block[1], ..block[2]]);
            let len = block.iter().product::<usize>();
            assert_eq!(
                &bytes[..len],
                want.iter().copied().collect::<Vec<_>>(),
                "{block:?}"
            );
        }
    }

    #[test]
    fn copies_land_where_ndarray_puts_them() {
        let shape = [3_u64, 4, 5];
        let regions = [
            vec![1..3, 1..3, 0..5],
            vec![0..3, 0..4, 2..4],
            vec![2..3, 0..4, 0..5],
            vec![0..1, 3..4, 4..5],
            vec![1..2, 0..2, 1..5],
        ];
        for region in regions {
            let lengths: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
            let block: Vec<u8> = (1..=lengths.iter().product::<usize>())
                .map(|v| u8::try_from(v).unwrap())
                .collect();
            let mut bytes = vec![0_u8; 60];
            let cell = UnsafeCellSlice::new(&mut bytes);
            // SAFETY: the only target over the bytes.
            let mut target = unsafe { ChunkTarget::new(cell, 1, &shape, region.clone()) }.unwrap();
            target.copy_from_slice(&block).unwrap();
            let mut want = ndarray::Array3::<u8>::zeros((3, 4, 5));
            want.slice_mut(ndarray::s![
                region[0].clone(),
                region[1].clone(),
                region[2].clone()
            ])
            .assign(
                &ndarray::Array3::from_shape_vec((lengths[0], lengths[1], lengths[2]), block)
                    .unwrap(),
            );
            assert_eq!(bytes, want.into_raw_vec_and_offset().0, "{region:?}");
        }
    }
}
