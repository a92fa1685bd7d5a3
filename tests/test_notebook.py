"""Every notebook in notebooks/ runs headless through nbclient, and their outputs say what
they should. The STAC notebook searches the local API of tests/servers/stac_demo.py,
started here on free ports, and its median is checked against the cube rasterio makes of
the same items (tests/reference/make_stack.py)."""

import base64
import functools
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import warnings

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from conftest import KERNEL_NAME, free_port

ROOT = pathlib.Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The shared real data the Zarr notebook's bucket is filled from: required where
# RANGEO_REQUIRE_AIR is set (CI).
AIR = ROOT.parent / "shared" / "data" / "real" / "air_temperature.nc"
# The Zarr notebook's bucket is filled from the shared data by the test; the plots
# notebook reads the sample it ships (notebooks/data).
NEEDS_AIR = {"zarr-object-storage.ipynb"}
# The store the Zarr notebook reads from its bucket (tests/servers/s3_demo.py uploads it).
AIR_V3 = AIR.parent / "air_temperature_v3.zarr"


def needs_data(path):
    if path.name in NEEDS_AIR and not AIR.exists():
        assert "RANGEO_REQUIRE_AIR" not in os.environ, f"{AIR} is missing"
        pytest.skip(f"{AIR} is missing")


STACK = ROOT / "build" / "reference" / "stack"


@pytest.fixture(scope="module", autouse=True)
def stac_api():
    """The demo STAC API, its URL in RANGEO_STAC_API for the kernels started after it."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/servers/stac_demo.py"), str(STACK), str(free_port()), str(free_port())],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), f"the demo STAC API did not start ({process.poll()})"
    os.environ["RANGEO_STAC_API"] = url
    yield url
    del os.environ["RANGEO_STAC_API"]
    process.terminate()
    process.wait()


@pytest.fixture(scope="module", autouse=True)
def s3_demo():
    """The Zarr notebook's bucket on a local S3-compatible server, its settings in the
    environment of the kernels started after it (as a user would set them)."""
    if not AIR_V3.exists():
        yield None
        return
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/servers/s3_demo.py"), str(free_port())], stdout=subprocess.PIPE, text=True
    )
    # moto says it is starting, then the server prints its settings.
    line = ""
    while not line.startswith("{"):
        line = process.stdout.readline()
        assert line, f"the demo S3 server did not start ({process.poll()})"
    settings = json.loads(line)
    os.environ.update(settings)
    yield settings
    for key in settings:
        del os.environ[key]
    process.terminate()
    process.wait()


@functools.cache
def execute(path):
    """Runs a notebook once per test session; every test of it reads the same outputs."""
    nb = nbformat.read(path, as_version=4)
    # In the notebook's directory, as Jupyter starts its kernel: relative paths (the
    # sample in notebooks/data) resolve as they do for a user.
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=600, startup_timeout=120, resources=resources).execute()
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_outputs_are_stripped_in_git(path):
    needs_data(path)
    committed = nbformat.read(path, as_version=4)
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs must be stripped"
    nb = execute(path)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []


def outputs(nb):
    return [cell.outputs for cell in nb.cells if cell.cell_type == "code"]


def test_getting_started_outputs():
    nb = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("getting-started.ipynb")])
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [c.execution_count for c in code_cells] == list(range(1, len(code_cells) + 1))
    define, mean, table, listing, failing, survived = outputs(nb)

    assert define == []
    assert mean[0].output_type == "execute_result"
    assert mean[0].data["text/plain"] == "19.77"  # (17.8 + 22.9 + 18.6) / 3, rounded

    html = table[0].data["text/html"]
    assert table[0].data["text/plain"] == "3 stations"
    assert html.count("<tr>") == 4 and "<td>Toulouse</td>" in html

    text = "".join(o.text for o in listing if o.output_type == "stream" and o.name == "stdout")
    assert text.splitlines() == ["Brest      48.39°N  17.8°C", "Toulouse   43.60°N  22.9°C", "Lille      50.63°N  18.6°C"]
    assert all(o.output_type == "stream" for o in listing), "a unit result is not shown"

    assert len(failing) == 1 and failing[0].output_type == "error"
    assert failing[0].ename == "Error"
    assert failing[0].evalue == "invalid float literal"

    assert survived[0].data["text/plain"] == "2", "variables defined before the error survive"


def test_plots_notebook_shows_every_repr_and_plot_kind():
    from PIL import Image

    path = ROOT / "notebooks" / "air-temperature-plots.ipynb"
    needs_data(path)
    nb = execute(path)
    results = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "execute_result"]
    texts = [r.data["text/plain"] for r in results]
    htmls = [r.data.get("text/html", "") for r in results]
    # Dataset, DataArray, Variable, Coordinates and lazy reprs, in order.
    assert texts[0].startswith("<rangeo.Dataset>") and "rg-repr" in htmls[0]
    assert texts[1].startswith("<rangeo.DataArray 'air'") and "rg-repr" in htmls[1]
    assert texts[2].startswith("<rangeo.Variable") and "rg-repr" in htmls[2]
    assert texts[3].startswith("Coordinates:") and "rg-repr" in htmls[3]
    assert "rg-chunk-diagram" in htmls[4]
    figures = results[5:]
    # pcolormesh, line over time, hist, line with hue, imshow, contourf, scatter, hist,
    # anomaly, facets, SVG, wide line.
    assert len(figures) == 12
    sizes = []
    for figure in figures:
        assert figure.data["text/plain"].startswith("<Figure size ")
        if "image/png" in figure.data:
            sizes.append(Image.open(io.BytesIO(base64.b64decode(figure.data["image/png"]))).size)
        else:
            assert figure.data["image/svg+xml"].startswith("<svg")
            sizes.append("svg")
    assert sizes[0] == (640, 480) and sizes[-2] == "svg" and sizes[-1] == (800, 300)
    assert figures[9].data["text/plain"] == "<Figure size 700x600 with 5 Axes>"


def test_stac_notebook_searches_stacks_and_computes_the_median_rasterio_gives():
    from PIL import Image

    nb = execute(ROOT / "notebooks" / "stac-datacube.ipynb")
    search, stack, median, plot, summary = outputs(nb)

    # The search found the five scenes: a table and a map layer.
    result = search[-1]
    assert result.output_type == "execute_result"
    html = result.data["text/html"]
    ids = ["S2A_31UDQ_20190105_0", "S2A_31UDQ_20190105_1", "S2B_31UDQ_20190115_0", "S2B_32ULV_20190120_0",
           "S2A_31UDQ_20190125_0"]
    assert all(i in html for i in ids), html[:2000]
    layer = result.data["application/geo+json"]
    assert sorted(f["id"] for f in layer["features"]) == sorted(ids)

    # Lazy: the repr shows the grid, nothing was computed.
    text = stack[-1].data["text/plain"]
    assert "(time: 4, band: 2, y: 405, x: 552)" in text and "rangeo.lazy<stack" in text, text

    # A progress bar, ended full, then the median.
    bars = [o for o in median if o.output_type == "display_data" and o.data["text/plain"].startswith("compute ")]
    assert len(bars) == 1, [o.output_type for o in median]
    done, total = re.search(r"\] +\d+% (\d+)/(\d+)", bars[0].data["text/plain"]).groups()
    assert done == total, bars[0].data["text/plain"]
    assert "(y: 405, x: 552)" in median[-1].data["text/plain"]

    figure = Image.open(io.BytesIO(base64.b64decode(plot[-1].data["image/png"])))
    assert figure.size == (640, 480)

    # The notebook's number against numpy's over rasterio's cube (nearest, 10 m, solar
    # days). The notebook interpolates reprojected pixel centres within GDAL's 0.125
    # pixel, rasterio's reference reprojects each exactly: a few pixels may differ.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cube = numpy_cube("mixed_solar_day_nearest")
        red, nir = cube[:, 0], cube[:, 1]
        want = float(np.nanmean(np.nanmedian((nir - red) / (nir + red), axis=0)))
    printed = "".join(o.text for o in summary if o.output_type == "stream" and o.name == "stdout")
    got = float(printed.split(":")[1])
    assert abs(got - want) < 1e-5, (got, want)


def numpy_cube(name):
    specs = {c["name"]: c for c in json.loads((STACK / "expected" / "cubes.json").read_text())}
    return np.load(STACK / "expected" / specs[name]["values"])


def test_dask_example_builds_the_plan_lazily_and_computes_the_transpose_sum():
    nb = execute(ROOT / "notebooks" / "dask-accelerates-numpy.ipynb")
    x, y, total, corner, plot = outputs(nb)

    # Lazy reprs: 3.2 GB in 400 chunks, nothing computed.
    text = x[-1].data["text/plain"]
    assert text.startswith("<rangeo.DataArray (y: 20000, x: 20000)> Size: 3GB"), text
    assert "rangeo.lazy<random" in text and "chunksize=(1000, 1000), chunks=400" in text, text
    assert "rg-chunk-diagram" in x[-1].data["text/html"]
    text = y[-1].data["text/plain"]
    assert "rangeo.lazy<sub, shape=(20000, 20000)" in text, text

    # A progress bar ending full, then the total over n²: each element of y averages
    # 0.5 + 0.5 - 0.5; the mean of 4e8 uniforms is within 1e-3 of 0.5 (its standard
    # error is 1.4e-5).
    bars = [o for o in total if o.output_type == "display_data" and o.data["text/plain"].startswith("compute ")]
    assert len(bars) == 1, [o.output_type for o in total]
    done, all_ = re.search(r"\] +\d+% (\d+)/(\d+)", bars[0].data["text/plain"]).groups()
    assert done == all_, bars[0].data["text/plain"]
    assert abs(float(total[-1].data["text/plain"]) - 0.5) < 1e-3

    # y[i, j] = x[i, j] + x[j, i] - mean_y(x)[j], computed from the printed corners.
    printed = "".join(o.text for o in corner if o.output_type == "stream" and o.name == "stdout")
    rows = {line.split()[0]: json.loads(line.split(maxsplit=1)[1]) for line in printed.splitlines()}
    xs, ys, means = (np.array(rows[k]) for k in ("x", "y", "mean"))
    xs, ys = xs.reshape(3, 3), ys.reshape(3, 3)
    np.testing.assert_allclose(ys, xs + xs.T - means[None, :], rtol=0, atol=1e-12)
    assert np.all((0 <= xs) & (xs < 1)) and np.all(np.abs(means - 0.5) < 0.01)

    assert plot[-1].data["text/plain"].startswith("<Figure size 640x480 with 2 Axes>"), plot[-1].data["text/plain"]


def test_zarr_notebook_reads_the_bucket_computes_what_xarray_does_and_writes_a_store_xarray_reads(s3_demo, tmp_path):
    import boto3
    import xarray as xr
    from PIL import Image

    path = ROOT / "notebooks" / "zarr-object-storage.ipynb"
    needs_data(path)
    nb = execute(path)
    opened, series, computed, written, july = outputs(nb)

    assert opened[-1].data["text/plain"].startswith("<rangeo.Dataset>")
    assert "(time: 2920, lat: 25, lon: 53)" in opened[-1].data["text/plain"].splitlines()[1]
    assert "rangeo.lazy<" in series[-1].data["text/plain"]

    # The regional mean against xarray's on the same store, read from disk. The weights
    # are float64 here: with float32 latitudes' float32 cosines xarray also sums the
    # weights in float32, 1e-7 off. rangeo's weights are float32 too (cosines computed
    # in float64, then rounded), its sums float64: within 1e-7 of these.
    ds = xr.open_zarr(AIR_V3)
    region = ds.air.sel(lat=slice(50, 30), lon=slice(250, 270))
    want = region.weighted(np.cos(np.deg2rad(region.lat.astype("f8")))).mean(["lat", "lon"]).values
    printed = "".join(o.text for o in computed if o.output_type == "stream" and o.name == "stdout")
    mean, first = re.match(r"mean (\S+) K, first (\[.*\])", printed).groups()
    assert abs(float(mean) - want.mean()) < 1e-7 * 300, (mean, want.mean())
    np.testing.assert_allclose(json.loads(first), want[:4], rtol=1e-7)
    figure = Image.open(io.BytesIO(base64.b64decode(computed[-1].data["image/png"])))
    assert figure.size == (640, 480)

    # The climatology rangeo wrote to the bucket, fetched and opened by xarray.
    s3 = boto3.client("s3", endpoint_url=s3_demo["AWS_ENDPOINT_URL"], region_name=s3_demo["AWS_REGION"],
                      aws_access_key_id="demo", aws_secret_access_key="demo")
    objects = s3.list_objects_v2(Bucket="rangeo-demo", Prefix="air_climatology.zarr/")["Contents"]
    for obj in objects:
        local = tmp_path / obj["Key"]
        local.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file("rangeo-demo", obj["Key"], str(local))
    back = xr.open_zarr(tmp_path / "air_climatology.zarr")
    expected = ds.air.groupby("time.month").mean()
    assert back.air.dims == expected.dims and list(back.month.values) == list(range(1, 13))
    # Stored as the source stores air (int16, scale_factor 0.01), or as float64.
    np.testing.assert_allclose(back.air.values, expected.values, rtol=0, atol=0.005 + 1e-9)
    assert "rg-repr" in written[-1].data["text/html"]

    printed = "".join(o.text for o in july if o.output_type == "stream" and o.name == "stdout")
    got = float(re.search(r"July over the grid: (\S+) K", printed).group(1))
    assert abs(got - float(back.air.sel(month=7).mean())) < 1e-6
