//! The element-by-element operations a plan can carry: each is data (no closure), and
//! each runs on a chunk through the same code as eager arrays, so lazy and eager
//! results agree by construction.

use std::borrow::Cow;

use crate::Error;
use crate::array::FloatFn;
use crate::array::{BinaryOp, DType, Values};

/// One element-by-element step; its inputs broadcast against each other as numpy's do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Elementwise {
    /// `a op b`.
    Binary(BinaryOp),
    /// A float function (`sqrt`, `cos`, ...).
    Float(FloatFn),
    /// Absolute values.
    Abs,
    /// The real (`false`) or imaginary (`true`) parts.
    Part(bool),
    /// Complex conjugates.
    Conj,
    /// Whether each value is missing.
    IsNull,
    /// Conversion to a dtype.
    Cast(DType),
    /// `where(cond, a, b)` with inputs `[a, cond, b]`.
    Choose,
}

impl Elementwise {
    /// The step's name in reprs and errors.
    pub(crate) fn name(&self) -> String {
        match self {
            Self::Binary(op) => format!("{op:?}").to_lowercase(),
            Self::Float(f) => f.name().to_owned(),
            Self::Abs => "abs".to_owned(),
            Self::Part(imaginary) => if *imaginary { "imag" } else { "real" }.to_owned(),
            Self::Conj => "conj".to_owned(),
            Self::IsNull => "isnull".to_owned(),
            Self::Cast(dtype) => format!("astype-{dtype}"),
            Self::Choose => "where".to_owned(),
        }
    }

    /// How many inputs the step takes.
    pub(crate) fn arity(&self) -> usize {
        match self {
            Self::Binary(_) => 2,
            Self::Choose => 3,
            _ => 1,
        }
    }

    /// The step applied to one block of each input; arithmetic writes over an owned
    /// input where it can.
    pub(crate) fn apply(&self, mut inputs: Vec<Cow<'_, Values>>) -> Result<Values, Error> {
        if let (Self::Binary(op), 2) = (self, inputs.len()) {
            let b = inputs.pop().expect("two inputs");
            let a = inputs.pop().expect("two inputs");
            return Values::binary_reusing(*op, a, b);
        }
        if let (Self::Choose, 3) = (self, inputs.len()) {
            let b = inputs.pop().expect("three inputs");
            let cond = inputs.pop().expect("three inputs");
            let a = inputs.pop().expect("three inputs");
            return Values::choose_reusing(a, &cond, &b);
        }
        match (self, &inputs[..]) {
            (Self::Float(f), [a]) => a.map_float(*f),
            (Self::Abs, [a]) => a.abs(),
            (Self::Part(imaginary), [a]) => a.part(*imaginary),
            (Self::Conj, [a]) => a.conj(),
            (Self::IsNull, [a]) => Ok(a.is_null()),
            (Self::Cast(dtype), [a]) => a.cast(*dtype),
            _ => unreachable!("{} takes {} inputs", self.name(), self.arity()),
        }
    }
}
