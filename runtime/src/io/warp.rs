//! Rasters laid onto another pixel grid, in the same CRS or another, as GDAL's warper
//! lays them (and so rasterio's `reproject`, stackstac and odc-stac): each destination
//! pixel's centre is mapped into the source raster, and the source pixels there give
//! its value.

use std::ops::Range;

use ndarray::{ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rayon::prelude::*;

use super::crs::Reprojection;

/// How far, in source pixels, a reprojected pixel centre may stray from its exact place
/// by default: GDAL's for its approximate transformer, so rasterio's, stackstac's and
/// odc-stac's. Along a row, points are reprojected exactly only where a straight line
/// between them would stray further.
pub(crate) const TOLERANCE: f64 = 0.125;

/// Points along the outline of a raster of `size` (rows, columns) under `t`, `steps`
/// to a side: what a footprint or window is computed from when reprojected, as GDAL's
/// and rasterio's `transform_bounds` densify the edges.
pub(crate) fn outline(
    t: &GeoTransform,
    (rows, cols): (usize, usize),
    steps: usize,
) -> Vec<(f64, f64)> {
    let (rows, cols) = (rows as f64, cols as f64);
    let mut points = Vec::with_capacity(4 * steps);
    for i in 0..steps {
        let f = i as f64 / steps as f64;
        for (col, row) in [
            (f * cols, 0.0),
            (cols, f * rows),
            ((1.0 - f) * cols, rows),
            (0.0, (1.0 - f) * rows),
        ] {
            points.push(apply(t, col, row));
        }
    }
    points
}

/// How a destination pixel takes its value from the source pixels around its centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resampling {
    /// The source pixel the centre falls in: values pass unchanged (classes, flags,
    /// counts), the default.
    #[default]
    Nearest,
    /// The four source pixels nearest the centre, weighted by distance; missing ones
    /// are left out and the others' weights scaled up, as GDAL does. A pixel whose
    /// centre falls on a missing source pixel stays missing.
    Bilinear,
}

/// An affine pixel-to-coordinate transform in GDAL's order: x origin, pixel width, row
/// rotation, y origin, column rotation, pixel height (negative for north-up grids).
pub(crate) type GeoTransform = [f64; 6];

/// The coordinates of fractional pixel position (`col`, `row`) under `t`.
pub(crate) fn apply(t: &GeoTransform, col: f64, row: f64) -> (f64, f64) {
    (
        t[0] + col * t[1] + row * t[2],
        t[3] + col * t[4] + row * t[5],
    )
}

/// `[left, bottom, right, top]` of a raster of `size` (rows, columns) under `t`
/// (north-up or not, without rotation).
pub(crate) fn bounds(t: &GeoTransform, (rows, cols): (usize, usize)) -> [f64; 4] {
    let (x0, x1) = (t[0], t[0] + t[1] * cols as f64);
    let (y0, y1) = (t[3], t[3] + t[5] * rows as f64);
    [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
}

/// The transform from coordinates back to fractional pixel positions, `None` for a
/// degenerate transform.
pub(crate) fn invert(forward: &GeoTransform) -> Option<GeoTransform> {
    let [x0, xx, xy, y0, yx, yy] = *forward;
    let det = xx * yy - xy * yx;
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let (col_x, col_y, row_x, row_y) = (yy / det, -xy / det, -yx / det, xx / det);
    Some([
        -(col_x * x0 + col_y * y0),
        col_x,
        col_y,
        -(row_x * x0 + row_y * y0),
        row_x,
        row_y,
    ])
}

/// One source raster, or the part of it that was read.
pub(crate) struct Source<'a> {
    /// The pixels read (rows, columns), NaN where missing.
    pub(crate) pixels: ArrayView2<'a, f64>,
    /// Where those pixels lie in the whole raster.
    pub(crate) rows: Range<usize>,
    /// Where those pixels lie in the whole raster.
    pub(crate) cols: Range<usize>,
    /// The whole raster's size (rows, columns): its edges, not the part's, bound it.
    pub(crate) size: (usize, usize),
}

/// Where the pixels of a destination block fall in a source raster.
pub(crate) struct Mapping<'a> {
    /// The block's transform: its pixel (0, 0) has its top-left corner at the origin.
    pub(crate) transform: GeoTransform,
    /// From the block's CRS to the source's, when they differ.
    pub(crate) reprojection: Option<&'a Reprojection>,
    /// The source's coordinates to fractional pixel positions of the whole source.
    pub(crate) inverse: GeoTransform,
    /// How far (source pixels) a reprojected centre may stray from its exact place; 0
    /// reprojects every one.
    pub(crate) tolerance: f64,
}

impl Mapping<'_> {
    /// The source position of fractional destination position (`col`, `row`).
    fn exact(&self, col: f64, row: f64) -> (f64, f64) {
        let (x, y) = apply(&self.transform, col, row);
        let (x, y) = self.reprojection.map_or((x, y), |r| r.point(x, y));
        apply(&self.inverse, x, y)
    }

    /// The source rows of a block's rows and the source columns of its columns, when
    /// neither depends on the other axis (the same CRS, no rotation): `exact`'s
    /// positions, bit for bit, as the other axis's terms are zeros.
    fn axis_positions(&self, (rows, cols): (usize, usize)) -> Option<(Vec<f64>, Vec<f64>)> {
        let [_, _, a, _, b, _] = self.transform;
        let [_, _, c, _, d, _] = self.inverse;
        let by_axis = self.reprojection.is_none() && [a, b, c, d].iter().all(|&v| v == 0.0);
        by_axis.then(|| {
            (
                (0..rows)
                    .map(|r| self.exact(0.5, r as f64 + 0.5).1)
                    .collect(),
                (0..cols)
                    .map(|c| self.exact(c as f64 + 0.5, 0.5).0)
                    .collect(),
            )
        })
    }

    /// How many destination pixels a source pixel spans along y and x, at the middle
    /// of a block of `size` (rows, columns); one (no widening) where the destination is
    /// as fine or finer. Below one, bilinear's kernel widens to cover every source
    /// pixel under a destination pixel, as GDAL's does, with a reciprocal within 0.05
    /// of a whole number rounded to it.
    fn kernel_scale(&self, (rows, cols): (usize, usize)) -> (f64, f64) {
        let (col, row) = ((cols / 2) as f64 + 0.5, (rows / 2) as f64 + 0.5);
        let here = self.exact(col, row);
        let scale = |there: (f64, f64)| {
            let scale = 1.0 / (there.0 - here.0).hypot(there.1 - here.1);
            if !(scale.is_finite() && scale < 1.0) {
                return 1.0;
            }
            let whole = (1.0 / scale).round();
            if (1.0 / scale - whole).abs() < 0.05 {
                1.0 / whole
            } else {
                scale
            }
        };
        (
            scale(self.exact(col, row + 1.0)),
            scale(self.exact(col + 1.0, row)),
        )
    }

    /// The rows and columns of a source of `size` (rows, columns) that resampling a
    /// block of `block` (rows, columns) needs: under its outline (reprojected at
    /// `steps` points a side), widened by the kernel's reach, within the source.
    /// `None` when nothing overlaps.
    pub(crate) fn window(
        &self,
        block: (usize, usize),
        size: (usize, usize),
        steps: usize,
    ) -> Option<(Range<usize>, Range<usize>)> {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        // NaN points (outside a projection's domain) drop out of min and max.
        for (x, y) in outline(&[0.0, 1.0, 0.0, 0.0, 0.0, 1.0], block, steps) {
            let (x, y) = self.exact(x, y);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let (scale_y, scale_x) = self.kernel_scale(block);
        let reach = |scale: f64| (1.0 / scale).ceil();
        let clamp = |v: f64, n: usize| {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "clamped to the raster first"
            )]
            let v = v.clamp(0.0, n as f64) as usize;
            v
        };
        let rows =
            clamp(y0.floor() - reach(scale_y), size.0)..clamp(y1.ceil() + reach(scale_y), size.0);
        let cols =
            clamp(x0.floor() - reach(scale_x), size.1)..clamp(x1.ceil() + reach(scale_x), size.1);
        (!rows.is_empty() && !cols.is_empty()).then_some((rows, cols))
    }
}

/// Fills the pixels of `out` that are still NaN from `source` (first valid value wins,
/// as the items of one group are laid over one another), `out` being the block
/// `mapping` places.
pub(crate) fn fill(
    source: &Source<'_>,
    out: ArrayViewMut2<'_, f64>,
    mapping: &Mapping<'_>,
    resampling: Resampling,
) {
    if resampling == Resampling::Nearest
        && let Some((ys, xs)) = mapping.axis_positions(out.dim())
    {
        return nearest_by_axis(source, out, &ys, &xs);
    }
    let (height, width) = source.size;
    let scale = mapping.kernel_scale(out.dim());
    by_row(out, Vec::new, |positions, row, mut values| {
        let centre = |col: f64| mapping.exact(col + 0.5, row as f64 + 0.5);
        if mapping.reprojection.is_some() && mapping.tolerance > 0.0 {
            approximate_row(&centre, values.len(), mapping.tolerance, positions);
        } else {
            positions.clear();
            positions.extend((0..values.len()).map(|c| centre(c as f64)));
        }
        for (value, &(sx, sy)) in values.iter_mut().zip(positions.iter()) {
            // GDAL computes a pixel only when its centre falls inside the source raster.
            let inside = sx >= 0.0 && sy >= 0.0 && sx < width as f64 && sy < height as f64;
            if !(value.is_nan() && inside) {
                continue;
            }
            // Nor where the source pixel under it is missing, whatever the resampling.
            let Some(under) = source.at(sy.floor(), sx.floor()) else {
                continue;
            };
            *value = match resampling {
                Resampling::Nearest => under,
                Resampling::Bilinear => source.bilinear(sy, sx, scale).unwrap_or(under),
            };
        }
    });
}

/// Runs `f` on each row of `out` with its index and a scratch value made by `scratch`:
/// on the worker pool when the block is large and the pool has threads to spare.
fn by_row<S>(
    mut out: ArrayViewMut2<'_, f64>,
    scratch: impl Fn() -> S + Send + Sync,
    f: impl Fn(&mut S, usize, ArrayViewMut1<'_, f64>) + Send + Sync,
) {
    if crate::array::parallel(out.len()) {
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .for_each_init(scratch, |s, (row, values)| f(s, row, values));
    } else {
        let mut s = scratch();
        for (row, values) in out.rows_mut().into_iter().enumerate() {
            f(&mut s, row, values);
        }
    }
}

/// [`fill`] by nearest where each source position depends on one axis only: the source
/// row and column of each destination row and column are found once.
fn nearest_by_axis(source: &Source<'_>, out: ArrayViewMut2<'_, f64>, ys: &[f64], xs: &[f64]) {
    // The part read's index of a position, when it falls inside the raster and the part.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked to lie within the raster first"
    )]
    let index = |at: f64, part: &Range<usize>, n: usize| {
        (at >= 0.0 && at < n as f64)
            .then(|| at.floor() as usize)
            .filter(|i| part.contains(i))
            .map(|i| i - part.start)
    };
    let cols: Vec<Option<usize>> = xs
        .iter()
        .map(|&x| index(x, &source.cols, source.size.1))
        .collect();
    by_row(
        out,
        || (),
        |(), row, mut values| {
            let Some(row) = index(ys[row], &source.rows, source.size.0) else {
                return;
            };
            let from = source.pixels.row(row);
            for (value, col) in values.iter_mut().zip(&cols) {
                // A missing source pixel is NaN, so laying it changes nothing.
                if let Some(col) = *col
                    && value.is_nan()
                {
                    *value = from[col];
                }
            }
        },
    );
}

/// The source positions of a row's `n` pixel centres (`exact` maps a column to one), as
/// GDAL's approximate transformer makes them: exact at both ends and the middle of a
/// span, which is split in two where the middle strays more than `tolerance` from the
/// straight line between the ends, and interpolated along that line where it does not.
fn approximate_row(
    exact: &impl Fn(f64) -> (f64, f64),
    n: usize,
    tolerance: f64,
    out: &mut Vec<(f64, f64)>,
) {
    out.clear();
    out.resize(n, (f64::NAN, f64::NAN));
    if n == 0 {
        return;
    }
    let last = n - 1;
    out[0] = exact(0.0);
    out[last] = exact(last as f64);
    span(exact, 0, last, tolerance, out);
}

/// [`approximate_row`] between columns `lo` and `hi`, whose positions are known.
fn span(
    exact: &impl Fn(f64) -> (f64, f64),
    lo: usize,
    hi: usize,
    tolerance: f64,
    out: &mut [(f64, f64)],
) {
    if hi - lo <= 4 {
        for (col, position) in out.iter_mut().enumerate().take(hi).skip(lo + 1) {
            *position = exact(col as f64);
        }
        return;
    }
    let (a, b) = (out[lo], out[hi]);
    let mid = lo + (hi - lo) / 2;
    out[mid] = exact(mid as f64);
    let line = |col: usize| {
        let f = (col - lo) as f64 / (hi - lo) as f64;
        (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
    };
    let (m, l) = (out[mid], line(mid));
    let error = (m.0 - l.0).abs() + (m.1 - l.1).abs();
    // NaN (a point outside a projection's domain) fails the test, so is split down to.
    if error <= tolerance {
        for (col, position) in out.iter_mut().enumerate().take(hi).skip(lo + 1) {
            *position = line(col);
        }
    } else {
        span(exact, lo, mid, tolerance, out);
        span(exact, mid, hi, tolerance, out);
    }
}

impl Source<'_> {
    /// The valid value at whole-raster pixel (`row`, `col`), if it was read.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "pixel positions, checked against the part read"
    )]
    fn at(&self, row: f64, col: f64) -> Option<f64> {
        if row < 0.0 || col < 0.0 {
            return None;
        }
        let (row, col) = (row as usize, col as usize);
        if !self.rows.contains(&row) || !self.cols.contains(&col) {
            return None;
        }
        let v = self.pixels[[row - self.rows.start, col - self.cols.start]];
        (!v.is_nan()).then_some(v)
    }

    /// GDAL's bilinear at fractional position (`sy`, `sx`): pixel centres sit at half
    /// pixels; the tent of each axis spans one source pixel either side, or `1 / scale`
    /// where a destination pixel covers several (four samples at a scale of one);
    /// neighbours outside the raster or missing drop out, and the weights of the others
    /// are scaled to one.
    fn bilinear(&self, sy: f64, sx: f64, (scale_y, scale_x): (f64, f64)) -> Option<f64> {
        let (rows, wy) = tent(sy, scale_y);
        let (cols, wx) = tent(sx, scale_x);
        let mut sum = 0.0;
        let mut weight = 0.0;
        for (row, wy) in rows.clone().zip(&wy) {
            for (col, wx) in cols.clone().zip(&wx) {
                if let Some(v) = self.at(row as f64, col as f64) {
                    sum += v * wy * wx;
                    weight += wy * wx;
                }
            }
        }
        (weight >= 1e-5).then(|| sum / weight)
    }
}

/// The source pixels (whole-raster positions, possibly outside it) that a tent of
/// half-width `1 / scale` centred at fractional position `at` reaches, with their
/// weights.
#[allow(
    clippy::cast_possible_truncation,
    reason = "pixel positions and kernel radii are small whole numbers"
)]
fn tent(at: f64, scale: f64) -> (Range<i64>, Vec<f64>) {
    let f = at - 0.5;
    let first = f.floor();
    let delta = f - first;
    let radius = (1.0 / scale).ceil() as i64;
    let weights = (1 - radius..=radius)
        .map(|k| (1.0 - (k as f64 - delta).abs() * scale).max(0.0))
        .collect();
    let first = first as i64;
    (first + 1 - radius..first + radius + 1, weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn source(pixels: &Array2<f64>) -> Source<'_> {
        let (h, w) = pixels.dim();
        Source {
            pixels: pixels.view(),
            rows: 0..h,
            cols: 0..w,
            size: (h, w),
        }
    }

    /// A block on grid `onto` over a source on grid `from`, same CRS.
    fn mapping(from: &GeoTransform, onto: &GeoTransform) -> Mapping<'static> {
        Mapping {
            transform: *onto,
            reprojection: None,
            inverse: invert(from).unwrap(),
            tolerance: TOLERANCE,
        }
    }

    /// `pixels` (on grid `from`) laid into `out` (on grid `onto`), same CRS.
    fn laid(
        mut out: Array2<f64>,
        pixels: &Array2<f64>,
        from: &GeoTransform,
        onto: &GeoTransform,
        resampling: Resampling,
    ) -> Array2<f64> {
        fill(
            &source(pixels),
            out.view_mut(),
            &mapping(from, onto),
            resampling,
        );
        out
    }

    fn empty(rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_elem((rows, cols), f64::NAN)
    }

    #[test]
    fn transforms_invert() {
        let forward = [400_000.0, 10.0, 0.0, 5_500_000.0, 0.0, -10.0];
        let inverse = invert(&forward).unwrap();
        let (x, y) = apply(&forward, 3.5, 7.25);
        let (col, row) = apply(&inverse, x, y);
        assert!((col - 3.5).abs() < 1e-9 && (row - 7.25).abs() < 1e-9);
        assert!(invert(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).is_none());
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "nearest copies values exactly")]
    fn nearest_on_the_same_grid_copies_and_keeps_what_is_there() {
        let t = [0.0, 1.0, 0.0, 3.0, 0.0, -1.0];
        let pixels = array![[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0], [7.0, 8.0, 9.0]];
        let mut out = empty(3, 3);
        out[[0, 0]] = -1.0;
        let out = laid(out, &pixels, &t, &t, Resampling::Nearest);
        assert_eq!(out[[0, 0]], -1.0, "a value already there stays");
        assert_eq!(out[[2, 1]], 8.0);
        assert!(out[[1, 1]].is_nan(), "a missing source pixel stays missing");
    }

    #[test]
    fn bilinear_weighs_the_four_neighbours_and_drops_missing_ones() {
        // A 2x2 source of 10 m pixels onto a 5 m grid over the same area.
        let t = [0.0, 10.0, 0.0, 20.0, 0.0, -10.0];
        let pixels = array![[0.0, 10.0], [20.0, 30.0]];
        let fine = [0.0, 5.0, 0.0, 20.0, 0.0, -5.0];
        let out = laid(empty(4, 4), &pixels, &t, &fine, Resampling::Bilinear);
        // Centre (7.5, 12.5) lies between all four source centres (5, 15), (15, 5)...
        assert!((out[[1, 1]] - 7.5).abs() < 1e-12, "{}", out[[1, 1]]);
        // At the corner only one neighbour is inside the raster: its value.
        assert!((out[[0, 0]] - 0.0).abs() < 1e-12);
        let gappy = array![[0.0, f64::NAN], [20.0, 30.0]];
        let out = laid(empty(4, 4), &gappy, &t, &fine, Resampling::Bilinear);
        // (7.5, 12.5): weights 9/16, 3/16 (missing), 3/16, 1/16 over 0, -, 20, 30.
        let expected = (20.0 * 3.0 + 30.0) / 13.0;
        assert!((out[[1, 1]] - expected).abs() < 1e-12, "{}", out[[1, 1]]);
    }

    #[test]
    fn bilinear_leaves_missing_what_lies_on_a_missing_pixel_as_gdal_does() {
        // What rasterio.warp.reproject (GDAL 3.10) makes of a 3x3 source with its top-left
        // pixel missing, on a grid of half the pixel size.
        let t = [0.0, 10.0, 0.0, 30.0, 0.0, -10.0];
        let pixels = array![
            [f64::NAN, 10.0, 20.0],
            [30.0, 40.0, 50.0],
            [60.0, 70.0, 80.0]
        ];
        let fine = [0.0, 5.0, 0.0, 30.0, 0.0, -5.0];
        let out = laid(empty(6, 6), &pixels, &t, &fine, Resampling::Bilinear);
        let gdal = [
            [f64::NAN, f64::NAN, 10.0, 12.5, 17.5, 20.0],
            [f64::NAN, f64::NAN, 18.462, 20.0, 25.0, 27.5],
            [30.0, 30.769, 32.0, 35.0, 40.0, 42.5],
            [37.5, 40.0, 45.0, 50.0, 55.0, 57.5],
        ];
        for (r, row) in gdal.iter().enumerate() {
            for (c, want) in row.iter().enumerate() {
                let got = out[[r, c]];
                assert!(
                    (got.is_nan() && want.is_nan()) || (got - want).abs() < 1e-3,
                    "({r}, {c}): {got}, GDAL {want}"
                );
            }
        }
    }

    #[test]
    fn bilinear_widens_to_every_source_pixel_under_a_coarser_pixel_as_gdal_does() {
        // What rasterio.warp.reproject (GDAL 3.10) makes of a 6x6 source with one missing
        // pixel on a grid of twice the pixel size (GDAL's scale 0.5: a 4x4 tent).
        let mut pixels = Array2::from_shape_fn((6, 6), |(r, c)| 10.0 * (6 * r + c) as f64);
        pixels[[1, 2]] = f64::NAN;
        let t = [0.0, 10.0, 0.0, 60.0, 0.0, -10.0];
        let coarse = [0.0, 20.0, 0.0, 60.0, 0.0, -20.0];
        let out = laid(empty(3, 3), &pixels, &t, &coarse, Resampling::Bilinear);
        let gdal = [
            [
                48.043_478_260_869_56,
                65.531_914_893_617_03,
                85.714_285_714_285_71,
            ],
            [
                158.545_454_545_454_53,
                179.672_131_147_541,
                192.857_142_857_142_86,
            ],
            [264.285_714_285_714_3, 282.142_857_142_857_17, 300.0],
        ];
        for (r, row) in gdal.iter().enumerate() {
            for (c, want) in row.iter().enumerate() {
                assert!(
                    (out[[r, c]] - want).abs() < 1e-9,
                    "({r}, {c}): {}, GDAL {want}",
                    out[[r, c]]
                );
            }
        }
    }

    #[test]
    fn approximate_rows_stay_within_the_tolerance_of_the_exact_positions() {
        // 2000 pixels of 100 m across UTM zone 31N, onto zone 32N's 10 m pixels: curved
        // enough that one straight line would stray by more than the tolerance.
        let reprojection = Reprojection::new(32631, 32632).unwrap();
        let block = Mapping {
            transform: [300_000.0, 100.0, 0.0, 5_500_000.0, 0.0, -100.0],
            reprojection: Some(&reprojection),
            inverse: invert(&[-300_000.0, 10.0, 0.0, 5_600_000.0, 0.0, -10.0]).unwrap(),
            tolerance: TOLERANCE,
        };
        let exact = |col: f64| block.exact(col + 0.5, 0.5);
        let distance = |p: (f64, f64), q: (f64, f64)| (p.0 - q.0).abs() + (p.1 - q.1).abs();
        let count = 2000;
        let (first, last) = (exact(0.0), exact((count - 1) as f64));
        let middle = 999.0 / (count - 1) as f64;
        let straight = (
            first.0 + (last.0 - first.0) * middle,
            first.1 + (last.1 - first.1) * middle,
        );
        assert!(
            distance(exact(999.0), straight) > TOLERANCE,
            "not curved enough"
        );
        for tolerance in [TOLERANCE, 0.01] {
            let mut approximate = Vec::new();
            approximate_row(&exact, count, tolerance, &mut approximate);
            let worst = approximate
                .iter()
                .enumerate()
                .map(|(col, &position)| distance(exact(col as f64), position))
                .fold(0.0, f64::max);
            assert!(worst <= tolerance, "{worst} > {tolerance}");
            assert!(worst > 0.0, "interpolated, not all exact");
        }
    }

    #[test]
    fn windows_cover_the_block_and_the_kernel_inside_the_raster() {
        let source = [0.0, 10.0, 0.0, 1000.0, 0.0, -10.0];
        // A 4 x 6 block of the same pixels, 2.5 columns and 3.5 rows in.
        let block = mapping(&source, &[25.0, 10.0, 0.0, 965.0, 0.0, -10.0]);
        assert_eq!(block.window((4, 6), (100, 100), 3), Some((2..9, 1..10)));
        // Pixels three times as large reach three source pixels further.
        let coarse = mapping(&source, &[25.0, 30.0, 0.0, 965.0, 0.0, -30.0]);
        assert_eq!(coarse.window((4, 6), (100, 100), 3), Some((0..19, 0..24)));
        assert_eq!(block.window((4, 6), (2, 1), 3), None, "beside the raster");
        assert_eq!(
            block.window((4, 6), (5, 5), 3),
            Some((2..5, 1..5)),
            "clamped"
        );
    }
}
