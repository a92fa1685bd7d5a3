//! Zarr stores read from an S3-compatible server that the test starts on 127.0.0.1
//! (moto's server mode, `tests/servers/s3.py`, run by the test environment's `.venv`),
//! which checks credentials: the fresh fixtures of `tests/reference/make_zarr.py`
//! uploaded under a prefix of a bucket. What comes from S3 must equal what the same
//! store gives from disk, listing included (v3 without consolidated metadata); wrong
//! credentials and a missing store are clear errors.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use rangeo::array::Dataset;
use rangeo::io::{OpenOptions, open_zarr};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> PathBuf {
    std::env::var_os("RANGEO_FRESH_ZARR")
        .map_or_else(|| root().join("build/reference/zarr"), PathBuf::from)
}

/// The S3 server, stopped on drop, and how to reach it.
struct Server {
    child: Child,
    config: Value,
}

impl Server {
    fn start(directory: &std::path::Path) -> Self {
        let python = std::env::var_os("RANGEO_PYTHON")
            .map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
        let mut child = Command::new(&python)
            .arg(root().join("tests/servers/s3.py"))
            .arg(directory)
            .args(["rangeo-test", "stores"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the S3 server with {}: {e} (scripts/test.sh makes .venv)",
                    python.display()
                )
            });
        // moto says it is starting; the server's JSON line follows when it is ready.
        let line = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map(Result::unwrap)
            .find(|line| line.starts_with('{'))
            .expect("the S3 server did not start");
        let config = serde_json::from_str(&line).expect("the server's settings as JSON");
        Self { child, config }
    }

    /// Options that reach the server with `secret` as the secret key.
    fn options(&self, secret: &str) -> OpenOptions {
        let get = |key: &str| self.config[key].as_str().unwrap().to_owned();
        OpenOptions::new()
            .storage_option("aws_endpoint", &get("endpoint"))
            .storage_option("aws_region", &get("region"))
            .storage_option("aws_access_key_id", &get("access_key_id"))
            .storage_option("aws_secret_access_key", secret)
            .storage_option("aws_allow_http", "true")
    }

    fn secret(&self) -> String {
        self.config["secret_access_key"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn same(remote: &Dataset, local: &Dataset) {
    assert_eq!(remote.sizes(), local.sizes());
    assert_eq!(remote.attrs(), local.attrs());
    for name in [
        "t2m",
        "precip",
        "station_count",
        "land",
        "time",
        "lat",
        "lon",
    ] {
        let (r, l) = (remote.get(name).unwrap(), local.get(name).unwrap());
        assert_eq!(r.attrs(), l.attrs(), "{name}: attrs");
        let values = |a: &rangeo::array::DataArray| {
            format!("{:?}", a.compute().unwrap().variable().to_values().unwrap())
        };
        assert_eq!(values(&r), values(&l), "{name}: values");
    }
}

#[test]
fn stores_in_s3_read_as_from_disk_and_bad_credentials_are_clear_errors() {
    let fixtures = fixtures();
    assert!(
        fixtures.join("manifest.json").exists(),
        "no fixtures in {}; make them with `.venv/bin/python tests/reference/make_zarr.py`",
        fixtures.display()
    );
    let server = Server::start(&fixtures.join("datasets"));
    let options = server.options(&server.secret());
    for store in ["cf_v2.zarr", "cf_v3.zarr"] {
        let url = format!("s3://rangeo-test/stores/{store}");
        let remote = options
            .open_zarr(&url)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let local = open_zarr(fixtures.join("datasets").join(store).to_str().unwrap()).unwrap();
        same(&remote, &local);
    }

    let url = "s3://rangeo-test/stores/cf_v3.zarr";
    let error = server
        .options("not-the-secret")
        .open_zarr(url)
        .unwrap_err()
        .to_string();
    assert!(error.contains(url), "{error}");
    assert!(
        error.contains("403") || error.contains("Signature"),
        "{error}"
    );

    let missing = "s3://rangeo-test/stores/nothing_here.zarr";
    let error = options.open_zarr(missing).unwrap_err().to_string();
    assert!(
        error.contains(missing) && error.contains("no Zarr group"),
        "{error}"
    );
}
