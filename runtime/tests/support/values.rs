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
        (Values::Float16(a), Values::Float16(b)) => a
            .iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())),
        (Values::Complex64(_), Values::Complex64(_))
        | (Values::Complex128(_), Values::Complex128(_)) => {
            let parts = |v: &Values, imaginary| {
                let part = if imaginary { v.imag() } else { v.real() };
                part.unwrap().cast(rangeo::array::DType::Float64).unwrap()
            };
            [false, true]
                .into_iter()
                .all(|i| same(&parts(got, i), &parts(want, i)))
        }
        _ => got == want,
    }
}
