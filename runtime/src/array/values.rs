//! Eager, typed storage: one `ndarray` array per dtype behind one enum.

use half::f16;
use ndarray::{ArrayD, Axis, IxDyn};
use num_complex::{Complex32, Complex64};

use super::calendar::{CfDateTime, Clock};
use super::dtype::{DType, DateTime64, Element, TimeDelta64};
use super::math::with_numeric;
use crate::Error;

/// An in-memory n-dimensional array of any dtype.
///
/// ```
/// use rangeo::array::{DType, Values};
/// let values = Values::from_vec(vec![1.5, 2.5, 3.0]);
/// assert_eq!(values.dtype(), DType::Float64);
/// assert_eq!(values.shape(), &[3]);
/// let typed = values.array::<f64>()?;
/// assert_eq!(typed.sum(), 7.0);
/// assert!(values.array::<i32>().is_err());
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, reason = "one variant per dtype, named as the dtype")]
pub enum Values {
    Bool(ArrayD<bool>),
    Int8(ArrayD<i8>),
    Int16(ArrayD<i16>),
    Int32(ArrayD<i32>),
    Int64(ArrayD<i64>),
    UInt8(ArrayD<u8>),
    UInt16(ArrayD<u16>),
    UInt32(ArrayD<u32>),
    UInt64(ArrayD<u64>),
    Float16(ArrayD<f16>),
    Float32(ArrayD<f32>),
    Float64(ArrayD<f64>),
    Complex64(ArrayD<Complex32>),
    Complex128(ArrayD<Complex64>),
    DateTime64(ArrayD<DateTime64>),
    TimeDelta64(ArrayD<TimeDelta64>),
    CfDateTime(ArrayD<CfDateTime>),
    Str(ArrayD<String>),
    Bytes(ArrayD<Vec<u8>>),
}

/// Runs `$body` with `$a` bound to the typed array inside `$values`, whatever its dtype.
/// (`Values::from_array` re-wraps a typed result generically.)
macro_rules! with_array {
    ($values:expr, $a:ident => $body:expr) => {
        match $values {
            Values::Bool($a) => $body,
            Values::Int8($a) => $body,
            Values::Int16($a) => $body,
            Values::Int32($a) => $body,
            Values::Int64($a) => $body,
            Values::UInt8($a) => $body,
            Values::UInt16($a) => $body,
            Values::UInt32($a) => $body,
            Values::UInt64($a) => $body,
            Values::Float16($a) => $body,
            Values::Float32($a) => $body,
            Values::Float64($a) => $body,
            Values::Complex64($a) => $body,
            Values::Complex128($a) => $body,
            Values::DateTime64($a) => $body,
            Values::TimeDelta64($a) => $body,
            Values::CfDateTime($a) => $body,
            Values::Str($a) => $body,
            Values::Bytes($a) => $body,
        }
    };
}

pub(crate) use with_array;

macro_rules! elements {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl Element for $t {
            const DTYPE: DType = DType::$variant;

            fn into_values(array: ArrayD<Self>) -> Values {
                Values::$variant(array)
            }

            fn array_of(values: &Values) -> Option<&ArrayD<Self>> {
                match values {
                    Values::$variant(array) => Some(array),
                    _ => None,
                }
            }

            fn from_values(values: Values) -> Result<ArrayD<Self>, Values> {
                match values {
                    Values::$variant(array) => Ok(array),
                    other => Err(other),
                }
            }
        })*
    };
}

elements! {
    bool => Bool, i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    u8 => UInt8, u16 => UInt16, u32 => UInt32, u64 => UInt64,
    f16 => Float16, f32 => Float32, f64 => Float64,
    Complex32 => Complex64, Complex64 => Complex128,
    DateTime64 => DateTime64, TimeDelta64 => TimeDelta64, CfDateTime => CfDateTime,
    String => Str, Vec<u8> => Bytes,
}

impl Values {
    /// Wraps a typed array of any shape.
    #[must_use]
    pub fn from_array<T: Element, D: ndarray::Dimension>(array: ndarray::Array<T, D>) -> Self {
        T::into_values(array.into_dyn())
    }

    /// A one-dimensional array.
    #[must_use]
    pub fn from_vec<T: Element>(values: Vec<T>) -> Self {
        Self::from_array(ndarray::Array1::from(values))
    }

    /// A zero-dimensional array holding one value.
    #[must_use]
    pub fn scalar<T: Element>(value: T) -> Self {
        T::into_values(ArrayD::from_elem(IxDyn(&[]), value))
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        match self {
            Self::Bool(_) => DType::Bool,
            Self::Int8(_) => DType::Int8,
            Self::Int16(_) => DType::Int16,
            Self::Int32(_) => DType::Int32,
            Self::Int64(_) => DType::Int64,
            Self::UInt8(_) => DType::UInt8,
            Self::UInt16(_) => DType::UInt16,
            Self::UInt32(_) => DType::UInt32,
            Self::UInt64(_) => DType::UInt64,
            Self::Float16(_) => DType::Float16,
            Self::Float32(_) => DType::Float32,
            Self::Float64(_) => DType::Float64,
            Self::Complex64(_) => DType::Complex64,
            Self::Complex128(_) => DType::Complex128,
            Self::DateTime64(_) => DType::DateTime64,
            Self::TimeDelta64(_) => DType::TimeDelta64,
            Self::CfDateTime(_) => DType::CfDateTime,
            Self::Str(_) => DType::Str,
            Self::Bytes(_) => DType::Bytes,
        }
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// The number of dimensions.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// Whether there are no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The memory of a number array in standard layout, as bytes: what a decoder writes
    /// into in place. `None` for other dtypes (booleans, times, text) and layouts.
    pub(crate) fn bytes_mut(&mut self) -> Option<&mut [u8]> {
        fn cast<T: bytemuck::Pod>(a: &mut ArrayD<T>) -> Option<&mut [u8]> {
            a.as_slice_mut().map(bytemuck::cast_slice_mut)
        }
        match self {
            Self::Complex64(a) => cast(a),
            Self::Complex128(a) => cast(a),
            other => with_numeric!(other, a => cast(a), _ => None),
        }
    }

    /// The elements of a number array in C order, as native-endian bytes; `None` for
    /// other dtypes.
    pub(crate) fn to_bytes(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        fn cast<T: bytemuck::Pod>(a: &ArrayD<T>) -> std::borrow::Cow<'_, [u8]> {
            match a.as_slice() {
                Some(elements) => bytemuck::cast_slice(elements).into(),
                None => bytemuck::cast_slice(&a.iter().copied().collect::<Vec<T>>())
                    .to_vec()
                    .into(),
            }
        }
        match self {
            Self::Complex64(a) => Some(cast(a)),
            Self::Complex128(a) => Some(cast(a)),
            other => with_numeric!(other, a => Some(cast(a)), _ => None),
        }
    }

    /// Integers with the same bits read with the other signedness, as numpy's `view`
    /// reads them (`_Unsigned`); other values unchanged.
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_wrap)]
    pub(crate) fn reinterpret_sign(self) -> Self {
        match self {
            Self::Int8(a) => Self::UInt8(a.mapv(|x| x as u8)),
            Self::Int16(a) => Self::UInt16(a.mapv(|x| x as u16)),
            Self::Int32(a) => Self::UInt32(a.mapv(|x| x as u32)),
            Self::Int64(a) => Self::UInt64(a.mapv(|x| x as u64)),
            Self::UInt8(a) => Self::Int8(a.mapv(|x| x as i8)),
            Self::UInt16(a) => Self::Int16(a.mapv(|x| x as i16)),
            Self::UInt32(a) => Self::Int32(a.mapv(|x| x as i32)),
            Self::UInt64(a) => Self::Int64(a.mapv(|x| x as i64)),
            other => other,
        }
    }

    /// The characters of the longest string, or the bytes of the longest byte string
    /// (0 for other dtypes): the width numpy gives text arrays (`<U5`, `|S5`).
    pub(crate) fn text_width(&self) -> usize {
        match self {
            Self::Str(a) => a.iter().map(|s| s.chars().count()).max().unwrap_or(0),
            Self::Bytes(a) => a.iter().map(Vec::len).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// numpy's name for the dtype: `<U5` for text of width 5, `|S5` for bytes, the
    /// dtype's name otherwise.
    pub(crate) fn numpy_dtype(&self) -> String {
        match self {
            Self::Str(_) => format!("<U{}", self.text_width()),
            Self::Bytes(_) => format!("|S{}", self.text_width()),
            other => other.dtype().name().to_owned(),
        }
    }

    /// The clock a time array counts in (`None` for other dtypes).
    pub(crate) fn clock(&self) -> Option<Clock> {
        match self {
            Self::DateTime64(_) => Some(Clock::NUMPY),
            Self::CfDateTime(a) => Some(Clock::cftime(calendar_of(a))),
            _ => None,
        }
    }

    /// A time array's ticks and the clock they count in (`None` for other dtypes).
    pub(crate) fn times(&self) -> Option<(ArrayD<i64>, Clock)> {
        let ticks = match self {
            Self::DateTime64(a) => a.mapv(|t| t.0),
            Self::CfDateTime(a) => a.mapv(CfDateTime::micros),
            _ => return None,
        };
        Some((ticks, self.clock()?))
    }

    /// The typed array, when the elements are `T`; otherwise an error naming both dtypes.
    pub fn array<T: Element>(&self) -> Result<&ArrayD<T>, Error> {
        T::array_of(self).ok_or(Error::DType {
            expected: T::DTYPE,
            found: self.dtype(),
        })
    }

    /// The typed array, moved out, when the elements are `T`; otherwise an error naming
    /// both dtypes.
    pub fn into_array<T: Element>(self) -> Result<ArrayD<T>, Error> {
        T::from_values(self).map_err(|other| Error::DType {
            expected: T::DTYPE,
            found: other.dtype(),
        })
    }
}

/// The calendar of an array of cftime-like times (the first element's; they share it).
pub(crate) fn calendar_of(a: &ArrayD<CfDateTime>) -> super::calendar::Calendar {
    a.iter().next().map(|t| t.calendar()).unwrap_or_default()
}

impl Clock {
    /// An array of times from ticks of this clock.
    pub(crate) fn values<D: ndarray::Dimension>(self, ticks: &ndarray::Array<i64, D>) -> Values {
        if self == Clock::NUMPY {
            Values::from_array(ticks.mapv(DateTime64))
        } else {
            Values::from_array(ticks.mapv(|t| CfDateTime::from_micros(self.calendar, t)))
        }
    }
}

/// Positions along `axis`, copying whole contiguous runs for standard-layout arrays.
fn select<T: Clone>(a: &ArrayD<T>, axis: usize, positions: &[usize]) -> ArrayD<T> {
    let Some(data) = a.as_slice() else {
        return a.select(Axis(axis), positions);
    };
    let shape = a.shape();
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let n = shape[axis];
    let mut out = Vec::with_capacity(outer * positions.len() * inner);
    for o in 0..outer {
        for &p in positions {
            out.extend_from_slice(&data[(o * n + p) * inner..][..inner]);
        }
    }
    let mut new_shape = shape.to_vec();
    new_shape[axis] = positions.len();
    ArrayD::from_shape_vec(IxDyn(&new_shape), out).expect("one run per position")
}

impl Values {
    /// Positions `positions` along `axis`; `None` gives a missing value (NaN, with
    /// integers and booleans promoted to float64 for it; NaN+0j for complex numbers;
    /// NaT for times; "" for text and bytes).
    pub(crate) fn take(&self, axis: usize, positions: &[Option<usize>]) -> Values {
        fn fill<T: Clone>(
            a: &ArrayD<T>,
            axis: usize,
            positions: &[Option<usize>],
            missing: T,
        ) -> ArrayD<T> {
            let mut shape = a.shape().to_vec();
            shape[axis] = positions.len();
            let mut out = ArrayD::from_elem(IxDyn(&shape), missing);
            for (i, p) in positions.iter().enumerate() {
                if let Some(p) = *p {
                    out.index_axis_mut(Axis(axis), i)
                        .assign(&a.index_axis(Axis(axis), p));
                }
            }
            out
        }
        if let Some(all) = positions.iter().copied().collect::<Option<Vec<usize>>>() {
            return with_array!(self, a => Values::from_array(select(a, axis, &all)));
        }
        match self {
            Values::Float16(a) => Values::Float16(fill(a, axis, positions, f16::NAN)),
            Values::Float32(a) => Values::Float32(fill(a, axis, positions, f32::NAN)),
            Values::Complex64(a) => {
                Values::Complex64(fill(a, axis, positions, Complex32::new(f32::NAN, 0.0)))
            }
            Values::Complex128(a) => {
                Values::Complex128(fill(a, axis, positions, Complex64::new(f64::NAN, 0.0)))
            }
            Values::DateTime64(a) => Values::DateTime64(fill(a, axis, positions, DateTime64::NAT)),
            Values::TimeDelta64(a) => {
                Values::TimeDelta64(fill(a, axis, positions, TimeDelta64::NAT))
            }
            Values::CfDateTime(a) => {
                let missing = CfDateTime::nat(calendar_of(a));
                Values::CfDateTime(fill(a, axis, positions, missing))
            }
            Values::Str(a) => Values::Str(fill(a, axis, positions, String::new())),
            Values::Bytes(a) => Values::Bytes(fill(a, axis, positions, Vec::new())),
            other => {
                let floats = other.to_f64().expect("numbers and booleans are floats");
                Values::Float64(fill(&floats, axis, positions, f64::NAN))
            }
        }
    }

    /// The first elements in C order, as an array of `shape` (no more elements than
    /// there are), in the same buffer: an edge chunk decoded at its stored size and cut
    /// in place keeps its memory.
    pub(crate) fn truncated(self, shape: &[usize]) -> Values {
        let len = shape.iter().product();
        with_array!(self, a => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            let (mut elements, _) = a.into_raw_vec_and_offset();
            elements.truncate(len);
            Values::from_array(
                ArrayD::from_shape_vec(IxDyn(shape), elements).expect("as many elements"),
            )
        })
    }

    /// Positions `positions` along `axis` (each in bounds).
    pub(crate) fn select(&self, axis: usize, positions: &[usize]) -> Values {
        with_array!(self, a => Values::from_array(select(a, axis, positions)))
    }

    /// The values repeated along their length-1 axes to `shape` (numpy's broadcasting).
    pub(crate) fn broadcast_to(&self, shape: &[usize]) -> Result<Values, Error> {
        fn grow<T: Element>(a: &ArrayD<T>, shape: &[usize]) -> Result<Values, Error> {
            let view = a.broadcast(IxDyn(shape)).ok_or_else(|| {
                Error::Shape(format!(
                    "cannot broadcast shape {:?} to {shape:?}",
                    a.shape()
                ))
            })?;
            Ok(Values::from_array(view.to_owned()))
        }
        with_array!(self, a => grow(a, shape))
    }

    /// Joins arrays along `axis`, promoting numbers to a common dtype.
    pub(crate) fn concat(parts: &[&Values], axis: usize) -> Result<Values, Error> {
        fn join<T: Element>(_: &ArrayD<T>, parts: &[Values], axis: usize) -> Result<Values, Error> {
            let views: Vec<_> = parts
                .iter()
                .map(|p| T::array_of(p).expect("cast to one dtype").view())
                .collect();
            ndarray::concatenate(Axis(axis), &views)
                .map(Values::from_array)
                .map_err(|e| Error::Shape(format!("cannot concatenate along axis {axis}: {e}")))
        }
        let first = parts
            .first()
            .ok_or_else(|| Error::Shape("nothing to concatenate".into()))?;
        let dtype = parts.iter().skip(1).try_fold(first.dtype(), |d, p| {
            d.promote(p.dtype()).ok_or_else(|| {
                Error::Operation(format!("cannot concatenate {d} and {} values", p.dtype()))
            })
        })?;
        let calendars: Vec<_> = parts
            .iter()
            .filter_map(|p| p.clock().map(|clock| clock.calendar))
            .collect();
        if calendars.windows(2).any(|w| w[0] != w[1]) {
            return Err(Error::Operation(format!(
                "cannot concatenate times on different calendars ({})",
                calendars
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let cast = parts
            .iter()
            .map(|p| p.cast(dtype))
            .collect::<Result<Vec<_>, _>>()?;
        with_array!(&cast[0], a => join(a, &cast, axis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dtype_round_trips_through_its_variant() {
        fn check<T: Element>(value: T) {
            let values = Values::scalar(value);
            assert_eq!(values.dtype(), T::DTYPE);
            assert_eq!(values.ndim(), 0);
            let back = values.array::<T>().unwrap().first().cloned();
            assert_eq!(Some(&values), back.map(Values::scalar).as_ref());
        }
        check(true);
        check(-3_i8);
        check(-3_i16);
        check(-3_i32);
        check(-3_i64);
        check(3_u8);
        check(3_u16);
        check(3_u32);
        check(3_u64);
        check(1.5_f32);
        check(1.5_f64);
        check(f16::from_f32(1.5));
        check(Complex32::new(1.5, -2.0));
        check(Complex64::new(1.5, -2.0));
        check(DateTime64(1_700_000_000_000_000_000));
        check(TimeDelta64(3_600_000_000_000));
        check(CfDateTime::from_micros(
            super::super::Calendar::NoLeap,
            86_400_000_000,
        ));
        check("air".to_owned());
        check(b"air".to_vec());
    }

    #[test]
    fn the_wrong_type_is_an_error_naming_both_dtypes() {
        let values = Values::from_array(ndarray::arr2(&[[1_i16, 2], [3, 4]]));
        assert_eq!(values.shape(), &[2, 2]);
        assert_eq!(values.len(), 4);
        let error = values.array::<f64>().unwrap_err();
        assert_eq!(error.to_string(), "expected float64 values, found int16");
    }
}
