//! Generated chains of operations run on lazy data and on the same values in memory,
//! for the property tests: the fields, the sources they are read from, the steps of a
//! chain and the comparison of the two results.

use proptest::prelude::*;
use rangeo::array::{BinaryOp, DType, DataArray, DateTime64, Reduction, Selection};
use rangeo::prelude::*;
use serde_json::json;
use tempfile::TempDir;

/// Floats agree to this, relative to the larger of the value and 1.
const RTOL: f64 = 1e-9;
/// ... and float32 results to this (they are rounded from float64 sums made in
/// another order).
const RTOL_F32: f64 = 1e-5;

/// A `(time, lat, lon)` field of daily values: a seasonal cycle, a latitude profile
/// and noise, with NaN at every `nan_every`-th position of a hash (none for 0).
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) days: usize,
    pub(crate) lats: usize,
    pub(crate) lons: usize,
    /// The first day, counted from 2000-01-01.
    pub(crate) start_day: i64,
    pub(crate) seed: u64,
    pub(crate) nan_every: usize,
}

/// `SplitMix64`'s finaliser.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const DAY: i64 = 86_400_000_000_000;

impl Field {
    fn shape(&self) -> [usize; 3] {
        [self.days, self.lats, self.lons]
    }

    /// The daily times.
    fn times(&self) -> Vec<DateTime64> {
        let origin: DateTime64 = "2000-01-01".parse().unwrap();
        (0..self.days)
            .map(|d| DateTime64(origin.0 + (self.start_day + i64::try_from(d).unwrap()) * DAY))
            .collect()
    }

    fn lat(&self) -> Vec<f64> {
        (0..self.lats).map(|i| 75.0 - 2.5 * i as f64).collect()
    }

    fn lon(&self) -> Vec<f64> {
        (0..self.lons).map(|i| 200.0 + 2.5 * i as f64).collect()
    }

    /// The values, rounded to 0.01 so that packing them as int16 hundredths is exact.
    fn values(&self) -> ndarray::Array3<f64> {
        ndarray::Array3::from_shape_fn(self.shape(), |(t, y, x)| {
            let flat = ((t * self.lats + y) * self.lons + x) as u64;
            let hash = mix(self.seed ^ flat.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            if self.nan_every > 0 && hash.is_multiple_of(self.nan_every as u64) {
                return f64::NAN;
            }
            let noise = (hash >> 11) as f64 / (1_u64 << 53) as f64 - 0.5;
            let day = self.start_day as f64 + t as f64;
            let value = 260.0 + 10.0 * (day / 58.0).sin() - 1.5 * y as f64 + 4.0 * noise;
            (value * 100.0).round() / 100.0
        })
    }

    /// The field as a labeled array in memory.
    fn eager(&self, values: ndarray::Array3<f64>) -> DataArray {
        DataArray::new(["time", "lat", "lon"], values)
            .unwrap()
            .assign_coords("time", self.times())
            .unwrap()
            .assign_coords("lat", self.lat())
            .unwrap()
            .assign_coords("lon", self.lon())
            .unwrap()
            .assign_attrs([("units", "K")])
            .with_name("air")
    }
}

/// Where the lazy array is read from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// The values in memory, `.chunk(...)`ed.
    Memory,
    /// A Zarr store that rangeo wrote, chunked as asked; `packed` stores int16
    /// hundredths with a scale factor and a fill value for NaN, as the NCEP store does.
    Zarr { format: u8, packed: bool },
    /// A netCDF-4 file chunked as asked, written with netCDF-C.
    Netcdf,
    /// A reproducible random field generated chunk by chunk.
    Random,
}

/// `chunks` clipped to the field's sizes.
fn clipped(field: &Field, chunks: [usize; 3]) -> [usize; 3] {
    let shape = field.shape();
    [0, 1, 2].map(|d| chunks[d].clamp(1, shape[d]))
}

impl Source {
    /// The lazy array, its values in memory, and the directory of its files (kept
    /// while the lazy array is read).
    fn open(&self, field: &Field, chunks: [usize; 3]) -> (DataArray, DataArray, Option<TempDir>) {
        let chunks = clipped(field, chunks);
        let sizes = [("time", chunks[0]), ("lat", chunks[1]), ("lon", chunks[2])];
        match self {
            Self::Memory => {
                let eager = field.eager(field.values());
                (eager.chunk(sizes).unwrap(), eager, None)
            }
            Self::Random => {
                let shape = field.shape();
                let random = DataArray::random(
                    [("time", shape[0]), ("lat", shape[1]), ("lon", shape[2])],
                    sizes,
                    field.seed,
                )
                .unwrap();
                let lazy = &(&random * 10.0) + 255.0;
                let lazy = lazy
                    .assign_coords("time", field.times())
                    .unwrap()
                    .assign_coords("lat", field.lat())
                    .unwrap()
                    .assign_coords("lon", field.lon())
                    .unwrap()
                    .with_name("air");
                let eager = lazy.compute().unwrap();
                (lazy, eager, None)
            }
            Self::Zarr { format, packed } => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("field.zarr");
                let path = path.to_str().unwrap();
                let ds = Dataset::new()
                    .assign("air", field.eager(field.values()))
                    .unwrap();
                let mut encoding = vec![("chunks", json!(chunks))];
                if *packed {
                    encoding.extend([
                        ("dtype", json!("int16")),
                        ("scale_factor", json!(0.01)),
                        ("add_offset", json!(250.0)),
                        ("_FillValue", json!(-32767)),
                    ]);
                }
                WriteOptions::new()
                    .zarr_format(*format)
                    .encoding("air", encoding)
                    .to_zarr(&ds, path)
                    .unwrap();
                let lazy = open_zarr(path).unwrap().get("air").unwrap();
                assert_eq!(
                    lazy.chunks().unwrap()[1][0],
                    chunks[1],
                    "the store's chunks"
                );
                let eager = lazy.compute().unwrap();
                (lazy, eager, Some(dir))
            }
            Self::Netcdf => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("field.nc");
                write_netcdf(field, chunks, &path);
                let lazy = open_dataset(path.to_str().unwrap())
                    .unwrap()
                    .get("air")
                    .unwrap();
                assert_eq!(lazy.chunks().unwrap()[2][0], chunks[2], "the file's chunks");
                let eager = lazy.compute().unwrap();
                (lazy, eager, Some(dir))
            }
        }
    }
}

/// The field as a netCDF-4 file with its variable chunked as `chunks`, times in days
/// since 2000-01-01.
fn write_netcdf(field: &Field, chunks: [usize; 3], path: &std::path::Path) {
    let mut file = netcdf::create(path).unwrap();
    for (name, len) in [
        ("time", field.days),
        ("lat", field.lats),
        ("lon", field.lons),
    ] {
        file.add_dimension(name, len).unwrap();
    }
    let days: Vec<f64> = (0..field.days)
        .map(|d| (field.start_day + i64::try_from(d).unwrap()) as f64)
        .collect();
    let mut time = file.add_variable::<f64>("time", &["time"]).unwrap();
    time.put_attribute("units", "days since 2000-01-01")
        .unwrap();
    time.put_attribute("calendar", "standard").unwrap();
    time.put_values(&days, ..).unwrap();
    for (name, labels) in [("lat", field.lat()), ("lon", field.lon())] {
        let mut coord = file.add_variable::<f64>(name, &[name]).unwrap();
        coord.put_values(&labels, ..).unwrap();
    }
    let mut air = file
        .add_variable::<f64>("air", &["time", "lat", "lon"])
        .unwrap();
    air.set_chunking(&chunks).unwrap();
    air.set_fill_value(f64::NAN).unwrap();
    air.put_attribute("units", "K").unwrap();
    air.put(field.values().view(), ..).unwrap();
}

/// One operation of a chain. Dimensions are chosen by number, modulo the array's
/// rank at that point; a step that does not apply (no time left to group, a rank-0
/// array) is left out on both sides.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// `.chunk(dim: size)` of the lazy array.
    Rechunk { dim: usize, size: usize },
    /// `isel(dim, start..stop by step)`.
    Slice {
        dim: usize,
        start: isize,
        stop: isize,
        step: isize,
    },
    /// `isel(dim, [positions])` (positions modulo the length; repeats allowed).
    List { dim: usize, positions: Vec<usize> },
    /// Arithmetic: `how` picks `a + c`, `a * a`, `c - a`, `a - a.mean(dim)`,
    /// `a * cos(radians(coord))` along `dim`, `a - a.shift(dim)`.
    Arithmetic { how: usize, dim: usize, c: f64 },
    /// Dimensions reordered by the `order`-th permutation.
    Transpose { order: usize },
    /// A mean (or sum) weighted by `cos(radians(coord))` of `dim`'s coordinate,
    /// over the dimensions in `mask` (all of them for 0).
    Weighted { dim: usize, mask: usize, mean: bool },
    /// A reduction over the dimensions in `mask` (all of them for 0).
    Reduce {
        how: usize,
        mask: usize,
        skipna: bool,
    },
    /// A reduction within groups of time (`key`: month, day of week, season).
    GroupReduce { key: usize, how: usize },
    /// Each value minus its group's mean.
    Anomaly { key: usize },
    /// A resampling of time (`freq`: 3 days, 7 days, month start, month end).
    Resample { freq: usize, how: usize },
    /// A moving window along `dim`.
    Rolling {
        dim: usize,
        window: usize,
        center: bool,
    },
    /// Blocks of `window` along `dim`, reduced.
    Coarsen { dim: usize, window: usize },
    /// The part from `cut` on, then the part before it, along `dim`.
    Concat { dim: usize, cut: usize },
    /// Values above `threshold`, NaN (or `fill`, when given) elsewhere.
    Where { threshold: f64, fill: Option<f64> },
    /// Linear interpolation at fractions of the coordinate's range along `dim`.
    Interp { dim: usize, at: Vec<f64> },
    /// A cast to float32.
    Float32,
    /// Missing values filled.
    Fillna { value: f64 },
    /// A cumulative sum along `dim`.
    Cumsum { dim: usize },
}

/// The reductions steps choose from.
const REDUCTIONS: [Reduction; 11] = [
    Reduction::Mean,
    Reduction::Sum,
    Reduction::Min,
    Reduction::Max,
    Reduction::Std { ddof: 0 },
    Reduction::Var { ddof: 1 },
    Reduction::Median,
    Reduction::Count,
    Reduction::Quantile(0.3),
    Reduction::ArgMin,
    Reduction::ArgMax,
];

/// What a step of a chain can be.
pub(crate) fn step() -> impl Strategy<Value = Step> {
    let dim = 0..4_usize;
    prop_oneof![
        3 => (dim.clone(), 1..12_usize).prop_map(|(dim, size)| Step::Rechunk { dim, size }),
        1 => (dim.clone(), -8..8_isize, -8..12_isize, prop_oneof![Just(1), Just(2), Just(-1), Just(3)])
            .prop_map(|(dim, start, stop, step)| Step::Slice { dim, start, stop, step }),
        1 => (dim.clone(), prop::collection::vec(0..64_usize, 1..6))
            .prop_map(|(dim, positions)| Step::List { dim, positions }),
        2 => (0..6_usize, dim.clone(), -5.0..5.0_f64)
            .prop_map(|(how, dim, c)| Step::Arithmetic { how, dim, c }),
        1 => (0..6_usize).prop_map(|order| Step::Transpose { order }),
        1 => (dim.clone(), 0..8_usize, any::<bool>())
            .prop_map(|(dim, mask, mean)| Step::Weighted { dim, mask, mean }),
        3 => (0..REDUCTIONS.len(), 0..8_usize, any::<bool>())
            .prop_map(|(how, mask, skipna)| Step::Reduce { how, mask, skipna }),
        2 => (0..3_usize, 0..7_usize).prop_map(|(key, how)| Step::GroupReduce { key, how }),
        1 => (0..3_usize).prop_map(|key| Step::Anomaly { key }),
        1 => (0..4_usize, 0..7_usize).prop_map(|(freq, how)| Step::Resample { freq, how }),
        1 => (dim.clone(), 1..5_usize, any::<bool>())
            .prop_map(|(dim, window, center)| Step::Rolling { dim, window, center }),
        1 => (dim.clone(), 1..4_usize).prop_map(|(dim, window)| Step::Coarsen { dim, window }),
        1 => (dim.clone(), 0..40_usize).prop_map(|(dim, cut)| Step::Concat { dim, cut }),
        1 => (250.0..270.0_f64, prop::option::of(-1.0..1.0_f64))
            .prop_map(|(threshold, fill)| Step::Where { threshold, fill }),
        1 => (dim.clone(), prop::collection::vec(-0.1..1.1_f64, 1..4))
            .prop_map(|(dim, at)| Step::Interp { dim, at }),
        1 => Just(Step::Float32),
        1 => (-1.0..1.0_f64).prop_map(|value| Step::Fillna { value }),
        1 => dim.prop_map(|dim| Step::Cumsum { dim }),
    ]
}

/// The `k`-th permutation of `0..n` (of the n! there are, `k` modulo that).
fn permutation(n: usize, mut k: usize) -> Vec<usize> {
    let mut left: Vec<usize> = (0..n).collect();
    let mut order = Vec::with_capacity(n);
    while !left.is_empty() {
        let i = k % left.len();
        k /= left.len();
        order.push(left.remove(i));
    }
    order
}

type Outcome = Option<Result<DataArray, rangeo::Error>>;

impl Step {
    /// The step applied to `a`, or `None` where it does not apply.
    #[allow(clippy::too_many_lines, reason = "one arm per step, read as a table")]
    fn apply(&self, a: &DataArray, lazy: bool) -> Outcome {
        let ndim = a.ndim();
        let dim = |d: usize| (ndim > 0).then(|| a.dims()[d % ndim].clone());
        let len = |d: &str| a.sizes().iter().find(|(n, _)| *n == d).map(|(_, n)| *n);
        let has_time = a.dims().iter().any(|d| d == "time")
            && a.coord("time")
                .is_ok_and(|t| t.dtype() == DType::DateTime64);
        Some(match self {
            Self::Rechunk { dim: d, size } => {
                let d = dim(*d)?;
                if !lazy || !a.is_lazy() {
                    return Some(Ok(a.clone()));
                }
                a.chunk([(d.as_str(), *size)])
            }
            Self::Slice {
                dim: d,
                start,
                stop,
                step,
            } => a.isel(
                &dim(*d)?,
                Selection::Slice {
                    start: Some(*start),
                    stop: Some(*stop),
                    step: *step,
                },
            ),
            Self::List { dim: d, positions } => {
                let d = dim(*d)?;
                let n = len(&d).filter(|&n| n > 0)?;
                let positions: Vec<isize> = positions
                    .iter()
                    .map(|p| isize::try_from(p % n).unwrap())
                    .collect();
                a.isel(&d, positions)
            }
            Self::Arithmetic { how, dim: d, c } => match how {
                0 => Ok(a + *c),
                1 => Ok(a * a),
                2 => Ok(*c - a),
                3 => Ok(a - &a.mean(dim(*d)?).ok()?),
                4 => {
                    let coord = a.coord(&dim(*d)?).ok()?;
                    if !coord.dtype().is_float() {
                        return None;
                    }
                    let weights = coord.radians().and_then(|r| r.cos());
                    weights.map(|w| a * &w)
                }
                _ => {
                    let d = dim(*d)?;
                    a.shift(&d, 1).map(|shifted| a - &shifted)
                }
            },
            Self::Transpose { order } => {
                let order: Vec<&str> = permutation(ndim, *order)
                    .into_iter()
                    .map(|i| a.dims()[i].as_str())
                    .collect();
                a.transpose(&order)
            }
            Self::Weighted { dim: d, mask, mean } => {
                let coord = a.coord(&dim(*d)?).ok()?;
                if !coord.dtype().is_float() {
                    return None;
                }
                // Positive, as area weights are: weights of either sign can sum to
                // about zero (cosines of projected metres), where the mean is
                // ill-conditioned and any two summation orders differ.
                let cosine = coord.radians().and_then(|r| r.cos()).ok()?;
                let weights = &cosine.abs().ok()? + 0.1;
                let dims: Vec<String> = (0..ndim)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| a.dims()[i].clone())
                    .collect();
                let weighted = a.weighted(&weights);
                if *mean {
                    weighted.mean(dims)
                } else {
                    weighted.sum(dims)
                }
            }
            Self::Reduce { how, mask, skipna } => {
                let how = REDUCTIONS[*how];
                let dims: Vec<String> = (0..ndim)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| a.dims()[i].clone())
                    .collect();
                match how {
                    Reduction::ArgMin | Reduction::ArgMax => {
                        let d = dims.first().cloned().or_else(|| dim(0))?;
                        if how == Reduction::ArgMin {
                            a.argmin(&d)
                        } else {
                            a.argmax(&d)
                        }
                    }
                    _ => a.reduce(how, dims, *skipna),
                }
            }
            Self::GroupReduce { key, how } => {
                if !has_time {
                    return None;
                }
                let groups = a.groupby(["time.month", "time.dayofweek", "time.season"][*key]);
                groups.and_then(|g| grouped(&g, *how))
            }
            Self::Anomaly { key } => {
                if !has_time {
                    return None;
                }
                let key = ["time.month", "time.dayofweek", "time.season"][*key];
                a.groupby(key).and_then(|g| {
                    let mean = g.mean()?;
                    g.binary(BinaryOp::Sub, &mean)
                })
            }
            Self::Resample { freq, how } => {
                if !has_time {
                    return None;
                }
                let freq = ["3D", "7D", "MS", "ME"][*freq];
                a.resample("time", freq).and_then(|g| grouped(&g, *how))
            }
            Self::Rolling {
                dim: d,
                window,
                center,
            } => a
                .rolling(&dim(*d)?, *window)
                .and_then(|r| r.center(*center).mean()),
            Self::Coarsen { dim: d, window } => a
                .coarsen(&dim(*d)?, *window, Boundary::Trim)
                .and_then(|c| c.mean()),
            Self::Concat { dim: d, cut } => {
                let d = dim(*d)?;
                let n = len(&d)?;
                let cut = cut % (n + 1);
                let first = a.isel(&d, cut..n).ok()?;
                let second = a.isel(&d, 0..cut).ok()?;
                DataArray::concat(&[&first, &second], &d)
            }
            Self::Where { threshold, fill } => {
                let cond = a.gt(*threshold).ok()?;
                match fill {
                    None => a.where_(&cond),
                    Some(fill) => a.where_or(&cond, *fill),
                }
            }
            Self::Interp { dim: d, at } => {
                let d = dim(*d)?;
                let coord = a.coord(&d).ok()?.compute().ok()?;
                if !coord.dtype().is_float() || a.index(&d).is_none() {
                    return None;
                }
                let labels = coord.to_vec::<f64>().ok()?;
                let (lo, hi) = labels
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                        (lo.min(x), hi.max(x))
                    });
                let targets: Vec<f64> = at.iter().map(|f| lo + f * (hi - lo)).collect();
                a.interp(&d, targets, Interp::Linear)
            }
            Self::Float32 => {
                if !a.dtype().is_float() {
                    return None;
                }
                a.astype(DType::Float32)
            }
            Self::Fillna { value } => a.fillna(*value),
            Self::Cumsum { dim: d } => a.cumsum(&dim(*d)?),
        })
    }
}

/// The `how`-th reduction of groups.
fn grouped(groups: &rangeo::array::GroupBy<'_>, how: usize) -> Result<DataArray, rangeo::Error> {
    match how {
        0 => groups.mean(),
        1 => groups.sum(),
        2 => groups.min(),
        3 => groups.max(),
        4 => groups.std(),
        5 => groups.median(),
        _ => groups.count(),
    }
}

/// Runs `steps` on the field read lazily from `source` in `chunks` and on its values
/// in memory, and checks that the results agree.
pub(crate) fn check_chain(source: &Source, field: &Field, chunks: [usize; 3], steps: &[Step]) {
    let (lazy, eager, _files) = source.open(field, chunks);
    let context = || format!("{source:?} {field:?} chunks {chunks:?} steps {steps:?}");
    check_steps(lazy, eager, steps, &context);
}

/// Runs `steps` on `lazy` and on `eager` (its values in memory), and checks that the
/// results agree; `context` says what was run when they do not.
pub(crate) fn check_steps(
    mut lazy: DataArray,
    mut eager: DataArray,
    steps: &[Step],
    context: &dyn Fn() -> String,
) {
    for (i, step) in steps.iter().enumerate() {
        let Some(want) = step.apply(&eager, false) else {
            continue;
        };
        let got = step
            .apply(&lazy, true)
            .expect("a step that applies eagerly applies lazily");
        match (want, got) {
            (Ok(want), Ok(got)) => {
                eager = want;
                lazy = got;
            }
            (Err(_), Err(_)) => return,
            (Ok(_), Err(e)) => panic!("step {i} failed lazily: {e}\n{}", context()),
            (Err(e), Ok(_)) => panic!("step {i} failed only eagerly: {e}\n{}", context()),
        }
    }
    assert_same(&lazy, &eager, context);
}

/// The lazy result computed equals the eager one (see the module docs of the tests).
fn assert_same(lazy: &DataArray, eager: &DataArray, context: &dyn Fn() -> String) {
    assert_eq!(lazy.dims(), eager.dims(), "dims\n{}", context());
    assert_eq!(lazy.shape(), eager.shape(), "shape\n{}", context());
    assert_eq!(lazy.dtype(), eager.dtype(), "dtype\n{}", context());
    // Labels compare with NaN equal to NaN (an interpolation outside the data, say).
    assert!(
        lazy.coords() == eager.coords()
            || format!("{:?}", lazy.coords()) == format!("{:?}", eager.coords()),
        "coords: lazy {:?}, eager {:?}\n{}",
        lazy.coords(),
        eager.coords(),
        context()
    );
    let computed = lazy
        .compute()
        .unwrap_or_else(|e| panic!("compute: {e}\n{}", context()));
    let rtol = if eager.dtype() == DType::Float32 {
        RTOL_F32
    } else {
        RTOL
    };
    if eager.dtype().is_float() {
        let as_f64 = |a: &DataArray| a.astype(DType::Float64).unwrap().to_vec::<f64>().unwrap();
        let (got, want) = (as_f64(&computed), as_f64(eager));
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            // Infinities equal, NaN where NaN is, the rest within the tolerance.
            let same = g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan());
            assert!(
                same || (g - w).abs() <= rtol * w.abs().max(1.0),
                "element {k}: lazy {g}, eager {w}\n{}",
                context()
            );
        }
    } else {
        assert_eq!(
            computed.variable(),
            eager.variable(),
            "values\n{}",
            context()
        );
    }
}
