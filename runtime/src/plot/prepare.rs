//! From a labeled array and a [`Plot`] to what will be drawn: the panels, their axes
//! and contents, the shared colour scale. Every check that can fail happens here, before
//! a pixel is drawn, so a bad argument is an error naming it and never half a figure.

use super::colormap::{Colormap, Norm};
use super::ticks::{Scale, round_values};
use super::{Kind, Plot};
use crate::Error;
use crate::array::calendar::Clock;
use crate::array::repr::element_word;
use crate::array::{DataArray, Dataset, Values, Variable};

/// Everything a figure shows.
#[derive(Debug)]
pub(super) struct Figure {
    /// What the panels draw.
    pub(super) kind: Kind,
    pub(super) panels: Vec<Panel>,
    /// Panels per row.
    pub(super) columns: usize,
    /// One colour bar for every panel.
    pub(super) colorbar: Option<Colorbar>,
    /// The names of the line or point series, with their colours (shared by panels).
    pub(super) legend: Vec<(String, [u8; 3])>,
}

/// One set of axes.
#[derive(Debug)]
pub(super) struct Panel {
    pub(super) title: String,
    pub(super) x: Axis,
    pub(super) y: Axis,
    pub(super) content: Content,
}

/// A horizontal or vertical axis: its label, extent and kind of values.
#[derive(Debug, Clone)]
pub(super) struct Axis {
    pub(super) label: String,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) scale: Scale,
}

/// What a panel draws inside its axes.
#[derive(Debug)]
pub(super) enum Content {
    /// Lines through points (NaN breaks a line); one per series.
    Lines(Vec<Series>),
    /// Markers; one set per series.
    Points(Vec<Series>),
    /// Histogram bars: left edge, right edge, count.
    Bars(Vec<(f64, f64, f64)>),
    /// A grid of values coloured by the figure's norm.
    Mesh(Mesh),
}

/// Points of one colour.
#[derive(Debug)]
pub(super) struct Series {
    pub(super) points: Vec<(f64, f64)>,
    pub(super) color: [u8; 3],
}

/// A 2-D grid of cells. `x_edges` has one more entry than there are columns (likewise
/// `y_edges` for rows); with `smooth`, values are interpolated between cell centres (a
/// filled contour plot) instead of filling each cell with its own colour.
#[derive(Debug)]
pub(super) struct Mesh {
    pub(super) values: ndarray::Array2<f64>,
    pub(super) x_edges: Vec<f64>,
    pub(super) y_edges: Vec<f64>,
    pub(super) smooth: bool,
}

/// The colour bar: its label and how values map to colours.
#[derive(Debug)]
pub(super) struct Colorbar {
    pub(super) label: String,
    pub(super) norm: Norm,
}

/// matplotlib's `tab10` cycle: the colours of successive lines.
const CYCLE: [[u8; 3]; 10] = [
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
    [0x2c, 0xa0, 0x2c],
    [0xd6, 0x27, 0x28],
    [0x94, 0x67, 0xbd],
    [0x8c, 0x56, 0x4b],
    [0xe3, 0x77, 0xc2],
    [0x7f, 0x7f, 0x7f],
    [0xbc, 0xbd, 0x22],
    [0x17, 0xbe, 0xcf],
];

/// The figure for `array` drawn as `plot` says.
pub(super) fn data_array(array: &DataArray, plot: &Plot) -> Result<Figure, Error> {
    let array = array.compute()?;
    let facets = facets(&array, plot)?;
    let dims = facets.first().map_or(0, |(_, a)| a.ndim());
    let kind = plot.kind.unwrap_or(match dims {
        1 => Kind::Line,
        2 => Kind::Pcolormesh,
        _ => Kind::Hist,
    });
    let name = array.name().unwrap_or("the array");
    check_numeric(array.variable(), name)?;
    let mut figure = Figure {
        kind,
        panels: Vec::with_capacity(facets.len()),
        columns: plot
            .col_wrap
            .unwrap_or(facets.len())
            .clamp(1, facets.len().max(1)),
        colorbar: None,
        legend: Vec::new(),
    };
    let norm = match kind {
        Kind::Pcolormesh | Kind::Imshow | Kind::Contourf => Some(norm(&array, plot, kind)?),
        _ => None,
    };
    for (title, panel) in facets {
        let title = if plot.col.is_some() {
            title
        } else {
            scalar_title(&panel)
        };
        let (x, y, content) = match kind {
            Kind::Line | Kind::Scatter => {
                let Lines {
                    x,
                    y,
                    series,
                    legend,
                } = lines(&panel, plot, kind)?;
                figure.legend = legend;
                let content = if kind == Kind::Line {
                    Content::Lines(series)
                } else {
                    Content::Points(series)
                };
                (x, y, content)
            }
            Kind::Hist => hist(&panel, plot)?,
            Kind::Pcolormesh | Kind::Imshow | Kind::Contourf => mesh(&panel, plot, kind)?,
        };
        figure.panels.push(Panel {
            title,
            x,
            y,
            content,
        });
    }
    if let Some(norm) = norm {
        figure.colorbar = Some(Colorbar {
            label: label(array.name(), array.attrs()),
            norm,
        });
    }
    share_limits(&mut figure);
    Ok(figure)
}

/// A scatter plot of two of a dataset's variables against each other.
pub(super) fn dataset(dataset: &Dataset, plot: &Plot) -> Result<Figure, Error> {
    if plot.kind != Some(Kind::Scatter) {
        return Err(Error::Operation(
            "a Dataset plots as a scatter of two variables: use Plot::scatter().x(\"a\").y(\"b\"), \
             or plot one variable (ds.get(\"name\")?.plot())"
                .into(),
        ));
    }
    let (Some(x_name), Some(y_name)) = (&plot.x, &plot.y) else {
        return Err(Error::Operation(
            "a Dataset scatter plot needs both variables: Plot::scatter().x(\"a\").y(\"b\")".into(),
        ));
    };
    let x = dataset.get(x_name)?.compute()?;
    let y = dataset.get(y_name)?.compute()?;
    check_numeric(x.variable(), x_name)?;
    check_numeric(y.variable(), y_name)?;
    if x.dims() != y.dims() {
        return Err(Error::Shape(format!(
            "cannot scatter `{y_name}` ({}) against `{x_name}` ({}): they need the same dimensions",
            y.dims().join(", "),
            x.dims().join(", ")
        )));
    }
    let xs = floats(x.variable())?;
    let ys = floats(y.variable())?;
    let points: Vec<(f64, f64)> = xs.into_iter().zip(ys).collect();
    let x_axis = number_axis(label(Some(x_name), x.attrs()), points.iter().map(|p| p.0));
    let y_axis = number_axis(label(Some(y_name), y.attrs()), points.iter().map(|p| p.1));
    Ok(Figure {
        kind: Kind::Scatter,
        panels: vec![Panel {
            title: scalar_title(&x),
            x: x_axis,
            y: y_axis,
            content: Content::Points(vec![Series {
                points,
                color: CYCLE[0],
            }]),
        }],
        columns: 1,
        colorbar: None,
        legend: Vec::new(),
    })
}

/// The panels: one per value of `col`, titled `col = value`, or the whole array.
fn facets(array: &DataArray, plot: &Plot) -> Result<Vec<(String, DataArray)>, Error> {
    let Some(col) = &plot.col else {
        return Ok(vec![(String::new(), array.clone())]);
    };
    let n = size_of(array, col)?;
    if n == 0 {
        return Err(Error::Operation(format!(
            "cannot facet by `{col}`: it has no values"
        )));
    }
    (0..n)
        .map(|i| {
            let panel = array.isel(col, isize::try_from(i).unwrap_or(isize::MAX))?;
            let title = match panel.coords().get(col) {
                Some(value) => format!("{col} = {}", element_word(value.to_values()?.as_ref(), 0)),
                None => format!("{col} = {i}"),
            };
            Ok((title, panel))
        })
        .collect()
}

/// The length of dimension `dim`, or an error listing the dimensions there are.
fn size_of(array: &DataArray, dim: &str) -> Result<usize, Error> {
    array
        .sizes()
        .into_iter()
        .find(|(d, _)| *d == dim)
        .map(|(_, n)| n)
        .ok_or_else(|| Error::Dimension {
            dim: dim.to_owned(),
            dims: array.dims().to_vec(),
        })
}

/// Refuses values that are not numbers (text, times as colours, complex numbers).
fn check_numeric(variable: &Variable, name: &str) -> Result<(), Error> {
    let dtype = variable.dtype();
    let real = dtype == crate::array::DType::Bool || (dtype.is_numeric() && !dtype.is_complex());
    if !real {
        return Err(Error::Operation(format!(
            "cannot plot `{name}`: its values are {dtype}, and plots need real numbers"
        )));
    }
    Ok(())
}

/// The values as float64, in order.
fn floats(variable: &Variable) -> Result<Vec<f64>, Error> {
    Ok(variable.to_values()?.to_f64()?.into_iter().collect())
}

/// xarray's `label_from_attrs`: `long_name`, else `standard_name`, else the name, then
/// the units in brackets.
fn label(name: Option<&str>, attrs: &crate::array::Attrs) -> String {
    let text = |key: &str| {
        attrs
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    let base = text("long_name")
        .or_else(|| text("standard_name"))
        .or(name)
        .unwrap_or_default();
    match text("units") {
        Some(units) => format!("{base} [{units}]"),
        None => base.to_owned(),
    }
}

/// xarray's `_title_for_slice`: the scalar coordinates, `name = value`, at most 50
/// characters.
fn scalar_title(array: &DataArray) -> String {
    let parts: Vec<String> = array
        .coords()
        .iter()
        .filter(|(_, v)| v.ndim() == 0)
        .filter_map(|(name, v)| {
            Some(format!(
                "{name} = {}",
                element_word(v.to_values().ok()?.as_ref(), 0)
            ))
        })
        .collect();
    let title = parts.join(", ");
    if title.chars().count() > 50 {
        format!("{}...", title.chars().take(47).collect::<String>())
    } else {
        title
    }
}

/// The plotted values of a coordinate (or of positions, where the dimension has none),
/// with its label and scale.
fn coordinate(array: &DataArray, name: &str) -> Result<(Vec<f64>, Axis), Error> {
    let Some(coord) = array.coords().get(name) else {
        let n = size_of(array, name).map_err(|_| {
            Error::Operation(format!(
                "no coordinate or dimension `{name}`; the dimensions are {}",
                array.dims().join(", ")
            ))
        })?;
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let axis = number_axis(name.to_owned(), values.iter().copied());
        return Ok((values, axis));
    };
    if coord.ndim() != 1 {
        return Err(Error::Operation(format!(
            "coordinate `{name}` has {} dimensions; plots take 1-dimensional coordinates",
            coord.ndim()
        )));
    }
    let label = label(Some(name), coord.attrs());
    let values = coord.to_values()?;
    let (numbers, scale): (Vec<f64>, Scale) = match values.as_ref() {
        Values::DateTime64(a) => (
            a.iter()
                .map(|t| if t.is_nat() { f64::NAN } else { t.0 as f64 })
                .collect(),
            Scale::Time(Clock::NUMPY),
        ),
        Values::CfDateTime(a) => {
            let calendar = a.iter().next().map(|t| t.calendar()).unwrap_or_default();
            (
                a.iter()
                    .map(|t| {
                        if t.is_nat() {
                            f64::NAN
                        } else {
                            t.micros() as f64
                        }
                    })
                    .collect(),
                Scale::Time(Clock::cftime(calendar)),
            )
        }
        Values::Str(a) => (
            (0..a.len()).map(|i| i as f64).collect(),
            Scale::Category(a.iter().cloned().collect()),
        ),
        other => {
            check_numeric(coord, name)?;
            (other.to_f64()?.into_iter().collect(), Scale::Number)
        }
    };
    let (lo, hi) = extent(numbers.iter().copied());
    Ok((
        numbers,
        Axis {
            label,
            lo,
            hi,
            scale,
        },
    ))
}

/// The smallest and largest finite values (0 to 1 when there are none).
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

fn number_axis(label: String, values: impl Iterator<Item = f64>) -> Axis {
    let (lo, hi) = extent(values);
    Axis {
        label,
        lo,
        hi,
        scale: Scale::Number,
    }
}

/// The axes, series and legend entries of a line or scatter plot.
struct Lines {
    x: Axis,
    y: Axis,
    series: Vec<Series>,
    legend: Vec<(String, [u8; 3])>,
}

/// Lines or points: one series, or one per value of `hue`; the x axis is the
/// dimension's coordinate unless `x` names another (or `y` turns the plot on its side).
fn lines(array: &DataArray, plot: &Plot, kind: Kind) -> Result<Lines, Error> {
    let what = if kind == Kind::Line {
        "line"
    } else {
        "scatter"
    };
    let dims = array.dims().to_vec();
    let hue = match (&plot.hue, dims.len()) {
        (Some(hue), _) => Some(hue.clone()),
        (None, 1) => None,
        (None, 2) => match (&plot.x, &plot.y) {
            (Some(along), _) | (None, Some(along)) => dims.iter().find(|d| *d != along).cloned(),
            (None, None) => {
                return Err(Error::Operation(format!(
                    "a {what} plot of 2 dimensions ({}) needs hue, x or y: which dimension gives one line each?",
                    dims.join(", ")
                )));
            }
        },
        (None, n) => {
            return Err(Error::Operation(format!(
                "{what} plots are for 1- or 2-dimensional arrays; this one has {n} ({}): select or reduce first, or use hist",
                dims.join(", ")
            )));
        }
    };
    if let Some(hue) = &hue {
        size_of(array, hue)?;
    }
    let along_dims: Vec<&String> = dims.iter().filter(|d| Some(*d) != hue.as_ref()).collect();
    let [along] = along_dims[..] else {
        return Err(Error::Operation(format!(
            "a {what} plot with hue `{}` needs a 2-dimensional array; this one has dimensions {}",
            hue.unwrap_or_default(),
            dims.join(", ")
        )));
    };
    let sideways = plot.y.is_some() && plot.x.is_none();
    let along_name = if sideways {
        plot.y.clone()
    } else {
        plot.x.clone()
    }
    .unwrap_or_else(|| along.clone());
    let (positions, position_axis) = coordinate(array, &along_name)?;
    if positions.len() != size_of(array, along)? {
        return Err(Error::Shape(format!(
            "coordinate `{along_name}` does not lie along `{along}`, the dimension the {what} runs along"
        )));
    }
    let ordered = match &hue {
        Some(hue) => array.transpose(&[hue.as_str(), along.as_str()])?,
        None => array.clone(),
    };
    let values = floats(ordered.variable())?;
    let n = positions.len().max(1);
    let (hue_labels, hue_count) = match &hue {
        Some(hue) => {
            let count = size_of(array, hue)?;
            let labels = match array.coords().get(hue) {
                Some(c) if c.ndim() == 1 => {
                    let v = c.to_values()?;
                    (0..count)
                        .map(|i| format!("{hue} = {}", element_word(&v, i)))
                        .collect()
                }
                _ => (0..count).map(|i| format!("{hue} = {i}")).collect(),
            };
            (labels, count)
        }
        None => (Vec::new(), 1),
    };
    let series: Vec<Series> = (0..hue_count)
        .map(|h| Series {
            points: positions
                .iter()
                .zip(&values[h * n..(h + 1) * n])
                .map(|(&p, &v)| if sideways { (v, p) } else { (p, v) })
                .collect(),
            color: CYCLE[h % CYCLE.len()],
        })
        .collect();
    let legend = hue_labels
        .into_iter()
        .zip(series.iter().map(|s| s.color))
        .collect();
    let value_axis = number_axis(label(array.name(), array.attrs()), values.iter().copied());
    let (x, y) = if sideways {
        (value_axis, position_axis)
    } else {
        (position_axis, value_axis)
    };
    Ok(Lines {
        x,
        y,
        series,
        legend,
    })
}

/// A histogram of every value, `bins` equal bins over the range (numpy's default 10).
fn hist(array: &DataArray, plot: &Plot) -> Result<(Axis, Axis, Content), Error> {
    let values: Vec<f64> = floats(array.variable())?
        .into_iter()
        .filter(|v| v.is_finite())
        .collect();
    let bins = plot.bins.unwrap_or(10).max(1);
    let (lo, hi) = extent(values.iter().copied());
    let (lo, hi) = if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for v in &values {
        #[allow(clippy::cast_sign_loss, reason = "v is at least lo")]
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1.0;
    }
    let bars: Vec<(f64, f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (lo + i as f64 * width, lo + (i + 1) as f64 * width, c))
        .collect();
    let x = Axis {
        label: label(array.name(), array.attrs()),
        lo,
        hi,
        scale: Scale::Number,
    };
    let top = counts.iter().copied().fold(0.0, f64::max);
    let y = Axis {
        label: String::new(),
        lo: 0.0,
        hi: top.max(1.0),
        scale: Scale::Number,
    };
    Ok((x, y, Content::Bars(bars)))
}

/// The dimensions of a 2-D plot: y first, x second (xarray's order, or as `x` / `y`
/// say).
fn mesh_dims(array: &DataArray, plot: &Plot, kind: Kind) -> Result<(String, String), Error> {
    let dims = array.dims();
    if dims.len() != 2 {
        return Err(Error::Operation(format!(
            "{} plots are for 2-dimensional arrays; this one has {} ({}){}",
            kind.name(),
            dims.len(),
            dims.join(", "),
            if dims.len() > 2 {
                ": select, reduce, or facet with col"
            } else {
                ""
            }
        )));
    }
    let along = |name: &String| -> Result<String, Error> {
        if dims.contains(name) {
            return Ok(name.clone());
        }
        match array.coords().get(name) {
            Some(c) if c.ndim() == 1 => Ok(c.dims()[0].clone()),
            _ => Err(Error::Dimension {
                dim: name.clone(),
                dims: dims.to_vec(),
            }),
        }
    };
    let other = |d: &str| dims.iter().find(|x| *x != d).cloned().unwrap_or_default();
    Ok(match (&plot.x, &plot.y) {
        (Some(x), _) => {
            let x = along(x)?;
            (other(&x), x)
        }
        (None, Some(y)) => {
            let y = along(y)?;
            let x = other(&y);
            (y, x)
        }
        (None, None) => (dims[0].clone(), dims[1].clone()),
    })
}

/// A 2-D grid of cells over its coordinates (the x and y names may be non-dimension
/// coordinates along the dimensions).
fn mesh(array: &DataArray, plot: &Plot, kind: Kind) -> Result<(Axis, Axis, Content), Error> {
    let (y_dim, x_dim) = mesh_dims(array, plot, kind)?;
    let x_name = plot.x.clone().unwrap_or_else(|| x_dim.clone());
    let y_name = plot.y.clone().unwrap_or_else(|| y_dim.clone());
    let (xs, mut x_axis) = coordinate(array, &x_name)?;
    let (ys, mut y_axis) = coordinate(array, &y_name)?;
    let ordered = array.transpose(&[y_dim.as_str(), x_dim.as_str()])?;
    let values = ndarray::Array2::from_shape_vec((ys.len(), xs.len()), floats(ordered.variable())?)
        .map_err(|e| Error::Shape(e.to_string()))?;
    let smooth = kind == Kind::Contourf;
    let edges = |centres: &[f64], name: &str| -> Result<Vec<f64>, Error> {
        if centres.iter().any(|c| !c.is_finite()) {
            return Err(Error::Operation(format!(
                "coordinate `{name}` has missing values; a {} plot needs every cell's position",
                kind.name()
            )));
        }
        Ok(match kind {
            Kind::Contourf => contour_edges(centres),
            Kind::Imshow => even_edges(centres),
            _ => interval_breaks(centres),
        })
    };
    let x_edges = edges(&xs, &x_name)?;
    let y_edges = edges(&ys, &y_name)?;
    // A contour plot spans its centres; cells span their edges.
    let spanned = |n: usize| if smooth { n } else { n + 1 };
    (x_axis.lo, x_axis.hi) = extent(x_edges[..spanned(xs.len())].iter().copied());
    (y_axis.lo, y_axis.hi) = extent(y_edges[..spanned(ys.len())].iter().copied());
    Ok((
        x_axis,
        y_axis,
        Content::Mesh(Mesh {
            values,
            x_edges,
            y_edges,
            smooth,
        }),
    ))
}

/// xarray's `_infer_interval_breaks`: cell edges halfway between centres, the outer
/// ones as far out as the next inner one.
fn interval_breaks(centres: &[f64]) -> Vec<f64> {
    match centres.len() {
        0 => vec![0.0, 1.0],
        1 => vec![centres[0] - 0.5, centres[0] + 0.5],
        n => {
            let mut edges = Vec::with_capacity(n + 1);
            edges.push(centres[0] - (centres[1] - centres[0]) / 2.0);
            edges.extend(centres.windows(2).map(|w| f64::midpoint(w[0], w[1])));
            edges.push(centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2.0);
            edges
        }
    }
}

/// imshow's cells: equal, centred on the first and last coordinate.
fn even_edges(centres: &[f64]) -> Vec<f64> {
    let n = centres.len();
    if n < 2 {
        return interval_breaks(centres);
    }
    let step = (centres[n - 1] - centres[0]) / (n - 1) as f64;
    (0..=n)
        .map(|i| centres[0] + (i as f64 - 0.5) * step)
        .collect()
}

/// A contour plot spans the centres only: the edges are the centres themselves, one
/// more added so that every value has its place.
fn contour_edges(centres: &[f64]) -> Vec<f64> {
    let mut edges = centres.to_vec();
    if let [.., a, b] = centres {
        edges.push(b + (b - a));
    } else {
        return interval_breaks(centres);
    }
    edges
}

/// The colour scale of a 2-D plot, shared by its panels: the data's range (or its
/// 2nd to 98th percentiles with `robust`), viridis, or `RdBu_r` centred on zero when the
/// data straddle zero; `vmin`, `vmax`, `cmap` and `levels` as given.
fn norm(array: &DataArray, plot: &Plot, kind: Kind) -> Result<Norm, Error> {
    let mut values: Vec<f64> = floats(array.variable())?
        .into_iter()
        .filter(|v| v.is_finite())
        .collect();
    let (data_lo, data_hi) = if plot.robust && !values.is_empty() {
        values.sort_unstable_by(f64::total_cmp);
        (percentile(&values, 2.0), percentile(&values, 98.0))
    } else {
        extent(values.iter().copied())
    };
    let mut vmin = plot.vmin.unwrap_or(data_lo);
    let mut vmax = plot.vmax.unwrap_or(data_hi);
    let divergent = vmin < 0.0 && vmax > 0.0;
    if divergent && plot.vmin.is_none() && plot.vmax.is_none() {
        let limit = vmin.abs().max(vmax.abs());
        (vmin, vmax) = (-limit, limit);
    }
    if vmin > vmax {
        return Err(Error::Operation(format!(
            "vmin ({vmin}) is above vmax ({vmax})"
        )));
    }
    let cmap = match &plot.cmap {
        Some(name) => name.parse()?,
        None if divergent => Colormap::RdBuR,
        None => Colormap::Viridis,
    };
    let levels = (kind == Kind::Contourf).then(|| {
        // matplotlib's contourf: MaxNLocator(levels + 1) over the range.
        let (mut edges, step) = round_values(vmin, vmax, plot.levels.unwrap_or(7).max(1) + 1);
        if edges.first().is_none_or(|&f| f > vmin) {
            edges.insert(0, edges.first().map_or(vmin, |f| f - step));
        }
        if edges.last().is_none_or(|&l| l < vmax) {
            edges.push(edges.last().map_or(vmax, |l| l + step));
        }
        edges
    });
    let (vmin, vmax) = match &levels {
        Some(l) => (l[0], l[l.len() - 1]),
        None => (vmin, vmax),
    };
    Ok(Norm {
        vmin,
        vmax,
        cmap,
        levels,
    })
}

/// numpy's `percentile` (linear interpolation) of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let at = q / 100.0 * (sorted.len() - 1) as f64;
    #[allow(clippy::cast_sign_loss, reason = "q is 0 to 100")]
    let (i, frac) = (at.floor() as usize, at.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + (next - sorted[i]) * frac
}

/// Facets share their axes' extents, as xarray's `FacetGrid` does.
fn share_limits(figure: &mut Figure) {
    if figure.panels.len() < 2 {
        return;
    }
    let x = extent(figure.panels.iter().flat_map(|p| [p.x.lo, p.x.hi]));
    let y = extent(figure.panels.iter().flat_map(|p| [p.y.lo, p.y.hi]));
    for panel in &mut figure.panels {
        (panel.x.lo, panel.x.hi) = x;
        (panel.y.lo, panel.y.hi) = y;
    }
}

#[cfg(test)]
mod tests {
    use super::{interval_breaks, percentile};

    #[test]
    fn breaks_and_percentiles_follow_xarray_and_numpy() {
        assert_eq!(
            interval_breaks(&[75.0, 72.5, 70.0]),
            [76.25, 73.75, 71.25, 68.75]
        );
        assert_eq!(interval_breaks(&[1.0]), [0.5, 1.5]);
        let sorted: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 2.0), 2.0);
        // numpy.percentile([1, 2, 3, 4], 98) == 3.94
        assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 98.0) - 3.94).abs() < 1e-12);
    }
}
