"""rangeo against xarray + dask on the same stores, over generated chains of operations.

A seeded generator makes chains of the operations notebooks chain (rechunks, selections,
arithmetic with broadcasting, transposes, reductions, groupby and resample reductions and
anomalies, rolling and coarsened means, concatenation, masking, cumulative sums), each
written twice: as xarray code over dask arrays and as a rangeo cell. Both run on the same
Zarr store and netCDF file, written here by xarray with chunks that the chains' rechunks
cut across, and must give the same dimensions, shape and values (relative 1e-9 of the
result's scale). A chain dask refuses (a median along a chunked dimension) is compared
with xarray on the values in memory; one xarray refuses, rangeo must refuse too.

RANGEO_DIFFERENTIAL_CHAINS (default 48 per source) and RANGEO_DIFFERENTIAL_SEED (29)
size and seed the run; a failure prints the chain in both languages.
"""

import os
import random
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import run

SEED = int(os.environ.get("RANGEO_DIFFERENTIAL_SEED", "29"))
CHAINS = int(os.environ.get("RANGEO_DIFFERENTIAL_CHAINS", "48"))
# Chains per cell: the cell compiles once for all of them.
BATCH = 12


def field():
    """Two years of daily air(time, lat, lon), smooth plus noise, with a few gaps."""
    rng = np.random.default_rng(SEED)
    time = pd.date_range("2001-01-01", periods=730, freq="D")
    lat = np.linspace(-80.0, 80.0, 9)
    lon = np.arange(0.0, 360.0, 30.0)
    day = np.arange(time.size)[:, None, None]
    values = (
        280.0
        - 30.0 * np.abs(np.sin(np.radians(lat)))[None, :, None]
        + 8.0 * np.cos(2 * np.pi * day / 365.25)
        + 3.0 * np.cos(np.radians(lon))[None, None, :]
        + rng.normal(0.0, 2.0, (time.size, lat.size, lon.size))
    )
    values[rng.random(values.shape) < 0.02] = np.nan
    air = xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        coords={"time": time, "lat": lat, "lon": lon},
        name="air",
        attrs={"units": "K"},
    )
    return air.to_dataset()


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The field as a Zarr v3 store and a netCDF-4 file, in chunks of (60, 4, 5)."""
    root = tmp_path_factory.mktemp("differential")
    ds = field()
    zarr = root / "air.zarr"
    ds.chunk({"time": 60, "lat": 4, "lon": 5}).to_zarr(zarr, zarr_format=3, consolidated=False)
    nc = root / "air.nc"
    ds.to_netcdf(nc, encoding={"air": {"zlib": True, "chunksizes": (60, 4, 5)}})
    return {
        "zarr": (
            lambda: xr.open_zarr(zarr, consolidated=False).air,
            f'open_zarr("{zarr}")?.get("air")?',
        ),
        "netcdf": (
            lambda: xr.open_dataset(nc, chunks={}).air,
            f'open_dataset("{nc}")?.get("air")?',
        ),
    }


class State:
    """What the chain's array looks like so far: its dimensions and their lengths."""

    def __init__(self):
        self.sizes = {"time": 730, "lat": 9, "lon": 12}

    @property
    def dims(self):
        return list(self.sizes)

    def has_time(self):
        return "time" in self.sizes


def dims_list(dims):
    return "[" + ", ".join(f'"{d}"' for d in dims) + "]"


def step(rng, state):
    """One step for an array like `state`: (python, rust) code, `state` updated.

    Python statements act on `a` (an xarray DataArray); Rust statements rebind `a`."""
    dims = state.dims
    d = rng.choice(dims)
    # A length the generator cannot know (groups present, resampled periods) is None:
    # steps that need it are not drawn for that dimension.
    n = state.sizes[d]
    kinds = ["rechunk"] * 3 + ["arith", "arith", "transpose"]
    kinds += ["reduce"] * 2 + ["rolling", "where", "cumsum", "fillna"]
    if n is not None:
        kinds += ["slice", "list", "coarsen", "concat"]
    if state.has_time() and (state.sizes["time"] or 0) >= 60:
        kinds += ["groupby", "groupby", "anomaly", "resample"]
    kind = rng.choice(kinds)
    if kind == "rechunk":
        # At most a dozen chunks along the dimension: dask's graph of thousands of
        # tiny chunks takes seconds a chain (the property tests of the runtime go
        # down to one element a chunk).
        size = rng.randint(max(1, (n or 12) // 12), max(1, n or 12))
        return f"a = a.chunk({{'{d}': {size}}})", f'let a = a.chunk([("{d}", {size})])?;'
    if kind == "slice" and n >= 2:
        start = rng.randrange(0, n - 1)
        stop = rng.randrange(start + 1, n + 1)
        stride = rng.choice([1, 1, 2, 3])
        state.sizes[d] = len(range(start, stop, stride))
        return (
            f"a = a.isel({d}=slice({start}, {stop}, {stride}))",
            f'let a = a.isel("{d}", Selection::Slice {{ start: Some({start}), '
            f"stop: Some({stop}), step: {stride} }})?;",
        )
    if kind == "list":
        positions = [rng.randrange(n) for _ in range(rng.randint(1, 5))]
        if d != "time":
            positions = sorted(set(positions))
        state.sizes[d] = len(positions)
        listed = ", ".join(map(str, positions))
        return f"a = a.isel({d}=[{listed}])", f'let a = a.isel("{d}", vec![{listed}_isize])?;'
    if kind == "arith":
        how = rng.randrange(3)
        if how == 0:
            c = round(rng.uniform(-5, 5), 3)
            return f"a = a * {c} + 1.5", f"let a = &(&a * {c}) + 1.5;"
        if how == 1:
            return "a = a * a", "let a = &a * &a;"
        return f"a = a - a.mean('{d}')", f'let a = &a - &a.mean("{d}")?;'
    if kind == "transpose":
        order = dims[:]
        rng.shuffle(order)
        state.sizes = {k: state.sizes[k] for k in order}
        quoted = ", ".join(f"'{k}'" for k in order)
        return f"a = a.transpose({quoted})", f"let a = a.transpose(&{dims_list(order)})?;"
    if kind == "reduce":
        how = rng.choice(["mean", "sum", "std", "var", "min", "max", "median", "count"])
        over = rng.sample(dims, rng.randint(1, len(dims)))
        if how == "median":
            over = [d]
        for k in over:
            del state.sizes[k]
        quoted = ", ".join(f"'{k}'" for k in over)
        return f"a = a.{how}([{quoted}])", f"let a = a.{how}({dims_list(over)})?;"
    if kind == "rolling":
        window = rng.randint(1, min(4, n or 1))
        center = rng.choice([True, False])
        return (
            f"a = a.rolling({{'{d}': {window}}}, center={center}).mean()",
            f'let a = a.rolling("{d}", {window})?.center({str(center).lower()}).mean()?;',
        )
    if kind == "coarsen" and n >= 2:
        window = rng.randint(1, min(4, n))
        state.sizes[d] = n // window
        return (
            f"a = a.coarsen({{'{d}': {window}}}, boundary='trim').mean()",
            f'let a = a.coarsen("{d}", {window}, Boundary::Trim)?.mean()?;',
        )
    if kind == "concat" and n >= 2:
        cut = rng.randrange(1, n)
        return (
            f"a = xr.concat([a.isel({d}=slice({cut}, None)), a.isel({d}=slice(0, {cut}))], '{d}')",
            f'let a = DataArray::concat(&[&a.isel("{d}", {cut}..{n})?, '
            f'&a.isel("{d}", 0..{cut})?], "{d}")?;',
        )
    if kind == "where":
        threshold = round(rng.uniform(250, 290), 2)
        return f"a = a.where(a > {threshold})", f"let a = a.where_(&a.gt({threshold})?)?;"
    if kind == "cumsum":
        return f"a = a.cumsum('{d}')", f'let a = a.cumsum("{d}")?;'
    if kind == "fillna":
        value = round(rng.uniform(-1, 1), 3)
        return f"a = a.fillna({value})", f"let a = a.fillna({value})?;"
    if kind == "groupby":
        key, new = rng.choice([("time.month", "month"), ("time.season", "season")])
        how = rng.choice(["mean", "sum", "std", "min", "max", "count"])
        state.sizes = {(new if k == "time" else k): (None if k == "time" else v) for k, v in state.sizes.items()}
        return (
            f"a = a.groupby('{key}').{how}()",
            f'let a = a.groupby("{key}")?.{how}()?;',
        )
    if kind == "anomaly":
        return (
            # In memory on xarray's side: through dask it takes 5-10 s (a task per
            # group and chunk), which the test command cannot afford.
            "a = a.load(); a = a.groupby('time.month') - a.groupby('time.month').mean()",
            'let g = a.groupby("time.month")?; let a = g.binary(BinaryOp::Sub, &g.mean()?)?;',
        )
    if kind == "resample":
        freq = rng.choice(["MS", "7D", "QS-DEC", "YS"])
        how = rng.choice(["mean", "sum", "max", "count"])
        state.sizes["time"] = None
        return (
            f"a = a.resample(time='{freq}').{how}()",
            f'let a = a.resample("time", "{freq}")?.{how}()?;',
        )
    return step(rng, state)


def chains(seed, count):
    """`count` chains of 1 to 5 steps, each with its source's chunking first."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        state = State()
        steps = []
        for _ in range(rng.randint(1, 5)):
            if not state.sizes:
                break
            steps.append(step(rng, state))
        made.append(steps)
    return made


def python_result(open_source, steps):
    """The chain's result through xarray + dask; where dask refuses a step (a median
    along a chunked dimension, say), through xarray on the values in memory; None when
    xarray refuses the chain."""
    for load in (False, True):
        source = open_source()
        scope = {"a": source.load() if load else source, "xr": xr}
        try:
            for python, _ in steps:
                exec(python, scope)
            return scope["a"].compute()
        except Exception:  # noqa: BLE001 - any refusal: rangeo must refuse too
            continue
    return None


def rust_cell(source, batch):
    """A cell computing every chain of `batch`, printing one line per chain."""
    lines = [f"let source = {source};"]
    for i, steps in batch:
        body = "\n        ".join(rust for _, rust in steps)
        lines.append(
            f"""match (|| -> Result<DataArray, rangeo::Error> {{
        let a = source.clone();
        {body}
        a.astype(DType::Float64)?.compute()
    }})() {{
        Ok(r) => println!("chain {i} ok {{:?}} {{:?}} {{:?}}", r.dims(), r.shape(), r.to_vec::<f64>()?),
        Err(e) => println!("chain {i} error {{}}", e.to_string().replace('\\n', " ")),
    }}"""
        )
    return "\n".join(lines)


LINE = re.compile(r"chain (\d+) (ok|error) (.*)")


def parse(text):
    """{chain: (dims, shape, values) or the error message} from the cell's output."""
    results = {}
    for line in text.splitlines():
        match = LINE.fullmatch(line)
        if not match:
            continue
        i, status, rest = int(match[1]), match[2], match[3]
        if status == "error":
            results[i] = rest
            continue
        dims, shape, values = re.fullmatch(r"(\[.*?\]) (\[.*?\]) (\[.*\])", rest).groups()
        dims = [d.strip(' "') for d in dims[1:-1].split(",") if d.strip()]
        shape = [int(s) for s in shape[1:-1].split(",") if s.strip()]
        numbers = values[1:-1].replace("NaN", "nan").split(",")
        results[i] = (dims, shape, np.array([float(v) for v in numbers if v.strip()]))
    return results


def shown(steps):
    python = "\n    ".join(p for p, _ in steps)
    rust = "\n    ".join(r for _, r in steps)
    return f"xarray:\n    {python}\nrangeo:\n    {rust}"


@pytest.mark.parametrize("name", ["zarr", "netcdf"])
def test_chains_agree_with_xarray_and_dask(kc, sources, name):
    open_source, rust_source = sources[name]
    made = list(enumerate(chains(SEED + (name == "netcdf"), CHAINS)))
    compared = 0
    for start in range(0, len(made), BATCH):
        batch = made[start : start + BATCH]
        reply, messages = run(kc, rust_cell(rust_source, batch))
        assert reply["status"] == "ok", reply
        text = "".join(
            m["content"]["text"]
            for m in messages
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )
        got = parse(text)
        for i, steps in batch:
            want = python_result(open_source, steps)
            assert i in got, f"chain {i} printed nothing:\n{shown(steps)}\n{text}"
            if want is None:
                assert isinstance(got[i], str), f"xarray refuses chain {i}, rangeo not:\n{shown(steps)}"
                continue
            assert not isinstance(got[i], str), f"chain {i}: rangeo: {got[i]}\n{shown(steps)}"
            dims, shape, values = got[i]
            context = f"chain {i}\n{shown(steps)}"
            assert dims == list(want.dims), context
            assert shape == list(want.shape), context
            expected = want.values.astype(np.float64).ravel()
            finite = np.abs(expected[np.isfinite(expected)])
            scale = max(1.0, float(finite.max())) if finite.size else 1.0
            np.testing.assert_allclose(
                values, expected, rtol=1e-9, atol=1e-9 * scale, equal_nan=True, err_msg=context
            )
            compared += 1
    assert compared >= CHAINS * 3 // 4, f"only {compared} of {CHAINS} chains compared"
