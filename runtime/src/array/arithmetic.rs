//! Arithmetic, comparisons, math functions and missing-value handling on
//! [`DataArray`]s: operands align by label (inner join) and broadcast by dimension name,
//! as in xarray.

use std::ops;

use super::align::{Join, align_all};
use super::calendar::CfDateTime;
use super::coords::Coordinates;
use super::data_array::DataArray;
use super::dtype::{DType, DateTime64, TimeDelta64};
use super::math::{BinaryOp, FloatFn};
use super::values::Values;
use super::variable::{Attrs, Variable};
use crate::Error;
use crate::error::OrPanic;

/// The right-hand side of an operation: another array, or a scalar (which takes the
/// array's dtype when it fits, as numpy's Python scalars do).
#[derive(Debug, Clone)]
pub enum Operand<'a> {
    /// An array, aligned and broadcast against the left-hand side.
    Array(&'a DataArray),
    /// One value.
    Scalar(Values),
}

impl<'a> From<&'a DataArray> for Operand<'a> {
    fn from(array: &'a DataArray) -> Self {
        Self::Array(array)
    }
}

macro_rules! scalar_operands {
    ($($t:ty),*) => {$(
        impl From<$t> for Operand<'_> {
            fn from(x: $t) -> Self {
                Self::Scalar(Values::scalar(x))
            }
        }
    )*};
}

// One float and one integer type, so that literals (`2.0`, `2`) need no suffix.
scalar_operands!(f64, i32, bool, DateTime64, TimeDelta64, CfDateTime);

/// A scalar in the dtype of the array it meets: floats keep a float or complex array's
/// precision, integers an integer array's width.
fn weak(scalar: &Values, like: DType) -> Values {
    let fits = match scalar.dtype() {
        d if d.is_float() => like.is_float() || like.is_complex(),
        d if d.is_integer() => like.is_numeric(),
        _ => false,
    };
    if fits {
        scalar.cast(like).unwrap_or_else(|_| scalar.clone())
    } else {
        scalar.clone()
    }
}

/// The result of `a op b` around its computed `variable`, given `b`'s name, attributes
/// and coordinates: the name if both share it, the attributes and coordinates merged
/// (xarray's rules for every binary operation between arrays).
pub(crate) fn combined(
    a: &DataArray,
    b_name: Option<&str>,
    b_attrs: &Attrs,
    b_coords: &Coordinates,
    variable: Variable,
) -> DataArray {
    let name = (a.name() == b_name)
        .then(|| b_name.map(str::to_owned))
        .flatten();
    let variable = variable.with_attrs(merge_attrs(a.attrs(), b_attrs));
    DataArray::from_parts(name, variable, merge_coords(a.coords(), b_coords))
}

/// Attributes of both, without the keys whose values conflict (xarray's
/// `drop_conflicts`).
fn merge_attrs(a: &Attrs, b: &Attrs) -> Attrs {
    let mut out = a.clone();
    for (key, value) in b {
        if !a.contains_key(key) {
            out.insert(key.clone(), value.clone());
        } else if out.get(key).is_some_and(|mine| mine != value) {
            out.shift_remove(key);
        }
    }
    out
}

/// Coordinates of both; a coordinate both have with different values is dropped.
fn merge_coords(a: &Coordinates, b: &Coordinates) -> Coordinates {
    let mut out = a.filtered(|name, c| b.get(name).is_none_or(|other| other == c));
    for (name, c) in b.iter() {
        if !a.contains(name) {
            out.insert_with_index(name.to_owned(), c.clone(), b.index(name).cloned());
        }
    }
    out
}

impl DataArray {
    /// `self op other`: aligned on shared indexes with an inner join, broadcast by
    /// dimension name (this array's dimensions first), attributes merged.
    pub fn binary<'a>(
        &self,
        op: BinaryOp,
        other: impl Into<Operand<'a>>,
    ) -> Result<DataArray, Error> {
        match other.into() {
            Operand::Scalar(scalar) => {
                let scalar = Variable::from_values(Vec::new(), weak(&scalar, self.dtype()));
                let variable = self.variable().binary(op, &scalar)?;
                Ok(self.with_result(variable, self.attrs().clone()))
            }
            Operand::Array(other) => {
                let aligned = align_all(&[self, other], Join::Inner)?;
                let (a, b) = (&aligned[0], &aligned[1]);
                let variable = a.variable().binary(op, b.variable())?;
                Ok(combined(a, b.name(), b.attrs(), b.coords(), variable))
            }
        }
    }

    /// `scalar op self`, for operators with the scalar on the left.
    pub(crate) fn binary_from_left(
        &self,
        op: BinaryOp,
        scalar: &Values,
    ) -> Result<DataArray, Error> {
        let scalar = Variable::from_values(Vec::new(), weak(scalar, self.dtype()));
        let variable = scalar.binary(op, self.variable())?;
        Ok(self.with_result(variable, self.attrs().clone()))
    }

    /// This array's name and coordinates around a computed variable with `attrs`.
    fn with_result(&self, mut variable: Variable, attrs: Attrs) -> DataArray {
        *variable.attrs_mut() = attrs;
        self.with_variable(variable)
    }

    /// Elementwise `self > other`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.isel("lat", 1)?.gt(4.5)?.to_vec::<bool>()?, [false, false, true]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn gt<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Gt, other)
    }

    /// Elementwise `self >= other`.
    pub fn ge<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Ge, other)
    }

    /// Elementwise `self < other`.
    pub fn lt<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Lt, other)
    }

    /// Elementwise `self <= other`.
    pub fn le<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Le, other)
    }

    /// Elementwise `self == other` (NaN equals nothing).
    pub fn equal<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Eq, other)
    }

    /// Elementwise `self != other`.
    pub fn not_equal<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.binary(BinaryOp::Ne, other)
    }

    fn float_fn(&self, f: FloatFn) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().map_float(f)?))
    }

    /// Absolute values (the modulus of complex numbers).
    pub fn abs(&self) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().abs()?))
    }

    /// The real parts of complex values, as xarray's `.real` (other numbers are their
    /// own).
    ///
    /// ```
    /// use rangeo::array::Complex64;
    /// use rangeo::prelude::*;
    /// let z = DataArray::new(["x"], ndarray::arr1(&[Complex64::new(3.0, 4.0)]))?;
    /// assert_eq!(z.real()?.values::<f64>()?[[0]], 3.0);
    /// assert_eq!(z.imag()?.values::<f64>()?[[0]], 4.0);
    /// assert_eq!(z.abs()?.values::<f64>()?[[0]], 5.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn real(&self) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().real()?))
    }

    /// The imaginary parts of complex values, as xarray's `.imag` (zeros for other
    /// numbers).
    pub fn imag(&self) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().imag()?))
    }

    /// The complex conjugates, as xarray's `.conj()` (other numbers are their own).
    pub fn conj(&self) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().conj()?))
    }

    /// Square roots.
    pub fn sqrt(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Sqrt)
    }

    /// `e` to the power of each value.
    pub fn exp(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Exp)
    }

    /// Natural logarithms.
    pub fn log(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Log)
    }

    /// Base-10 logarithms.
    pub fn log10(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Log10)
    }

    /// Sines of values in radians.
    pub fn sin(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Sin)
    }

    /// Cosines of values in radians (for degrees, `.radians()?.cos()`).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let lat = DataArray::new(["lat"], vec![0.0, 60.0, 90.0])?;
    /// let weights = lat.radians()?.cos()?;
    /// assert!((weights.values::<f64>()?[1] - 0.5).abs() < 1e-15);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn cos(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Cos)
    }

    /// Tangents of values in radians.
    pub fn tan(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Tan)
    }

    /// Degrees converted to radians (numpy's `deg2rad`).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let lat = air.coord("lat")?;
    /// assert!((lat.radians()?.degrees()?.to_vec::<f64>()?[0] - 75.0).abs() < 1e-12);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn radians(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Radians)
    }

    /// Radians converted to degrees (numpy's `rad2deg`).
    pub fn degrees(&self) -> Result<DataArray, Error> {
        self.float_fn(FloatFn::Degrees)
    }

    /// The values converted to `dtype` (xarray's `astype`), attributes kept.
    pub fn astype(&self, dtype: DType) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().astype(dtype)?))
    }

    /// Whether each value is missing (NaN or NaT).
    #[must_use]
    pub fn isnull(&self) -> DataArray {
        self.with_variable(self.variable().isnull())
    }

    /// Whether each value is present.
    #[must_use]
    pub fn notnull(&self) -> DataArray {
        let nulls = self.variable().isnull();
        let present = nulls
            .binary(BinaryOp::Xor, &Variable::scalar(true))
            .expect("booleans");
        self.with_variable(present.with_attrs(self.attrs().clone()))
    }

    /// Values where `cond` is true, NaN elsewhere (xarray's `where(cond)`; the
    /// condition aligns and broadcasts like an operand).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let warm = air.where_(&air.gt(2.0)?)?;
    /// assert!(warm.to_vec::<f64>()?[0].is_nan());
    /// assert_eq!(warm.to_vec::<f64>()?[2], 3.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[doc(alias = "where")]
    pub fn where_(&self, cond: &DataArray) -> Result<DataArray, Error> {
        let missing = match self.dtype() {
            DType::Float32 => Values::scalar(f32::NAN),
            DType::DateTime64 => Values::scalar(DateTime64::NAT),
            DType::TimeDelta64 => Values::scalar(TimeDelta64::NAT),
            DType::CfDateTime => {
                let clock = self.variable().clock().expect("times");
                Values::scalar(CfDateTime::nat(clock.calendar))
            }
            _ => Values::scalar(f64::NAN),
        };
        self.choose(cond, Operand::Scalar(missing))
    }

    /// Values where `cond` is true, `other` elsewhere.
    pub fn where_or<'a>(
        &self,
        cond: &DataArray,
        other: impl Into<Operand<'a>>,
    ) -> Result<DataArray, Error> {
        self.choose(cond, other.into())
    }

    fn choose(&self, cond: &DataArray, other: Operand<'_>) -> Result<DataArray, Error> {
        let aligned = align_all(&[self, cond], Join::Inner)?;
        let (this, cond) = (&aligned[0], &aligned[1]);
        let dims = this.variable().broadcast_dims(cond.variable())?;
        let other_variable = match other {
            Operand::Scalar(s) => Variable::from_values(Vec::new(), weak(&s, self.dtype())),
            Operand::Array(a) => {
                if a.dims().iter().any(|d| !dims.contains(d)) {
                    return Err(Error::Shape(format!(
                        "`other` has dimensions {:?} beyond the result's {dims:?}",
                        a.dims()
                    )));
                }
                a.variable().clone()
            }
        };
        let variable = this
            .variable()
            .choose(cond.variable(), &other_variable, dims)?;
        let coords = merge_coords(this.coords(), cond.coords());
        Ok(DataArray::from_parts(
            this.name().map(str::to_owned),
            variable,
            coords,
        ))
    }

    /// Missing values replaced by `value`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.fillna(0.0)?.isel("lat", 1)?.to_vec::<f64>()?, [4.0, 0.0, 6.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn fillna<'a>(&self, value: impl Into<Operand<'a>>) -> Result<DataArray, Error> {
        self.choose(&self.notnull(), value.into())
    }

    /// Values limited to `min..=max` (either may be `None`); NaN stays NaN.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.clip(2.0, 5.0)?.isel("lat", 0)?.to_vec::<f64>()?, [2.0, 2.0, 3.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn clip(
        &self,
        min: impl Into<Option<f64>>,
        max: impl Into<Option<f64>>,
    ) -> Result<DataArray, Error> {
        let mut out = self.clone();
        if let Some(min) = min.into() {
            out = out.where_or(&out.ge(min)?.binary(BinaryOp::Or, &out.isnull())?, min)?;
        }
        if let Some(max) = max.into() {
            out = out.where_or(&out.le(max)?.binary(BinaryOp::Or, &out.isnull())?, max)?;
        }
        Ok(out)
    }

    /// Positions of `dim` where any value (`How::Any`) or every value (`How::All`) is
    /// missing, dropped.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.dropna("lon", How::Any)?.coord("lon")?.to_vec::<f64>()?, [200.0, 205.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn dropna(&self, dim: &str, how: How) -> Result<DataArray, Error> {
        let axis = self.variable().axis(dim)?;
        let others: Vec<String> = self.dims().iter().filter(|d| *d != dim).cloned().collect();
        let reduction = if how == How::Any {
            super::Reduction::Any
        } else {
            super::Reduction::All
        };
        let mut nulls = self.variable().isnull();
        if !others.is_empty() {
            nulls = nulls.reduce(reduction, &others, false)?;
        }
        let drop = nulls.values::<bool>()?;
        let keep: Vec<isize> = (0..self.shape()[axis])
            .filter(|&i| !drop[[i]])
            .map(usize::cast_signed)
            .collect();
        self.isel(dim, keep)
    }
}

/// Which positions `dropna` drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Those with any missing value.
    Any,
    /// Those whose values are all missing.
    All,
}

macro_rules! operators {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl ops::$trait<&DataArray> for &DataArray {
            type Output = DataArray;
            /// # Panics
            /// When the operands cannot be aligned or their dtypes do not combine; the
            /// message says why (a cell reports it as its error).
            #[track_caller]
            fn $method(self, other: &DataArray) -> DataArray {
                self.binary(BinaryOp::$op, other).or_panic()
            }
        }
        impl ops::$trait<DataArray> for DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, other: DataArray) -> DataArray {
                ops::$trait::$method(&self, &other)
            }
        }
        impl ops::$trait<&DataArray> for DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, other: &DataArray) -> DataArray {
                ops::$trait::$method(&self, other)
            }
        }
        impl ops::$trait<DataArray> for &DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, other: DataArray) -> DataArray {
                ops::$trait::$method(self, &other)
            }
        }
        scalar_operators!($trait $method $op f64 i32);
    )*};
}

macro_rules! scalar_operators {
    ($trait:ident $method:ident $op:ident $($t:ty)*) => {$(
        impl ops::$trait<$t> for &DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, scalar: $t) -> DataArray {
                self.binary(BinaryOp::$op, scalar).or_panic()
            }
        }
        impl ops::$trait<$t> for DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, scalar: $t) -> DataArray {
                ops::$trait::$method(&self, scalar)
            }
        }
        impl ops::$trait<&DataArray> for $t {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, array: &DataArray) -> DataArray {
                array
                    .binary_from_left(BinaryOp::$op, &Values::scalar(self))
                    .or_panic()
            }
        }
        impl ops::$trait<DataArray> for $t {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, array: DataArray) -> DataArray {
                ops::$trait::$method(self, &array)
            }
        }
    )*};
}

operators!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div, Rem rem Rem);

impl ops::Neg for &DataArray {
    type Output = DataArray;
    #[track_caller]
    fn neg(self) -> DataArray {
        self.binary_from_left(BinaryOp::Sub, &Values::scalar(0_i64))
            .or_panic()
    }
}

impl ops::Neg for DataArray {
    type Output = DataArray;
    #[track_caller]
    fn neg(self) -> DataArray {
        -&self
    }
}

macro_rules! logical {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl ops::$trait<&DataArray> for &DataArray {
            type Output = DataArray;
            /// # Panics
            /// When either operand is not boolean or they cannot be aligned.
            #[track_caller]
            fn $method(self, other: &DataArray) -> DataArray {
                self.binary(BinaryOp::$op, other).or_panic()
            }
        }
        impl ops::$trait<DataArray> for DataArray {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, other: DataArray) -> DataArray {
                ops::$trait::$method(&self, &other)
            }
        }
    )*};
}

logical!(BitAnd bitand And, BitOr bitor Or, BitXor bitxor Xor);

impl ops::Not for &DataArray {
    type Output = DataArray;
    /// # Panics
    /// When the values are not booleans.
    #[track_caller]
    fn not(self) -> DataArray {
        self.binary(BinaryOp::Xor, true).or_panic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(values: Vec<f64>, labels: Vec<i64>) -> DataArray {
        DataArray::new(["x"], values)
            .unwrap()
            .assign_coords("x", labels)
            .unwrap()
    }

    #[test]
    fn operands_align_on_their_common_labels_first() {
        let a = x(vec![0.0, 1.0, 2.0, 3.0], vec![1, 2, 3, 4]).with_name("t");
        let b = x(vec![10.0, 20.0, 30.0], vec![2, 3, 5]);
        let sum = &a + &b;
        assert_eq!(sum.to_vec::<f64>().unwrap(), [11.0, 22.0]);
        assert_eq!(sum.coord("x").unwrap().to_vec::<i64>().unwrap(), [2, 3]);
        assert_eq!(sum.name(), None, "names differ");
        assert_eq!((&a * 2.0).name(), Some("t"));
        assert_eq!((1.0 - &a).to_vec::<f64>().unwrap(), [1.0, 0.0, -1.0, -2.0]);
    }

    #[test]
    fn broadcasting_is_by_dimension_name() {
        let t = DataArray::new(
            ["time", "lat"],
            ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        )
        .unwrap();
        let per_lat = DataArray::new(["lat"], vec![10.0, 20.0]).unwrap();
        let per_lon = DataArray::new(["lon"], vec![100.0, 200.0, 300.0, 400.0]).unwrap();
        let sum = &t + &per_lat;
        assert_eq!(sum.dims(), ["time", "lat"]);
        assert_eq!(
            sum.values::<f64>()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            [11.0, 22.0, 13.0, 24.0, 15.0, 26.0]
        );
        let outer = &per_lat * &t;
        assert_eq!(
            outer.dims(),
            ["lat", "time"],
            "the left operand's dims come first"
        );
        assert_eq!((&t + &per_lon).shape(), [3, 2, 4]);
        let wrong = DataArray::new(["lat"], vec![1.0, 2.0, 3.0]).unwrap();
        assert_eq!(
            t.binary(BinaryOp::Add, &wrong).unwrap_err().to_string(),
            "cannot broadcast dimension `lat`: it has size 2 in one operand and 3 in the other"
        );
    }

    #[test]
    fn missing_values_are_found_filled_and_dropped() {
        let a = x(vec![1.0, f64::NAN, 3.0], vec![10, 20, 30]);
        assert_eq!(a.isnull().to_vec::<bool>().unwrap(), [false, true, false]);
        assert_eq!(
            a.fillna(0.0).unwrap().to_vec::<f64>().unwrap(),
            [1.0, 0.0, 3.0]
        );
        assert_eq!(
            a.dropna("x", How::Any)
                .unwrap()
                .coord("x")
                .unwrap()
                .to_vec::<i64>()
                .unwrap(),
            [10, 30]
        );
        let big = a.where_(&a.gt(1.5).unwrap()).unwrap();
        assert!(big.values::<f64>().unwrap()[0].is_nan());
        let clipped = a.clip(2.0, None).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(clipped[..1], [2.0]);
        assert!(clipped[1].is_nan());
        let ints = DataArray::new(["x"], vec![1_i32, 5]).unwrap();
        assert_eq!(
            ints.where_or(&ints.gt(2).unwrap(), -1).unwrap().dtype(),
            DType::Int32
        );
        assert_eq!((&ints * 2).dtype(), DType::Int32);
        assert_eq!((&ints * 2.0).dtype(), DType::Float64);
        assert_eq!((-&ints).to_vec::<i32>().unwrap(), [-1, -5]);
    }

    #[test]
    fn attributes_merge_dropping_conflicts() {
        let a = x(vec![1.0], vec![0]).assign_attrs([("units", "K"), ("a", "1")]);
        let b = x(vec![1.0], vec![0]).assign_attrs([("units", "C"), ("b", "2")]);
        let sum = &a + &b;
        assert_eq!(sum.attrs().keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((&a * 2.0).attrs(), a.attrs());
    }
}
