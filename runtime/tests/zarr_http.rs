//! Zarr stores read over HTTP from a real server that the test starts on 127.0.0.1:
//! tornado's static file server (`tests/servers/static_http.py`, run by the test
//! environment's `.venv`), serving the fresh fixtures of `tests/reference/make_zarr.py`. What comes over HTTP must equal what
//! the same store gives from disk; a missing store and an unlistable store without
//! consolidated metadata are clear errors.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rangeo::array::DataArray;
use rangeo::io::open_zarr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> PathBuf {
    std::env::var_os("RANGEO_FRESH_ZARR")
        .map_or_else(|| root().join("build/reference/zarr"), PathBuf::from)
}

/// `tests/servers/static_http.py` on a free port of 127.0.0.1, stopped on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(directory: &std::path::Path) -> Self {
        let python = std::env::var_os("RANGEO_PYTHON")
            .map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&python)
            .arg(root().join("tests/servers/static_http.py"))
            .arg(directory)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the HTTP server with {}: {e} (scripts/test.sh makes .venv)",
                    python.display()
                )
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the HTTP server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn computed(array: &DataArray) -> rangeo::array::Values {
    array
        .compute()
        .unwrap()
        .variable()
        .to_values()
        .unwrap()
        .into_owned()
}

#[test]
fn a_store_over_http_reads_as_it_does_from_disk() {
    let fixtures = fixtures();
    assert!(
        fixtures.join("manifest.json").exists(),
        "no fixtures in {}; make them with `.venv/bin/python tests/reference/make_zarr.py`",
        fixtures.display()
    );
    let server = Server::start(&fixtures);
    // v2 with consolidated metadata needs no listing, which plain HTTP cannot do.
    let url = server.url("datasets/cf_v2.zarr");
    let remote = open_zarr(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let local = open_zarr(fixtures.join("datasets/cf_v2.zarr").to_str().unwrap()).unwrap();
    assert_eq!(remote.sizes(), local.sizes());
    assert_eq!(remote.attrs(), local.attrs());
    for name in ["t2m", "precip", "station_count", "land"] {
        let (r, l) = (remote.get(name).unwrap(), local.get(name).unwrap());
        assert!(r.is_lazy(), "{name} is read lazily");
        assert_eq!(r.attrs(), l.attrs(), "{name}: attrs");
        let names: Vec<&str> = r.coords().names().collect();
        assert_eq!(
            names,
            l.coords().names().collect::<Vec<_>>(),
            "{name}: coords"
        );
        for coord in names {
            let (rc, lc) = (r.coord(coord).unwrap(), l.coord(coord).unwrap());
            assert_eq!(
                format!("{:?}", computed(&rc)),
                format!("{:?}", computed(&lc))
            );
        }
        let (r, l) = (computed(&r), computed(&l));
        assert_eq!(format!("{r:?}"), format!("{l:?}"), "{name}: values");
    }

    // A store that is not there.
    let missing = server.url("datasets/nothing_here.zarr");
    let error = open_zarr(&missing).unwrap_err().to_string();
    assert!(
        error.contains(&missing) && error.contains("no Zarr group"),
        "{error}"
    );
    // v3 without consolidated metadata needs a listing that HTTP servers do not give.
    let unlisted = server.url("datasets/cf_v3.zarr");
    let error = open_zarr(&unlisted).unwrap_err().to_string();
    assert!(
        error.contains(&unlisted) && error.contains("list"),
        "{error}"
    );
}
