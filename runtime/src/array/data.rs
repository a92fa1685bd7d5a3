//! What a variable holds: values in memory today, a lazy chunked plan once the lazy
//! engine lands (a new variant here, behind the same `Variable` / `DataArray` API).

use super::dtype::DType;
use super::values::Values;

/// A variable's data.
///
/// Only in-memory values exist so far. The enum is `non_exhaustive` because lazy,
/// chunked data will be another variant: code outside this crate must not assume that
/// every `Data` can be borrowed as [`Values`] without computing it.
///
/// ```
/// use rangeo::array::{Data, DType, Values};
/// let data = Data::from(Values::from_vec(vec![1_u8, 2, 3]));
/// assert_eq!((data.dtype(), data.shape()), (DType::UInt8, &[3][..]));
/// assert_eq!(data.nbytes(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Data {
    /// Values in memory.
    Eager(Values),
}

impl Data {
    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.eager().dtype()
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.eager().shape()
    }

    /// Bytes the values take, as numpy counts them (text as numpy's fixed-width
    /// `<U` arrays: four bytes per character of the longest string).
    #[must_use]
    pub fn nbytes(&self) -> usize {
        match self.eager() {
            values @ Values::Str(_) => 4 * values.len() * values.text_width(),
            values => values.len() * values.dtype().item_size().unwrap_or(0),
        }
    }

    /// The values in memory. The one place that will compute lazy data.
    pub(crate) fn eager(&self) -> &Values {
        match self {
            Self::Eager(values) => values,
        }
    }
}

impl From<Values> for Data {
    fn from(values: Values) -> Self {
        Self::Eager(values)
    }
}
