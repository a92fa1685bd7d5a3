//! What a variable holds: values in memory, or a lazy chunked plan that computes them.

use super::dtype::DType;
use super::values::Values;
use crate::compute::Lazy;

/// A variable's data: values in memory, or a lazy, chunked plan.
///
/// Code outside this crate must not assume that every `Data` can be borrowed as
/// [`Values`] without computing it: lazy data is computed by `.compute()`.
///
/// ```
/// use rangeo::array::{Data, DType, Values};
/// let data = Data::from(Values::from_vec(vec![1_u8, 2, 3]));
/// assert_eq!((data.dtype(), data.shape()), (DType::UInt8, &[3][..]));
/// assert_eq!(data.nbytes(), 3);
/// assert!(data.lazy().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Data {
    /// Values in memory.
    Eager(Values),
    /// A plan that computes the values chunk by chunk.
    Lazy(Lazy),
}

impl Data {
    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        match self {
            Self::Eager(values) => values.dtype(),
            Self::Lazy(lazy) => lazy.dtype(),
        }
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        match self {
            Self::Eager(values) => values.shape(),
            Self::Lazy(lazy) => lazy.shape(),
        }
    }

    /// Bytes the values take, as numpy counts them (text as numpy's fixed-width
    /// `<U` arrays: four bytes per character of the longest string; bytes as `|S`
    /// arrays, one per byte of the longest; lazy text, whose width is unknown, as one
    /// character).
    #[must_use]
    pub fn nbytes(&self) -> usize {
        match self {
            Self::Eager(values @ Values::Str(_)) => 4 * values.len() * values.text_width(),
            Self::Eager(values @ Values::Bytes(_)) => values.len() * values.text_width(),
            Self::Eager(values) => values.len() * values.dtype().item_size().unwrap_or(0),
            Self::Lazy(lazy) => {
                lazy.shape().iter().product::<usize>() * lazy.dtype().item_size().unwrap_or(4)
            }
        }
    }

    /// The plan, when the data is lazy.
    #[must_use]
    pub fn lazy(&self) -> Option<&Lazy> {
        match self {
            Self::Lazy(lazy) => Some(lazy),
            Self::Eager(_) => None,
        }
    }

    /// The values in memory, for data that is never lazy (indexes, coordinates made
    /// in memory). Lazy data here is a bug in the caller.
    pub(crate) fn eager(&self) -> &Values {
        match self {
            Self::Eager(values) => values,
            Self::Lazy(lazy) => panic!(
                "internal error: lazy data `{}` used where values in memory were expected",
                lazy.name()
            ),
        }
    }
}

impl From<Values> for Data {
    fn from(values: Values) -> Self {
        Self::Eager(values)
    }
}

impl From<Lazy> for Data {
    fn from(lazy: Lazy) -> Self {
        Self::Lazy(lazy)
    }
}
