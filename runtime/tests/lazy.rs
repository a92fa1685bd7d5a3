//! Lazy arrays give what eager arrays give: every operation, run on the same data cut
//! into several chunkings (whole, regular with a ragged edge, one chunk per element
//! along time, uneven in every dimension), computes to the eager result. Floats agree to
//! 1e-12 relative (the chunked reductions add in another order), everything else
//! exactly: dims, shapes, dtypes, coordinates, NaN positions.

use rangeo::array::{BinaryOp, DType, DataArray, DateTime64, How, Reduction, Selection};
use rangeo::compute::Plan;
use rangeo::prelude::*;

const RTOL: f64 = 1e-12;

type Op = fn(&DataArray) -> Result<DataArray, rangeo::Error>;

/// 30 days x 5 latitudes x 7 longitudes, with a few NaN.
fn air() -> DataArray {
    field(30, 5, 7)
}

/// `days` daily steps from 2000-01-01 x `lats` latitudes from 75 down in steps of 5 x
/// `lons` longitudes from 200 in steps of 2.5, with a few NaN.
fn field(days: usize, lats: usize, lons: usize) -> DataArray {
    let values = ndarray::Array3::from_shape_fn((days, lats, lons), |(t, y, x)| {
        if (t * 7 + y * 3 + x) % 17 == 0 {
            f64::NAN
        } else {
            250.0 + 10.0 * ((t as f64) / 5.0).sin() + y as f64 * 2.0 - x as f64 * 0.5
        }
    });
    let origin: DateTime64 = "2000-01-01".parse().unwrap();
    let day = 86_400_000_000_000_i64;
    let times: Vec<DateTime64> = (0..days)
        .map(|d| DateTime64(origin.0 + i64::try_from(d).unwrap() * day))
        .collect();
    DataArray::new(["time", "lat", "lon"], values)
        .unwrap()
        .assign_coords("time", times)
        .unwrap()
        .assign_coords(
            "lat",
            (0..lats).map(|i| 75.0 - 5.0 * i as f64).collect::<Vec<_>>(),
        )
        .unwrap()
        .assign_coords(
            "lon",
            (0..lons)
                .map(|i| 200.0 + 2.5 * i as f64)
                .collect::<Vec<_>>(),
        )
        .unwrap()
        .assign_attrs([("units", "K")])
        .with_name("air")
}

fn chunkings() -> Vec<(&'static str, Vec<(&'static str, usize)>)> {
    vec![
        ("whole", vec![]),
        ("regular", vec![("time", 8)]),
        ("one per element", vec![("time", 1)]),
        ("uneven", vec![("time", 7), ("lat", 2), ("lon", 3)]),
    ]
}

fn operations() -> Vec<(&'static str, Op)> {
    vec![
        ("add scalar", |a| Ok(a + 1.0)),
        ("multiply self", |a| Ok(a * a)),
        ("scalar minus", |a| Ok(10.0 - a)),
        ("power", |a| a.binary(BinaryOp::Pow, 2.0)),
        ("compare", |a| a.gt(255.0)),
        ("cos of radians", |a| a.radians()?.cos()),
        ("abs", |a| (a - 260.0).abs()),
        ("isnull", |a| Ok(a.isnull())),
        ("notnull", |a| Ok(a.notnull())),
        ("astype float32", |a| a.astype(DType::Float32)),
        ("where", |a| a.where_(&a.gt(255.0)?)),
        ("where or", |a| a.where_or(&a.lt(255.0)?, 0.0)),
        ("fillna", |a| a.fillna(-1.0)),
        ("clip", |a| a.clip(250.0, 260.0)),
        ("broadcast against a latitude array", |a| {
            let weights = a.coord("lat")?.radians()?.cos()?;
            Ok(a * &weights)
        }),
        ("anomaly", |a| Ok(a - &a.mean("time")?)),
        ("isel index", |a| a.isel("time", 4)),
        ("isel slice", |a| a.isel("time", 3..17)),
        ("isel open slice", |a| a.isel("lon", 2..)),
        ("isel step", |a| {
            a.isel(
                "time",
                Selection::Slice {
                    start: Some(1),
                    stop: None,
                    step: 3,
                },
            )
        }),
        ("isel reversed", |a| {
            a.isel(
                "lat",
                Selection::Slice {
                    start: None,
                    stop: None,
                    step: -1,
                },
            )
        }),
        ("isel list", |a| a.isel("time", vec![5, 1, 29, 3])),
        ("sel label range", |a| a.sel("lat", 70.0..=60.0)),
        ("sel date range", |a| {
            a.sel("time", "2000-01-05"..="2000-01-20")
        }),
        ("select then add", |a| Ok(&a.isel("time", 10..12)? + 1.0)),
        ("mean over time", |a| a.mean("time")),
        ("mean over space", |a| a.mean(["lat", "lon"])),
        ("mean of everything", |a| a.mean(..)),
        ("sum", |a| a.sum("time")),
        ("prod", |a| (a / 250.0).prod("lat")),
        ("min", |a| a.min("time")),
        ("max", |a| a.max(["time", "lon"])),
        ("std", |a| a.std("time")),
        ("var ddof 1", |a| {
            a.reduce(Reduction::Var { ddof: 1 }, "time", true)
        }),
        ("mean keeping NaN", |a| {
            a.reduce(Reduction::Mean, "time", false)
        }),
        ("std keeping NaN", |a| {
            a.reduce(Reduction::Std { ddof: 0 }, "time", false)
        }),
        ("max keeping NaN", |a| {
            a.reduce(Reduction::Max, "time", false)
        }),
        ("count", |a| a.count("time")),
        ("argmin", |a| a.argmin("time")),
        ("argmax", |a| a.argmax("lon")),
        ("median", |a| a.median("time")),
        ("quantile", |a| a.quantile(0.9, ["time", "lat"])),
        ("any", |a| a.gt(262.0)?.any("time")),
        ("all", |a| a.gt(240.0)?.all(["lat", "lon"])),
        ("integer sum", |a| {
            a.fillna(0.0)?.astype(DType::Int32)?.sum("time")
        }),
        ("transpose", |a| a.transpose(&["lon", "time", "lat"])),
        ("concat", |a| {
            DataArray::concat(&[&a.isel("time", 0..10)?, &a.isel("time", 20..)?], "time")
        }),
        ("dropna", |a| a.dropna("time", How::All)),
        ("cumsum", |a| a.cumsum("time")),
        ("weighted mean", |a| {
            let weights = a.coord("lat")?.radians()?.cos()?;
            a.weighted(&weights).mean(["lat", "lon"])
        }),
        ("groupby mean", |a| a.groupby("time.dayofweek")?.mean()),
        ("resample", |a| a.resample("time", "7D")?.max()),
        ("rolling", |a| a.rolling("time", 3)?.mean()),
        ("coarsen", |a| a.coarsen("time", 4, Boundary::Trim)?.mean()),
        ("chained reductions", |a| a.mean("lon")?.std("time")),
        ("interp", |a| {
            a.interp("lat", vec![72.5, 61.0, 57.5], Interp::Linear)
        }),
    ]
}

/// Selections that move below transposes and reductions (and those that cannot).
fn selections_moved_below() -> Vec<(&'static str, Op)> {
    vec![
        ("select after a mean", |a| a.mean("time")?.isel("lat", 1..3)),
        ("select after a median", |a| {
            a.median("time")?.isel("lon", vec![4, 0])
        }),
        ("select after a groupby mean", |a| {
            a.groupby("time.dayofweek")?.mean()?.isel("lat", 2)
        }),
        ("select groups", |a| {
            a.groupby("time.dayofweek")?.mean()?.isel("dayofweek", 1..3)
        }),
        ("select after a transpose", |a| {
            a.transpose(&["lon", "time", "lat"])?.isel("lon", 2..5)
        }),
        ("select an anomaly", |a| {
            (a - &a.mean("time")?).isel("lat", 3)
        }),
    ]
}

fn assert_same(name: &str, lazy: &DataArray, eager: &DataArray) {
    assert_eq!(lazy.dims(), eager.dims(), "{name}: dims");
    assert_eq!(lazy.shape(), eager.shape(), "{name}: shape");
    assert_eq!(lazy.dtype(), eager.dtype(), "{name}: dtype");
    assert_eq!(lazy.name(), eager.name(), "{name}: name");
    assert_eq!(lazy.attrs(), eager.attrs(), "{name}: attrs");
    assert_eq!(lazy.coords(), eager.coords(), "{name}: coords");
    let computed = lazy.compute().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!computed.is_lazy());
    match (
        computed.variable().astype(DType::Float64),
        eager.variable().astype(DType::Float64),
    ) {
        (Ok(got), Ok(want)) if eager.dtype().is_float() => {
            let (got, want) = (got.values::<f64>().unwrap(), want.values::<f64>().unwrap());
            for (g, w) in got.iter().zip(want.iter()) {
                assert!(
                    (g.is_nan() && w.is_nan()) || (g - w).abs() <= RTOL * w.abs().max(1.0),
                    "{name}: {g} vs {w}"
                );
            }
        }
        _ => assert_eq!(computed.variable(), eager.variable(), "{name}: values"),
    }
}

#[test]
fn every_operation_on_lazy_data_equals_the_eager_result() {
    let eager = air();
    for (chunking, sizes) in chunkings() {
        let lazy = eager.chunk(sizes).unwrap();
        assert!(lazy.is_lazy());
        for (name, op) in operations().into_iter().chain(selections_moved_below()) {
            let name = format!("{name} ({chunking})");
            let want = op(&eager).unwrap_or_else(|e| panic!("{name}, eager: {e}"));
            let got = op(&lazy).unwrap_or_else(|e| panic!("{name}, lazy: {e}"));
            assert_same(&name, &got, &want);
        }
    }
}

#[test]
fn elementwise_steps_and_selections_build_plans_instead_of_computing() {
    let lazy = air().chunk([("time", 8)]).unwrap();
    // These compute: cumulative sums and moving windows (for now), and dropna's mask.
    let computing = ["cumsum", "rolling", "coarsen", "dropna"];
    for (name, op) in operations() {
        if computing.contains(&name) {
            continue;
        }
        assert!(
            op(&lazy).unwrap().is_lazy(),
            "{name} computed instead of planning"
        );
    }
}

#[test]
fn errors_show_when_the_plan_is_built() {
    let lazy = air().chunk([("time", 8)]).unwrap();
    let text = DataArray::new(["time"], vec!["a".to_owned(); 30])
        .unwrap()
        .chunk([("time", 8)])
        .unwrap();
    assert_eq!(
        text.mean("time").unwrap_err().to_string(),
        "mean is not defined for str values"
    );
    assert!(lazy.isel("time", 30).is_err());
    assert!(lazy.binary(BinaryOp::Add, &text).is_err());
}

#[test]
fn fusion_runs_one_task_per_output_chunk() {
    let air = air().chunk([("time", 5)]).unwrap();
    let chain = ((&air - 273.15) * 1.8 + 32.0)
        .radians()
        .unwrap()
        .cos()
        .unwrap();
    let lazy = chain.data().lazy().unwrap();
    let budget = rangeo::session::options().memory_budget;
    let plan = Plan::new(std::slice::from_ref(lazy), budget, true).unwrap();
    // Six steps of six chunks each would be 36 tasks unfused (plus the constants).
    assert!(lazy.unfused_tasks() >= 36, "{}", lazy.unfused_tasks());
    assert_eq!(plan.tasks(), 6, "one task per output chunk");
    assert_eq!(plan.stages(), 1);
    // A reduction: chunk partials fused into the first level of the tree.
    let mean = air.mean("time").unwrap();
    let lazy = mean.data().lazy().unwrap();
    let plan = Plan::new(std::slice::from_ref(lazy), budget, true).unwrap();
    assert_eq!(plan.tasks(), 1, "six chunks, one combine of up to eight");
    assert!(lazy.unfused_tasks() > plan.tasks());
}

#[test]
fn grouped_reductions_read_each_chunk_once() {
    let air = air().chunk([("time", 5)]).unwrap();
    let weekly = air.groupby("time.dayofweek").unwrap().mean().unwrap();
    let lazy = weekly.data().lazy().unwrap();
    let plan = Plan::new(
        std::slice::from_ref(lazy),
        rangeo::session::options().memory_budget,
        true,
    )
    .unwrap();
    // Six chunks, each giving a partial mean for all seven days: one task combines them.
    assert_eq!((plan.tasks(), plan.stages()), (1, 1));
    assert_eq!(lazy.shape(), [7, 5, 7]);
}

#[test]
fn groups_in_runs_of_chunks_that_no_group_spans_reduce_on_their_own() {
    let budget = rangeo::session::options().memory_budget;
    // Weeks from the first day, chunks of two weeks: each chunk is a run (flox's cohort).
    let air = air().chunk([("time", 14)]).unwrap();
    let weekly = air.resample("time", "7D").unwrap().mean().unwrap();
    let lazy = weekly.data().lazy().unwrap();
    let plan = Plan::new(std::slice::from_ref(lazy), budget, true).unwrap();
    assert_eq!(plan.tasks(), 3, "one task per chunk");
    assert_eq!(lazy.chunks().dim(0), [2, 2, 1]);
    let eager = air.compute().unwrap();
    let eager = eager.resample("time", "7D").unwrap().mean().unwrap();
    assert_same("weekly", &weekly, &eager);
    // A daily resample of a year carries a chunk's days, not the year's, so it fits a
    // budget that the year's days for every chunk (37 x 365 x 2,500 x 16 bytes) would not.
    let year = field(365, 50, 50).chunk([("time", 10)]).unwrap();
    let daily = year.resample("time", "D").unwrap().max().unwrap();
    let lazy = daily.data().lazy().unwrap();
    let plan = Plan::new(std::slice::from_ref(lazy), 64 << 20, true).unwrap();
    assert_eq!(plan.tasks(), 37);
    let eager = year.compute().unwrap();
    let eager = eager.resample("time", "D").unwrap().max().unwrap();
    assert_same("daily", &daily, &eager);
}

#[test]
fn shared_steps_are_computed_once() {
    let air = air().chunk([("time", 5)]).unwrap();
    let ds = Dataset::new()
        .assign("a", &air - &air.mean("time").unwrap())
        .unwrap()
        .assign("b", air.mean("time").unwrap() * 2.0)
        .unwrap();
    let lazies: Vec<_> = ["a", "b"]
        .iter()
        .map(|n| ds.get(n).unwrap().data().lazy().unwrap().clone())
        .collect();
    let plan = Plan::new(&lazies, rangeo::session::options().memory_budget, true).unwrap();
    // The mean is built twice but planned once: mean, a, b.
    assert_eq!(plan.stages(), 3);
    let computed = ds.compute().unwrap();
    let want = air.compute().unwrap().mean("time").unwrap() * 2.0;
    assert_same("shared", &computed.get("b").unwrap(), &want.with_name("b"));
}

#[test]
fn a_step_read_by_several_steps_is_walked_once() {
    // Forty doublings: 2^40 paths from the result to the source. Building, selecting,
    // planning and computing must each visit every step once.
    let (mut lazy, mut eager) = (air().chunk([("time", 5)]).unwrap(), air());
    for _ in 0..40 {
        lazy = &lazy + &lazy;
        eager = &eager + &eager;
    }
    let selected = lazy.isel("time", 3..9).unwrap();
    let plan = Plan::new(
        std::slice::from_ref(selected.data().lazy().unwrap()),
        rangeo::session::options().memory_budget,
        true,
    )
    .unwrap();
    assert_eq!(
        plan.tasks(),
        2,
        "the selection reads two chunks of five days"
    );
    assert_same("doubling", &selected, &eager.isel("time", 3..9).unwrap());
}

#[test]
fn persisted_chunks_are_reused() {
    let air = air().chunk([("time", 5)]).unwrap();
    let kept = (&air * 2.0).persist().unwrap();
    assert!(kept.is_lazy());
    assert_eq!(kept.chunks(), air.chunks());
    let lazy = kept.data().lazy().unwrap();
    assert_eq!(
        lazy.unfused_tasks(),
        6,
        "the plan starts from the kept chunks"
    );
    let eager = air.compute().unwrap();
    assert_same(
        "persist",
        &kept.mean("time").unwrap(),
        &(&eager * 2.0).mean("time").unwrap(),
    );
}

/// A chunk source that counts its reads.
#[derive(Debug)]
struct Counted {
    inner: rangeo::compute::InMemory,
    reads: std::sync::atomic::AtomicUsize,
}

impl rangeo::compute::ChunkSource for Counted {
    fn name(&self) -> &'static str {
        "counted"
    }
    fn shape(&self) -> &[usize] {
        self.inner.shape()
    }
    fn chunks(&self) -> &rangeo::compute::Chunks {
        self.inner.chunks()
    }
    fn meta(&self) -> rangeo::array::Values {
        self.inner.meta()
    }
    fn read(&self, index: &[usize]) -> Result<rangeo::array::Values, rangeo::Error> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.read(index)
    }
}

/// `eager` served by a [`Counted`] source (which reads whole chunks) cut into chunks of
/// `chunk_shape`, with its coordinates, attributes and name.
fn counted(eager: &DataArray, chunk_shape: &[usize]) -> (DataArray, std::sync::Arc<Counted>) {
    use rangeo::compute::{ChunkSource, Chunks, InMemory, Lazy};
    use std::sync::Arc;
    let values = Arc::new(eager.variable().to_values().unwrap().into_owned());
    let chunks = Chunks::regular(values.shape(), chunk_shape);
    let source = Arc::new(Counted {
        inner: InMemory::new(values, chunks).unwrap(),
        reads: std::sync::atomic::AtomicUsize::new(0),
    });
    let lazy = DataArray::new(
        eager.dims(),
        Lazy::from_source(Arc::clone(&source) as Arc<dyn ChunkSource>),
    )
    .unwrap();
    let lazy = eager
        .coords()
        .iter()
        .fold(lazy, |a, (name, coord)| {
            a.assign_coords(name, coord.clone()).unwrap()
        })
        .assign_attrs(eager.attrs().clone())
        .with_name(eager.name().unwrap_or_default());
    (lazy, source)
}

fn reads(source: &Counted) -> usize {
    source.reads.swap(0, std::sync::atomic::Ordering::Relaxed)
}

#[test]
fn sibling_reductions_read_each_chunk_once() {
    let eager = air();
    let (lazy, source) = counted(&eager, &[4, 5, 7]);
    let weights = eager
        .coord("lat")
        .unwrap()
        .radians()
        .unwrap()
        .cos()
        .unwrap();
    // The weighted sum and the sum of weights: two reductions of one array.
    let mean = lazy.weighted(&weights).mean(["lat", "lon"]).unwrap();
    let computed = mean.compute().unwrap();
    assert_eq!(reads(&source), 8, "each of the 8 chunks read once");
    let want = eager.weighted(&weights).mean(["lat", "lon"]).unwrap();
    assert_same("weighted", &computed, &want);
}

#[test]
fn a_selection_after_a_reduction_reads_only_the_chunks_it_keeps() {
    let eager = air();
    // 3 chunks along time x 5 along lat: 15 in all.
    let (lazy, source) = counted(&eager, &[10, 1, 7]);
    let cases: [(&str, Op, usize); 4] = [
        (
            "two latitudes of a mean",
            |a| a.mean("time")?.isel("lat", 1..3),
            6,
        ),
        (
            "a latitude of a transpose",
            |a| {
                a.transpose(&["lon", "lat", "time"])?
                    .sum("time")?
                    .isel("lat", 4)
            },
            3,
        ),
        (
            "a latitude of a groupby mean",
            |a| a.groupby("time.dayofweek")?.mean()?.sel("lat", 60.0),
            3,
        ),
        // The array and its mean each read the latitude's chunks.
        (
            "a latitude of an anomaly",
            |a| (a - &a.mean("time")?).isel("lat", 0),
            6,
        ),
    ];
    for (name, op, want) in cases {
        let computed = op(&lazy).unwrap().compute().unwrap();
        assert_eq!(reads(&source), want, "{name}: chunks read");
        assert_same(name, &computed, &op(&eager).unwrap());
    }
}

/// Reductions of fused steps over chunks larger than the parts a task cuts them into
/// (parts of up to 2^17 elements).
fn part_reductions() -> Vec<(&'static str, Op)> {
    vec![
        ("mean over time", |a| (a + 1.0).mean("time")),
        ("mean over space", |a| (a + 1.0).mean(["lat", "lon"])),
        ("mean of everything", |a| (a + 1.0).mean(..)),
        ("sum", |a| (a * 2.0).sum("lat")),
        ("min", |a| (a * 2.0).min("time")),
        ("max keeping NaN", |a| {
            (a * 2.0).reduce(Reduction::Max, ["time", "lon"], false)
        }),
        ("std", |a| (a + 1.0).std("time")),
        ("var ddof 1 over space", |a| {
            (a + 1.0).reduce(Reduction::Var { ddof: 1 }, ["lat", "lon"], true)
        }),
        ("argmin", |a| (a + 1.0).argmin("time")),
        ("median", |a| (a + 1.0).median("time")),
        ("integer sum", |a| {
            a.fillna(0.0)?.astype(DType::Int32)?.sum(["lat", "lon"])
        }),
        ("transposed mean", |a| {
            (a + 1.0).transpose(&["lon", "time", "lat"])?.mean("lat")
        }),
        ("weighted mean", |a| {
            let weights = a.coord("lat")?.radians()?.cos()?;
            a.weighted(&weights).mean(["lat", "lon"])
        }),
        ("groupby mean", |a| {
            (a + 1.0).groupby("time.dayofweek")?.mean()
        }),
        ("anomaly std", |a| {
            let weekly = a.groupby("time.dayofweek")?;
            (&weekly - &weekly.mean()?).std("time")
        }),
    ]
}

#[test]
fn reductions_over_chunks_cut_into_parts_equal_the_eager_result() {
    // 576 000 elements: whole, in chunks of 50 days, or 37 latitudes (ragged); every
    // chunk holds more than two parts.
    let eager = field(80, 60, 120);
    for sizes in [vec![], vec![("time", 50)], vec![("lat", 37)]] {
        let lazy = eager.chunk(sizes.clone()).unwrap();
        for (name, op) in part_reductions() {
            let name = format!("{name} (chunks {sizes:?})");
            let want = op(&eager).unwrap();
            assert_same(&name, &op(&lazy).unwrap(), &want);
        }
    }
    // A source read whole: each chunk read once, then cut into parts.
    let (lazy, source) = counted(&eager, &[50, 60, 120]);
    for (name, op) in part_reductions() {
        let want = op(&eager).unwrap();
        assert_same(name, &op(&lazy).unwrap(), &want);
        if ["mean over time", "weighted mean"].contains(&name) {
            assert_eq!(reads(&source), 2, "{name}: each of 2 chunks read once");
        }
        reads(&source);
    }
    // Parts merged along the reduced axis: positions counted from each part's start.
    let line = DataArray::new(
        ["x"],
        (0..300_000)
            .map(|i| {
                if i % 997 == 0 {
                    f64::NAN
                } else {
                    f64::from(i % 7919) - 3000.5
                }
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for chunk in [300_000, 280_000] {
        let lazy = line.chunk([("x", chunk)]).unwrap();
        for (name, op) in [
            ("argmin", (|a| (a * 2.0).argmin("x")) as Op),
            ("argmax", |a| (a * 2.0).argmax("x")),
            ("mean", |a| (a * 2.0).mean("x")),
            ("std keeping NaN", |a| {
                (a * 2.0).reduce(Reduction::Std { ddof: 0 }, "x", false)
            }),
        ] {
            assert_same(name, &op(&lazy).unwrap(), &op(&line).unwrap());
        }
    }
}
