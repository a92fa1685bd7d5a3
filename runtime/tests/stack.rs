//! STAC items stacked into `(time, band, y, x)` cubes, read over HTTP from a server on
//! 127.0.0.1 (`tests/servers/static_http.py`) that serves the items and COGs of
//! `tests/reference/make_stack.py`, compared with the cubes rasterio makes of the same
//! items on the same grid (`rasterio.warp.reproject`, nodata to NaN, scale and offset,
//! first valid value of a group winning).

use crate::support::files::stack_fixtures as fixtures;
use crate::support::npy;
use crate::support::servers;
use crate::support::values;

use rangeo::array::Values;
use rangeo::prelude::*;
use serde_json::Value;
use servers::http_server;
use values::computed;

fn cubes() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("expected/cubes.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn f64s(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn strings(array: &DataArray) -> Vec<String> {
    computed(array)
        .into_array::<String>()
        .unwrap()
        .into_iter()
        .collect()
}

/// Every element within `tolerance`, NaN exactly where the reference has NaN.
fn check_values(name: &str, got: &Values, want: &Values, tolerance: f64) {
    assert_eq!(got.shape(), want.shape(), "{name}: shape");
    let (got, want) = (got.array::<f64>().unwrap(), want.array::<f64>().unwrap());
    let mut worst = 0.0_f64;
    for ((index, g), w) in got.indexed_iter().zip(want) {
        assert_eq!(
            g.is_nan(),
            w.is_nan(),
            "{name} at {index:?}: {g} where rasterio has {w}"
        );
        if !w.is_nan() {
            worst = worst.max((g - w).abs());
        }
    }
    assert!(
        worst <= tolerance,
        "{name}: values differ from rasterio's by up to {worst}"
    );
}

#[test]
fn items_over_http_stack_to_the_cubes_rasterio_makes() {
    let (_server, port) = http_server(&fixtures());
    let open = |name: &str| {
        ItemCollection::open(&format!("http://127.0.0.1:{port}/items/{name}")).unwrap()
    };
    assert_eq!(open("items.json").len(), 4);
    assert_eq!(open("mixed.json").len(), 5);
    for spec in cubes() {
        let name = spec["name"].as_str().unwrap();
        let items = open(spec["items"].as_str().unwrap());
        let epsg = spec["epsg"].as_u64().unwrap();
        // rasterio reprojected every pixel centre exactly (see make_stack.py).
        let mut options = Stack::new()
            .resolution(spec["resolution"].as_f64().unwrap())
            .tolerance(0.0)
            .chunks(100)
            .assets(["red", "nir", "swir16"]);
        if spec["bounds_given"].as_bool().unwrap() {
            let b = f64s(&spec["bounds"]);
            options = options.bounds([b[0], b[1], b[2], b[3]]);
        }
        if spec["resampling"] == "bilinear" {
            options = options.resampling(Resampling::Bilinear);
        }
        if spec["epsg_given"].as_bool().unwrap() {
            options = options.epsg(u32::try_from(epsg).unwrap());
        }
        if spec["group_by_solar_day"].as_bool().unwrap() {
            options = options.group_by(GroupBy::SolarDay);
        }
        let cube = items.stack(options).unwrap();
        assert!(cube.is_lazy(), "{name}: lazy");
        assert_eq!(cube.dims(), ["time", "band", "y", "x"], "{name}");
        let shape: Vec<usize> = spec["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| usize::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(cube.shape(), shape, "{name}: shape");
        for axis in ["x", "y"] {
            let coord = computed(&cube.coord(axis).unwrap());
            let coord = coord.array::<f64>().unwrap();
            let want = f64s(&spec[axis]);
            assert!(
                (coord[0] - want[0]).abs() < 1e-6
                    && (coord[coord.len() - 1] - want[1]).abs() < 1e-6,
                "{name}: {axis} runs {}..{}, not {want:?}",
                coord[0],
                coord[coord.len() - 1]
            );
        }
        let times: Vec<String> = computed(&cube.coord("time").unwrap())
            .into_array::<DateTime64>()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        let want_times: Vec<&str> = spec["time"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(times, want_times, "{name}: time");
        assert_eq!(
            strings(&cube.coord("band").unwrap()),
            ["red", "nir", "swir16"],
            "{name}: bands"
        );
        assert_eq!(cube.attrs()["crs"], format!("EPSG:{epsg}"), "{name}: crs");
        let want = npy::read(
            &fixtures()
                .join("expected")
                .join(spec["values"].as_str().unwrap()),
        );
        // Nearest copies values through the same arithmetic; bilinear sums in another
        // order than GDAL.
        let tolerance = if spec["resampling"] == "bilinear" {
            1e-9
        } else {
            0.0
        };
        check_values(name, &computed(&cube), &want, tolerance);
    }
}

#[test]
fn stacking_errors_name_what_is_wrong() {
    let (_server, port) = http_server(&fixtures());
    let url = format!("http://127.0.0.1:{port}/items/items.json");
    let items = ItemCollection::open(&url).unwrap();
    let error = |options: Stack| items.stack(options).unwrap_err().to_string();

    let why = error(Stack::new());
    assert!(
        why.contains("10, 20") && why.contains(".resolution("),
        "{why}"
    );
    let why = error(Stack::new().assets(["red", "B99"]).resolution(10.0));
    assert!(why.contains("`B99`") && why.contains("`red`"), "{why}");
    let why = error(Stack::new().resolution(10.0).chunks(0));
    assert!(why.contains("chunks"), "{why}");
    let why = error(Stack::new().resolution(-1.0));
    assert!(why.contains("resolution"), "{why}");
    let why = error(Stack::new().resolution(10.0).tolerance(f64::NAN));
    assert!(why.contains("tolerance"), "{why}");
    let why = error(Stack::new().resolution(10.0).bounds([5.0, 0.0, 1.0, 1.0]));
    assert!(why.contains("west, south, east, north"), "{why}");
    // Items in two CRSs need one chosen; a CRS no asset is in needs a resolution; a
    // code that is no CRS is named with the asset it would reproject.
    let mixed = ItemCollection::open(&url.replace("items.json", "mixed.json")).unwrap();
    let why = mixed
        .stack(Stack::new().resolution(10.0))
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("EPSG:32631, EPSG:32632") && why.contains(".epsg("),
        "{why}"
    );
    let why = error(Stack::new().epsg(3035));
    assert!(
        why.contains("no asset is in EPSG:3035") && why.contains(".resolution("),
        "{why}"
    );
    let why = error(Stack::new().resolution(10.0).epsg(99_999));
    assert!(
        why.contains("EPSG:99999") && why.contains("of item `S2A_31UDQ_20190105_0`"),
        "{why}"
    );
    let empty =
        ItemCollection::from_geojson(r#"{"type": "FeatureCollection", "features": []}"#).unwrap();
    let why = empty.stack(Stack::new()).unwrap_err().to_string();
    assert!(why.contains("no items"), "{why}");

    // An asset whose file is gone fails the chunks that need it, naming it; the cube
    // was made without reading it.
    let text = items
        .to_geojson()
        .replace("S2A_31UDQ_20190105_1_nir.tif", "gone.tif");
    let broken = ItemCollection::from_geojson(&text).unwrap();
    let cube = broken
        .stack(Stack::new().assets(["nir"]).resolution(10.0))
        .unwrap();
    let why = cube.compute().unwrap_err().to_string();
    assert!(
        why.contains("asset `nir` of item `S2A_31UDQ_20190105_1`") && why.contains("gone.tif"),
        "{why}"
    );
    // The other items' chunks still compute.
    let first = cube.isel("time", 0).unwrap().compute().unwrap();
    assert!(
        !computed(&first)
            .array::<f64>()
            .unwrap()
            .iter()
            .all(|v| v.is_nan())
    );
}

#[test]
fn items_without_projection_metadata_take_the_grid_and_nodata_from_the_files() {
    let (_server, port) = http_server(&fixtures());
    let items = ItemCollection::open(&format!("http://127.0.0.1:{port}/items/items.json")).unwrap();
    // The same items with only hrefs, datetimes and bboxes: no proj:*, no raster:bands.
    let mut bare: Value = serde_json::from_str(&items.to_geojson()).unwrap();
    for feature in bare["features"].as_array_mut().unwrap() {
        let properties = feature["properties"].as_object_mut().unwrap();
        properties.retain(|k, _| !k.starts_with("proj:"));
        for asset in feature["assets"].as_object_mut().unwrap().values_mut() {
            asset
                .as_object_mut()
                .unwrap()
                .retain(|k, _| k == "href" || k == "type" || k == "roles");
        }
    }
    let bare = ItemCollection::from_geojson(&bare.to_string()).unwrap();
    let spec = &cubes()[0];
    assert_eq!(spec["name"], "native_nearest");
    let cube = bare
        .stack(
            Stack::new()
                .assets(["red", "nir", "swir16"])
                .resolution(10.0)
                .chunks(100),
        )
        .unwrap();
    assert_eq!(cube.attrs()["crs"], "EPSG:32631");
    // The files' GDAL_NODATA still masks; without raster:bands nothing is rescaled.
    let raw = computed(&cube);
    let rescaled = Values::from_array(raw.array::<f64>().unwrap().mapv(|v| v * 0.0001 - 0.1));
    let want = npy::read(&fixtures().join("expected/native_nearest.npy"));
    check_values(
        "native_nearest from the files' headers",
        &rescaled,
        &want,
        0.0,
    );
}
