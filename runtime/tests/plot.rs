//! Plots: every kind on the air temperature data renders the same PNG on every run
//! (golden images, compared within a small pixel tolerance), and the pixels that matter
//! are where they should be: data in the plotting area, a colour bar, NaN transparent,
//! north up, the diverging map for data that straddle zero. SVGs carry their text as
//! outlines. Bad arguments are errors that name them.
//!
//! `RANGEO_BLESS=1` rewrites the golden images (look at them before committing).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rangeo::prelude::*;

/// Holds the kernel-wide options still: one test changes them, the others read them.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The decoded pixels of a PNG: width, height, RGBA rows.
fn pixels(figure: &Figure) -> (u32, u32, Vec<u8>) {
    decode(figure.bytes())
}

/// An SVG figure's document.
fn svg_of(figure: &Figure) -> String {
    assert_eq!(figure.format(), Format::Svg);
    String::from_utf8(figure.bytes().to_vec()).expect("an SVG is UTF-8")
}

fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn at(image: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 4] {
    let i = 4 * (y * image.0 + x) as usize;
    image.2[i..i + 4].try_into().unwrap()
}

/// The air temperature sample, when `../shared/data/real` is there (required when
/// `RANGEO_REQUIRE_AIR` is set).
fn air() -> Option<DataArray> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/real/air_temperature.nc");
    if !path.exists() {
        assert!(
            std::env::var_os("RANGEO_REQUIRE_AIR").is_none(),
            "RANGEO_REQUIRE_AIR is set but {} is missing",
            path.display()
        );
        return None;
    }
    Some(
        open_dataset(path.to_str().unwrap())
            .unwrap()
            .get("air")
            .unwrap(),
    )
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.png"))
}

/// Pixels whose channels differ by more than 8 of 255, as a fraction of all.
fn differing(a: &(u32, u32, Vec<u8>), b: &(u32, u32, Vec<u8>)) -> f64 {
    assert_eq!((a.0, a.1), (b.0, b.1), "sizes differ");
    let n =
        a.2.chunks_exact(4)
            .zip(b.2.chunks_exact(4))
            .filter(|(p, q)| p.iter().zip(*q).any(|(x, y)| x.abs_diff(*y) > 8))
            .count();
    n as f64 / f64::from(a.0 * a.1)
}

/// A plot drawn on demand.
type Draw<'a> = Box<dyn Fn() -> Figure + 'a>;

#[test]
fn every_kind_on_air_temperature_matches_its_golden_image() {
    let _options = serial();
    let Some(air) = air() else { return };
    let day = air.isel("time", 0).unwrap();
    let kinds: Vec<(&str, Draw)> = vec![
        (
            "line",
            Box::new(|| {
                air.isel("lat", 10)
                    .unwrap()
                    .isel("lon", 10)
                    .unwrap()
                    .plot()
                    .unwrap()
            }),
        ),
        (
            "line_hue",
            Box::new(|| {
                day.isel("lat", vec![0, 5, 10])
                    .unwrap()
                    .plot_with(Plot::line().hue("lat"))
                    .unwrap()
            }),
        ),
        ("pcolormesh", Box::new(|| day.plot().unwrap())),
        (
            "imshow",
            Box::new(|| day.plot_with(Plot::imshow().robust(true)).unwrap()),
        ),
        (
            "contourf",
            Box::new(|| day.plot_with(Plot::contourf()).unwrap()),
        ),
        (
            "scatter",
            Box::new(|| {
                day.isel("lat", 5)
                    .unwrap()
                    .plot_with(Plot::scatter())
                    .unwrap()
            }),
        ),
        ("hist", Box::new(|| day.plot_with(Plot::hist()).unwrap())),
        (
            "anomaly",
            Box::new(|| (&day - &air.mean("time").unwrap()).plot().unwrap()),
        ),
        (
            "facets",
            Box::new(|| {
                air.isel("time", vec![0, 400, 800, 1200])
                    .unwrap()
                    .plot_with(Plot::pcolormesh().col("time").col_wrap(2))
                    .unwrap()
            }),
        ),
    ];
    let bless = std::env::var_os("RANGEO_BLESS").is_some();
    for (name, draw) in kinds {
        let first = draw();
        assert_eq!(
            first.bytes(),
            draw().bytes(),
            "{name}: two renderings in one run differ"
        );
        let path = golden(name);
        if bless {
            first.save(&path).unwrap();
            continue;
        }
        let expected = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (RANGEO_BLESS=1 writes it)", path.display()));
        if expected != first.bytes() {
            let share = differing(&decode(&expected), &pixels(&first));
            assert!(
                share <= 0.001,
                "{name}: {:.3}% of pixels differ from {}",
                share * 100.0,
                path.display()
            );
        }
    }
}

/// A 2-D field on a descending latitude, warmer to the north, with a NaN block.
fn field() -> DataArray {
    let lats: Vec<f64> = (0..20).map(|i| 75.0 - 2.5 * f64::from(i)).collect();
    let lons: Vec<f64> = (0..30).map(|i| 200.0 + 2.5 * f64::from(i)).collect();
    let values = ndarray::Array2::from_shape_fn((20, 30), |(i, j)| {
        if (5..10).contains(&i) && (10..20).contains(&j) {
            f64::NAN
        } else {
            300.0 - 2.0 * i as f64 + 0.1 * j as f64
        }
    });
    DataArray::new(["lat", "lon"], values)
        .unwrap()
        .assign_coords("lat", lats)
        .unwrap()
        .assign_coords("lon", lons)
        .unwrap()
        .assign_attrs([("long_name", "Air temperature"), ("units", "K")])
        .with_name("air")
}

/// The plotting area: the box inside the black frame, found from the figure's centre.
fn plot_box(image: &(u32, u32, Vec<u8>), y: u32) -> (u32, u32) {
    let black = |x| at(image, x, y)[..3] == [0, 0, 0];
    let left = (0..image.0 / 2)
        .rev()
        .find(|&x| black(x))
        .expect("a left frame")
        + 1;
    let right = (image.0 / 3..image.0)
        .find(|&x| black(x))
        .expect("a right frame");
    (left, right)
}

#[test]
fn pixels_that_matter_data_colour_bar_nan_and_north_up() {
    let _options = serial();
    let image = pixels(&field().plot().unwrap());
    assert_eq!((image.0, image.1), (640, 480));
    let row = image.1 / 2;
    let (left, right) = plot_box(&image, row);
    let top = (0..row)
        .rev()
        .find(|&y| at(&image, left + 5, y)[..3] == [0, 0, 0])
        .unwrap()
        + 1;
    let bottom = (row..image.1)
        .find(|&y| at(&image, left + 5, y)[..3] == [0, 0, 0])
        .unwrap();
    let (w, h) = (right - left, bottom - top);
    // The data fill the plotting area: opaque, not white, and the top (north, the
    // warmest row although it is the first of a descending latitude) is yellow.
    let north = at(&image, left + w / 10, top + 2);
    let south = at(&image, left + w / 10, bottom - 3);
    assert_eq!(north[3], 255);
    assert!(
        north[0] > 200 && north[1] > 200 && north[2] < 100,
        "north is yellow: {north:?}"
    );
    assert!(
        south[0] < 100 && south[2] > 60,
        "south is purple: {south:?}"
    );
    // The NaN block (rows 5-9 of 20, columns 10-19 of 30) is transparent.
    let nan = at(&image, left + w * 15 / 30, top + h * 15 / 40);
    assert_eq!(nan[3], 0, "NaN cells are clear");
    let beside = at(&image, left + w * 5 / 30, top + h * 15 / 40);
    assert_eq!(beside[3], 255);
    // The colour bar: a strip right of the plot, yellow at the top, purple at the bottom.
    let bar_x = (right + 1..image.0)
        .find(|&x| {
            at(&image, x, row)[..3] != [255, 255, 255] && at(&image, x, row)[..3] != [0, 0, 0]
        })
        .expect("a colour bar");
    let bar_top = at(&image, bar_x + 2, top + 3);
    let bar_bottom = at(&image, bar_x + 2, bottom - 4);
    assert!(bar_top[0] > 200 && bar_top[2] < 100, "{bar_top:?}");
    assert!(bar_bottom[2] > 60 && bar_bottom[1] < 60, "{bar_bottom:?}");
}

#[test]
fn data_that_straddle_zero_take_rdbu_r_centred_and_robust_clips_outliers() {
    let _options = serial();
    let anomaly = DataArray::new(
        ["y", "x"],
        ndarray::arr2(&[[-1.0, 0.0, 3.0], [-2.0, 0.5, 1.0]]),
    )
    .unwrap()
    .with_name("anomaly");
    let image = pixels(&anomaly.plot().unwrap());
    let (left, right) = plot_box(&image, image.1 / 2);
    // Zero is the middle of RdBu_r (near white); the cell with 0 is the bottom middle
    // one (y has no coordinate: positions, increasing upwards).
    let zero = at(&image, left + (right - left) / 2, image.1 * 2 / 3);
    assert!(
        zero[0] > 240 && zero[1] > 240 && zero[2] > 240,
        "zero is white: {zero:?}"
    );
    let svg = svg_of(&anomaly.plot_with(Plot::auto().format(Format::Svg)).unwrap());
    // Symmetric limits: -3 and 3 both label the colour bar.
    assert!(svg.contains("<title>−3</title>"), "matplotlib's minus sign");
    assert!(svg.contains("<title>3</title>"));

    let mut values = ndarray::Array2::from_shape_fn((10, 10), |(i, j)| (i * 10 + j) as f64);
    values[[0, 0]] = 1e6;
    let spiky = DataArray::new(["y", "x"], values)
        .unwrap()
        .with_name("spiky");
    let plain = svg_of(&spiky.plot_with(Plot::auto().format(Format::Svg)).unwrap());
    let robust = svg_of(
        &spiky
            .plot_with(Plot::auto().robust(true).format(Format::Svg))
            .unwrap(),
    );
    assert!(
        plain.contains("<title>1e+06</title>") || plain.contains("<title>1</title>"),
        "the outlier sets the plain scale"
    );
    let titles: Vec<&str> = robust
        .split("<title>")
        .skip(1)
        .map(|t| t.split("</title>").next().unwrap())
        .collect();
    assert!(
        robust.contains("<title>80</title>") && !robust.contains("1e+06"),
        "robust limits are the 2nd-98th percentiles: {titles:?}"
    );
}

#[test]
fn svg_text_is_outlines_with_the_labels_from_attributes() {
    let _options = serial();
    let figure = field()
        .plot_with(Plot::pcolormesh().format(Format::Svg))
        .unwrap();
    assert_eq!(figure.format(), Format::Svg);
    let svg = svg_of(&figure);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(
        !svg.contains("<text"),
        "no text elements: no font needed to view it"
    );
    for label in ["Air temperature [K]", "lat", "lon", "70", "210"] {
        assert!(svg.contains(&format!("<title>{label}</title>")), "{label}");
    }
    assert_eq!(
        svg.matches("<image").count(),
        2,
        "the mesh and the colour bar"
    );
    let bundle = figure.repr();
    assert_eq!(bundle.plain(), "<Figure size 640x480 with 2 Axes>");
    assert!(bundle.get("image/svg+xml").is_some() && bundle.get("image/png").is_none());
}

#[test]
fn time_axes_read_as_dates_and_lines_take_hue() {
    let _options = serial();
    let times: Vec<DateTime64> = (0..24)
        .map(|m| DateTime64::from_ymd(2013 + m / 12, u32::try_from(m % 12).unwrap() + 1, 1))
        .collect();
    let values =
        ndarray::Array2::from_shape_fn((24, 2), |(t, s)| (t as f64 / 3.0).sin() + s as f64);
    let series = DataArray::new(["time", "station"], values)
        .unwrap()
        .assign_coords("time", times)
        .unwrap()
        .assign_coords("station", vec!["Brest".to_owned(), "Lille".to_owned()])
        .unwrap()
        .with_name("t2m");
    let error = series.plot_with(Plot::line()).unwrap_err().to_string();
    assert!(error.contains("needs hue, x or y"), "{error}");
    let figure = series
        .plot_with(Plot::line().hue("station").format(Format::Svg))
        .unwrap();
    assert_eq!(figure.kind(), Kind::Line);
    let svg = svg_of(&figure);
    for label in [
        "2013-01",
        "2013-07",
        "2014-01",
        "station = 'Brest'",
        "station = 'Lille'",
        "time",
    ] {
        assert!(svg.contains(&format!("<title>{label}</title>")), "{label}");
    }
}

#[test]
fn facets_size_and_options() {
    let _options = serial();
    let stack = DataArray::concat(&[&field(), &field(), &field()], "time").unwrap();
    let figure = stack
        .plot_with(Plot::pcolormesh().col("time").col_wrap(2))
        .unwrap();
    // xarray's FacetGrid: 3 inches a panel, 2 columns and a colour bar, 2 rows.
    assert_eq!((figure.width(), figure.height()), (700, 600));
    assert_eq!(figure.repr().plain(), "<Figure size 700x600 with 4 Axes>");
    let small = field()
        .plot_with(Plot::auto().size(4.0, 3.0).dpi(50.0))
        .unwrap();
    assert_eq!((small.width(), small.height()), (200, 150));
    // Kernel-wide defaults, as matplotlib's rcParams; a plot's own choice wins.
    set_options(|o| {
        o.plot_size = (8.0, 4.0);
        o.plot_format = Format::Svg;
    });
    let default = field().plot().unwrap();
    let own = field().plot_with(Plot::auto().format(Format::Png)).unwrap();
    set_options(|o| {
        *o = Options {
            memory_budget: o.memory_budget,
            chunk_cache: o.chunk_cache,
            ..Options::default()
        }
    });
    assert_eq!(
        (default.width(), default.height(), default.format()),
        (800, 400, Format::Svg)
    );
    assert_eq!(own.format(), Format::Png);
    // More than two dimensions: a histogram; one: a line.
    assert_eq!(stack.plot().unwrap().kind(), Kind::Hist);
    assert_eq!(
        field().isel("lat", 0).unwrap().plot().unwrap().kind(),
        Kind::Line
    );
}

#[test]
fn bad_arguments_are_errors_that_name_them() {
    let _options = serial();
    let f = field();
    let message = |r: Result<Figure, rangeo::Error>| r.unwrap_err().to_string();
    assert!(message(f.plot_with(Plot::line().hue("height"))).contains("no dimension `height`"));
    assert!(message(f.plot_with(Plot::auto().col("depth"))).contains("no dimension `depth`"));
    assert!(message(f.plot_with(Plot::auto().cmap("jet"))).contains("unknown colormap `jet`"));
    assert!(message(f.plot_with(Plot::auto().size(-1.0, 3.0))).contains("positive size"));
    assert!(message(f.plot_with(Plot::auto().size(1000.0, 1000.0))).contains("too large"));
    assert!(
        message(f.plot_with(Plot::auto().vmin(5.0).vmax(1.0)))
            .contains("vmin (5) is above vmax (1)")
    );
    let stack = DataArray::concat(&[&f, &f], "time").unwrap();
    assert!(
        message(stack.plot_with(Plot::pcolormesh()))
            .contains("pcolormesh plots are for 2-dimensional arrays; this one has 3")
    );
    assert!(
        message(stack.plot_with(Plot::line()))
            .contains("line plots are for 1- or 2-dimensional arrays")
    );
    let names = DataArray::new(["x"], vec!["a".to_owned(), "b".to_owned()])
        .unwrap()
        .with_name("names");
    assert!(message(names.plot()).contains("cannot plot `names`: its values are"));
    let ds = Dataset::new().assign("air", f.clone()).unwrap();
    assert!(message(ds.plot_with(Plot::scatter().x("air"))).contains("needs both variables"));
    assert!(message(ds.plot_with(Plot::scatter().x("air").y("rh"))).contains("rh"));
    let missing = std::env::temp_dir()
        .join("rangeo-no-such-dir")
        .join("plot.png");
    let error = f.plot().unwrap().save(&missing).unwrap_err().to_string();
    assert!(
        error.contains("cannot save the figure to") && error.contains("rangeo-no-such-dir"),
        "{error}"
    );
}

#[test]
fn a_dataset_scatters_two_variables_and_figures_save_whole() {
    let _options = serial();
    let f = field();
    let ds = Dataset::new()
        .assign("air", f.clone())
        .unwrap()
        .assign("twice", (&f * 2.0).with_name("twice"))
        .unwrap();
    let figure = ds.plot_with(Plot::scatter().x("air").y("twice")).unwrap();
    assert_eq!(figure.kind(), Kind::Scatter);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scatter.png");
    figure.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), figure.bytes());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}
