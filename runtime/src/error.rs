//! The runtime's errors: each names what was wrong, in a scientist's terms.

use crate::array::DType;

/// Why a runtime operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Typed access asked for the wrong element type.
    #[error("expected {expected} values, found {found}")]
    DType {
        /// The dtype asked for.
        expected: DType,
        /// The dtype the array has.
        found: DType,
    },
    /// A dimension that is not there.
    #[error("no dimension `{dim}`; the dimensions are {}", dims.join(", "))]
    Dimension {
        /// The name asked for.
        dim: String,
        /// The dimensions there are.
        dims: Vec<String>,
    },
    /// A position outside a dimension.
    #[error("index {index} is out of bounds for dimension `{dim}` of length {len}")]
    Index {
        /// The dimension.
        dim: String,
        /// The position asked for.
        index: isize,
        /// The dimension's length.
        len: usize,
    },
    /// Shapes or dimension names that do not fit together.
    #[error("{0}")]
    Shape(String),
    /// A label that is not in an index, or that cannot be read as one.
    #[error("{0}")]
    Label(String),
    /// Objects whose indexes or dimension sizes cannot be aligned.
    #[error("{0}")]
    Align(String),
    /// An operation that does not apply to these dtypes or arguments.
    #[error("{0}")]
    Operation(String),
    /// A computation that would not fit in the memory budget, refused before it ran.
    #[error("{0}")]
    Memory(String),
    /// A computation stopped by an interrupt or a cancellation.
    #[error("{0}")]
    Interrupted(String),
    /// A store, array or chunk that could not be read or written: the message names
    /// the store, the array and the chunk.
    #[error("{0}")]
    Storage(String),
    /// A STAC catalog, API page or item that could not be read or used: the message
    /// names the href or URL and, for an API, what the server answered.
    #[error("{0}")]
    Stac(String),
}

/// Results of operators, which cannot return them: an error becomes a panic whose
/// location is the caller's (the notebook cell's line), with the error as its message.
pub(crate) trait OrPanic<T> {
    /// The value, or a panic with the error's message at the caller's location.
    fn or_panic(self) -> T;
}

impl<T> OrPanic<T> for Result<T, Error> {
    #[track_caller]
    fn or_panic(self) -> T {
        match self {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }
}
