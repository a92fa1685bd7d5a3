"""The air temperature analyses that xarray tutorials teach, computed by xarray on the
NCEP reanalysis in ../shared/data/real/, for runtime/tests/air_temperature.rs.

It also writes the raw, still CF-encoded arrays (int16 `air` with its scale_factor,
float32 "hours since 1800-01-01") as little-endian files: the test decodes them by hand
into an array in memory, beside the lazy arrays that rangeo's open_zarr gives, so that
the analyses are checked on both. xarray's results go beside them as float64 files, with
a manifest of dims, shapes and coordinate labels.

Run: .venv/bin/python tests/reference/make_air.py [STORE] [OUT]  (scripts/test.sh does).
"""

import json
import pathlib
import sys

import numpy as np
import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parents[2]
STORE = ROOT.parent / "shared" / "data" / "real" / "air_temperature.zarr"


def analyses(air):
    """Each analysis by name, as a tutorial writes it."""
    monthly = air.groupby("time.month")
    weights = np.cos(np.deg2rad(air.lat))
    return {
        "mean over time": lambda: air.mean("time"),
        "std over time": lambda: air.std("time"),
        "monthly climatology": lambda: monthly.mean(),
        "seasonal climatology": lambda: air.groupby("time.season").mean(),
        "monthly anomaly": lambda: monthly - monthly.mean(),
        "annual resample": lambda: air.resample(time="YS").mean(),
        "monthly resample": lambda: air.resample(time="ME").mean(),
        "nearest-point series": lambda: air.sel(lat=44.3, lon=289.1, method="nearest"),
        "area-weighted mean": lambda: air.weighted(weights).mean(("lat", "lon")),
        "rolling daily mean": lambda: air.rolling(time=4, center=True).mean(),
        "box mean on the descending latitude": lambda: air.sel(lat=slice(50, 30), lon=slice(250, 270)).mean(("lat", "lon")),
        "partial-date month": lambda: air.sel(time="2013-05").mean("time"),
    }


def plain(value):
    """An attribute as JSON has it (NaN, which JSON lacks, as null)."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def labels(coord):
    values = coord.values
    if values.dtype.kind == "M":
        return [str(v)[:19] for v in values.astype("datetime64[s]")]
    if values.dtype.kind in "UO":
        return [str(v) for v in values]
    return values.astype("float64").tolist()


def main():
    store = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else STORE
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "build" / "reference" / "air"
    if not store.exists():
        print(f"no {store}: skipping the air temperature references")
        return
    (out / "input").mkdir(parents=True, exist_ok=True)
    (out / "expected").mkdir(parents=True, exist_ok=True)
    raw = xr.open_zarr(store, decode_cf=False).load()
    inputs = {}
    for name, dtype in (("air", "<i2"), ("time", "<f4"), ("lat", "<f4"), ("lon", "<f4")):
        variable = raw[name]
        variable.values.astype(dtype).tofile(out / "input" / f"{name}.bin")
        inputs[name] = {
            "dims": list(variable.dims),
            "shape": list(variable.shape),
            "dtype": dtype,
            "attrs": {k: plain(v) for k, v in variable.attrs.items()},
        }
    air = xr.open_zarr(store).air.load()
    results = {}
    for name, compute in analyses(air).items():
        result = compute()
        np.ascontiguousarray(result.values, dtype="<f8").tofile(out / "expected" / f"{name}.bin")
        results[name] = {
            "dims": list(result.dims),
            "shape": list(result.shape),
            "coords": {c: labels(result[c]) for c in result.dims if c in result.coords},
        }
    manifest = {"xarray": xr.__version__, "store": str(store), "inputs": inputs, "results": results}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, allow_nan=False))
    print(f"{len(results)} air temperature analyses from xarray {xr.__version__} in {out}")


if __name__ == "__main__":
    main()
