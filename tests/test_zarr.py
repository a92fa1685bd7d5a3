"""Zarr and netCDF in a notebook: a cell opens a store that xarray wrote (the fresh
fixtures of tests/reference/make_zarr.py, which the test command makes) and computes on
it lazily; a cell writes a store that xarray then reads; a cell opens a netCDF file; a
store or file that is not there, or a write that is refused, fails that cell with a
message naming it, and every variable defined before survives."""

import pathlib

import numpy as np
import pytest
import xarray as xr

from conftest import evaluate, run, start_kernel

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "build" / "reference" / "zarr"


@pytest.fixture(scope="module")
def kernel():
    if not (FIXTURES / "manifest.json").exists():
        pytest.fail(f"no fixtures in {FIXTURES}; make them with .venv/bin/python tests/reference/make_zarr.py")
    km, kc = start_kernel()
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_a_store_opens_lazily_and_a_missing_one_fails_only_its_cell(kernel):
    _, kc = kernel
    store = FIXTURES / "datasets" / "cf_v2.zarr"
    reply, _ = run(kc, f'let kept = 7;\nlet ds = open_zarr("{store}")?;')
    assert reply["status"] == "ok", reply
    assert evaluate(kc, 'ds.get("t2m")?.is_lazy()') == "true"
    assert evaluate(kc, 'ds.get("t2m")?.mean("time")?.compute()?.shape().to_vec()') == "[5, 6]"

    missing = "/nonexistent/stores/era5.zarr"
    reply, _ = run(kc, f'let bad = open_zarr("{missing}")?;')
    assert reply["status"] == "error", reply
    assert missing in reply["evalue"], reply["evalue"]
    assert evaluate(kc, "kept") == "7"
    assert evaluate(kc, "ds.sizes().len()") == "3"


def test_a_cell_writes_a_store_that_xarray_reads(kernel, tmp_path):
    _, kc = kernel
    source = FIXTURES / "datasets" / "cf_v3.zarr"
    target = tmp_path / "anomaly.zarr"
    code = (
        f'let cf = open_zarr("{source}")?;\n'
        'let t2m = cf.get("t2m")?;\n'
        'let anomaly = (&t2m - &t2m.mean("time")?).with_name("anomaly");\n'
        f'anomaly.to_zarr("{target}")?;'
    )
    reply, _ = run(kc, code)
    assert reply["status"] == "ok", reply
    written = xr.open_zarr(target)
    source_ds = xr.open_zarr(source, consolidated=False)
    want = source_ds.t2m - source_ds.t2m.mean("time")
    np.testing.assert_allclose(written.anomaly.values, want.values, rtol=0, atol=1e-12)
    assert list(written.anomaly.dims) == ["time", "lat", "lon"]
    np.testing.assert_array_equal(written.time.values, source_ds.time.values)

    # Writing again is refused, naming the store; the cell's variables are kept.
    reply, _ = run(kc, f'anomaly.to_zarr("{target}")?;')
    assert reply["status"] == "error", reply
    assert str(target) in reply["evalue"] and "already exists" in reply["evalue"], reply["evalue"]
    assert evaluate(kc, "anomaly.shape().to_vec()") == "[12, 5, 6]"


def test_a_cell_opens_a_netcdf_file(kernel):
    _, kc = kernel
    path = FIXTURES / "netcdf" / "cf_nc4.nc"
    reply, _ = run(kc, f'let nc = open_dataset("{path}")?;')
    assert reply["status"] == "ok", reply
    with xr.open_dataset(path) as ds:
        want = float(ds.t2m.mean())
    got = float(evaluate(kc, 'nc.get("t2m")?.mean(["time", "lat", "lon"])?.compute()?.item::<f32>()?'))
    assert abs(got - want) < 1e-3, (got, want)
    reply, _ = run(kc, 'let missing = open_dataset("/nonexistent/file.nc")?;')
    assert reply["status"] == "error" and "/nonexistent/file.nc" in reply["evalue"], reply
