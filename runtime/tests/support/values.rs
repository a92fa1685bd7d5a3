//! Comparing what rangeo read with what a reference implementation read.

use rangeo::array::{DataArray, Values};

/// The values of `array`, computed.
pub(crate) fn computed(array: &DataArray) -> Values {
    array
        .compute()
        .unwrap_or_else(|e| panic!("{:?}: {e}", array.name()))
        .variable()
        .to_values()
        .unwrap()
        .into_owned()
}

/// Whether two arrays hold the same values: equal dtype and shape, and each element
/// equal (NaN equal to NaN).
pub(crate) fn same(got: &Values, want: &Values) -> bool {
    if got.dtype() != want.dtype() || got.shape() != want.shape() {
        return false;
    }
    match (got, want) {
        (Values::Float32(a), Values::Float32(b)) => a
            .iter()
            .zip(b)
            .all(|(x, y)| x.total_cmp(y).is_eq() || (x.is_nan() && y.is_nan())),
        (Values::Float64(a), Values::Float64(b)) => a
            .iter()
            .zip(b)
            .all(|(x, y)| x.total_cmp(y).is_eq() || (x.is_nan() && y.is_nan())),
        _ => got == want,
    }
}
