//! Element types: the dtype enum that makes arrays dynamically typed, and the
//! [`Element`] trait that maps each Rust element type to its dtype.

use std::fmt;

/// An array's element type, named as numpy and xarray name it.
///
/// ```
/// use rangeo::array::DType;
/// assert_eq!(DType::Float64.to_string(), "float64");
/// assert_eq!(DType::DateTime64.to_string(), "datetime64[ns]");
/// assert!(DType::Float32.is_float() && !DType::Int32.is_float());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// `bool`
    Bool,
    /// `int8`
    Int8,
    /// `int16`
    Int16,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `uint8`
    UInt8,
    /// `uint16`
    UInt16,
    /// `uint32`
    UInt32,
    /// `uint64`
    UInt64,
    /// `float16` (half precision, as numpy's)
    Float16,
    /// `float32`
    Float32,
    /// `float64`
    Float64,
    /// `complex64`: two float32 parts
    Complex64,
    /// `complex128`: two float64 parts
    Complex128,
    /// `datetime64[ns]`: nanoseconds since 1970-01-01T00:00:00, proleptic Gregorian.
    DateTime64,
    /// `timedelta64[ns]`: a duration in nanoseconds.
    TimeDelta64,
    /// Dates on a CF calendar ([`CfDateTime`](super::CfDateTime)), which numpy holds
    /// as cftime objects of dtype `object`.
    CfDateTime,
    /// Text (numpy's `<U` and `object` strings).
    Str,
    /// Byte strings (numpy's `|S` and `object` bytes), as netCDF and Zarr hold
    /// undecoded characters.
    Bytes,
}

impl DType {
    /// Whether elements are floating point (the dtypes whose missing values are NaN).
    #[must_use]
    pub fn is_float(self) -> bool {
        matches!(self, Self::Float16 | Self::Float32 | Self::Float64)
    }

    /// Whether elements are complex numbers.
    #[must_use]
    pub fn is_complex(self) -> bool {
        matches!(self, Self::Complex64 | Self::Complex128)
    }

    /// Whether elements are signed or unsigned integers.
    #[must_use]
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Self::Int8
                | Self::Int16
                | Self::Int32
                | Self::Int64
                | Self::UInt8
                | Self::UInt16
                | Self::UInt32
                | Self::UInt64
        )
    }

    /// Whether arithmetic applies (integers, floats and complex numbers).
    #[must_use]
    pub fn is_numeric(self) -> bool {
        self.is_integer() || self.is_float() || self.is_complex()
    }

    /// Bytes per element in memory, as numpy counts them (`None` for strings, whose
    /// size varies).
    #[must_use]
    pub fn item_size(self) -> Option<usize> {
        Some(match self {
            Self::Bool | Self::Int8 | Self::UInt8 => 1,
            Self::Int16 | Self::UInt16 | Self::Float16 => 2,
            Self::Int32 | Self::UInt32 | Self::Float32 => 4,
            Self::Complex128 => 16,
            Self::Int64
            | Self::UInt64
            | Self::Float64
            | Self::Complex64
            | Self::DateTime64
            | Self::TimeDelta64
            | Self::CfDateTime => 8,
            Self::Str | Self::Bytes => return None,
        })
    }

    /// Whether elements are times or durations (`datetime64`, `timedelta64`, cftime).
    #[must_use]
    pub fn is_time(self) -> bool {
        matches!(
            self,
            Self::DateTime64 | Self::TimeDelta64 | Self::CfDateTime
        )
    }

    /// The dtype that both `self` and `other` convert to without loss, as numpy's
    /// `result_type` picks it for numbers and booleans (`None` when they do not mix).
    ///
    /// ```
    /// use rangeo::array::DType;
    /// assert_eq!(DType::Int16.promote(DType::Float32), Some(DType::Float32));
    /// assert_eq!(DType::Int32.promote(DType::Float32), Some(DType::Float64));
    /// assert_eq!(DType::UInt8.promote(DType::Int8), Some(DType::Int16));
    /// assert_eq!(DType::Float16.promote(DType::Int16), Some(DType::Float32));
    /// assert_eq!(DType::Complex64.promote(DType::Int32), Some(DType::Complex128));
    /// assert_eq!(DType::Str.promote(DType::Float64), None);
    /// ```
    #[must_use]
    pub fn promote(self, other: Self) -> Option<Self> {
        use DType::{Bool, Complex64, Complex128, Float16, Float32, Float64, Int16, Int32, Int64};
        if self == other {
            return Some(self);
        }
        if !(self.is_numeric() || self == Bool) || !(other.is_numeric() || other == Bool) {
            return None;
        }
        let (size, other_size) = (self.item_size()?, other.item_size()?);
        Some(match (self, other) {
            (Bool, x) | (x, Bool) => x,
            (c, x) | (x, c) if c.is_complex() => {
                // The complex type whose parts hold the real type `x` promotes with.
                let part = if c == Complex64 { Float32 } else { Float64 };
                let x = if x.is_complex() { Complex128 } else { x };
                match x {
                    Complex128 => Complex128,
                    x => match part.promote(x)? {
                        Float32 | Float16 => Complex64,
                        _ => Complex128,
                    },
                }
            }
            (a, b) if a.is_float() && b.is_float() => {
                if size >= other_size {
                    a
                } else {
                    b
                }
            }
            (f, i) | (i, f) if f.is_float() => {
                let (float, int) = (f.item_size()?, i.item_size()?);
                match f {
                    // An integer needs a float with more bits than it has.
                    _ if float > int => f,
                    _ if int == 1 => Float16,
                    _ if int == 2 => Float32,
                    _ => Float64,
                }
            }
            (a, b) if a.is_signed() == b.is_signed() => {
                if size >= other_size {
                    a
                } else {
                    b
                }
            }
            (signed, unsigned) | (unsigned, signed) if signed.is_signed() => {
                let (s, u) = (signed.item_size()?, unsigned.item_size()?);
                match u * 2 {
                    _ if s > u => signed,
                    2 => Int16,
                    4 => Int32,
                    8 => Int64,
                    _ => Float64,
                }
            }
            _ => Float64,
        })
    }

    /// Whether elements are signed integers.
    pub(crate) fn is_signed(self) -> bool {
        matches!(self, Self::Int8 | Self::Int16 | Self::Int32 | Self::Int64)
    }

    /// The integer type of the same width and the other signedness (`int8` for
    /// `uint8`, ...); other types are their own.
    pub(crate) fn other_sign(self) -> Self {
        match self {
            Self::Int8 => Self::UInt8,
            Self::Int16 => Self::UInt16,
            Self::Int32 => Self::UInt32,
            Self::Int64 => Self::UInt64,
            Self::UInt8 => Self::Int8,
            Self::UInt16 => Self::Int16,
            Self::UInt32 => Self::Int32,
            Self::UInt64 => Self::Int64,
            other => other,
        }
    }

    /// The smallest and largest value of an integer type, as floats (`None` for other
    /// types).
    #[allow(clippy::cast_precision_loss, reason = "range ends only bound checks")]
    pub(crate) fn integer_range(self) -> Option<(f64, f64)> {
        Some(match self {
            Self::Int8 => (f64::from(i8::MIN), f64::from(i8::MAX)),
            Self::Int16 => (f64::from(i16::MIN), f64::from(i16::MAX)),
            Self::Int32 => (f64::from(i32::MIN), f64::from(i32::MAX)),
            Self::Int64 => (i64::MIN as f64, i64::MAX as f64),
            Self::UInt8 => (0.0, f64::from(u8::MAX)),
            Self::UInt16 => (0.0, f64::from(u16::MAX)),
            Self::UInt32 => (0.0, f64::from(u32::MAX)),
            Self::UInt64 => (0.0, u64::MAX as f64),
            _ => return None,
        })
    }

    /// The numpy name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::Int8 => "int8",
            Self::Int16 => "int16",
            Self::Int32 => "int32",
            Self::Int64 => "int64",
            Self::UInt8 => "uint8",
            Self::UInt16 => "uint16",
            Self::UInt32 => "uint32",
            Self::UInt64 => "uint64",
            Self::Float16 => "float16",
            Self::Float32 => "float32",
            Self::Float64 => "float64",
            Self::Complex64 => "complex64",
            Self::Complex128 => "complex128",
            Self::DateTime64 => "datetime64[ns]",
            Self::TimeDelta64 => "timedelta64[ns]",
            Self::CfDateTime => "object",
            Self::Str => "str",
            Self::Bytes => "bytes",
        }
    }
}

impl std::str::FromStr for DType {
    type Err = crate::Error;

    /// Reads a numpy dtype name (`"int16"`, `"float32"`, `"datetime64[ns]"`, ...).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ALL.into_iter()
            .find(|dtype| dtype.name() == name)
            .ok_or_else(|| crate::Error::Operation(format!("unknown dtype {name:?}")))
    }
}

/// Every dtype.
const ALL: [DType; 19] = [
    DType::Bool,
    DType::Int8,
    DType::Int16,
    DType::Int32,
    DType::Int64,
    DType::UInt8,
    DType::UInt16,
    DType::UInt32,
    DType::UInt64,
    DType::Float16,
    DType::Float32,
    DType::Float64,
    DType::Complex64,
    DType::Complex128,
    DType::DateTime64,
    DType::TimeDelta64,
    DType::CfDateTime,
    DType::Str,
    DType::Bytes,
];

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A point in time: nanoseconds since 1970-01-01T00:00:00 in the proleptic Gregorian
/// calendar, numpy's `datetime64[ns]`. `i64::MIN` is NaT (not a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime64(pub i64);

/// A duration in nanoseconds, numpy's `timedelta64[ns]`. `i64::MIN` is NaT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeDelta64(pub i64);

impl DateTime64 {
    /// Not a time: the missing value.
    pub const NAT: Self = Self(i64::MIN);

    /// Whether this is NaT.
    #[must_use]
    pub fn is_nat(self) -> bool {
        self == Self::NAT
    }
}

impl TimeDelta64 {
    /// Not a time: the missing value.
    pub const NAT: Self = Self(i64::MIN);

    /// Whether this is NaT.
    #[must_use]
    pub fn is_nat(self) -> bool {
        self == Self::NAT
    }
}

/// A Rust type that can be an array element: its dtype, and how its arrays go in and
/// out of the dynamically typed [`Values`](super::Values).
pub trait Element: Clone + Default + fmt::Debug + PartialEq + 'static {
    /// The dtype of arrays of this type.
    const DTYPE: DType;

    /// Wraps a typed array.
    fn into_values(array: ndarray::ArrayD<Self>) -> super::Values;

    /// The typed array inside `values`, when it holds this type.
    fn array_of(values: &super::Values) -> Option<&ndarray::ArrayD<Self>>;

    /// The typed array inside `values`, moved out; `values` back when it holds another
    /// type.
    fn from_values(values: super::Values) -> Result<ndarray::ArrayD<Self>, super::Values>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes_follow_numpy() {
        assert_eq!(<u16 as Element>::DTYPE.name(), "uint16");
        assert_eq!(DType::TimeDelta64.item_size(), Some(8));
        assert_eq!(DType::Str.item_size(), None);
        assert_eq!(DType::Bytes.item_size(), None);
        assert_eq!("bytes".parse::<DType>().unwrap(), DType::Bytes);
        assert!(DType::UInt8.is_integer() && DType::UInt8.is_numeric());
        assert!(!DType::DateTime64.is_numeric() && !DType::Bool.is_numeric());
        assert!(DateTime64::NAT.is_nat() && !DateTime64(0).is_nat());
    }
}
