//! Text in plots, drawn from `DejaVu Sans` (matplotlib's default face), which the binary
//! embeds: no system font is ever looked up, so a plot renders the same on every machine.

use std::fmt::Write as _;
use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve, Point, PxScale, point};

static FACE: LazyLock<FontRef<'static>> = LazyLock::new(|| {
    FontRef::try_from_slice(dejavu::sans::regular()).expect("the embedded DejaVu Sans parses")
});

/// One line of text laid out at a size, in pixels, with (0, 0) at the top left of its
/// box (the box is the face's ascent above the baseline and descent below it).
pub(super) struct Line {
    glyphs: Vec<(GlyphId, f32)>,
    /// Pixels per font unit.
    scale: f32,
    /// The advance of the whole line.
    pub(super) width: f32,
    /// The baseline's distance from the top of the box.
    pub(super) ascent: f32,
    /// The box's height.
    pub(super) height: f32,
}

impl Line {
    /// `text` set at `em` pixels per em, with the face's kerning.
    pub(super) fn new(text: &str, em: f64) -> Self {
        let face = &*FACE;
        let scale = em as f32 / face.units_per_em().unwrap_or(2048.0);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = face.glyph_id(c);
            if let Some(before) = previous {
                pen += face.kern_unscaled(before, id) * scale;
            }
            glyphs.push((id, pen));
            pen += face.h_advance_unscaled(id) * scale;
            previous = Some(id);
        }
        Self {
            glyphs,
            scale,
            width: pen,
            ascent: face.ascent_unscaled() * scale,
            height: (face.ascent_unscaled() - face.descent_unscaled()) * scale,
        }
    }

    /// Calls `put(x, y, coverage)` for every pixel the glyphs cover, antialiased.
    pub(super) fn rasterize(&self, mut put: impl FnMut(i32, i32, f32)) {
        let face = &*FACE;
        let px = PxScale::from(self.scale * face.height_unscaled());
        for &(id, pen) in &self.glyphs {
            let glyph = id.with_scale_and_position(px, point(pen, self.ascent));
            if let Some(outlined) = face.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|x, y, coverage| {
                    put(
                        bounds.min.x as i32 + x.cast_signed(),
                        bounds.min.y as i32 + y.cast_signed(),
                        coverage,
                    );
                });
            }
        }
    }

    /// The glyphs' outlines as SVG path data (curves kept, so text stays sharp at any
    /// zoom and needs no font where the SVG is viewed).
    pub(super) fn svg_path(&self) -> String {
        let face = &*FACE;
        let mut d = String::new();
        for &(id, pen) in &self.glyphs {
            let Some(outline) = face.outline(id) else {
                continue;
            };
            let at = |p: Point| (pen + p.x * self.scale, self.ascent - p.y * self.scale);
            let mut end: Option<Point> = None;
            for curve in &outline.curves {
                let (start, last) = match *curve {
                    OutlineCurve::Line(a, b)
                    | OutlineCurve::Quad(a, _, b)
                    | OutlineCurve::Cubic(a, _, _, b) => (a, b),
                };
                if end != Some(start) {
                    if end.is_some() {
                        d.push('Z');
                    }
                    let (x, y) = at(start);
                    let _ = write!(d, "M{x:.2} {y:.2}");
                }
                match *curve {
                    OutlineCurve::Line(_, b) => {
                        let (x, y) = at(b);
                        let _ = write!(d, "L{x:.2} {y:.2}");
                    }
                    OutlineCurve::Quad(_, c, b) => {
                        let ((cx, cy), (x, y)) = (at(c), at(b));
                        let _ = write!(d, "Q{cx:.2} {cy:.2} {x:.2} {y:.2}");
                    }
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        let ((ax, ay), (bx, by), (x, y)) = (at(c1), at(c2), at(b));
                        let _ = write!(d, "C{ax:.2} {ay:.2} {bx:.2} {by:.2} {x:.2} {y:.2}");
                    }
                }
                end = Some(last);
            }
            if end.is_some() {
                d.push('Z');
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn lines_measure_and_draw_from_the_embedded_face() {
        let line = Line::new("Air temperature", 14.0);
        // DejaVu Sans: ascent 0.928 em, descent 0.236 em.
        assert!((line.ascent - 0.928 * 14.0).abs() < 0.05, "{}", line.ascent);
        assert!((line.height - 1.164 * 14.0).abs() < 0.05, "{}", line.height);
        assert!(line.width > 100.0 && line.width < 130.0, "{}", line.width);
        let mut covered = 0;
        let mut rightmost = 0;
        line.rasterize(|x, y, c| {
            assert!(y >= 0 && f64::from(y) < f64::from(line.height) + 1.0);
            if c > 0.5 {
                covered += 1;
                rightmost = rightmost.max(x);
            }
        });
        assert!(covered > 100);
        assert!(f64::from(rightmost) <= f64::from(line.width) + 1.0);
        let path = line.svg_path();
        assert!(path.starts_with('M') && path.ends_with('Z'));
        assert!(
            path.matches('M').count() >= 15,
            "one contour or more per letter"
        );
        assert!(Line::new(" ", 14.0).svg_path().is_empty());
    }
}
