//! Zarr stores read from real servers that the tests start on 127.0.0.1 with the test
//! environment's `.venv`, serving the fresh fixtures of `tests/reference/make_zarr.py`:
//! tornado's static file server (`tests/servers/static_http.py`) for HTTP, and moto's
//! S3 server, which checks credentials (`tests/servers/s3.py`). What comes from a server
//! must equal what the same store gives from disk; what rangeo writes to S3 (and appends,
//! listing the store) must read back as written; a missing store, an unlistable store
//! without consolidated metadata and wrong credentials are clear errors.

use crate::support::files;
use crate::support::servers;
use crate::support::shared;
use crate::support::values;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use rangeo::array::Dataset;
use rangeo::io::stac::open_asset;
use rangeo::io::{OpenOptions, WriteOptions, open_zarr};
use serde_json::Value;
use servers::{Server, http_server};
use values::{computed, same};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fresh fixtures: `RANGEO_FRESH_ZARR` or `build/reference/zarr`.
fn fixtures() -> PathBuf {
    let fixtures = std::env::var_os("RANGEO_FRESH_ZARR")
        .map_or_else(|| root().join("build/reference/zarr"), PathBuf::from);
    assert!(
        fixtures.join("manifest.json").exists(),
        "no fixtures in {}; make them with `.venv/bin/python tests/reference/make_zarr.py`",
        fixtures.display()
    );
    fixtures
}

/// Whether `remote` holds what `local` does: sizes, attributes, and every variable's
/// attributes and values.
fn same_dataset(remote: &Dataset, local: &Dataset) {
    assert_eq!(remote.sizes(), local.sizes());
    assert_eq!(remote.attrs(), local.attrs());
    for name in [
        "t2m",
        "precip",
        "station_count",
        "land",
        "height",
        "time",
        "lat",
        "lon",
    ] {
        let (r, l) = (remote.get(name).unwrap(), local.get(name).unwrap());
        assert_eq!(r.is_lazy(), l.is_lazy(), "{name}: lazy");
        assert_eq!(r.attrs(), l.attrs(), "{name}: attrs");
        assert!(same(&computed(&r), &computed(&l)), "{name}: values");
    }
}

fn local(store: &str) -> Dataset {
    open_zarr(fixtures().join("datasets").join(store).to_str().unwrap()).unwrap()
}

#[test]
fn a_store_over_http_reads_as_it_does_from_disk() {
    let (_server, port) = http_server(&fixtures());
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    // v2 with consolidated metadata needs no listing, which plain HTTP cannot do.
    let remote = open_zarr(&url("datasets/cf_v2.zarr")).unwrap();
    same_dataset(&remote, &local("cf_v2.zarr"));

    let missing = url("datasets/nothing_here.zarr");
    let error = open_zarr(&missing).unwrap_err().to_string();
    assert!(
        error.contains(&missing) && error.contains("no Zarr group"),
        "{error}"
    );
    // v3 without consolidated metadata needs a listing that HTTP servers do not give.
    let unlisted = url("datasets/cf_v3.zarr");
    let error = open_zarr(&unlisted).unwrap_err().to_string();
    assert!(
        error.contains(&unlisted) && error.contains("list"),
        "{error}"
    );
}

/// A STAC asset as a catalog or API gives it.
fn asset(fields: Value) -> stac::Asset {
    serde_json::from_value(fields).unwrap()
}

#[test]
fn zarr_assets_of_stac_items_open_as_their_stores_do() {
    let (_server, port) = http_server(&fixtures());
    let href = format!("http://127.0.0.1:{port}/datasets/cf_v2.zarr");
    // As the Planetary Computer describes its Zarr assets (the xarray-assets extension).
    let zarr = asset(serde_json::json!({
        "href": href, "type": "application/vnd+zarr", "roles": ["data", "zarr-consolidated-metadata"],
        "xarray:open_kwargs": {"consolidated": true, "chunks": {}, "engine": "zarr"},
    }));
    same_dataset(&open_asset(&zarr).unwrap(), &local("cf_v2.zarr"));
    // Open kwargs reach the decoding: the stored integers, as xarray gives them.
    let raw = asset(serde_json::json!({
        "href": href, "type": "application/vnd.zarr",
        "xarray:open_kwargs": {"mask_and_scale": false},
    }));
    let want = OpenOptions::new()
        .mask_and_scale(false)
        .open_zarr(fixtures().join("datasets/cf_v2.zarr").to_str().unwrap())
        .unwrap();
    same_dataset(&open_asset(&raw).unwrap(), &want);
    // Without a media type, the href's extension tells.
    let bare = asset(serde_json::json!({"href": href}));
    same_dataset(&open_asset(&bare).unwrap(), &local("cf_v2.zarr"));

    let error = |fields: Value| open_asset(&asset(fields)).unwrap_err().to_string();
    let why = error(
        serde_json::json!({"href": format!("http://127.0.0.1:{port}/B04.tif"), "type": "image/tiff; application=geotiff"}),
    );
    assert!(
        why.contains("B04.tif") && why.contains("image/tiff") && why.contains("stack"),
        "{why}"
    );
    let gone = format!("http://127.0.0.1:{port}/datasets/gone.zarr");
    let why = error(serde_json::json!({"href": gone, "type": "application/vnd+zarr"}));
    assert!(
        why.contains(&gone) && why.contains("no Zarr group"),
        "{why}"
    );
    let why = error(
        serde_json::json!({"href": href, "type": "application/vnd+zarr", "xarray:open_kwargs": {"group": "a"}}),
    );
    assert!(why.contains("`group`") && why.contains(&href), "{why}");
    let why = error(
        serde_json::json!({"href": href, "type": "application/vnd+zarr", "xarray:open_kwargs": {"decode_times": "no"}}),
    );
    assert!(
        why.contains("`decode_times` must be true or false"),
        "{why}"
    );

    // A netCDF asset opens as open_dataset opens the file.
    if let Some(cf) = shared::shared("zarr-generated/cf") {
        let path = cf.join("cf.nc").to_str().unwrap().to_owned();
        let nc = asset(serde_json::json!({"href": path, "type": "application/netcdf"}));
        let (got, want) = (
            open_asset(&nc).unwrap(),
            rangeo::io::open_dataset(&path).unwrap(),
        );
        assert_eq!(got.sizes(), want.sizes());
        assert_eq!(got.attrs(), want.attrs());
        for name in want.data_vars() {
            let (mine, theirs) = (got.get(name).unwrap(), want.get(name).unwrap());
            assert!(same(&computed(&mine), &computed(&theirs)), "{name}: values");
        }
    }
}

#[test]
fn the_chunk_cache_reads_a_remote_store_again_without_the_server() {
    // A copy of the store is served, read once with the cache on, then its chunks are
    // deleted on the server: read again, the chunks come from the cache.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cf_v2.zarr");
    files::copy_dir(&fixtures().join("datasets/cf_v2.zarr"), &store);
    let (_server, port) = http_server(dir.path());
    let url = format!("http://127.0.0.1:{port}/cf_v2.zarr");
    rangeo::session::set_options(|o| o.chunk_cache = 64 << 20);
    let first = open_zarr(&url).unwrap();
    same_dataset(&first, &local("cf_v2.zarr"));
    assert!(rangeo::io::chunk_cache_bytes() > 0);
    for variable in std::fs::read_dir(&store).unwrap() {
        let variable = variable.unwrap().path();
        if variable.is_dir() {
            for chunk in std::fs::read_dir(&variable).unwrap() {
                let chunk = chunk.unwrap().path();
                if !chunk
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with('.')
                {
                    std::fs::remove_file(chunk).unwrap();
                }
            }
        }
    }
    same_dataset(&open_zarr(&url).unwrap(), &local("cf_v2.zarr"));
    // Without the cache (a size of 0 empties it), the missing chunks read as the fill
    // value.
    rangeo::session::set_options(|o| o.chunk_cache = 0);
    let emptied = open_zarr(&url).unwrap();
    let t2m = emptied
        .get("t2m")
        .unwrap()
        .astype(rangeo::array::DType::Float64)
        .unwrap();
    let t2m = computed(&t2m);
    assert!(t2m.array::<f64>().unwrap().iter().all(|x| x.is_nan()));
    assert_eq!(rangeo::io::chunk_cache_bytes(), 0);
}

#[test]
fn stores_in_s3_read_and_write_as_on_disk_and_bad_credentials_are_clear_errors() {
    let datasets = fixtures().join("datasets");
    let mut server = Server::start(
        "s3.py",
        &[
            datasets.as_os_str(),
            "rangeo-test".as_ref(),
            "stores".as_ref(),
        ],
    );
    // moto says it is starting; the server's JSON line follows when it is ready.
    let line = BufReader::new(server.0.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find(|line| line.starts_with('{'))
        .expect("the S3 server did not start");
    let config: Value = serde_json::from_str(&line).expect("the server's settings as JSON");
    let get = |key: &str| config[key].as_str().unwrap().to_owned();
    let settings = |key: &str, secret: &str| {
        [
            ("aws_endpoint", get("endpoint")),
            ("aws_region", get("region")),
            ("aws_access_key_id", key.to_owned()),
            ("aws_secret_access_key", secret.to_owned()),
            ("aws_allow_http", "true".to_owned()),
        ]
    };
    let options = |secret: &str| {
        settings(&get("access_key_id"), secret)
            .iter()
            .fold(OpenOptions::new(), |o, (k, v)| o.storage_option(k, v))
    };
    let writer_as = |key: &str, secret: &str| {
        settings(key, secret)
            .iter()
            .fold(WriteOptions::new(), |o, (k, v)| o.storage_option(k, v))
    };
    let writer = |secret: &str| writer_as(&get("access_key_id"), secret);
    let reader = options(&get("secret_access_key"));
    for store in ["cf_v2.zarr", "cf_v3.zarr"] {
        let url = format!("s3://rangeo-test/stores/{store}");
        let remote = reader
            .open_zarr(&url)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        same_dataset(&remote, &local(store));
    }

    let url = "s3://rangeo-test/stores/cf_v3.zarr";
    let error = options("not-the-secret")
        .open_zarr(url)
        .unwrap_err()
        .to_string();
    assert!(error.contains(url), "{error}");
    assert!(
        error.contains("403") || error.contains("Signature"),
        "{error}"
    );

    // Written by rangeo, appended to (which lists the v3 store, as it has no
    // consolidated metadata), and read back.
    let secret = get("secret_access_key");
    let cf = local("cf_v3.zarr");
    for format in [2, 3] {
        let url = format!("s3://rangeo-test/written/cf_v{format}.zarr");
        writer(&secret)
            .zarr_format(format)
            .consolidated(format == 2)
            .to_zarr(&cf.isel("time", 0..7).unwrap(), &url)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        writer(&secret)
            .append_dim("time")
            .consolidated(format == 2)
            .to_zarr(&cf.isel("time", 7..12).unwrap(), &url)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        same_dataset(&reader.open_zarr(&url).unwrap(), &cf);
    }
    let denied = "s3://rangeo-test/written/denied.zarr";
    let error = writer("not-the-secret")
        .to_zarr(&cf, denied)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(denied) && (error.contains("403") || error.contains("Signature")),
        "{error}"
    );

    // A key that may read but not write: the refused PUT names the store and the key.
    let viewer = writer_as(&get("viewer_key_id"), &get("viewer_secret_key"));
    let read_only = "s3://rangeo-test/written/read_only.zarr";
    let error = viewer.to_zarr(&cf, read_only).unwrap_err().to_string();
    assert!(
        error.contains(read_only) && error.contains("403") && error.contains("AccessDenied"),
        "{error}"
    );

    let missing = "s3://rangeo-test/stores/nothing_here.zarr";
    let error = reader.open_zarr(missing).unwrap_err().to_string();
    assert!(
        error.contains(missing) && error.contains("no Zarr group"),
        "{error}"
    );
}
