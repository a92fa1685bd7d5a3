//! Drawing a prepared figure: panels on a grid, each with its axes (plotters lays them
//! out) and contents, then the shared colour bar and legend, sized as matplotlib sizes
//! them (10 pt text, 12 pt titles, at the figure's dpi).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::{
    ChartBuilder, ChartContext, Circle, DrawingArea, DrawingBackend, IntoFont, PathElement,
    Rectangle, Text,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, FontTransform, RGBColor, TextStyle, WHITE};

use super::colormap::Norm;
use super::prepare::{Axis, Colorbar, Content, Figure, Mesh, Panel, Series};
use super::surface::{Image, Polyline, Surface, drawing};
use super::text::Line;
use super::ticks::{Scale, Ticks, ticks};
use crate::Error;

/// Sizes in pixels for a figure at a dpi.
#[derive(Debug, Clone, Copy)]
pub(super) struct Metrics {
    /// Pixels per em of labels and ticks (10 pt).
    em: f64,
    /// Pixels per em of titles (12 pt).
    title: f64,
    /// Width of lines (1.5 pt).
    line: f64,
    /// Radius of scatter markers.
    marker: u32,
}

impl Metrics {
    pub(super) fn at(dpi: f64) -> Self {
        let pt = dpi / 72.0;
        Self {
            em: 10.0 * pt,
            title: 12.0 * pt,
            line: 1.5 * pt,
            marker: (2.5 * pt).round().max(1.0) as u32,
        }
    }
}

type Area<B> = DrawingArea<Surface<B>, Shift>;

/// Draws `figure` on `root`.
pub(super) fn figure<B: DrawingBackend>(
    root: &Area<B>,
    figure: &Figure,
    metrics: Metrics,
) -> Result<(), Error> {
    let (width, _) = root.dim_in_pixel();
    let bar_width = figure
        .colorbar
        .as_ref()
        .map_or(0, |c| colorbar_width(c, metrics, width));
    let (main, _) = root.split_horizontally(width.saturating_sub(bar_width));
    let columns = figure.columns.max(1);
    let rows = figure.panels.len().div_ceil(columns).max(1);
    let cells = main.split_evenly((rows, columns));
    let mut frames = Vec::with_capacity(figure.panels.len());
    for (i, (panel, cell)) in figure.panels.iter().zip(&cells).enumerate() {
        let (row, column) = (i / columns, i % columns);
        let last_row = row == rows - 1 || i + columns >= figure.panels.len();
        let frame = draw_panel(cell, panel, figure, metrics, column == 0, last_row)?;
        frames.push(frame);
    }
    if let (Some(colorbar), Some(first)) = (&figure.colorbar, frames.first()) {
        let top = frames
            .iter()
            .map(|f| f.py.start)
            .min()
            .unwrap_or(first.py.start);
        let bottom = frames
            .iter()
            .map(|f| f.py.end)
            .max()
            .unwrap_or(first.py.end);
        let left = width.saturating_sub(bar_width) as i32;
        draw_colorbar(root, colorbar, metrics, left, top..bottom)?;
    }
    if let Some(first) = frames.first()
        && !figure.legend.is_empty()
    {
        draw_legend(root, &figure.legend, metrics, &figure.panels[0], first)?;
    }
    Ok(())
}

/// A panel's plotting area in the figure's pixels, and the data extents it spans.
struct Frame {
    px: Range<i32>,
    py: Range<i32>,
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    /// Where a data point falls, in pixels from the plotting area's top left (fractions
    /// kept).
    fn pixel(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            (x - self.x.0) / (self.x.1 - self.x.0) * self.px.len() as f64,
            (self.y.1 - y) / (self.y.1 - self.y.0) * self.py.len() as f64,
        )
    }
}

/// How many intervals between ticks fit along `pixels`, one per `spacing` (at most 9,
/// as matplotlib's `MaxNLocator("auto")`).
fn tick_count(pixels: f64, spacing: f64) -> usize {
    ((pixels / spacing) as usize).clamp(2, 9)
}

/// An axis's extent with room around data (matplotlib's 5% margins), none for meshes.
fn limits(axis: &Axis, margin: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (axis.lo, axis.hi);
    if lo == hi {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    if margin {
        let pad = (hi - lo) * 0.05;
        (lo, hi) = (lo - pad, hi + pad);
    }
    (lo, hi)
}

fn text_style(em: f64) -> TextStyle<'static> {
    ("sans-serif", em).into_font().color(&BLACK)
}

fn text_width(text: &str, em: f64) -> u32 {
    Line::new(text, em).width.ceil() as u32
}

/// The ticks of a panel's x and y axes: as many as matplotlib fits (three label
/// heights per x tick, two per y tick), fewer on x while their labels would touch.
fn panel_ticks(
    panel: &Panel,
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
    (w, h): (u32, u32),
    m: Metrics,
) -> (Ticks, Ticks) {
    let y_ticks = ticks(
        &panel.y.scale,
        y_lo,
        y_hi,
        tick_count(f64::from(h) * 0.75, m.em * 2.0),
    );
    let x_guess = f64::from(w) * 0.75;
    let mut x_ticks = ticks(&panel.x.scale, x_lo, x_hi, tick_count(x_guess, m.em * 3.0));
    let mut most = tick_count(x_guess, m.em * 3.0);
    while most > 2
        && (widest(&x_ticks, m.em) + (m.em as u32)) * x_ticks.len() as u32 > x_guess as u32
    {
        most -= 1;
        x_ticks = ticks(&panel.x.scale, x_lo, x_hi, most);
    }
    (x_ticks, y_ticks)
}

/// The width of the widest tick label.
fn widest(ticks: &[(f64, String)], em: f64) -> u32 {
    ticks
        .iter()
        .map(|(_, l)| text_width(l, em))
        .max()
        .unwrap_or(0)
}

/// One panel: axes, ticks and labels, then its contents and a frame. Returns the pixel
/// area and extents.
fn draw_panel<B: DrawingBackend>(
    area: &Area<B>,
    panel: &Panel,
    figure: &Figure,
    m: Metrics,
    y_label: bool,
    x_label: bool,
) -> Result<Frame, Error> {
    let (w, h) = area.dim_in_pixel();
    let margin = !matches!(panel.content, Content::Mesh(_));
    let (x_lo, x_hi) = limits(&panel.x, margin);
    let (y_lo, y_hi) = match panel.content {
        Content::Bars(_) => (0.0, panel.y.hi * 1.05),
        _ => limits(&panel.y, margin),
    };
    let line_height = (m.em * 1.25).ceil() as u32;
    let (x_ticks, y_ticks) = panel_ticks(panel, (x_lo, x_hi), (y_lo, y_hi), (w, h), m);
    let tick = (m.em * 0.35).round() as u32;
    let desc = |shown: bool, label: &str| {
        if shown && !label.is_empty() {
            line_height + 4
        } else {
            0
        }
    };
    let y_area = widest(&y_ticks, m.em) + tick + 6 + desc(y_label, &panel.y.label);
    let x_area = line_height + tick + 4 + desc(x_label, &panel.x.label);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top((m.em * 0.8) as u32)
        .margin_right((m.em * 1.5) as u32)
        .margin_left(4)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    if !panel.title.is_empty() {
        builder.caption(&panel.title, text_style(m.title));
    }
    let x_points: Vec<f64> = x_ticks.iter().map(|t| t.0).collect();
    let y_points: Vec<f64> = y_ticks.iter().map(|t| t.0).collect();
    let mut chart = builder
        .build_cartesian_2d(
            Ticked {
                range: x_lo..x_hi,
                ticks: x_points,
            },
            Ticked {
                range: y_lo..y_hi,
                ticks: y_points,
            },
        )
        .map_err(drawing)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let frame = Frame {
        px,
        py,
        x: (x_lo, x_hi),
        y: (y_lo, y_hi),
    };
    if let Content::Mesh(mesh) = &panel.content {
        let norm = &figure
            .colorbar
            .as_ref()
            .expect("meshes have a colour bar")
            .norm;
        let image = mesh_image(mesh, norm, &frame);
        chart
            .plotting_area()
            .strip_coord_spec()
            .draw(&image)
            .map_err(drawing)?;
    }
    let label_of = |t: &[(f64, String)], v: f64| {
        t.iter()
            .min_by(|a, b| (a.0 - v).abs().total_cmp(&(b.0 - v).abs()))
            .map(|t| t.1.clone())
            .unwrap_or_default()
    };
    let x_format = |v: &f64| label_of(&x_ticks, *v);
    let y_format = |v: &f64| label_of(&y_ticks, *v);
    let mut mesh_style = chart.configure_mesh();
    mesh_style
        .disable_mesh()
        .x_labels(x_ticks.len().max(1))
        .y_labels(y_ticks.len().max(1))
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .set_all_tick_mark_size(tick)
        .axis_style(BLACK)
        .label_style(text_style(m.em))
        .axis_desc_style(text_style(m.em));
    if x_label {
        mesh_style.x_desc(panel.x.label.as_str());
    }
    if y_label {
        mesh_style.y_desc(panel.y.label.as_str());
    }
    mesh_style.draw().map_err(drawing)?;
    draw_content(&mut chart, &panel.content, m, &frame)?;
    let area = chart.plotting_area().strip_coord_spec();
    let (fw, fh) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (fw as i32 - 1, fh as i32 - 1)],
        BLACK.stroke_width(1),
    ))
    .map_err(drawing)?;
    Ok(frame)
}

/// The lines, markers or bars of a panel (a mesh is drawn before the axes, under them).
fn draw_content<B: DrawingBackend>(
    chart: &mut ChartContext<'_, Surface<B>, Cartesian2d<Ticked, Ticked>>,
    content: &Content,
    m: Metrics,
    frame: &Frame,
) -> Result<(), Error> {
    match content {
        Content::Lines(series) => {
            let plot_area = chart.plotting_area().strip_coord_spec();
            for s in series {
                for run in s.points.split(|(x, y)| !x.is_finite() || !y.is_finite()) {
                    if !run.is_empty() {
                        let line = Polyline {
                            points: run.iter().map(|&p| frame.pixel(p)).collect(),
                            color: s.color,
                            width: m.line,
                        };
                        plot_area.draw(&line).map_err(drawing)?;
                    }
                }
            }
        }
        Content::Points(series) => {
            for s in series {
                let style = rgb(s.color).filled();
                let points = s
                    .points
                    .iter()
                    .filter(|(x, y)| x.is_finite() && y.is_finite());
                chart
                    .draw_series(points.map(|&p| Circle::new(p, m.marker, style)))
                    .map_err(drawing)?;
            }
        }
        Content::Bars(bars) => {
            let fill = rgb([0x1f, 0x77, 0xb4]).filled();
            chart
                .draw_series(
                    bars.iter()
                        .map(|&(l, r, c)| Rectangle::new([(l, 0.0), (r, c)], fill)),
                )
                .map_err(drawing)?;
        }
        Content::Mesh(_) => {}
    }
    Ok(())
}

/// A linear axis with the ticks rangeo chose (plotters would pick its own).
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (from, to): (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span == 0.0 {
            0.5
        } else {
            (value - self.range.start) / span
        };
        from + (t * f64::from(to - from)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

fn rgb([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

/// Where `v` falls among monotonic `edges`: the cell, if inside.
fn cell(edges: &[f64], v: f64) -> Option<usize> {
    let n = edges.len().checked_sub(1)?;
    let ascending = edges[n] >= edges[0];
    let i = if ascending {
        edges.partition_point(|&e| e <= v)
    } else {
        edges.partition_point(|&e| e >= v)
    };
    (1..=n)
        .contains(&i)
        .then(|| i - 1)
        .or_else(|| (v == edges[n]).then(|| n - 1))
}

/// Where `v` falls among monotonic `centres`, as a fractional position (clamped to the
/// ends).
fn position(centres: &[f64], v: f64) -> f64 {
    let n = centres.len();
    if n < 2 {
        return 0.0;
    }
    let ascending = centres[n - 1] >= centres[0];
    let i = if ascending {
        centres.partition_point(|&c| c <= v)
    } else {
        centres.partition_point(|&c| c >= v)
    };
    let i = i.clamp(1, n - 1);
    let (a, b) = (centres[i - 1], centres[i]);
    let t = if b == a {
        0.0
    } else {
        ((v - a) / (b - a)).clamp(0.0, 1.0)
    };
    (i - 1) as f64 + t
}

/// The plotting area's pixels for a mesh: each pixel takes the value under its centre
/// (interpolated between centres for a filled contour plot); NaN and outside the grid
/// stay clear.
fn mesh_image(mesh: &Mesh, norm: &Norm, frame: &Frame) -> Image {
    let ((x_lo, x_hi), (y_lo, y_hi)) = (frame.x, frame.y);
    let (w, h) = (frame.px.len() as u32, frame.py.len() as u32);
    let x_at = |i: u32| x_lo + (f64::from(i) + 0.5) / f64::from(w) * (x_hi - x_lo);
    let y_at = |j: u32| y_hi - (f64::from(j) + 0.5) / f64::from(h) * (y_hi - y_lo);
    let mut rgba = vec![0u8; w as usize * h as usize * 4];
    let (ny, nx) = mesh.values.dim();
    if mesh.smooth {
        let xc = &mesh.x_edges[..nx];
        let yc = &mesh.y_edges[..ny];
        let columns: Vec<f64> = (0..w).map(|i| position(xc, x_at(i))).collect();
        for j in 0..h {
            let fy = position(yc, y_at(j));
            let (y0, ty) = (fy.floor() as usize, fy.fract());
            let y1 = (y0 + 1).min(ny - 1);
            for (i, &fx) in columns.iter().enumerate() {
                let (x0, tx) = (fx.floor() as usize, fx.fract());
                let x1 = (x0 + 1).min(nx - 1);
                let v = &mesh.values;
                let value = (v[[y0, x0]] * (1.0 - tx) + v[[y0, x1]] * tx) * (1.0 - ty)
                    + (v[[y1, x0]] * (1.0 - tx) + v[[y1, x1]] * tx) * ty;
                put(&mut rgba, (j * w) as usize + i, norm.color(value));
            }
        }
    } else {
        let columns: Vec<Option<usize>> = (0..w).map(|i| cell(&mesh.x_edges, x_at(i))).collect();
        for j in 0..h {
            let Some(row) = cell(&mesh.y_edges, y_at(j)) else {
                continue;
            };
            for (i, column) in columns.iter().enumerate() {
                if let Some(column) = column {
                    put(
                        &mut rgba,
                        (j * w) as usize + i,
                        norm.color(mesh.values[[row, *column]]),
                    );
                }
            }
        }
    }
    Image {
        at: (0, 0),
        size: (w, h),
        rgba,
    }
}

fn put(rgba: &mut [u8], pixel: usize, color: Option<[u8; 3]>) {
    if let Some([r, g, b]) = color {
        rgba[4 * pixel..4 * pixel + 4].copy_from_slice(&[r, g, b, 255]);
    }
}

/// The colour bar's ticks: the levels of a filled contour plot when few enough, round
/// values otherwise.
fn colorbar_ticks(colorbar: &Colorbar, height: f64, em: f64) -> Vec<(f64, String)> {
    let norm = &colorbar.norm;
    let most = tick_count(height, em * 3.0);
    match &norm.levels {
        Some(levels) if levels.len() <= most + 1 => {
            let step = levels
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            let labels = super::ticks::number_labels(levels, step);
            levels.iter().copied().zip(labels).collect()
        }
        _ => ticks(&Scale::Number, norm.vmin, norm.vmax, most),
    }
}

/// The pixels the colour bar takes at the figure's right: gap, bar, ticks, labels.
fn colorbar_width(colorbar: &Colorbar, m: Metrics, width: u32) -> u32 {
    let labels = colorbar_ticks(colorbar, 400.0, m.em);
    let widest = labels
        .iter()
        .map(|(_, l)| text_width(l, m.em))
        .max()
        .unwrap_or(0);
    let bar = bar_size(m, width);
    bar.0 + bar.1 + 4 + widest + 6 + (m.em * 1.25).ceil() as u32 + 6
}

/// The gap before the bar and the bar's width.
fn bar_size(m: Metrics, width: u32) -> (u32, u32) {
    (
        (m.em * 0.6) as u32,
        ((f64::from(width) * 0.025) as u32).max(12),
    )
}

fn draw_colorbar<B: DrawingBackend>(
    root: &Area<B>,
    colorbar: &Colorbar,
    m: Metrics,
    left: i32,
    rows: Range<i32>,
) -> Result<(), Error> {
    let (width, _) = root.dim_in_pixel();
    let (gap, bar) = bar_size(m, width);
    let x0 = left + gap as i32;
    let h = rows.len() as u32;
    let norm = &colorbar.norm;
    let value_at = |j: f64| norm.vmax - j / f64::from(h.max(1)) * (norm.vmax - norm.vmin);
    let mut rgba = Vec::with_capacity(bar as usize * h as usize * 4);
    for j in 0..h {
        let [r, g, b] = norm
            .color(value_at(f64::from(j) + 0.5))
            .unwrap_or([255, 255, 255]);
        for _ in 0..bar {
            rgba.extend_from_slice(&[r, g, b, 255]);
        }
    }
    root.draw(&Image {
        at: (x0, rows.start),
        size: (bar, h),
        rgba,
    })
    .map_err(drawing)?;
    let right = x0 + bar as i32;
    root.draw(&Rectangle::new(
        [(x0, rows.start), (right - 1, rows.end - 1)],
        BLACK.stroke_width(1),
    ))
    .map_err(drawing)?;
    let labels = colorbar_ticks(colorbar, f64::from(h), m.em);
    let tick = (m.em * 0.35).round() as i32;
    let label_style = text_style(m.em).pos(Pos::new(HPos::Left, VPos::Center));
    let mut widest = 0;
    for (v, label) in &labels {
        let span = norm.vmax - norm.vmin;
        let frac = if span > 0.0 {
            (v - norm.vmin) / span
        } else {
            0.5
        };
        let y = rows.end - 1 - (frac * f64::from(h - 1)).round() as i32;
        root.draw(&PathElement::new(
            vec![(right, y), (right + tick, y)],
            BLACK,
        ))
        .map_err(drawing)?;
        root.draw(&Text::new(
            label.clone(),
            (right + tick + 3, y),
            label_style.clone(),
        ))
        .map_err(drawing)?;
        widest = widest.max(text_width(label, m.em));
    }
    if !colorbar.label.is_empty() {
        let x = right + tick + 3 + widest as i32 + 6 + (m.em * 0.6) as i32;
        let style = ("sans-serif", m.em)
            .into_font()
            .transform(FontTransform::Rotate270)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            colorbar.label.clone(),
            (x, i32::midpoint(rows.start, rows.end)),
            style,
        ))
        .map_err(drawing)?;
    }
    Ok(())
}

/// Where a legend box of `size` covers the fewest of the series' points (matplotlib's
/// `loc="best"`): the top right, top left, bottom left or bottom right corner of the
/// plotting area, in that order when they tie.
fn best_corner(series: &[Series], frame: &Frame, (w, h): (i32, i32)) -> (i32, i32) {
    let (px, py) = (&frame.px, &frame.py);
    let pixels: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| &s.points)
        .map(|&p| {
            let (x, y) = frame.pixel(p);
            (x + f64::from(px.start), y + f64::from(py.start))
        })
        .collect();
    let (left, right) = (px.start + 6, px.end - w - 6);
    let (top, bottom) = (py.start + 6, py.end - h - 6);
    [(right, top), (left, top), (left, bottom), (right, bottom)]
        .into_iter()
        .min_by_key(|&(x0, y0)| {
            let inside = |&&(x, y): &&(f64, f64)| {
                x >= f64::from(x0)
                    && x <= f64::from(x0 + w)
                    && y >= f64::from(y0)
                    && y <= f64::from(y0 + h)
            };
            pixels.iter().filter(inside).count()
        })
        .unwrap_or((right, top))
}

/// The series' names and colours in a box in the corner of the first panel that hides
/// the fewest points.
fn draw_legend<B: DrawingBackend>(
    root: &Area<B>,
    entries: &[(String, [u8; 3])],
    m: Metrics,
    panel: &Panel,
    frame: &Frame,
) -> Result<(), Error> {
    let (Content::Lines(series) | Content::Points(series)) = &panel.content else {
        return Ok(());
    };
    let points = matches!(panel.content, Content::Points(_));
    let row = (m.em * 1.4).round() as i32;
    let sample = (m.em * 2.0) as i32;
    let widest = entries
        .iter()
        .map(|(l, _)| text_width(l, m.em))
        .max()
        .unwrap_or(0) as i32;
    let (w, h) = (sample + widest + 18, row * entries.len() as i32 + 8);
    let (x0, y0) = best_corner(series, frame, (w, h));
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        WHITE.mix(0.8).filled(),
    ))
    .map_err(drawing)?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        RGBColor(0xcc, 0xcc, 0xcc).stroke_width(1),
    ))
    .map_err(drawing)?;
    let style = text_style(m.em).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, (label, color)) in entries.iter().enumerate() {
        let y = y0 + 4 + row * k as i32 + row / 2;
        let c = rgb(*color);
        if points {
            root.draw(&Circle::new((x0 + 6 + sample / 2, y), m.marker, c.filled()))
                .map_err(drawing)?;
        } else {
            let points = vec![
                (f64::from(x0 + 6), f64::from(y)),
                (f64::from(x0 + 6 + sample), f64::from(y)),
            ];
            root.draw(&Polyline {
                points,
                color: *color,
                width: m.line,
            })
            .map_err(drawing)?;
        }
        root.draw(&Text::new(
            label.clone(),
            (x0 + 12 + sample, y),
            style.clone(),
        ))
        .map_err(drawing)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{cell, position};

    #[test]
    fn pixels_find_their_cells_in_either_order() {
        assert_eq!(cell(&[0.0, 1.0, 2.0], 0.5), Some(0));
        assert_eq!(cell(&[0.0, 1.0, 2.0], 2.0), Some(1));
        assert_eq!(cell(&[0.0, 1.0, 2.0], 2.5), None);
        assert_eq!(cell(&[76.25, 73.75, 71.25], 75.0), Some(0));
        assert_eq!(cell(&[76.25, 73.75, 71.25], 72.0), Some(1));
        assert_eq!(position(&[75.0, 72.5, 70.0], 73.75), 0.5);
        assert_eq!(position(&[0.0, 10.0], 20.0), 1.0);
    }
}
