//! Text reprs like xarray's: a header with name and sizes, the values as numpy prints
//! them, then coordinates, dimensions without coordinates and attributes, each line
//! with dims, dtype, size and a value preview. The mime bundles pair them with the
//! display's HTML reprs.

use std::fmt::{self, Write as _};

use super::coords::Coordinates;
use super::data_array::DataArray;
use super::dataset::Dataset;
use super::dtype::{DType, DateTime64};
use super::time::NS_PER_SECOND;
use super::values::Values;
use super::variable::{Attrs, Variable};
use crate::display::{MimeBundle, Repr, html};

/// numpy's line width for array reprs.
const LINE_WIDTH: usize = 75;
/// xarray's width for the one-line summaries of variables.
const DISPLAY_WIDTH: usize = 80;
/// Arrays with more elements than this are summarised with `...`.
const SUMMARY_THRESHOLD: usize = 1000;
/// Elements kept at each end of a summarised axis.
const EDGE_ITEMS: usize = 3;

/// A byte count as xarray prints it: "160B", "23kB", "31MB".
pub(crate) fn human_bytes(n: usize) -> String {
    let mut value = n as f64;
    let mut unit = "B";
    for next in ["kB", "MB", "GB", "TB", "PB"] {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.0}{unit}")
}

/// A shape as Python prints a tuple: `(4,)`, `(2, 3)`, `()`.
pub(crate) fn python_tuple(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Formats floats as numpy does for one array: fixed or scientific for all, with
/// shared padding so the decimal points line up.
struct FloatFormat {
    scientific: bool,
    precision: usize,
    left: usize,
    right: usize,
}

impl FloatFormat {
    fn new(values: &[f64]) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .map(|x| x.abs())
            .filter(|&x| x != 0.0)
            .collect();
        let (min, max) = nonzero
            .iter()
            .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let scientific = !nonzero.is_empty() && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
        let mut format = Self {
            scientific,
            precision: 0,
            left: 0,
            right: 0,
        };
        format.precision = finite
            .iter()
            .map(|&x| format.fraction_digits(x))
            .max()
            .unwrap_or(0);
        for &x in &finite {
            let text = format.unpadded(x);
            let mantissa = text.split('e').next().unwrap_or_default();
            let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            format.left = format.left.max(int.len());
            format.right = format.right.max(frac.len());
        }
        format
    }

    /// Digits after the point in the shortest form, at most 8.
    fn fraction_digits(&self, x: f64) -> usize {
        let text = if self.scientific {
            format!("{x:.8e}")
        } else {
            format!("{x:.8}")
        };
        let mantissa = text.split('e').next().unwrap_or("");
        mantissa
            .split_once('.')
            .map_or(0, |(_, f)| f.trim_end_matches('0').len())
    }

    fn unpadded(&self, x: f64) -> String {
        if self.scientific {
            let text = format!("{:.*e}", self.precision, x);
            let (mantissa, exponent) = text.split_once('e').expect("an exponent");
            let mantissa = if mantissa.contains('.') {
                mantissa.to_owned()
            } else {
                format!("{mantissa}.")
            };
            let exponent: i32 = exponent.parse().expect("a number");
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        } else {
            let text = format!("{:.*}", self.precision, x);
            if text.contains('.') {
                text.trim_end_matches('0').to_owned()
            } else {
                format!("{text}.")
            }
        }
    }

    fn format(&self, x: f64) -> String {
        if !x.is_finite() {
            let word = if x.is_nan() {
                "nan".to_owned()
            } else if x > 0.0 {
                "inf".to_owned()
            } else {
                "-inf".to_owned()
            };
            return format!("{word:>width$}", width = self.left + 1 + self.right);
        }
        let text = self.unpadded(x);
        if self.scientific {
            let (mantissa, exponent) = text.split_once('e').expect("an exponent");
            let (int, frac) = mantissa.split_once('.').expect("a point");
            return format!(
                "{int:>l$}.{frac:<r$}e{exponent}",
                l = self.left,
                r = self.right
            );
        }
        let (int, frac) = text.split_once('.').expect("a point");
        format!("{int:>l$}.{frac:<r$}", l = self.left, r = self.right)
    }
}

/// Every element of `values` as numpy prints it inside an array, in order.
fn element_words(values: &Values) -> Vec<String> {
    match values {
        Values::Float16(_) | Values::Float32(_) | Values::Float64(_) => {
            let floats: Vec<f64> = values.to_f64().expect("floats").iter().copied().collect();
            let format = FloatFormat::new(&floats);
            floats.iter().map(|&x| format.format(x)).collect()
        }
        Values::Complex64(_) | Values::Complex128(_) => {
            // Each part formatted as numpy formats a float array, the imaginary part
            // signed and followed by `j`.
            let words = |imaginary| {
                let part = values.part(imaginary).expect("complex numbers have parts");
                let floats: Vec<f64> = part.to_f64().expect("floats").iter().copied().collect();
                let format = FloatFormat::new(&floats);
                floats.into_iter().map(move |x| format.format(x))
            };
            words(false)
                .zip(words(true))
                .map(|(re, im)| {
                    let im = im.trim_start();
                    let signed = if im.starts_with('-') {
                        im.to_owned()
                    } else {
                        format!("+{im}")
                    };
                    format!("{re}{signed}j")
                })
                .collect()
        }
        Values::Bool(a) => a
            .iter()
            .map(|&b| {
                if b {
                    " True".to_owned()
                } else {
                    "False".to_owned()
                }
            })
            .collect(),
        Values::Str(a) => a.iter().map(|s| format!("'{s}'")).collect(),
        Values::Bytes(a) => a.iter().map(|b| python_bytes(b)).collect(),
        Values::DateTime64(a) => a
            .iter()
            .map(|t| format!("'{}'", numpy_datetime(*t)))
            .collect(),
        Values::TimeDelta64(a) => a.iter().map(|t| t.0.to_string()).collect(),
        Values::CfDateTime(a) => a.iter().map(|t| t.python_repr()).collect(),
        other => {
            let ints = other.cast(DType::Int64).map(|v| {
                v.array::<i64>()
                    .map(|a| a.iter().map(ToString::to_string).collect::<Vec<_>>())
                    .unwrap_or_default()
            });
            let words = ints.unwrap_or_default();
            let width = words.iter().map(String::len).max().unwrap_or(0);
            words.into_iter().map(|w| format!("{w:>width$}")).collect()
        }
    }
}

/// Bytes as Python's `repr` prints them: `b'ab'`, `b"it's"`, `b'\x00\n'`.
pub(crate) fn python_bytes(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// A datetime64[ns] as numpy prints it: every digit down to nanoseconds.
fn numpy_datetime(t: DateTime64) -> String {
    if t.is_nat() {
        return "NaT".to_owned();
    }
    let base = DateTime64(t.0 - t.0.rem_euclid(NS_PER_SECOND));
    let text = base.to_string();
    format!("{text}.{:09}", t.0.rem_euclid(NS_PER_SECOND))
}

/// The positions shown along an axis of length `n`: all, or both ends around a gap.
fn shown(n: usize, summarise: bool) -> Vec<Option<usize>> {
    if summarise && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain([None])
            .chain((n - EDGE_ITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

/// numpy's `repr` of an array: `array([...], dtype=...)`.
pub(crate) fn numpy_repr(values: &Values) -> String {
    let shape = values.shape().to_vec();
    let summarise = values.len() > SUMMARY_THRESHOLD;
    // Format only the elements shown, together, so that their widths agree.
    let mut positions = Vec::new();
    collect_positions(&shape, summarise, &mut Vec::new(), &mut positions);
    let flat = flat_values(values, &positions);
    let words = element_words(&flat);
    let mut words = words.into_iter();
    let mut out = String::from("array(");
    if shape.is_empty() {
        out.push_str(words.next().unwrap_or_default().trim_start());
    } else {
        let mut line_len = out.len();
        // numpy leaves room for the closing ")" and one "]" per level.
        let width = LINE_WIDTH - 1;
        write_level(
            &shape,
            0,
            summarise,
            &mut words,
            &mut out,
            &mut line_len,
            6,
            width,
        );
    }
    let mut extras = Vec::new();
    if summarise {
        extras.push(format!("shape={}", python_tuple(&shape)));
    }
    if !matches!(values.dtype(), DType::Float64 | DType::Int64 | DType::Bool) {
        let name = values.numpy_dtype();
        let quoted = matches!(
            values.dtype(),
            DType::Str | DType::Bytes | DType::DateTime64 | DType::TimeDelta64
        );
        let name = if quoted { format!("'{name}'") } else { name };
        extras.push(format!("dtype={name}"));
    }
    if !extras.is_empty() {
        let extras = extras.join(", ");
        let last_line = out.rsplit('\n').next().map_or(0, str::len);
        if last_line + extras.len() + 1 > LINE_WIDTH {
            write!(out, ",\n      {extras}").expect("writing to a string");
        } else {
            write!(out, ", {extras}").expect("writing to a string");
        }
    }
    out.push(')');
    out
}

fn collect_positions(
    shape: &[usize],
    summarise: bool,
    prefix: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    let Some((&n, rest)) = shape.split_first() else {
        out.push(prefix.clone());
        return;
    };
    for i in shown(n, summarise).into_iter().flatten() {
        prefix.push(i);
        collect_positions(rest, summarise, prefix, out);
        prefix.pop();
    }
}

/// The elements at `positions`, as a 1-D array.
fn flat_values(values: &Values, positions: &[Vec<usize>]) -> Values {
    fn pick<T: super::Element>(a: &ndarray::ArrayD<T>, positions: &[Vec<usize>]) -> Values {
        Values::from_vec(
            positions
                .iter()
                .map(|p| a[ndarray::IxDyn(p)].clone())
                .collect(),
        )
    }
    super::values::with_array!(values, a => pick(a, positions))
}

#[allow(
    clippy::too_many_arguments,
    reason = "a recursive writer threading its state"
)]
fn write_level(
    shape: &[usize],
    depth: usize,
    summarise: bool,
    words: &mut impl Iterator<Item = String>,
    out: &mut String,
    line_len: &mut usize,
    indent: usize,
    width: usize,
) {
    out.push('[');
    *line_len += 1;
    let n = shape[depth];
    let last_axis = depth + 1 == shape.len();
    let inner_indent = indent + 1;
    let items = shown(n, summarise);
    for (k, item) in items.iter().enumerate() {
        let last = k + 1 == items.len();
        if last_axis {
            let word = item.map_or_else(|| "...".to_owned(), |_| words.next().unwrap_or_default());
            // As numpy's `_extendLine`: the line so far, with its ", ", plus the word
            // must fit in the width less one for the separator or bracket.
            if k > 0 {
                if *line_len + 1 + word.len() > width - 1 {
                    out.push('\n');
                    out.push_str(&" ".repeat(inner_indent));
                    *line_len = inner_indent;
                } else {
                    out.push(' ');
                    *line_len += 1;
                }
            }
            out.push_str(&word);
            *line_len += word.len();
            if !last {
                out.push(',');
                *line_len += 1;
            }
        } else {
            if k > 0 {
                let blank_lines = shape.len() - depth - 1;
                out.push(',');
                out.push_str(&"\n".repeat(blank_lines));
                out.push_str(&" ".repeat(inner_indent));
                *line_len = inner_indent;
            }
            if item.is_some() {
                write_level(
                    shape,
                    depth + 1,
                    summarise,
                    words,
                    out,
                    line_len,
                    inner_indent,
                    width - 1,
                );
            } else {
                out.push_str("...");
                *line_len += 3;
            }
        }
    }
    out.push(']');
    *line_len += 1;
}

/// One element as xarray's one-line previews print it.
fn preview_word(values: &Values, i: usize) -> String {
    match values {
        Values::Float16(_) | Values::Float32(_) | Values::Float64(_) => {
            let x = values.to_f64().expect("floats")[[i]];
            python_general_4(x)
        }
        Values::Complex64(a) => complex_word(f64::from(a[[i]].re), f64::from(a[[i]].im)),
        Values::Complex128(a) => complex_word(a[[i]].re, a[[i]].im),
        Values::Str(a) => format!("'{}'", a[[i]]),
        Values::Bytes(a) => python_bytes(&a[[i]]),
        Values::DateTime64(a) => {
            let t = a[[i]];
            let text = t.to_string();
            match text.strip_suffix("T00:00:00") {
                Some(date) => date.to_owned(),
                None => text,
            }
        }
        Values::Bool(a) => {
            if a[[i]] {
                "True".to_owned()
            } else {
                "False".to_owned()
            }
        }
        Values::TimeDelta64(a) => a[[i]].to_string(),
        Values::CfDateTime(a) => a[[i]].to_string(),
        other => other
            .cast(DType::Int64)
            .map(|v| {
                v.array::<i64>()
                    .map(|a| a[[i]].to_string())
                    .unwrap_or_default()
            })
            .unwrap_or_default(),
    }
}

/// A complex number as xarray's previews print it: `(1.5-2j)`.
fn complex_word(re: f64, im: f64) -> String {
    let sign = if im.is_sign_negative() { "-" } else { "+" };
    format!(
        "({}{sign}{}j)",
        python_general_4(re),
        python_general_4(im.abs())
    )
}

/// Python's `f"{x:.4}"`: four significant digits, a point kept.
fn python_general_4(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "inf".to_owned()
        } else {
            "-inf".to_owned()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".to_owned()
        } else {
            "0.0".to_owned()
        };
    }
    let exponent = x.abs().log10().floor() as i32;
    let scientific = format!("{x:.3e}");
    let (mantissa, exp) = scientific.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().unwrap_or(exponent);
    if !(-4..4).contains(&exp) {
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let decimals = usize::try_from(3 - exp).unwrap_or(0);
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').to_owned()
    } else {
        text
    };
    if text.ends_with('.') {
        format!("{text}0")
    } else if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// Element `i` of the flattened values (any number of dimensions), as xarray's
/// previews and plot titles print it: `2013-01-01`, `75.0`, `'text'`.
pub(crate) fn element_word(values: &Values, i: usize) -> String {
    if values.ndim() == 1 {
        return preview_word(values, i);
    }
    preview_word(&super::values::with_array!(values, a => flatten(a)), i)
}

/// The elements in order, as a 1-D array.
fn flatten<T: super::Element>(a: &ndarray::ArrayD<T>) -> Values {
    Values::from_vec(a.iter().cloned().collect())
}

/// As many elements of the flattened values as fit in `width`, from both ends.
pub(crate) fn flat_preview(values: &Values, width: usize) -> String {
    let n = values.len();
    if n == 0 {
        return "[]".to_owned();
    }
    let flat = super::values::with_array!(values, a => flatten(a));
    let (mut front, mut back): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut used = 0;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let take_front = front.len() <= back.len();
        let i = if take_front { lo } else { hi - 1 };
        let word = preview_word(&flat, i);
        let gap = if lo + 1 == hi { 0 } else { 4 };
        if used + word.len() + 1 + gap > width && !(front.is_empty() && back.is_empty()) {
            break;
        }
        used += word.len() + 1;
        if take_front {
            front.push(word);
            lo += 1;
        } else {
            back.push(word);
            hi -= 1;
        }
    }
    back.reverse();
    if lo < hi {
        format!("{} ... {}", front.join(" "), back.join(" "))
    } else {
        front.into_iter().chain(back).collect::<Vec<_>>().join(" ")
    }
}

/// `max(longest name, 7) + 6`, xarray's first-column width.
fn column_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(str::len).max().unwrap_or(0).max(7) + 6
}

fn summary_line(out: &mut String, marker: char, name: &str, variable: &Variable, width: usize) {
    let head = format!("  {marker} {name} ");
    let dims = format!("({}) ", variable.dims().join(", "));
    if let Some(lazy) = variable.lazy() {
        let head = format!(
            "{head:<width$}{dims}{} {} ",
            variable.dtype(),
            human_bytes(variable.data().nbytes())
        );
        writeln!(out, "{head}{}", lazy.short_summary()).expect("writing to a string");
        return;
    }
    let values = variable.to_values();
    let dtype = values
        .as_ref()
        .map_or_else(|_| variable.dtype().name().to_owned(), |v| v.numpy_dtype());
    let head = format!(
        "{head:<width$}{dims}{dtype} {} ",
        human_bytes(variable.data().nbytes())
    );
    let room = DISPLAY_WIDTH.saturating_sub(head.len());
    let preview = values.map_or_else(|_| "...".to_owned(), |v| flat_preview(&v, room));
    writeln!(out, "{head}{preview}").expect("writing to a string");
}

fn coordinates_section(out: &mut String, coords: &Coordinates, width: usize) {
    if coords.is_empty() {
        return;
    }
    out.push_str("Coordinates:\n");
    for (name, variable) in coords.iter() {
        let marker = if coords.index(name).is_some() {
            '*'
        } else {
            ' '
        };
        summary_line(out, marker, name, variable, width);
    }
}

fn attributes_section(out: &mut String, attrs: &Attrs) {
    if attrs.is_empty() {
        return;
    }
    out.push_str("Attributes:\n");
    let width = column_width(attrs.keys().map(String::as_str));
    for (key, value) in attrs {
        let head = format!("    {key}:");
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let line = format!("{head:<width$} {text}");
        let line: String = if line.chars().count() > DISPLAY_WIDTH {
            line.chars()
                .take(DISPLAY_WIDTH - 3)
                .chain("...".chars())
                .collect()
        } else {
            line
        };
        writeln!(out, "{line}").expect("writing to a string");
    }
}

fn unindexed_dims(out: &mut String, dims: &[String], coords: &Coordinates) {
    let missing: Vec<&str> = dims
        .iter()
        .map(String::as_str)
        .filter(|d| !coords.contains(d))
        .collect();
    if !missing.is_empty() {
        writeln!(
            out,
            "Dimensions without coordinates: {}",
            missing.join(", ")
        )
        .expect("writing to a string");
    }
}

fn sizes_text(sizes: &[(&str, usize)]) -> String {
    sizes
        .iter()
        .map(|(d, n)| format!("{d}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first lines of an array's repr: `<rangeo.{what}(dims)> Size: ...` and the
/// values as numpy prints them.
fn head(what: &str, variable: &Variable) -> String {
    let what = what.trim_end();
    format!(
        "<rangeo.{what} ({})> Size: {}\n{}\n",
        sizes_text(&variable.sizes()),
        human_bytes(variable.data().nbytes()),
        match variable.lazy() {
            Some(lazy) => lazy.summary(),
            None => variable
                .to_values()
                .map_or_else(|e| e.to_string(), |v| numpy_repr(&v)),
        }
    )
}

impl fmt::Display for Variable {
    /// xarray's repr, with `rangeo.` for `xarray.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = head("Variable", self);
        attributes_section(&mut out, self.attrs());
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for DataArray {
    /// xarray's repr, with `rangeo.` for `xarray.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name().map(|n| format!("'{n}' ")).unwrap_or_default();
        let mut out = head(&format!("DataArray {name}"), self.variable());
        let width = column_width(self.coords().names());
        coordinates_section(&mut out, self.coords(), width);
        unindexed_dims(&mut out, self.dims(), self.coords());
        attributes_section(&mut out, self.attrs());
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for Dataset {
    /// xarray's repr, with `rangeo.` for `xarray.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.coords().names().chain(self.data_vars()).collect();
        let width = column_width(names.iter().copied());
        let total: usize = self
            .data_vars()
            .filter_map(|n| self.get(n).ok())
            .map(|v| v.data().nbytes())
            .chain(self.coords().iter().map(|(_, c)| c.data().nbytes()))
            .sum();
        let sizes = self.sizes();
        let sizes: Vec<(&str, usize)> = sizes.iter().map(|(d, n)| (d.as_str(), *n)).collect();
        let mut out = format!("<rangeo.Dataset> Size: {}\n", human_bytes(total));
        let label = format!("{:<width$}", "Dimensions:");
        writeln!(out, "{label}({})", sizes_text(&sizes))?;
        coordinates_section(&mut out, self.coords(), width);
        out.push_str("Data variables:\n");
        for name in self.data_vars() {
            if let Ok(array) = self.get(name) {
                summary_line(&mut out, ' ', name, array.variable(), width);
            }
        }
        let dims: Vec<String> = sizes.iter().map(|(d, _)| (*d).to_owned()).collect();
        unindexed_dims(&mut out, &dims, self.coords());
        attributes_section(&mut out, self.attrs());
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for Coordinates {
    /// xarray's repr of `.coords`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        coordinates_section(&mut out, self, column_width(self.names()));
        if out.is_empty() {
            out.push_str("Coordinates:\n    *empty*");
        }
        f.write_str(out.trim_end())
    }
}

impl Repr for DataArray {
    fn repr(&self) -> MimeBundle {
        MimeBundle::text(self.to_string()).with("text/html", html::data_array(self))
    }
}

impl Repr for Dataset {
    fn repr(&self) -> MimeBundle {
        MimeBundle::text(self.to_string()).with("text/html", html::dataset(self))
    }
}

impl Repr for Variable {
    fn repr(&self) -> MimeBundle {
        MimeBundle::text(self.to_string()).with("text/html", html::variable(self))
    }
}

impl Repr for Coordinates {
    fn repr(&self) -> MimeBundle {
        MimeBundle::text(self.to_string()).with("text/html", html::coordinates(self))
    }
}
