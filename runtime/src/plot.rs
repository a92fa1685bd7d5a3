//! Plots of labeled arrays in the notebook, as xarray draws them.
//!
//! `array.plot()?` picks the kind from the dimensions (a line for 1, a colour mesh with
//! a colour bar for 2, a histogram otherwise); [`Plot`] names a kind and its choices.
//! Axis labels and titles come from the attributes (`long_name` or `standard_name`, and
//! `units`) and the scalar coordinates; time axes read as dates; the colour map is
//! viridis, or `RdBu_r` centred on zero for data that straddle zero; NaN cells are
//! transparent; y axes increase upwards whatever the coordinate's order (north up).
//! A [`Figure`] shows as PNG (the default) or SVG; size, dpi and format are set per
//! plot or for the whole kernel ([`Options`](crate::session::Options)).
//!
//! ```
//! use rangeo::prelude::*;
//! let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[240.0, 250.0, f64::NAN], [260.0, 270.0, 280.0]]))?
//!     .assign_coords("lat", vec![75.0, 72.5])?
//!     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
//!     .assign_attrs([("long_name", "Air temperature"), ("units", "degK")])
//!     .with_name("air");
//! let figure = air.plot()?;
//! assert_eq!((figure.width(), figure.height()), (640, 480));
//! assert!(figure.bytes().starts_with(b"\x89PNG"));
//! let small = air.plot_with(Plot::contourf().levels(5).size(4.0, 3.0).format(Format::Svg))?;
//! assert!(small.repr().get("image/svg+xml").is_some());
//! let line = air.sel("lat", 75.0)?.plot()?; // a line, titled "lat = 75.0"
//! assert_eq!(line.kind(), Kind::Line);
//! # Ok::<(), rangeo::Error>(())
//! ```

mod colormap;
#[allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::many_single_char_names,
    clippy::float_cmp,
    reason = "pixel geometry, written as its formulas (x, y, w, h): figures are at most 100 \
              megapixels, positions are clamped to them, and equal ends are compared exactly"
)]
mod draw;
#[allow(
    clippy::float_cmp,
    reason = "equal ends of an extent are compared exactly"
)]
mod prepare;
#[allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::many_single_char_names,
    reason = "pixel geometry, written as its formulas (x, y, r, g, b): figures are at most 100 \
              megapixels and positions are clamped to them"
)]
mod surface;
#[allow(
    clippy::cast_sign_loss,
    clippy::many_single_char_names,
    reason = "glyph pixels (small, non-negative) and outline points written as path commands"
)]
mod text;
mod ticks;

use std::path::Path;

use base64::Engine as _;

pub use colormap::Colormap;

use crate::Error;
use crate::array::{DataArray, Dataset};
use crate::display::{MimeBundle, Repr};
use surface::Sheet;

/// The file format of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A bitmap (`image/png`), with transparent NaN cells.
    #[default]
    Png,
    /// A vector document (`image/svg+xml`) whose text is drawn as outlines, so it needs
    /// no font where it is viewed.
    Svg,
}

/// What a plot draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Lines along a dimension, one per value of `hue`.
    Line,
    /// Cells coloured by value over their coordinates' intervals.
    Pcolormesh,
    /// Cells coloured by value, all the same size (evenly spaced coordinates).
    Imshow,
    /// Filled bands between contour levels.
    Contourf,
    /// Markers: values against a coordinate, or two variables of a Dataset.
    Scatter,
    /// A histogram of every value.
    Hist,
}

impl Kind {
    /// The name xarray's plot method has.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Line => "line",
            Self::Pcolormesh => "pcolormesh",
            Self::Imshow => "imshow",
            Self::Contourf => "contourf",
            Self::Scatter => "scatter",
            Self::Hist => "hist",
        }
    }
}

/// A plot's kind and choices, the arguments of xarray's `plot` methods. Start from a
/// kind ([`Plot::line`], [`Plot::pcolormesh`], ...) or from [`Plot::auto`], then chain.
///
/// ```
/// use rangeo::prelude::*;
/// let plot = Plot::pcolormesh().robust(true).col("time").col_wrap(3).size(9.0, 6.0);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plot {
    kind: Option<Kind>,
    x: Option<String>,
    y: Option<String>,
    hue: Option<String>,
    col: Option<String>,
    col_wrap: Option<usize>,
    robust: bool,
    vmin: Option<f64>,
    vmax: Option<f64>,
    cmap: Option<String>,
    levels: Option<usize>,
    bins: Option<usize>,
    size: Option<(f64, f64)>,
    dpi: Option<f64>,
    format: Option<Format>,
}

impl Plot {
    /// The kind chosen from the dimensions, as `array.plot()` chooses it.
    #[must_use]
    pub fn auto() -> Self {
        Self::default()
    }

    fn of(kind: Kind) -> Self {
        Self {
            kind: Some(kind),
            ..Self::default()
        }
    }

    /// Lines (xarray's `plot.line`).
    #[must_use]
    pub fn line() -> Self {
        Self::of(Kind::Line)
    }

    /// A colour mesh over the coordinates' cells (`plot.pcolormesh`).
    #[must_use]
    pub fn pcolormesh() -> Self {
        Self::of(Kind::Pcolormesh)
    }

    /// An image of equal cells (`plot.imshow`).
    #[must_use]
    pub fn imshow() -> Self {
        Self::of(Kind::Imshow)
    }

    /// Filled contours (`plot.contourf`).
    #[must_use]
    pub fn contourf() -> Self {
        Self::of(Kind::Contourf)
    }

    /// Markers (`plot.scatter`).
    #[must_use]
    pub fn scatter() -> Self {
        Self::of(Kind::Scatter)
    }

    /// A histogram (`plot.hist`).
    #[must_use]
    pub fn hist() -> Self {
        Self::of(Kind::Hist)
    }

    /// The coordinate (or, for a Dataset's scatter, the variable) along x.
    #[must_use]
    pub fn x(mut self, name: impl Into<String>) -> Self {
        self.x = Some(name.into());
        self
    }

    /// The coordinate (or variable) along y; a line plot with only `y` runs upwards.
    #[must_use]
    pub fn y(mut self, name: impl Into<String>) -> Self {
        self.y = Some(name.into());
        self
    }

    /// The dimension whose values each get a line (or set of markers) and a colour.
    #[must_use]
    pub fn hue(mut self, dim: impl Into<String>) -> Self {
        self.hue = Some(dim.into());
        self
    }

    /// Small multiples: one panel per value of `dim`, sharing axes and colours.
    #[must_use]
    pub fn col(mut self, dim: impl Into<String>) -> Self {
        self.col = Some(dim.into());
        self
    }

    /// Panels per row of a faceted plot.
    #[must_use]
    pub fn col_wrap(mut self, columns: usize) -> Self {
        self.col_wrap = Some(columns);
        self
    }

    /// Colour limits from the 2nd and 98th percentiles, so outliers do not wash the
    /// plot out.
    #[must_use]
    pub fn robust(mut self, robust: bool) -> Self {
        self.robust = robust;
        self
    }

    /// The value at the bottom of the colour map.
    #[must_use]
    pub fn vmin(mut self, value: f64) -> Self {
        self.vmin = Some(value);
        self
    }

    /// The value at the top of the colour map.
    #[must_use]
    pub fn vmax(mut self, value: f64) -> Self {
        self.vmax = Some(value);
        self
    }

    /// The colour map by name: `"viridis"` or `"RdBu_r"`.
    #[must_use]
    pub fn cmap(mut self, name: impl Into<String>) -> Self {
        self.cmap = Some(name.into());
        self
    }

    /// About how many bands a filled contour plot has (round values chosen, 7 by
    /// default).
    #[must_use]
    pub fn levels(mut self, levels: usize) -> Self {
        self.levels = Some(levels);
        self
    }

    /// How many bins a histogram has (10 by default).
    #[must_use]
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = Some(bins);
        self
    }

    /// The figure's width and height in inches (matplotlib's `figsize`).
    #[must_use]
    pub fn size(mut self, width: f64, height: f64) -> Self {
        self.size = Some((width, height));
        self
    }

    /// Pixels per inch.
    #[must_use]
    pub fn dpi(mut self, dpi: f64) -> Self {
        self.dpi = Some(dpi);
        self
    }

    /// PNG or SVG.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Draws a prepared figure at this plot's (or the kernel's) size and format.
    fn render(self, figure: &prepare::Figure) -> Result<Figure, Error> {
        let options = crate::session::options();
        let dpi = self.dpi.unwrap_or(options.plot_dpi);
        let facets = self.col.is_some();
        let (width, height) = match self.size {
            Some(size) => size,
            // xarray's FacetGrid: 3 inches a panel, and room for the colour bar.
            None if facets => {
                let columns = figure.columns.max(1);
                let rows = figure.panels.len().div_ceil(columns).max(1);
                let bar = if figure.colorbar.is_some() { 1.0 } else { 0.0 };
                (3.0 * columns as f64 + bar, 3.0 * rows as f64)
            }
            None => options.plot_size,
        };
        let valid = |v: f64| v.is_finite() && v > 0.0;
        if !valid(width) || !valid(height) || !valid(dpi) {
            return Err(Error::Operation(format!(
                "a figure needs a positive size and dpi; got {width} x {height} inches at {dpi} dpi"
            )));
        }
        #[allow(clippy::cast_sign_loss, reason = "both are positive, checked above")]
        let pixels = ((width * dpi).round() as u32, (height * dpi).round() as u32);
        if pixels.0 < 50 || pixels.1 < 50 || u64::from(pixels.0) * u64::from(pixels.1) > 100_000_000
        {
            return Err(Error::Operation(format!(
                "a figure of {} x {} pixels is too {}; give a size (inches) and dpi between 50 pixels and 100 megapixels",
                pixels.0,
                pixels.1,
                if pixels.0 < 50 || pixels.1 < 50 {
                    "small"
                } else {
                    "large"
                }
            )));
        }
        let format = self.format.unwrap_or(options.plot_format);
        let mut sheet = Sheet::new(format, pixels);
        let metrics = draw::Metrics::at(dpi);
        sheet.draw(figure, metrics)?;
        Ok(Figure {
            kind: figure.kind,
            format,
            width: pixels.0,
            height: pixels.1,
            axes: figure.panels.len() + usize::from(figure.colorbar.is_some()),
            bytes: sheet.finish()?,
        })
    }
}

/// A drawn plot: the PNG or SVG bytes, shown in the notebook through [`Repr`].
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    kind: Kind,
    format: Format,
    width: u32,
    height: u32,
    axes: usize,
    bytes: Vec<u8>,
}

impl Figure {
    /// What was drawn.
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// PNG or SVG.
    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The file's bytes (a PNG, or an SVG document's UTF-8).
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the figure to `path`, whole or not at all (written beside it, then
    /// renamed).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        crate::io::store::write_whole(path, &self.bytes).map_err(|e| {
            Error::Storage(format!("cannot save the figure to {}: {e}", path.display()))
        })
    }
}

impl Repr for Figure {
    fn repr(&self) -> MimeBundle {
        // matplotlib's repr of a figure.
        let plain = format!(
            "<Figure size {}x{} with {} Axes>",
            self.width, self.height, self.axes
        );
        let size = serde_json::json!({"width": self.width, "height": self.height});
        match self.format {
            Format::Png => MimeBundle::text(plain)
                .with(
                    "image/png",
                    base64::engine::general_purpose::STANDARD.encode(&self.bytes),
                )
                .with_metadata("image/png", size),
            Format::Svg => MimeBundle::text(plain).with(
                "image/svg+xml",
                String::from_utf8_lossy(&self.bytes).into_owned(),
            ),
        }
    }
}

impl DataArray {
    /// A plot of the kind xarray picks from the dimensions: a line for 1, a colour mesh
    /// with a colour bar for 2, a histogram otherwise. Lazy data is computed first.
    pub fn plot(&self) -> Result<Figure, Error> {
        self.plot_with(Plot::auto())
    }

    /// A plot of the kind and with the choices `plot` gives.
    pub fn plot_with(&self, plot: Plot) -> Result<Figure, Error> {
        let figure = prepare::data_array(self, &plot)?;
        plot.render(&figure)
    }
}

impl Dataset {
    /// A scatter plot of two variables: `Plot::scatter().x("a").y("b")`.
    pub fn plot_with(&self, plot: Plot) -> Result<Figure, Error> {
        let figure = prepare::dataset(self, &plot)?;
        plot.render(&figure)
    }
}
