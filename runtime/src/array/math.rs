//! Elementwise kernels on [`Values`]: numpy's casting, arithmetic, comparisons and
//! math functions, with numpy's broadcasting of shapes and promotion of dtypes.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use half::f16;
use ndarray::{ArrayD, IxDyn, Zip};
use num_complex::{Complex, Complex32, Complex64};
use rayon::prelude::*;

use super::calendar::CfDateTime;
use super::dtype::{DType, DateTime64, Element, TimeDelta64};
use super::values::{Values, with_array};
use crate::Error;

/// Arrays at least this long are computed on the kernel's worker pool...
const PARALLEL_LEN: usize = 1 << 15;

thread_local! {
    /// ...unless set and still true: on a worker that runs one of many lazy tasks
    /// while tasks are left for the others, which share out the pool among them.
    static SERIAL: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether an operation over `len` elements runs in parallel on the worker pool.
pub(crate) fn parallel(len: usize) -> bool {
    len >= PARALLEL_LEN
        && SERIAL.with_borrow(|serial| {
            serial
                .as_ref()
                .is_none_or(|tasks_left| !tasks_left.load(Ordering::Relaxed))
        })
}

/// Runs `f` over `bytes` cut in pieces of `piece` bytes (the last one shorter), given
/// each piece's number: side by side on the worker pool where [`parallel`] allows,
/// one after the other otherwise. How large buffers are mapped, read and decoded.
pub(crate) fn in_pieces<E: Send>(
    bytes: &mut [u8],
    piece: usize,
    f: impl Fn(usize, &mut [u8]) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let f = |(k, part): (usize, &mut [u8])| f(k, part);
    if bytes.len() > piece && parallel(bytes.len()) {
        crate::session::thread_pool()
            .install(|| bytes.par_chunks_mut(piece).enumerate().try_for_each(f))
    } else {
        bytes.chunks_mut(piece).enumerate().try_for_each(f)
    }
}

/// Runs `f` with every array operation inside it serial on this thread while
/// `tasks_left` holds: for lazy tasks, which run side by side, one per worker. Once the
/// last task is taken, the tasks still running spread their operations over the
/// threads that have none.
pub(crate) fn serially<R>(tasks_left: &Arc<AtomicBool>, f: impl FnOnce() -> R) -> R {
    let before = SERIAL.replace(Some(Arc::clone(tasks_left)));
    let result = f();
    SERIAL.set(before);
    result
}

/// The element types that arithmetic applies to: integers (wrapping, as numpy's) and
/// floats.
pub(crate) trait Numeric: Element + Copy + PartialOrd + Send + Sync + Default {
    /// Whether the type is a float (NaN-capable).
    const FLOAT: bool;
    /// The value as a float (rounded for 64-bit integers beyond 2^53).
    fn to_f64(self) -> f64;
    /// A float cast to the type, as numpy's `astype` (truncating, saturating).
    fn from_f64(x: f64) -> Self;
    /// The value exactly, for casts between integer types.
    fn to_i128(self) -> i128;
    /// An integer cast to the type, wrapping as numpy's `astype` does.
    fn from_i128(x: i128) -> Self;
    /// `self + other` (wrapping for integers).
    fn add(self, other: Self) -> Self;
    /// `self - other` (wrapping for integers).
    fn sub(self, other: Self) -> Self;
    /// `self * other` (wrapping for integers).
    fn mul(self, other: Self) -> Self;
    /// Python's `//`: division rounded down (0 for integer division by 0, as numpy).
    fn floor_div(self, other: Self) -> Self;
    /// Python's `%`: the remainder with the sign of the divisor.
    fn rem(self, other: Self) -> Self;
    /// `self ** other`.
    fn pow(self, other: Self) -> Self;
    /// Whether the value is NaN (never, for integers).
    fn is_nan(self) -> bool;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        #[allow(
            clippy::cast_lossless,
            clippy::cast_sign_loss,
            clippy::cast_possible_wrap,
            reason = "numpy's astype: wrapping and truncating casts are the point"
        )]
        impl Numeric for $t {
            const FLOAT: bool = false;
            fn to_f64(self) -> f64 { self as f64 }
            fn from_f64(x: f64) -> Self { x as Self }
            fn to_i128(self) -> i128 { i128::from(self) }
            fn from_i128(x: i128) -> Self { x as Self }
            fn add(self, other: Self) -> Self { self.wrapping_add(other) }
            fn sub(self, other: Self) -> Self { self.wrapping_sub(other) }
            fn mul(self, other: Self) -> Self { self.wrapping_mul(other) }
            fn floor_div(self, other: Self) -> Self {
                if other == 0 { return 0; }
                let q = self.wrapping_div(other);
                #[allow(unused_comparisons, reason = "the same code serves unsigned types")]
                let negative = (self < 0) != (other < 0);
                if negative && q.wrapping_mul(other) != self { q - 1 } else { q }
            }
            fn rem(self, other: Self) -> Self {
                if other == 0 { return 0; }
                self.wrapping_sub(self.floor_div(other).wrapping_mul(other))
            }
            fn pow(self, other: Self) -> Self {
                u32::try_from(other).map_or(0, |e| self.wrapping_pow(e))
            }
            fn is_nan(self) -> bool { false }
        }
    )*};
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        #[allow(clippy::cast_lossless, reason = "numpy's astype: truncating casts are the point")]
        impl Numeric for $t {
            const FLOAT: bool = true;
            fn to_f64(self) -> f64 { f64::from(self) }
            fn from_f64(x: f64) -> Self { x as Self }
            fn to_i128(self) -> i128 { self as i128 }
            fn from_i128(x: i128) -> Self { x as Self }
            fn add(self, other: Self) -> Self { self + other }
            fn sub(self, other: Self) -> Self { self - other }
            fn mul(self, other: Self) -> Self { self * other }
            fn floor_div(self, other: Self) -> Self { (self / other).floor() }
            fn rem(self, other: Self) -> Self {
                let r = self % other;
                if r != 0.0 && (r < 0.0) != (other < 0.0) { r + other } else { r }
            }
            fn pow(self, other: Self) -> Self { self.powf(other) }
            fn is_nan(self) -> bool { self.is_nan() }
        }
    )*};
}

integers!(i8, i16, i32, i64, u8, u16, u32, u64);
floats!(f32, f64);

/// Half precision computes in single precision and rounds back, as numpy's float16
/// loops do.
#[allow(
    clippy::cast_possible_truncation,
    reason = "numpy's astype: truncating casts"
)]
impl Numeric for f16 {
    const FLOAT: bool = true;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(x: f64) -> Self {
        f16::from_f64(x)
    }
    fn to_i128(self) -> i128 {
        f32::from(self) as i128
    }
    fn from_i128(x: i128) -> Self {
        f16::from_f64(x as f64)
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn sub(self, other: Self) -> Self {
        self - other
    }
    fn mul(self, other: Self) -> Self {
        self * other
    }
    fn floor_div(self, other: Self) -> Self {
        f16::from_f32(f32::from(self).floor_div(f32::from(other)))
    }
    fn rem(self, other: Self) -> Self {
        f16::from_f32(Numeric::rem(f32::from(self), f32::from(other)))
    }
    fn pow(self, other: Self) -> Self {
        f16::from_f32(f32::from(self).powf(f32::from(other)))
    }
    fn is_nan(self) -> bool {
        self.is_nan()
    }
}

/// Runs `$body` with `$a` bound to the typed array when `$values` is numeric, else
/// evaluates `$other`.
macro_rules! with_numeric {
    ($values:expr, $a:ident => $body:expr, _ => $other:expr) => {
        match $values {
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
            _ => $other,
        }
    };
}

pub(crate) use with_numeric;

/// Maps every element, in parallel for large arrays.
pub(crate) fn map<T: Copy + Send + Sync, U: Copy + Send + Sync + Default>(
    a: &ArrayD<T>,
    f: impl Fn(T) -> U + Sync + Send,
) -> ArrayD<U> {
    if !parallel(a.len()) {
        return a.mapv(f);
    }
    let mut out = ArrayD::default(a.raw_dim());
    Zip::from(&mut out).and(a).par_for_each(|o, &x| *o = f(x));
    out
}

/// The shape two shapes broadcast to (trailing dimensions aligned, as numpy).
fn broadcast_shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>, Error> {
    let ndim = a.len().max(b.len());
    let length = |shape: &[usize], axis: usize| {
        (axis + shape.len())
            .checked_sub(ndim)
            .map_or(1, |j| shape[j])
    };
    (0..ndim)
        .map(|axis| match (length(a, axis), length(b, axis)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(Error::Shape(format!(
                "shapes {a:?} and {b:?} do not broadcast together"
            ))),
        })
        .collect()
}

/// Combines two arrays elementwise after broadcasting them against each other.
fn zip_with<T, U, V>(
    left: &ArrayD<T>,
    right: &ArrayD<U>,
    combine: impl Fn(&T, &U) -> V + Sync + Send,
) -> Result<ArrayD<V>, Error>
where
    T: Sync,
    U: Sync,
    V: Send + Default,
{
    // Fast paths: equal contiguous shapes, or a scalar on either side.
    let spread = parallel(left.len().max(right.len()));
    let shaped = |raw: Vec<V>, like: &[usize]| {
        Ok(ArrayD::from_shape_vec(IxDyn(like), raw).expect("one output per element"))
    };
    match (left.as_slice(), right.as_slice()) {
        (Some(xs), Some(ys)) if left.shape() == right.shape() => {
            let out = if spread {
                xs.par_iter().zip(ys).map(|(x, y)| combine(x, y)).collect()
            } else {
                xs.iter().zip(ys).map(|(x, y)| combine(x, y)).collect()
            };
            return shaped(out, left.shape());
        }
        (Some(xs), Some([y])) if right.ndim() == 0 => {
            let out = if spread {
                xs.par_iter().map(|x| combine(x, y)).collect()
            } else {
                xs.iter().map(|x| combine(x, y)).collect()
            };
            return shaped(out, left.shape());
        }
        (Some([x]), Some(ys)) if left.ndim() == 0 => {
            let out = if spread {
                ys.par_iter().map(|y| combine(x, y)).collect()
            } else {
                ys.iter().map(|y| combine(x, y)).collect()
            };
            return shaped(out, right.shape());
        }
        _ => {}
    }
    let shape = broadcast_shape(left.shape(), right.shape())?;
    let mut out = ArrayD::default(IxDyn(&shape));
    let spread = parallel(out.len());
    if let (Some(left_rows), Some(right_rows), Some(xs), Some(ys)) = (
        Rows::new(&shape, left),
        Rows::new(&shape, right),
        left.as_slice(),
        right.as_slice(),
    ) {
        let row = |(r, out): (usize, &mut [V])| match (left_rows.get(xs, r), right_rows.get(ys, r))
        {
            (Row::Values(xs), Row::Values(ys)) => {
                for ((o, x), y) in out.iter_mut().zip(xs).zip(ys) {
                    *o = combine(x, y);
                }
            }
            (Row::Values(xs), Row::Repeat(y)) => {
                for (o, x) in out.iter_mut().zip(xs) {
                    *o = combine(x, y);
                }
            }
            (Row::Repeat(x), Row::Values(ys)) => {
                for (o, y) in out.iter_mut().zip(ys) {
                    *o = combine(x, y);
                }
            }
            (Row::Repeat(x), Row::Repeat(y)) => out.fill_with(|| combine(x, y)),
        };
        let outs = out.as_slice_mut().expect("a new array is contiguous");
        if spread {
            outs.par_chunks_exact_mut(left_rows.len)
                .enumerate()
                .for_each(row);
        } else {
            outs.chunks_exact_mut(left_rows.len)
                .enumerate()
                .for_each(row);
        }
        return Ok(out);
    }
    let (left, right) = (
        left.broadcast(IxDyn(&shape)).expect("broadcastable"),
        right.broadcast(IxDyn(&shape)).expect("broadcastable"),
    );
    let zip = Zip::from(&mut out).and(&left).and(&right);
    if spread {
        zip.par_for_each(|slot, x, y| *slot = combine(x, y));
    } else {
        zip.for_each(|slot, x, y| *slot = combine(x, y));
    }
    Ok(out)
}

/// `target = target op other` (or `other op target` when `!into_left`), `other`
/// broadcast to `target`'s shape and of its dtype.
fn update(op: BinaryOp, target: &mut Values, other: &Values, into_left: bool) {
    if let (Values::Bool(t), Values::Bool(o)) = (&mut *target, other) {
        match op {
            BinaryOp::And => update_with(t, o, into_left, |x, y| x & y),
            BinaryOp::Or => update_with(t, o, into_left, |x, y| x | y),
            _ => update_with(t, o, into_left, |x, y| x ^ y),
        }
        return;
    }
    with_numeric!(target, t => {
        let o = other.array().expect("cast to the target's dtype");
        match op {
            BinaryOp::Add => update_with(t, o, into_left, Numeric::add),
            BinaryOp::Sub => update_with(t, o, into_left, Numeric::sub),
            BinaryOp::Mul => update_with(t, o, into_left, Numeric::mul),
            _ => update_with(t, o, into_left, |x, y| op.arithmetic(x, y)),
        }
    }, _ => unreachable!("arithmetic is on numbers"));
}

fn update_with<T: Copy + Send + Sync>(
    target: &mut ArrayD<T>,
    other: &ArrayD<T>,
    into_left: bool,
    f: impl Fn(T, T) -> T + Sync + Send,
) {
    if into_left {
        zip_rows(target, other, &f);
    } else {
        zip_rows(target, other, |x, y| f(y, x));
    }
}

/// `target[i] = f(target[i], other[i])`, `other` broadcast to `target`'s shape. Row by
/// row along the last axis when rows are long: a row of a broadcast operand is then one
/// repeated value or a plain slice, which the loop walks without index arithmetic.
fn zip_rows<T: Copy + Send + Sync>(
    target: &mut ArrayD<T>,
    other: &ArrayD<T>,
    f: impl Fn(T, T) -> T + Sync + Send,
) {
    let spread = parallel(target.len());
    if let Some((rows, xs, ys)) = Rows::of(target, other) {
        let row = |(r, xs): (usize, &mut [T])| match rows.get(ys, r) {
            Row::Repeat(&y) => xs.iter_mut().for_each(|x| *x = f(*x, y)),
            Row::Values(ys) => xs.iter_mut().zip(ys).for_each(|(x, &y)| *x = f(*x, y)),
        };
        if spread {
            xs.par_chunks_exact_mut(rows.len).enumerate().for_each(row);
        } else {
            xs.chunks_exact_mut(rows.len).enumerate().for_each(row);
        }
        return;
    }
    let other = other.broadcast(target.raw_dim()).expect("broadcastable");
    let zip = Zip::from(target).and(&other);
    if spread {
        zip.par_for_each(|x, &y| *x = f(*x, y));
    } else {
        zip.for_each(|x, &y| *x = f(*x, y));
    }
}

/// `target[i] = other[i]` where `mask[i]` is false, both broadcast to `target`.
fn fill_where<T: Clone>(target: &mut ArrayD<T>, mask: &ArrayD<bool>, other: &ArrayD<T>) {
    let shape = target.shape().to_vec();
    if let (Some(mask_rows), Some(other_rows)) = (Rows::new(&shape, mask), Rows::new(&shape, other))
        && let (Some(xs), Some(keeps), Some(ys)) =
            (target.as_slice_mut(), mask.as_slice(), other.as_slice())
    {
        const BLOCK: usize = 32;
        for (r, xs) in xs.chunks_exact_mut(mask_rows.len).enumerate() {
            let ys = other_rows.get(ys, r);
            match mask_rows.get(keeps, r) {
                Row::Repeat(true) => {}
                Row::Repeat(false) => {
                    for (i, x) in xs.iter_mut().enumerate() {
                        *x = ys.at(i).clone();
                    }
                }
                Row::Values(keeps) => {
                    let blocks = xs.chunks_mut(BLOCK).zip(keeps.chunks(BLOCK));
                    for (b, (xs, keeps)) in blocks.enumerate() {
                        // Most blocks have nothing to fill: one vectorised test each.
                        if keeps.iter().fold(true, |all, &keep| all & keep) {
                            continue;
                        }
                        for (i, (x, &keep)) in xs.iter_mut().zip(keeps).enumerate() {
                            if !keep {
                                *x = ys.at(b * BLOCK + i).clone();
                            }
                        }
                    }
                }
            }
        }
        return;
    }
    let shape = target.raw_dim();
    let mask = mask.broadcast(shape.clone()).expect("broadcastable");
    let other = other.broadcast(shape).expect("broadcastable");
    Zip::from(target)
        .and(&mask)
        .and(&other)
        .for_each(|x, &keep, y| {
            if !keep {
                *x = y.clone();
            }
        });
}

/// Where each row (along the last axis) of an operand broadcast to a target's shape
/// starts in the operand's own elements, and whether it repeats one value along the
/// row: what lets row-wise loops read broadcast operands without index arithmetic.
struct Rows {
    /// The row length.
    len: usize,
    starts: Vec<usize>,
    repeat: bool,
}

/// A row of a broadcast operand.
enum Row<'a, T> {
    Values(&'a [T]),
    Repeat(&'a T),
}

impl<T> Row<'_, T> {
    fn at(&self, i: usize) -> &T {
        match self {
            Row::Values(values) => &values[i],
            Row::Repeat(value) => value,
        }
    }
}

impl Rows {
    /// The rows of an operand of shape `operand` broadcast to `shape` (numpy's rules),
    /// when rows are long enough to be worth it (16 elements or more).
    fn new<T>(shape: &[usize], operand: &ArrayD<T>) -> Option<Self> {
        let len = *shape.last()?;
        let lead = shape.len().checked_sub(operand.ndim())?;
        if len < 16 || operand.as_slice().is_none() {
            return None;
        }
        // The operand's step along each of the target's axes: 0 where it broadcasts.
        let mut steps = vec![0; shape.len()];
        let mut step = 1;
        for (d, &n) in operand.shape().iter().enumerate().rev() {
            if n != 1 {
                steps[lead + d] = step;
            }
            step *= n;
        }
        let outer = &shape[..shape.len() - 1];
        let mut starts = Vec::with_capacity(outer.iter().product());
        let mut index = vec![0; outer.len()];
        let mut start = 0;
        for _ in 0..outer.iter().product::<usize>() {
            starts.push(start);
            for d in (0..outer.len()).rev() {
                index[d] += 1;
                start += steps[d];
                if index[d] < outer[d] {
                    break;
                }
                start -= steps[d] * outer[d];
                index[d] = 0;
            }
        }
        Some(Self {
            len,
            starts,
            repeat: steps[shape.len() - 1] == 0,
        })
    }

    /// The rows of `other` broadcast to `target`, and both arrays' elements, when both
    /// are in standard layout.
    fn of<'a, T, U>(
        target: &'a mut ArrayD<T>,
        other: &'a ArrayD<U>,
    ) -> Option<(Self, &'a mut [T], &'a [U])> {
        let rows = Self::new(target.shape(), other)?;
        Some((rows, target.as_slice_mut()?, other.as_slice()?))
    }

    /// Row `r` of an operand whose elements are `values`.
    fn get<'a, T>(&self, values: &'a [T], r: usize) -> Row<'a, T> {
        let start = self.starts[r];
        if self.repeat {
            Row::Repeat(&values[start])
        } else {
            Row::Values(&values[start..start + self.len])
        }
    }
}

/// A float function of one value, as numpy's ufuncs name them: data, so that a lazy
/// plan can carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FloatFn {
    Sqrt,
    Exp,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Radians,
    Degrees,
}

impl FloatFn {
    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            Self::Sqrt => x.sqrt(),
            Self::Exp => x.exp(),
            Self::Log => x.ln(),
            Self::Log10 => x.log10(),
            Self::Sin => x.sin(),
            Self::Cos => x.cos(),
            Self::Tan => x.tan(),
            Self::Radians => x.to_radians(),
            Self::Degrees => x.to_degrees(),
        }
    }

    /// numpy's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sqrt => "sqrt",
            Self::Exp => "exp",
            Self::Log => "log",
            Self::Log10 => "log10",
            Self::Sin => "sin",
            Self::Cos => "cos",
            Self::Tan => "tan",
            Self::Radians => "deg2rad",
            Self::Degrees => "rad2deg",
        }
    }
}

/// An operation between two arrays, as Python's operators name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (true division: integers give floats)
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Rem,
    /// `**`
    Pow,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&` (booleans)
    And,
    /// `|` (booleans)
    Or,
    /// `^` (booleans)
    Xor,
}

impl BinaryOp {
    fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::FloorDiv => "//",
            Self::Rem => "%",
            Self::Pow => "**",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::And => "&",
            Self::Or => "|",
            Self::Xor => "^",
        }
    }

    fn is_comparison(self) -> bool {
        matches!(
            self,
            Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge
        )
    }

    fn compare<T: PartialOrd>(self, a: &T, b: &T) -> bool {
        match self {
            Self::Eq => a == b,
            Self::Ne => a != b,
            Self::Lt => a < b,
            Self::Le => a <= b,
            Self::Gt => a > b,
            _ => a >= b,
        }
    }

    /// The dtype arithmetic gives on `left` and `right`: numpy's promotion, booleans
    /// counted as integers, and true division of integers in float64.
    fn arithmetic_dtype(self, left: DType, right: DType) -> Option<DType> {
        let common = left.promote(right)?;
        Some(match common {
            DType::Bool => DType::Int64,
            _ if self == Self::Div && !common.is_float() => DType::Float64,
            _ => common,
        })
    }

    /// Whether the operation is arithmetic (its result is of its operands' dtype).
    fn is_arithmetic(self) -> bool {
        !self.is_comparison() && !matches!(self, Self::And | Self::Or | Self::Xor)
    }

    fn arithmetic<T: Numeric>(self, a: T, b: T) -> T {
        match self {
            Self::Add => a.add(b),
            Self::Sub => a.sub(b),
            Self::Mul => a.mul(b),
            Self::FloorDiv => a.floor_div(b),
            Self::Rem => a.rem(b),
            Self::Pow => a.pow(b),
            _ => T::from_f64(a.to_f64() / b.to_f64()),
        }
    }
}

impl Values {
    /// The values converted to `dtype`, as numpy's `astype` (floats to integers
    /// truncate; booleans are 0 and 1).
    ///
    /// ```
    /// use rangeo::array::{DType, Values};
    /// let v = Values::from_vec(vec![1.9_f64, -1.9]).cast(DType::Int32)?;
    /// assert_eq!(v.array::<i32>()?.as_slice(), Some(&[1, -1][..]));
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn cast(&self, dtype: DType) -> Result<Values, Error> {
        self.as_dtype(dtype).map(Cow::into_owned)
    }

    /// The values in `dtype`: moved when they already are, converted otherwise.
    pub(crate) fn into_dtype(self, dtype: DType) -> Result<Values, Error> {
        if self.dtype() == dtype {
            Ok(self)
        } else {
            self.converted(dtype)
        }
    }

    /// The values in `dtype`: borrowed when they already are, converted otherwise.
    pub(crate) fn as_dtype(&self, dtype: DType) -> Result<Cow<'_, Values>, Error> {
        if self.dtype() == dtype {
            return Ok(Cow::Borrowed(self));
        }
        self.converted(dtype).map(Cow::Owned)
    }

    fn converted(&self, dtype: DType) -> Result<Values, Error> {
        match (self, dtype) {
            (Values::Bytes(a), DType::Str) => return decode_utf8(a),
            (Values::Str(a), DType::Bytes) => {
                return Ok(Values::Bytes(a.map(|s| s.as_bytes().to_vec())));
            }
            _ => {}
        }
        if self.dtype().is_complex() || dtype.is_complex() {
            return self.complex_converted(dtype);
        }
        if let Values::Bool(a) = self {
            return convert(&Bools(a), dtype).ok_or_else(|| cannot_cast(self.dtype(), dtype));
        }
        if dtype == DType::Bool {
            return with_numeric!(self, a => Ok(Values::Bool(a.mapv(|x| x.to_f64() != 0.0))),
                _ => Err(cannot_cast(self.dtype(), dtype)));
        }
        with_numeric!(self, a => convert(&Numbers(a), dtype).ok_or_else(|| cannot_cast(self.dtype(), dtype)),
            _ => Err(cannot_cast(self.dtype(), dtype)))
    }

    /// Casts to or from a complex dtype: numbers become complex with a zero imaginary
    /// part; complex numbers do not become real (numpy would drop the imaginary part
    /// with a warning: `.real()`, `.imag()` and `abs` say which part is meant).
    fn complex_converted(&self, dtype: DType) -> Result<Values, Error> {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "numpy's astype to complex64"
        )]
        let narrow = |z: Complex64| Complex32::new(z.re as f32, z.im as f32);
        let wide = match self {
            Values::Complex64(a) => map(a, |z| Complex64::new(f64::from(z.re), f64::from(z.im))),
            Values::Complex128(a) => a.clone(),
            _ if dtype.is_complex()
                && (self.dtype().is_numeric() || self.dtype() == DType::Bool) =>
            {
                map(&self.to_f64()?, |x| Complex64::new(x, 0.0))
            }
            _ => return Err(cannot_cast(self.dtype(), dtype)),
        };
        match dtype {
            DType::Complex64 => Ok(Values::Complex64(map(&wide, narrow))),
            DType::Complex128 => Ok(Values::Complex128(wide)),
            _ => Err(Error::Operation(format!(
                "cannot cast {} values to {dtype}: take .real(), .imag() or abs() first",
                self.dtype()
            ))),
        }
    }

    /// The real parts of complex numbers, as floats of their precision (numpy's
    /// `real`); other numbers are their own real part.
    ///
    /// ```
    /// use rangeo::array::{Complex64, Values};
    /// let z = Values::from_vec(vec![Complex64::new(1.5, -2.0)]);
    /// assert_eq!(z.real()?, Values::from_vec(vec![1.5]));
    /// assert_eq!(z.imag()?, Values::from_vec(vec![-2.0]));
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn real(&self) -> Result<Values, Error> {
        self.part(false)
    }

    /// The imaginary parts of complex numbers, as floats of their precision (numpy's
    /// `imag`); other numbers have zeros.
    pub fn imag(&self) -> Result<Values, Error> {
        self.part(true)
    }

    /// The complex conjugates (numpy's `conj`); other numbers are their own.
    pub fn conj(&self) -> Result<Values, Error> {
        match self {
            Values::Complex64(a) => Ok(Values::Complex64(map(a, |z| z.conj()))),
            Values::Complex128(a) => Ok(Values::Complex128(map(a, |z| z.conj()))),
            other if other.dtype().is_numeric() || other.dtype() == DType::Bool => {
                Ok(other.clone())
            }
            other => Err(Error::Operation(format!(
                "conj is not defined for {} values",
                other.dtype()
            ))),
        }
    }

    /// The real (`imaginary == false`) or imaginary parts.
    pub(crate) fn part(&self, imaginary: bool) -> Result<Values, Error> {
        Ok(match self {
            Values::Complex64(a) => {
                Values::Float32(map(a, |z| if imaginary { z.im } else { z.re }))
            }
            Values::Complex128(a) => {
                Values::Float64(map(a, |z| if imaginary { z.im } else { z.re }))
            }
            other if other.dtype().is_numeric() || other.dtype() == DType::Bool => {
                if imaginary {
                    Values::scalar(0.0)
                        .cast(other.dtype())?
                        .broadcast_to(other.shape())?
                } else {
                    other.clone()
                }
            }
            other => {
                return Err(Error::Operation(format!(
                    "{} values have no {} part",
                    other.dtype(),
                    if imaginary { "imaginary" } else { "real" }
                )));
            }
        })
    }

    /// Arithmetic and comparisons where either side is complex (both already of the
    /// complex dtype `common`): `==` and `!=` compare, `+ - * / **` compute; complex
    /// numbers are not ordered and have no floor division, as in numpy.
    fn complex_binary(&self, op: BinaryOp, other: &Values, common: DType) -> Result<Values, Error> {
        fn apply<T: num_traits::Float + Send + Sync + Default>(
            op: BinaryOp,
            x: &ArrayD<Complex<T>>,
            y: &ArrayD<Complex<T>>,
        ) -> Result<Values, Error>
        where
            Complex<T>: Element,
        {
            Ok(match op {
                BinaryOp::Eq => Values::Bool(zip_with(x, y, |p, q| p == q)?),
                BinaryOp::Ne => Values::Bool(zip_with(x, y, |p, q| p != q)?),
                BinaryOp::Add => Values::from_array(zip_with(x, y, |&p, &q| p + q)?),
                BinaryOp::Sub => Values::from_array(zip_with(x, y, |&p, &q| p - q)?),
                BinaryOp::Mul => Values::from_array(zip_with(x, y, |&p, &q| p * q)?),
                BinaryOp::Div => Values::from_array(zip_with(x, y, |&p, &q| p / q)?),
                BinaryOp::Pow => Values::from_array(zip_with(x, y, |&p, &q| p.powc(q))?),
                _ => {
                    return Err(Error::Operation(format!(
                        "{} is not defined for complex numbers",
                        op.symbol()
                    )));
                }
            })
        }
        let (a, b) = (self.as_dtype(common)?, other.as_dtype(common)?);
        match (a.as_ref(), b.as_ref()) {
            (Values::Complex64(x), Values::Complex64(y)) => apply(op, x, y),
            (Values::Complex128(x), Values::Complex128(y)) => apply(op, x, y),
            _ => unreachable!("both cast to one complex dtype"),
        }
    }

    /// The values as float64 (numbers and booleans).
    pub(crate) fn to_f64(&self) -> Result<ArrayD<f64>, Error> {
        match self.cast(DType::Float64)? {
            Values::Float64(a) => Ok(a),
            _ => unreachable!("cast to float64 gives float64"),
        }
    }

    /// Band `band` of `(band, row, column)` values as float64, in one pass: `nodata`
    /// (matched exactly, as GDAL does) made NaN, the others `v * scale + offset`, as a
    /// raster band is laid into a datacube.
    pub(crate) fn raster_band(
        &self,
        band: usize,
        nodata: Option<f64>,
        scale: f64,
        offset: f64,
    ) -> Result<ndarray::Array2<f64>, Error> {
        let shape = self.shape();
        if shape.len() != 3 || band >= shape[0] {
            return Err(Error::Shape(format!(
                "no band {band} in values of shape {shape:?}"
            )));
        }
        with_numeric!(self, a => {
            let plane = a.index_axis(ndarray::Axis(0), band);
            let plane = plane.into_dimensionality::<ndarray::Ix2>().expect("checked: 3 dimensions");
            #[allow(clippy::float_cmp, reason = "nodata is matched exactly, as GDAL does")]
            Ok(plane.mapv(|v| {
                let v = v.to_f64();
                if nodata == Some(v) { f64::NAN } else { v * scale + offset }
            }))
        }, _ => Err(cannot_cast(self.dtype(), DType::Float64)))
    }

    /// `self op other`, broadcast and promoted as numpy does.
    pub(crate) fn binary(&self, op: BinaryOp, other: &Values) -> Result<Values, Error> {
        let (left, right) = (self.dtype(), other.dtype());
        let unsupported = || {
            Error::Operation(format!(
                "unsupported operand dtypes for {}: {left} and {right}",
                op.symbol()
            ))
        };
        if matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor) {
            let (Values::Bool(a), Values::Bool(b)) = (self, other) else {
                return Err(unsupported());
            };
            return Ok(Values::Bool(zip_with(a, b, |&x, &y| match op {
                BinaryOp::And => x & y,
                BinaryOp::Or => x | y,
                _ => x ^ y,
            })?));
        }
        if let Some(result) = self.time_binary(op, other) {
            return result;
        }
        if left.is_complex() || right.is_complex() {
            let common = left.promote(right).ok_or_else(unsupported)?;
            return self.complex_binary(op, other, common);
        }
        match (self, other) {
            (Values::TimeDelta64(a), Values::TimeDelta64(b))
                if matches!(op, BinaryOp::Add | BinaryOp::Sub) =>
            {
                return Ok(Values::TimeDelta64(zip_with(a, b, |x, y| {
                    if x.is_nat() || y.is_nat() {
                        TimeDelta64::NAT
                    } else if op == BinaryOp::Add {
                        TimeDelta64(x.0 + y.0)
                    } else {
                        TimeDelta64(x.0 - y.0)
                    }
                })?));
            }
            _ => {}
        }
        if op.is_comparison() {
            return match (self, other) {
                (Values::Str(a), Values::Str(b)) => {
                    Ok(Values::Bool(zip_with(a, b, |x, y| op.compare(x, y))?))
                }
                (Values::Bytes(a), Values::Bytes(b)) => {
                    Ok(Values::Bool(zip_with(a, b, |x, y| op.compare(x, y))?))
                }
                (Values::TimeDelta64(a), Values::TimeDelta64(b)) => {
                    Ok(Values::Bool(zip_with(a, b, |x, y| {
                        nat_compare(op, x.is_nat() || y.is_nat(), || op.compare(x, y))
                    })?))
                }
                _ => {
                    let common = left.promote(right).ok_or_else(unsupported)?;
                    let (a, b) = (self.as_dtype(common)?, other.as_dtype(common)?);
                    with_numeric!(a.as_ref(), x => {
                        let y = b.array().expect("both cast to one dtype");
                        Ok(Values::Bool(zip_with(x, y, |p, q| op.compare(p, q))?))
                    }, _ => {
                        let (Values::Bool(x), Values::Bool(y)) = (a.as_ref(), b.as_ref()) else { return Err(unsupported()) };
                        Ok(Values::Bool(zip_with(x, y, |p, q| op.compare(p, q))?))
                    })
                }
            };
        }
        let common = op.arithmetic_dtype(left, right).ok_or_else(unsupported)?;
        let (a, b) = (self.as_dtype(common)?, other.as_dtype(common)?);
        with_numeric!(a.as_ref(), x => {
            let y = b.array().expect("both cast to one dtype");
            // The common operations as their own loops, free of the dispatch.
            Ok(Values::from_array(match op {
                BinaryOp::Add => zip_with(x, y, |&p, &q| p.add(q)),
                BinaryOp::Sub => zip_with(x, y, |&p, &q| p.sub(q)),
                BinaryOp::Mul => zip_with(x, y, |&p, &q| p.mul(q)),
                _ => zip_with(x, y, |&p, &q| op.arithmetic(p, q)),
            }?))
        }, _ => Err(unsupported()))
    }

    /// `a op b`, written over an owned operand that already has the result's dtype and
    /// shape (a chunk plus a broadcast coefficient, say), so that a chain of arithmetic
    /// on a chunk allocates nothing; otherwise as [`Values::binary`].
    pub(crate) fn binary_reusing(
        op: BinaryOp,
        a: Cow<'_, Values>,
        b: Cow<'_, Values>,
    ) -> Result<Values, Error> {
        let logical = matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor);
        let common = if logical {
            Some(DType::Bool).filter(|_| a.dtype() == DType::Bool && b.dtype() == DType::Bool)
        } else {
            op.arithmetic_dtype(a.dtype(), b.dtype())
                .filter(|&d| op.is_arithmetic() && d.is_numeric() && !d.is_complex())
        };
        let (Some(common), Ok(shape)) = (common, broadcast_shape(a.shape(), b.shape())) else {
            return a.binary(op, &b);
        };
        // An operand of the result's shape that is owned, or must be converted anyway.
        let fits = |v: &Cow<'_, Values>| {
            v.shape() == shape && (matches!(v, Cow::Owned(_)) || v.dtype() != common)
        };
        let (into_left, (target, other)) = match (fits(&a), fits(&b)) {
            (true, _) => (true, (a, b)),
            (false, true) => (false, (b, a)),
            _ => return a.binary(op, &b),
        };
        let mut target = match target {
            Cow::Owned(v) if v.dtype() == common => v,
            v => v.cast(common)?,
        };
        update(op, &mut target, &*other.as_dtype(common)?, into_left);
        Ok(target)
    }

    /// `where(cond, a, b)` written over `a` when it is owned numbers or booleans that
    /// already have the result's dtype and shape (`fillna` on a chunk, say); otherwise
    /// as [`Values::choose`].
    pub(crate) fn choose_reusing(
        a: Cow<'_, Values>,
        cond: &Values,
        b: &Values,
    ) -> Result<Values, Error> {
        let dtype = a.dtype();
        let within =
            |shape: &[usize]| broadcast_shape(a.shape(), shape).is_ok_and(|s| s == a.shape());
        let fits = matches!(a, Cow::Owned(_))
            && (dtype.is_numeric() || dtype == DType::Bool)
            && dtype.promote(b.dtype()) == Some(dtype)
            && within(cond.shape())
            && within(b.shape())
            && matches!(cond, Values::Bool(_));
        if !fits {
            return a.choose(cond, b);
        }
        let (Cow::Owned(mut target), Values::Bool(mask)) = (a, cond) else {
            unreachable!("checked above")
        };
        let other = b.as_dtype(dtype)?;
        with_array!(&mut target, t => fill_where(t, mask, other.array().expect("converted")));
        Ok(target)
    }

    /// Arithmetic and comparisons on times (datetime64 or cftime-like, which count in
    /// ticks of their clock): time - time is a `timedelta64`, time ± timedelta a time;
    /// `None` when neither operand is a time.
    fn time_binary(&self, op: BinaryOp, other: &Values) -> Option<Result<Values, Error>> {
        let unsupported = || {
            Error::Operation(format!(
                "cannot apply {op:?} to {} and {} values",
                self.dtype(),
                other.dtype()
            ))
        };
        let missing = |x: i64, y: i64| x == i64::MIN || y == i64::MIN;
        let (a, clock) = self.times()?;
        let result = match (other.clock(), other) {
            (Some(other_clock), _) if other_clock.calendar != clock.calendar => {
                Err(Error::Operation(format!(
                    "cannot combine times on the {} and {} calendars",
                    clock.calendar, other_clock.calendar
                )))
            }
            (Some(other_clock), _) if other_clock == clock => {
                let (b, _) = other.times().expect("times");
                if op == BinaryOp::Sub {
                    zip_with(&a, &b, |&x, &y| {
                        TimeDelta64(if missing(x, y) {
                            i64::MIN
                        } else {
                            clock.nanos(x - y)
                        })
                    })
                    .map(Values::TimeDelta64)
                } else if op.is_comparison() {
                    zip_with(&a, &b, |&x, &y| {
                        nat_compare(op, missing(x, y), || op.compare(&x, &y))
                    })
                    .map(Values::Bool)
                } else {
                    Err(unsupported())
                }
            }
            (None, Values::TimeDelta64(b)) if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
                let sign = if op == BinaryOp::Add { 1 } else { -1 };
                zip_with(&a, b, |&x, y| {
                    if missing(x, y.0) {
                        i64::MIN
                    } else {
                        x + sign * clock.ticks_of_nanos(y.0)
                    }
                })
                .map(|ticks| clock.values(&ticks))
            }
            _ => Err(unsupported()),
        };
        Some(result)
    }

    /// A float function of every element (numbers are converted to float64 first;
    /// float16 and float32 keep their precision).
    pub(crate) fn map_float(&self, f: FloatFn) -> Result<Values, Error> {
        if self.dtype().is_complex() {
            return Err(Error::Operation(format!(
                "{} is not defined for {} values",
                f.name(),
                self.dtype()
            )));
        }
        let f = |x| f.apply(x);
        match self {
            Values::Float16(a) => Ok(Values::Float16(map(a, |x| f16::from_f64(f(f64::from(x)))))),
            Values::Float32(a) => Ok(Values::Float32(map(a, |x| f(f64::from(x)) as f32))),
            Values::Float64(a) => Ok(Values::Float64(map(a, f))),
            other => Ok(Values::Float64(map(&other.to_f64()?, f))),
        }
    }

    /// Whether each element is missing: NaN for floats (either part, for complex
    /// numbers), NaT for times, never otherwise.
    pub(crate) fn is_null(&self) -> Values {
        Values::Bool(match self {
            Values::Float16(a) => map(a, f16::is_nan),
            Values::Complex64(a) => map(a, |z| z.re.is_nan() || z.im.is_nan()),
            Values::Complex128(a) => map(a, |z| z.re.is_nan() || z.im.is_nan()),
            Values::Float32(a) => map(a, f32::is_nan),
            Values::Float64(a) => map(a, f64::is_nan),
            Values::DateTime64(a) => map(a, DateTime64::is_nat),
            Values::TimeDelta64(a) => map(a, TimeDelta64::is_nat),
            Values::CfDateTime(a) => map(a, CfDateTime::is_nat),
            other => ArrayD::from_elem(IxDyn(other.shape()), false),
        })
    }
}

impl Values {
    /// Where `cond` holds, `self`; elsewhere `other` (all three broadcast, numbers
    /// promoted to a common dtype), as numpy's `where(cond, self, other)`.
    pub(crate) fn choose(&self, cond: &Values, other: &Values) -> Result<Values, Error> {
        fn pick<T: Element>(
            cond: &ArrayD<bool>,
            a: &ArrayD<T>,
            b: &Values,
        ) -> Result<Values, Error> {
            let b = T::array_of(b).expect("cast to one dtype");
            let shape = IxDyn(&broadcast_shape(
                &broadcast_shape(cond.shape(), a.shape())?,
                b.shape(),
            )?);
            // `a` spread over the result's shape, then `b` where the condition is false.
            let mut out = a.broadcast(shape).expect("broadcastable").to_owned();
            fill_where(&mut out, cond, b);
            Ok(Values::from_array(out))
        }
        let Values::Bool(cond) = cond else {
            return Err(Error::Operation(format!(
                "a condition must be booleans, not {} values",
                cond.dtype()
            )));
        };
        let dtype = self.dtype().promote(other.dtype()).ok_or_else(|| {
            Error::Operation(format!(
                "cannot choose between {} and {} values",
                self.dtype(),
                other.dtype()
            ))
        })?;
        let (a, b) = (self.as_dtype(dtype)?, other.as_dtype(dtype)?);
        with_array!(a.as_ref(), x => pick(cond, x, &b))
    }

    /// Absolute values, in the same dtype (the modulus of complex numbers, as floats
    /// of their precision).
    pub(crate) fn abs(&self) -> Result<Values, Error> {
        fn absolute<T: Numeric>(a: &ArrayD<T>) -> Values {
            let zero = T::from_i128(0);
            Values::from_array(map(a, |x| if x < zero { zero.sub(x) } else { x }))
        }
        with_numeric!(self, a => Ok(absolute(a)), _ => match self {
            Values::Complex64(a) => Ok(Values::Float32(map(a, Complex::norm))),
            Values::Complex128(a) => Ok(Values::Float64(map(a, Complex::norm))),
            Values::TimeDelta64(a) => Ok(Values::TimeDelta64(map(a, |t| if t.is_nat() { t } else { TimeDelta64(t.0.abs()) }))),
            other => Err(Error::Operation(format!("abs is not defined for {} values", other.dtype()))),
        })
    }
}

/// The arithmetic of [`Values::binary_gathered`] for one element type.
fn gathered<T: Numeric>(
    left: &ArrayD<T>,
    right: &Values,
    op: BinaryOp,
    blocks: (usize, usize, usize, usize),
    which: &[usize],
) -> Option<Values> {
    let (outer, len, groups, inner) = blocks;
    let (xs, ys) = (left.as_slice()?, T::array_of(right)?.as_slice()?);
    let mut out = vec![T::default(); outer * len * inner];
    let run = |(k, chunk): (usize, &mut [T])| {
        let (o, position) = (k / len, k % len);
        let lhs = &xs[k * inner..][..inner];
        let rhs = &ys[(o * groups + which[position]) * inner..][..inner];
        for ((slot, &x), &y) in chunk.iter_mut().zip(lhs).zip(rhs) {
            *slot = op.arithmetic(x, y);
        }
    };
    if inner > 0 && parallel(out.len()) {
        out.par_chunks_mut(inner).enumerate().for_each(run);
    } else if inner > 0 {
        out.chunks_mut(inner).enumerate().for_each(run);
    }
    Some(Values::from_array(
        ArrayD::from_shape_vec(left.raw_dim(), out).ok()?,
    ))
}

impl Values {
    /// `self op other` where position `i` along `axis` of `self` meets position
    /// `which[i]` along the same axis of `other`, the two alike otherwise: grouped
    /// arithmetic (an anomaly) without building the expanded operand. `None` when the
    /// fast path does not apply (comparisons, non-numbers, other layouts).
    pub(crate) fn binary_gathered(
        &self,
        op: BinaryOp,
        other: &Values,
        axis: usize,
        which: &[usize],
    ) -> Option<Values> {
        if op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor) {
            return None;
        }
        let mut common = self.dtype().promote(other.dtype())?;
        if !common.is_numeric() {
            return None;
        }
        if op == BinaryOp::Div && !common.is_float() {
            common = DType::Float64;
        }
        let (a, b) = (self.as_dtype(common).ok()?, other.as_dtype(common).ok()?);
        let (shape, other_shape) = (a.shape(), b.shape());
        let alike = shape.len() == other_shape.len()
            && (0..shape.len()).all(|d| d == axis || shape[d] == other_shape[d])
            && which.len() == shape[axis];
        if !alike {
            return None;
        }
        let outer: usize = shape[..axis].iter().product();
        let inner: usize = shape[axis + 1..].iter().product();
        let (n, m) = (shape[axis], other_shape[axis]);
        with_numeric!(a.as_ref(), x => gathered(x, &b, op, (outer, n, m, inner), which), _ => None)
    }
}

/// Comparisons with NaT are false, except `!=`.
fn nat_compare(op: BinaryOp, either_nat: bool, compare: impl Fn() -> bool) -> bool {
    if either_nat {
        op == BinaryOp::Ne
    } else {
        compare()
    }
}

/// Byte strings read as UTF-8 text (xarray's `.str.decode("utf-8")`), or an error
/// naming the first element that is not UTF-8.
fn decode_utf8(a: &ArrayD<Vec<u8>>) -> Result<Values, Error> {
    let mut text = Vec::with_capacity(a.len());
    for (i, bytes) in a.iter().enumerate() {
        let decoded = String::from_utf8(bytes.clone()).map_err(|e| {
            Error::Operation(format!(
                "cannot cast bytes values to str: element {i} ({}) is not UTF-8: {e}",
                super::repr::python_bytes(bytes)
            ))
        })?;
        text.push(decoded);
    }
    Ok(Values::Str(
        ArrayD::from_shape_vec(a.raw_dim(), text).expect("one string per element"),
    ))
}

fn cannot_cast(from: DType, to: DType) -> Error {
    Error::Operation(format!("cannot cast {from} values to {to}"))
}

/// Values that convert to any number type: what a cast to a number dtype runs.
trait Convert {
    fn to<T: Numeric>(&self) -> Values;
}

/// Numbers of type `S`.
struct Numbers<'a, S>(&'a ArrayD<S>);

impl<S: Numeric> Convert for Numbers<'_, S> {
    fn to<T: Numeric>(&self) -> Values {
        if S::FLOAT || T::FLOAT {
            Values::from_array(map(self.0, |x| T::from_f64(x.to_f64())))
        } else {
            Values::from_array(map(self.0, |x| T::from_i128(x.to_i128())))
        }
    }
}

/// Booleans, which convert to 1 and 0.
struct Bools<'a>(&'a ArrayD<bool>);

impl Convert for Bools<'_> {
    fn to<T: Numeric>(&self) -> Values {
        let (no, yes) = (T::from_i128(0), T::from_i128(1));
        Values::from_array(map(self.0, |x| if x { yes } else { no }))
    }
}

/// `values` converted to the number dtype `dtype`; `None` for other dtypes.
fn convert(values: &impl Convert, dtype: DType) -> Option<Values> {
    Some(match dtype {
        DType::Int8 => values.to::<i8>(),
        DType::Int16 => values.to::<i16>(),
        DType::Int32 => values.to::<i32>(),
        DType::Int64 => values.to::<i64>(),
        DType::UInt8 => values.to::<u8>(),
        DType::UInt16 => values.to::<u16>(),
        DType::UInt32 => values.to::<u32>(),
        DType::UInt64 => values.to::<u64>(),
        DType::Float16 => values.to::<f16>(),
        DType::Float32 => values.to::<f32>(),
        DType::Float64 => values.to::<f64>(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v<T: Element>(x: Vec<T>) -> Values {
        Values::from_vec(x)
    }

    #[test]
    fn arithmetic_promotes_and_broadcasts_like_numpy() {
        let a = Values::from_array(ndarray::arr2(&[[1_i32], [2]]));
        let b = v(vec![0.5_f32, 1.5]);
        let sum = a.binary(BinaryOp::Add, &b).unwrap();
        assert_eq!(sum.dtype(), DType::Float64);
        assert_eq!(sum.shape(), &[2, 2]);
        assert_eq!(
            sum.array::<f64>()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            [1.5, 2.5, 2.5, 3.5]
        );
        let ints = v(vec![7_i64, -7]);
        let two = Values::scalar(2_i64);
        let floor = ints.binary(BinaryOp::FloorDiv, &two).unwrap();
        assert_eq!(floor.array::<i64>().unwrap().as_slice(), Some(&[3, -4][..]));
        let rem = ints.binary(BinaryOp::Rem, &two).unwrap();
        assert_eq!(rem.array::<i64>().unwrap().as_slice(), Some(&[1, 1][..]));
        let div = ints.binary(BinaryOp::Div, &two).unwrap();
        assert_eq!(
            div.array::<f64>().unwrap().as_slice(),
            Some(&[3.5, -3.5][..])
        );
        let wrapped = v(vec![127_i8])
            .binary(BinaryOp::Add, &Values::scalar(1_i8))
            .unwrap();
        assert_eq!(wrapped.array::<i8>().unwrap()[[0]], -128);
        assert!(
            v(vec![1, 2])
                .binary(BinaryOp::Add, &v(vec![1, 2, 3]))
                .is_err()
        );
    }

    #[test]
    fn comparisons_treat_nan_and_nat_as_unequal() {
        let a = v(vec![1.0, f64::NAN]);
        let eq = a.binary(BinaryOp::Eq, &a).unwrap();
        assert_eq!(
            eq.array::<bool>().unwrap().as_slice(),
            Some(&[true, false][..])
        );
        let t = v(vec![DateTime64(5), DateTime64::NAT]);
        let ne = t.binary(BinaryOp::Ne, &t).unwrap();
        assert_eq!(
            ne.array::<bool>().unwrap().as_slice(),
            Some(&[false, true][..])
        );
        let lag = t
            .binary(BinaryOp::Sub, &Values::scalar(DateTime64(2)))
            .unwrap();
        assert_eq!(lag.array::<TimeDelta64>().unwrap()[[0]], TimeDelta64(3));
        let error = v(vec!["a".to_owned()])
            .binary(BinaryOp::Add, &a)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unsupported operand dtypes for +: str and float64"
        );
    }

    #[test]
    fn casts_follow_astype() {
        let f = v(vec![300.7_f64, -1.0]);
        assert_eq!(
            f.cast(DType::UInt8).unwrap().array::<u8>().unwrap()[[0]],
            255
        );
        assert_eq!(
            v(vec![true, false])
                .cast(DType::Float32)
                .unwrap()
                .array::<f32>()
                .unwrap()
                .as_slice(),
            Some(&[1.0, 0.0][..])
        );
        assert_eq!(
            v(vec![-1_i16])
                .cast(DType::UInt16)
                .unwrap()
                .array::<u16>()
                .unwrap()[[0]],
            u16::MAX
        );
        assert!(v(vec![DateTime64(0)]).cast(DType::Float64).is_err());
        assert!(v(vec![true]).cast(DType::Str).is_err());
        // Bytes and text: UTF-8 both ways (xarray's `.str.decode` / `.str.encode`).
        let bytes = v(vec!["Aswân".as_bytes().to_vec(), Vec::new()]);
        let text = bytes.cast(DType::Str).unwrap();
        assert_eq!(text, v(vec!["Aswân".to_owned(), String::new()]));
        assert_eq!(text.cast(DType::Bytes).unwrap(), bytes);
        let error = v(vec![b"ok".to_vec(), vec![0xff, b'!']])
            .cast(DType::Str)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("element 1 (b'\\xff!') is not UTF-8"),
            "{error}"
        );
        assert!(bytes.cast(DType::Float64).is_err());
    }

    #[test]
    fn masked_fills_reach_every_missing_value_of_long_rows() {
        // Rows of 100: missing values in some blocks of the row-wise loop, not others,
        // a mask repeated along rows, one broadcast along them, and a fill per row.
        let shape = (3, 100);
        let data = ndarray::Array2::from_shape_fn(shape, |(r, c)| (r * 100 + c) as f64).into_dyn();
        let keep = ndarray::Array2::from_shape_fn(shape, |(r, c)| {
            !(c == 3 || c == 70 || (r == 1 && c == 99))
        })
        .into_dyn();
        let fill = ndarray::Array2::from_shape_fn((3, 1), |(r, _)| -(r as f64)).into_dyn();
        let want = |keep: &ndarray::ArrayD<bool>, fill: &ndarray::ArrayD<f64>| {
            let (keep, fill) = (
                keep.broadcast(data.raw_dim()).unwrap(),
                fill.broadcast(data.raw_dim()).unwrap(),
            );
            ndarray::Zip::from(&data)
                .and(&keep)
                .and(&fill)
                .map_collect(|&x, &k, &y| if k { x } else { y })
        };
        let row_mask = ndarray::Array2::from_shape_fn((3, 1), |(r, _)| r != 2).into_dyn();
        let column_mask = keep.slice(ndarray::s![0..1, ..]).to_owned().into_dyn();
        for mask in [&keep, &row_mask, &column_mask] {
            let mut got = data.clone();
            fill_where(&mut got, mask, &fill);
            assert_eq!(got, want(mask, &fill));
        }
    }
}
