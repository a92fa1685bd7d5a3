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
}
