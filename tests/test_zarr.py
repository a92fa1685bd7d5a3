"""Zarr in a notebook: a cell opens a store that xarray wrote (the fresh fixtures of
tests/reference/make_zarr.py, which the test command makes) and computes on it lazily; a
store that is not there fails that cell with a message naming it, and every variable
defined before survives."""

import pathlib

import pytest

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
