//! Rasters laid onto another pixel grid, as GDAL's warper lays them (and so rasterio's
//! `reproject`, stackstac and odc-stac): each destination pixel's centre is mapped into
//! the source raster, and the source pixels there give its value.

use std::ops::Range;

use ndarray::{ArrayView2, ArrayViewMut2};

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
    /// Coordinates to fractional pixel positions of the whole raster.
    pub(crate) inverse: GeoTransform,
}

/// Fills the pixels of `out` that are still NaN from `source` (first valid value wins,
/// as the items of one group are laid over one another). `out`'s pixel (0, 0) has its
/// top-left corner at `transform`'s origin; `to_source` maps a coordinate of `out`'s
/// grid to one of the source's.
pub(crate) fn fill(
    source: &Source<'_>,
    mut out: ArrayViewMut2<'_, f64>,
    transform: &GeoTransform,
    to_source: impl Fn(f64, f64) -> (f64, f64),
    resampling: Resampling,
) {
    let (height, width) = source.size;
    for ((row, col), value) in out.indexed_iter_mut() {
        if !value.is_nan() {
            continue;
        }
        let (x, y) = apply(transform, col as f64 + 0.5, row as f64 + 0.5);
        let (x, y) = to_source(x, y);
        let (sx, sy) = apply(&source.inverse, x, y);
        // GDAL computes a pixel only when its centre falls inside the source raster.
        if !(sx >= 0.0 && sy >= 0.0 && sx < width as f64 && sy < height as f64) {
            continue;
        }
        // Nor where the source pixel under it is missing, whatever the resampling.
        let Some(under) = source.at(sy.floor(), sx.floor()) else {
            continue;
        };
        *value = match resampling {
            Resampling::Nearest => under,
            Resampling::Bilinear => source.bilinear(sy, sx).unwrap_or(under),
        };
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

    /// GDAL's four-sample bilinear at fractional position (`sy`, `sx`): pixel centres
    /// sit at half pixels, neighbours outside the raster or missing drop out, and the
    /// weights of the others are scaled to one.
    fn bilinear(&self, sy: f64, sx: f64) -> Option<f64> {
        let (fy, fx) = (sy - 0.5, sx - 0.5);
        let (y0, x0) = (fy.floor(), fx.floor());
        let (dy, dx) = (fy - y0, fx - x0);
        let mut sum = 0.0;
        let mut weight = 0.0;
        for (row, wy) in [(y0, 1.0 - dy), (y0 + 1.0, dy)] {
            for (col, wx) in [(x0, 1.0 - dx), (x0 + 1.0, dx)] {
                if let Some(v) = self.at(row, col) {
                    sum += v * wy * wx;
                    weight += wy * wx;
                }
            }
        }
        (weight >= 1e-5).then(|| sum / weight)
    }
}

/// The rows and columns of a raster of `size` (rows, columns) that resampling the
/// points `corners` (fractional pixel positions) needs: one pixel more on every side,
/// for bilinear neighbours, within the raster. `None` when nothing overlaps.
pub(crate) fn window(
    corners: &[(f64, f64)],
    size: (usize, usize),
) -> Option<(Range<usize>, Range<usize>)> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in corners {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let clamp = |v: f64, n: usize| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to the raster first"
        )]
        let v = v.clamp(0.0, n as f64) as usize;
        v
    };
    let rows = clamp(y0.floor() - 1.0, size.0)..clamp(y1.ceil() + 1.0, size.0);
    let cols = clamp(x0.floor() - 1.0, size.1)..clamp(x1.ceil() + 1.0, size.1);
    (!rows.is_empty() && !cols.is_empty()).then_some((rows, cols))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn source<'a>(pixels: &'a Array2<f64>, t: &GeoTransform) -> Source<'a> {
        let (h, w) = pixels.dim();
        Source {
            pixels: pixels.view(),
            rows: 0..h,
            cols: 0..w,
            size: (h, w),
            inverse: invert(t).unwrap(),
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
            &source(pixels, from),
            out.view_mut(),
            onto,
            |x, y| (x, y),
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
    fn windows_cover_the_corners_with_a_margin_inside_the_raster() {
        let (rows, cols) = window(&[(2.5, 3.5), (5.5, 8.2)], (100, 100)).unwrap();
        assert_eq!((rows, cols), (2..10, 1..7));
        assert_eq!(window(&[(-9.0, -9.0), (-5.0, -5.0)], (10, 10)), None);
        let (rows, cols) = window(&[(-5.0, -5.0), (50.0, 50.0)], (10, 20)).unwrap();
        assert_eq!((rows, cols), (0..10, 0..20));
    }
}
