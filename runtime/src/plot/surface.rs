//! What plotters draws on: a bitmap or an SVG document, wrapped so that text comes from
//! the embedded face ([`super::text`]) and images keep transparent pixels (NaN cells).
//!
//! plotters lays out axes, ticks, lines and markers through the wrapped backend; the
//! wrapper keeps, beside it, what plotters' backends cannot hold: the bitmap's alpha
//! channel, and the SVG's images and text outlines, which [`Sheet::finish`] puts into
//! the document.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use base64::Engine as _;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};

use super::Format;
use super::draw::{self, Metrics};
use super::prepare::Figure;
use super::text::Line;
use crate::Error;

/// What the wrapper keeps beside the backend.
enum Side {
    /// A bitmap's alpha channel, one byte per pixel (255 but where an image was clear).
    Raster { alpha: Vec<u8>, width: u32 },
    /// An SVG's images (drawn under everything else) and text (over everything).
    Vector { images: String, text: String },
}

/// A plotters backend that draws text and images itself.
pub(super) struct Surface<B> {
    inner: B,
    side: Rc<RefCell<Side>>,
}

/// A figure being drawn: the pixels or the document, and what the surface keeps.
pub(super) struct Sheet {
    format: Format,
    size: (u32, u32),
    pixels: Vec<u8>,
    svg: String,
    side: Rc<RefCell<Side>>,
}

impl Sheet {
    /// A blank figure of `size` pixels.
    pub(super) fn new(format: Format, size: (u32, u32)) -> Self {
        let kept = match format {
            Format::Png => Side::Raster {
                alpha: vec![255; size.0 as usize * size.1 as usize],
                width: size.0,
            },
            Format::Svg => Side::Vector {
                images: String::new(),
                text: String::new(),
            },
        };
        Self {
            format,
            size,
            pixels: vec![255; size.0 as usize * size.1 as usize * 3],
            svg: String::new(),
            side: Rc::new(RefCell::new(kept)),
        }
    }

    /// Draws `figure` on the whole sheet (white), through the backend of the format.
    pub(super) fn draw(&mut self, figure: &Figure, metrics: Metrics) -> Result<(), Error> {
        let side = Rc::clone(&self.side);
        match self.format {
            Format::Png => {
                let inner = BitMapBackend::with_buffer(&mut self.pixels, self.size);
                draw::figure(
                    &Surface { inner, side }.into_drawing_area(),
                    figure,
                    metrics,
                )
            }
            Format::Svg => {
                let inner = SVGBackend::with_string(&mut self.svg, self.size);
                let area = Surface { inner, side }.into_drawing_area();
                area.fill(&plotters::style::WHITE).map_err(drawing)?;
                draw::figure(&area, figure, metrics)
            }
        }
    }

    /// The finished file: PNG bytes, or the SVG document's.
    pub(super) fn finish(self) -> Result<Vec<u8>, Error> {
        let side = Rc::try_unwrap(self.side)
            .map_err(|_| Error::Operation("internal error: a plot is still drawing".into()))?
            .into_inner();
        match side {
            Side::Raster { alpha, .. } => {
                let rgba: Vec<u8> = self
                    .pixels
                    .chunks_exact(3)
                    .zip(alpha)
                    .flat_map(|(rgb, a)| [rgb[0], rgb[1], rgb[2], a])
                    .collect();
                png(&rgba, self.size)
            }
            Side::Vector { images, text } => {
                let mut svg = self.svg;
                // Images go just above the white background (the document's first rect).
                let under = svg
                    .find("<rect")
                    .and_then(|at| svg[at..].find("/>").map(|end| at + end + 2))
                    .unwrap_or(0);
                svg.insert_str(under, &images);
                let over = svg.rfind("</svg>").unwrap_or(svg.len());
                svg.insert_str(over, &text);
                Ok(svg.into_bytes())
            }
        }
    }
}

/// A plotters error as the runtime's.
pub(super) fn drawing(error: impl std::fmt::Display) -> Error {
    Error::Operation(format!("cannot draw the plot: {error}"))
}

/// RGBA pixels as PNG bytes.
pub(super) fn png(rgba: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(drawing)?;
    writer.write_image_data(rgba).map_err(drawing)?;
    writer.finish().map_err(drawing)?;
    Ok(out)
}

/// An RGBA image placed at a pixel position; fully clear pixels stay clear in the
/// figure (a bitmap's alpha is 0 there).
pub(super) struct Image {
    /// The top left corner, in the figure's pixels.
    pub(super) at: BackendCoord,
    /// Width and height in pixels.
    pub(super) size: (u32, u32),
    /// Four bytes a pixel, rows from the top.
    pub(super) rgba: Vec<u8>,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Image {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<B: DrawingBackend> Drawable<Surface<B>> for Image {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut Surface<B>,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let at = pos.next().unwrap_or(self.at);
        backend.image(at, self)
    }
}

/// A line through points in the figure's pixels (fractions kept), drawn antialiased
/// as matplotlib's Agg draws it: thick lines of many short segments stay whole.
pub(super) struct Polyline {
    pub(super) points: Vec<(f64, f64)>,
    pub(super) color: [u8; 3],
    pub(super) width: f64,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Polyline {
    type Point = BackendCoord;
    type IntoIter = std::iter::Once<BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once((0, 0))
    }
}

impl<B: DrawingBackend> Drawable<Surface<B>> for Polyline {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut Surface<B>,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let origin = pos.next().unwrap_or((0, 0));
        backend.polyline(origin, self)
    }
}

impl<B: DrawingBackend> Surface<B> {
    fn polyline(
        &mut self,
        origin: BackendCoord,
        line: &Polyline,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let at = |&(x, y): &(f64, f64)| (x + f64::from(origin.0), y + f64::from(origin.1));
        let points: Vec<(f64, f64)> = line.points.iter().map(at).collect();
        let [r, g, b] = line.color;
        if matches!(*self.side.borrow(), Side::Vector { .. }) {
            let style = plotters::style::Color::stroke_width(
                &plotters::style::RGBColor(r, g, b),
                line.width.round() as u32,
            );
            let path = points
                .iter()
                .map(|&(x, y)| (x.round() as i32, y.round() as i32));
            return self.inner.draw_path(path, &style);
        }
        let (fw, fh) = self.inner.get_size();
        let half = line.width / 2.0;
        let reach = half + 1.0;
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for &(x, y) in &points {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let clip = |v: f64, n: u32| v.clamp(0.0, f64::from(n)) as usize;
        let (left, top) = (clip(x0 - reach, fw), clip(y0 - reach, fh));
        let (right, bottom) = (clip(x1 + reach + 1.0, fw), clip(y1 + reach + 1.0, fh));
        if right <= left || bottom <= top {
            return Ok(());
        }
        let width = right - left;
        let mut coverage = vec![0f32; width * (bottom - top)];
        let segments = points.windows(2).map(|w| (w[0], w[1]));
        let dots = (points.len() == 1).then(|| (points[0], points[0]));
        for (a, b) in segments.chain(dots) {
            let sx = (
                clip(a.0.min(b.0) - reach, fw).max(left),
                clip(a.0.max(b.0) + reach + 1.0, fw).min(right),
            );
            let sy = (
                clip(a.1.min(b.1) - reach, fh).max(top),
                clip(a.1.max(b.1) + reach + 1.0, fh).min(bottom),
            );
            for py in sy.0..sy.1 {
                for px in sx.0..sx.1 {
                    let d = distance((px as f64 + 0.5, py as f64 + 0.5), a, b);
                    let c = (half + 0.5 - d).clamp(0.0, 1.0) as f32;
                    let cell = &mut coverage[(py - top) * width + (px - left)];
                    *cell = cell.max(c);
                }
            }
        }
        for (i, &c) in coverage.iter().enumerate() {
            if c > 0.0 {
                let color = BackendColor {
                    alpha: f64::from(c),
                    rgb: (r, g, b),
                };
                self.inner
                    .draw_pixel(((left + i % width) as i32, (top + i / width) as i32), color)?;
            }
        }
        Ok(())
    }

    fn image(
        &mut self,
        at: BackendCoord,
        image: &Image,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let (w, h) = image.size;
        let mut side = self.side.borrow_mut();
        match &mut *side {
            Side::Raster { alpha, width } => {
                let (fw, fh) = self.inner.get_size();
                for (i, px) in image.rgba.chunks_exact(4).enumerate() {
                    let (x, y) = (at.0 + (i as u32 % w) as i32, at.1 + (i as u32 / w) as i32);
                    if x < 0 || y < 0 || x as u32 >= fw || y as u32 >= fh {
                        continue;
                    }
                    if px[3] == 0 {
                        alpha[y as usize * *width as usize + x as usize] = 0;
                    } else {
                        let color = BackendColor {
                            alpha: f64::from(px[3]) / 255.0,
                            rgb: (px[0], px[1], px[2]),
                        };
                        self.inner.draw_pixel((x, y), color)?;
                    }
                }
            }
            Side::Vector { images, .. } => {
                let data = png(&image.rgba, image.size).map_err(|e| {
                    DrawingErrorKind::FontError(Box::new(std::io::Error::other(e.to_string())))
                })?;
                let _ = write!(
                    images,
                    r#"<image x="{}" y="{}" width="{w}" height="{h}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,{}"/>"#,
                    at.0,
                    at.1,
                    base64::engine::general_purpose::STANDARD.encode(data)
                );
            }
        }
        Ok(())
    }
}

impl<B: DrawingBackend> DrawingBackend for Surface<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let line = Line::new(text, style.size());
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -line.height / 2.0,
            VPos::Bottom => -line.height,
        };
        let transform = style.transform();
        let mut side = self.side.borrow_mut();
        match &mut *side {
            Side::Raster { .. } => {
                let (dx, dy) = (dx.round() as i32, dy.round() as i32);
                let mut result = Ok(());
                line.rasterize(|x, y, coverage| {
                    let (tx, ty) = transform.transform(x + dx, y + dy);
                    let pixel = BackendColor {
                        alpha: color.alpha * f64::from(coverage.min(1.0)),
                        rgb: color.rgb,
                    };
                    if result.is_ok() && pixel.alpha > 0.0 {
                        result = self.inner.draw_pixel((pos.0 + tx, pos.1 + ty), pixel);
                    }
                });
                result
            }
            Side::Vector { text: out, .. } => {
                let degrees = match transform {
                    FontTransform::None => 0,
                    FontTransform::Rotate90 => 90,
                    FontTransform::Rotate180 => 180,
                    FontTransform::Rotate270 => -90,
                };
                let (r, g, b) = color.rgb;
                let _ = write!(
                    out,
                    r##"<path transform="translate({} {}) rotate({degrees}) translate({dx:.2} {dy:.2})" fill="#{r:02x}{g:02x}{b:02x}" fill-opacity="{}" d="{}"><title>{}</title></path>"##,
                    pos.0,
                    pos.1,
                    color.alpha,
                    line.svg_path(),
                    escape(text),
                );
                Ok(())
            }
        }
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        let line = Line::new(text, style.size());
        Ok((line.width.ceil() as u32, line.height.ceil() as u32))
    }
}

/// The distance from `p` to the segment from `a` to `b`.
fn distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0)
    };
    let (qx, qy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (qx * qx + qy * qy).sqrt()
}

/// Text as SVG character data.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
