//! Diagrams of how an array is cut into chunks, as dask draws them in its reprs: a
//! strip for one dimension, a grid for two, a skewed cube for three, and for more, a
//! row of strips for the leading dimensions before the cube of the last three.

use std::fmt::Write as _;

/// The longest side of a drawing, in pixels.
const SIDE: f64 = 160.0;
/// The shortest side, so that a thin dimension still shows its chunks.
const MIN_SIDE: f64 = 20.0;
/// Past this many chunks along a side, the side is drawn solid instead of line by line.
const MAX_LINES: usize = 100;
/// The depth axis of a cube is drawn at this fraction of its length, up and right.
const SKEW: f64 = 0.55;

/// An SVG of `shape` cut into chunks whose lengths along each axis are `lengths`.
#[must_use]
pub(crate) fn svg(shape: &[usize], lengths: &[Vec<usize>]) -> String {
    let sides = sides(shape);
    let (body, width, height) = match shape.len() {
        0 => (
            rect(0.0, 0.0, MIN_SIDE, MIN_SIDE, &[], &[]),
            MIN_SIDE,
            MIN_SIDE,
        ),
        1 => {
            let (w, h) = (sides[0], MIN_SIDE);
            (rect(0.0, 0.0, w, h, &cuts(&lengths[0], w), &[]), w, h)
        }
        2 => {
            let (w, h) = (sides[1], sides[0]);
            let grid = rect(0.0, 0.0, w, h, &cuts(&lengths[1], w), &cuts(&lengths[0], h));
            (grid, w, h)
        }
        n => {
            // Leading dimensions as small strips in a row, then the cube.
            let mut body = String::new();
            let mut x = 0.0;
            for axis in 0..n - 3 {
                let w = sides[axis].min(60.0);
                let strip = rect(0.0, 0.0, w, MIN_SIDE, &cuts(&lengths[axis], w), &[]);
                write!(body, "<g transform=\"translate({x:.1},0)\">{strip}</g>")
                    .expect("writing to a string");
                x += w + 12.0;
            }
            let (cube, w, h) = cube(&sides[n - 3..], &lengths[n - 3..]);
            write!(body, "<g transform=\"translate({x:.1},0)\">{cube}</g>")
                .expect("writing to a string");
            (body, x + w, h.max(MIN_SIDE))
        }
    };
    let labels = labels(shape, width, height);
    format!(
        "<svg class=\"rg-chunk-diagram\" width=\"{:.0}\" height=\"{:.0}\" \
         viewBox=\"-2 -2 {:.0} {:.0}\" role=\"img\" aria-label=\"chunks\">{body}{labels}</svg>",
        width + 50.0,
        height + 24.0,
        width + 50.0,
        height + 24.0,
    )
}

/// Each axis's length on screen: proportional to its length, softened by a square root
/// so that very unequal axes both stay visible, between `MIN_SIDE` and `SIDE`.
fn sides(shape: &[usize]) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss, reason = "pixel sizes")]
    let longest = shape.iter().copied().max().unwrap_or(1).max(1) as f64;
    shape
        .iter()
        .map(|&n| {
            #[allow(clippy::cast_precision_loss, reason = "pixel sizes")]
            let ratio = n.max(1) as f64 / longest;
            (SIDE * ratio.sqrt()).clamp(MIN_SIDE, SIDE)
        })
        .collect()
}

/// Where chunk boundaries fall along a side of `size` pixels (the inner ones), or
/// `None` when there are too many to draw one by one.
fn cuts(lengths: &[usize], size: f64) -> Vec<Option<f64>> {
    if lengths.len() > MAX_LINES {
        return vec![None];
    }
    let total: usize = lengths.iter().sum::<usize>().max(1);
    let mut at = 0;
    lengths[..lengths.len().saturating_sub(1)]
        .iter()
        .map(|&n| {
            at += n;
            #[allow(clippy::cast_precision_loss, reason = "pixel positions")]
            let x = size * at as f64 / total as f64;
            Some(x)
        })
        .collect()
}

/// A rectangle with chunk lines: vertical ones at `xs`, horizontal ones at `ys`; a
/// `None` cut shades the rectangle as too finely chunked to draw.
fn rect(x: f64, y: f64, w: f64, h: f64, xs: &[Option<f64>], ys: &[Option<f64>]) -> String {
    let class = chunk_class(xs.iter().chain(ys).any(Option::is_none));
    let mut out = format!(
        "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"/>"
    );
    for cut in xs.iter().flatten() {
        line(&mut out, (x + cut, y), (x + cut, y + h));
    }
    for cut in ys.iter().flatten() {
        line(&mut out, (x, y + cut), (x + w, y + cut));
    }
    out
}

/// The class of a face: shaded solid when its chunks are too many to draw.
fn chunk_class(dense: bool) -> &'static str {
    if dense {
        "rg-chunk rg-dense"
    } else {
        "rg-chunk"
    }
}

/// Appends a line from `from` to `to`.
fn line(out: &mut String, from: (f64, f64), to: (f64, f64)) {
    write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        from.0, from.1, to.0, to.1
    )
    .expect("writing to a string");
}

/// A skewed cube of three axes (depth, rows, columns): the front face a grid of rows by
/// columns, the top and side faces showing the cuts along the depth.
fn cube(sides: &[f64], lengths: &[Vec<usize>]) -> (String, f64, f64) {
    let (depth, h, w) = (sides[0] * SKEW, sides[1], sides[2]);
    let (dx, dy) = (depth * 0.8, depth * 0.6);
    let along = cuts(&lengths[0], 1.0);
    let class = chunk_class(along.iter().any(Option::is_none));
    let mut out = String::new();
    // Top face: from the front top edge back along the depth.
    write!(
        out,
        "<polygon class=\"{class}\" points=\"0,{dy:.1} {w:.1},{dy:.1} {:.1},0 {dx:.1},0\"/>",
        w + dx
    )
    .expect("writing to a string");
    // Side face: from the front right edge back along the depth.
    write!(
        out,
        "<polygon class=\"{class}\" points=\"{w:.1},{dy:.1} {:.1},0 {:.1},{h:.1} {w:.1},{:.1}\"/>",
        w + dx,
        w + dx,
        h + dy
    )
    .expect("writing to a string");
    for t in along.iter().flatten() {
        // A cut `t` of the way along the depth, from the front face back.
        let (ox, oy) = (dx * t, dy * (1.0 - t));
        line(&mut out, (ox, oy), (ox + w, oy));
        line(&mut out, (ox + w, oy), (ox + w, oy + h));
    }
    let front = rect(0.0, dy, w, h, &cuts(&lengths[2], w), &cuts(&lengths[1], h));
    out.push_str(&front);
    // The depth's length along the top face's left edge.
    let total: usize = lengths[0].iter().sum();
    let angle = -dy.atan2(dx).to_degrees();
    let (lx, ly) = (dx / 2.0 - 4.0, dy / 2.0 - 4.0);
    write!(
        out,
        "<text x=\"{lx:.1}\" y=\"{ly:.1}\" transform=\"rotate({angle:.1},{lx:.1},{ly:.1})\" \
         text-anchor=\"middle\">{total}</text>"
    )
    .expect("writing to a string");
    (out, w + dx, h + dy)
}

/// The lengths of the last two axes written along the drawing's bottom and right edges.
fn labels(shape: &[usize], width: f64, height: f64) -> String {
    let mut out = String::new();
    if let Some(&columns) = shape.last() {
        write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{columns}</text>",
            width / 2.0,
            height + 16.0
        )
        .expect("writing to a string");
    }
    if shape.len() >= 2 {
        let rows = shape[shape.len() - 2];
        let (x, y) = (width + 8.0, height / 2.0);
        write!(
            out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" transform=\"rotate(-90,{x:.1},{y:.1})\" \
             text-anchor=\"middle\">{rows}</text>"
        )
        .expect("writing to a string");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_inner_chunk_boundary() {
        let grid = svg(&[4, 6], &[vec![2, 2], vec![3, 3]]);
        assert_eq!(grid.matches("<line").count(), 2);
        let strip = svg(&[10], &[vec![3, 3, 3, 1]]);
        assert_eq!(strip.matches("<line").count(), 3);
        // A cube: two depth cuts each on the top and side faces, and the front grid.
        let cube = svg(&[30, 4, 6], &[vec![10, 10, 10], vec![2, 2], vec![6]]);
        assert_eq!(cube.matches("<line").count(), 2 * 2 + 1);
        assert_eq!(cube.matches("<polygon").count(), 2);
    }

    #[test]
    fn too_many_chunks_shade_instead_of_drawing_lines() {
        let lengths = vec![1; 1000];
        let strip = svg(&[1000], &[lengths]);
        assert!(strip.contains("rg-dense"));
        assert_eq!(strip.matches("<line").count(), 0);
    }

    #[test]
    fn more_than_three_dimensions_draw_strips_then_a_cube() {
        let shape = [2, 3, 30, 4, 6];
        let lengths = vec![vec![1, 1], vec![3], vec![10, 10, 10], vec![4], vec![6]];
        let drawing = svg(&shape, &lengths);
        assert_eq!(drawing.matches("<g transform").count(), 3);
        assert_eq!(drawing.matches("<polygon").count(), 2);
    }
}
