"""Expected results for the runtime's labeled-array tests, computed by xarray itself.

The Rust tests in runtime/tests/ read what this writes (build/reference/arrays.json) and
compare rangeo against it. Each case is an input array, an operation and xarray's result.
Floats go through JSON exactly (Python writes the shortest repr that round-trips); NaN is
written as null.

Run: .venv/bin/python tests/reference/make_arrays.py [OUT]  (scripts/test.sh does).
"""

import json
import math
import pathlib
import sys

import numpy as np
import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parents[2]


def encode(array):
    values = np.asarray(array)
    flat = [None if isinstance(v, float) and math.isnan(v) else v for v in values.ravel().tolist()]
    return {"dtype": str(values.dtype), "shape": list(values.shape), "data": flat}


def variable(dims, values):
    return {"dims": list(dims), **encode(values)}


def isel_cases():
    grid = xr.Variable(("lat", "lon"), np.arange(12, dtype="float64").reshape(3, 4) / 4)
    grid[1, 2] = np.nan
    selections = {
        "index": ("lat", 1),
        "negative index": ("lon", -1),
        "slice": ("lon", slice(1, 3)),
        "open slice": ("lat", slice(None, 2)),
        "negative step": ("lon", slice(None, None, -2)),
        "bounded negative step": ("lon", slice(3, 0, -1)),
        "clamped slice": ("lat", slice(-10, 10)),
        "list": ("lon", [3, 0, 0]),
    }
    for name, (dim, sel) in selections.items():
        result = grid.isel({dim: sel})
        if isinstance(sel, slice):
            op = {"slice": [sel.start, sel.stop, sel.step if sel.step is not None else 1]}
        elif isinstance(sel, list):
            op = {"list": sel}
        else:
            op = {"index": sel}
        yield {
            "name": f"isel {name}",
            "input": variable(grid.dims, grid.values),
            "op": {"isel": {"dim": dim, **op}},
            "expected": variable(result.dims, result.values),
        }


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "reference" / "arrays.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    cases = list(isel_cases())
    out.write_text(json.dumps({"xarray": xr.__version__, "numpy": np.__version__, "cases": cases}, indent=1))
    print(f"{len(cases)} reference cases from xarray {xr.__version__} in {out}")


if __name__ == "__main__":
    main()
