//! Chunk grids: how an array's shape is cut into blocks, dimension by dimension, in
//! dask's representation (the length of every chunk along every dimension).

use std::ops::Range;

use crate::Error;

/// The chunk lengths along each dimension: `(100, 100, 20)` for a dimension of 220
/// cut every 100. Every length is at least 1, except that an empty dimension has one
/// chunk of length 0.
///
/// ```
/// use rangeo::compute::Chunks;
/// let chunks = Chunks::regular(&[220, 3], &[100, 3]);
/// assert_eq!(chunks.dim(0), &[100, 100, 20]);
/// assert_eq!((chunks.grid(), chunks.len()), (vec![3, 1], 3));
/// assert_eq!(chunks.max_shape(), vec![100, 3]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chunks(Vec<Vec<usize>>);

impl Chunks {
    /// Cuts `shape` into chunks of `sizes` (the last chunk of a dimension is shorter
    /// when the size does not divide it; a size of 0 means the whole dimension).
    #[must_use]
    pub fn regular(shape: &[usize], sizes: &[usize]) -> Self {
        Self(
            shape
                .iter()
                .zip(sizes)
                .map(|(&len, &size)| split(len, if size == 0 { len } else { size }))
                .collect(),
        )
    }

    /// One chunk spanning the whole array.
    #[must_use]
    pub fn single(shape: &[usize]) -> Self {
        Self(shape.iter().map(|&len| vec![len]).collect())
    }

    /// Chunks from their lengths along each dimension, checked against `shape`.
    pub fn from_lengths(shape: &[usize], lengths: Vec<Vec<usize>>) -> Result<Self, Error> {
        let fits = lengths.len() == shape.len()
            && lengths.iter().zip(shape).all(|(dim, &len)| {
                dim.iter().sum::<usize>() == len
                    && !dim.is_empty()
                    && (len == 0 || dim.iter().all(|&c| c > 0))
            });
        if fits {
            Ok(Self(lengths))
        } else {
            Err(Error::Shape(format!(
                "chunks {lengths:?} do not cover the shape {shape:?}"
            )))
        }
    }

    /// The chunk lengths along dimension `axis`.
    #[must_use]
    pub fn dim(&self, axis: usize) -> &[usize] {
        &self.0[axis]
    }

    /// The chunk lengths along every dimension.
    #[must_use]
    pub fn lengths(&self) -> &[Vec<usize>] {
        &self.0
    }

    /// The number of dimensions.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.0.len()
    }

    /// The number of chunks along each dimension.
    #[must_use]
    pub fn grid(&self) -> Vec<usize> {
        self.0.iter().map(Vec::len).collect()
    }

    /// The number of chunks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).product()
    }

    /// Whether there are no chunks (never: an array always has at least one).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest chunk length along each dimension: the chunk shape reprs show, and
    /// the one memory projections assume.
    #[must_use]
    pub fn max_shape(&self) -> Vec<usize> {
        self.0
            .iter()
            .map(|d| d.iter().copied().max().unwrap_or(0))
            .collect()
    }

    /// The positions chunk `index` covers along each dimension.
    #[must_use]
    pub fn region(&self, index: &[usize]) -> Vec<Range<usize>> {
        self.0
            .iter()
            .zip(index)
            .map(|(dim, &i)| {
                let start: usize = dim[..i].iter().sum();
                start..start + dim[i]
            })
            .collect()
    }

    /// The shape of chunk `index`.
    #[must_use]
    pub fn shape_of(&self, index: &[usize]) -> Vec<usize> {
        self.0.iter().zip(index).map(|(dim, &i)| dim[i]).collect()
    }

    /// The chunk index at position `flat` of the grid in row-major order.
    #[must_use]
    pub fn unravel(&self, flat: usize) -> Vec<usize> {
        unravel(&self.grid(), flat)
    }

    /// The position of chunk `index` in the grid in row-major order (the inverse of
    /// [`unravel`](Self::unravel)).
    #[must_use]
    pub fn ravel(&self, index: &[usize]) -> usize {
        self.0
            .iter()
            .zip(index)
            .fold(0, |flat, (dim, &i)| flat * dim.len() + i)
    }

    /// Every chunk index, in row-major order.
    pub fn indices(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        (0..self.len()).map(|flat| self.unravel(flat))
    }

    /// The chunk along `axis` holding position `position`, and the position within it.
    #[must_use]
    pub fn locate(&self, axis: usize, position: usize) -> (usize, usize) {
        let mut start = 0;
        for (i, &len) in self.0[axis].iter().enumerate() {
            if position < start + len {
                return (i, position - start);
            }
            start += len;
        }
        (self.0[axis].len() - 1, position - start)
    }

    /// The same chunks with dimension `axis` cut as `lengths`.
    #[must_use]
    pub(crate) fn with_dim(&self, axis: usize, lengths: Vec<usize>) -> Self {
        let mut out = self.clone();
        out.0[axis] = lengths;
        out
    }
}

/// `len` cut into pieces of `size` (at least one piece).
pub(crate) fn split(len: usize, size: usize) -> Vec<usize> {
    if len == 0 || size == 0 {
        return vec![len];
    }
    let mut out = vec![size; len / size];
    if !len.is_multiple_of(size) {
        out.push(len % size);
    }
    out
}

/// The row-major multi-index of `flat` in a grid of `counts`.
pub(crate) fn unravel(counts: &[usize], mut flat: usize) -> Vec<usize> {
    let mut index = vec![0; counts.len()];
    for (i, &n) in counts.iter().enumerate().rev() {
        index[i] = flat % n.max(1);
        flat /= n.max(1);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_positions() {
        let chunks = Chunks::regular(&[10, 4], &[4, 0]);
        assert_eq!(chunks.dim(0), &[4, 4, 2]);
        assert_eq!(chunks.dim(1), &[4]);
        assert_eq!(chunks.region(&[2, 0]), vec![8..10, 0..4]);
        assert_eq!(chunks.locate(0, 9), (2, 1));
        assert_eq!(chunks.indices().last(), Some(vec![2, 0]));
        assert_eq!(chunks.ravel(&[2, 0]), 2);
        assert!((0..chunks.len()).all(|flat| chunks.ravel(&chunks.unravel(flat)) == flat));
        assert_eq!(Chunks::regular(&[0], &[5]).dim(0), &[0]);
        assert!(Chunks::from_lengths(&[5], vec![vec![2, 2]]).is_err());
        assert!(Chunks::from_lengths(&[5], vec![vec![2, 3]]).is_ok());
    }
}
