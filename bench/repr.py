"""Repr benchmark: rangeo against xarray, same machine, same run.

Both sides build a Dataset of 100 float64 variables of (y: 50, x: 100), each with two
attributes, on indexed y and x coordinates, and time rendering its HTML repr (what a
notebook shows: xarray's `_repr_html_`, rangeo's `text/html` form of `repr()`) and its
text repr, as the best of --repeat renders. The HTML bundle's `text/plain` form is
rendered too on rangeo's side (a mime bundle carries both).

Run: .venv/bin/python bench/repr.py [--repeat N]
"""

import argparse

import numpy as np
import xarray as xr

from timing import fastest, rangeo_example


def xarray_times(repeat):
    y, x = np.arange(50.0), np.arange(100.0)
    base = (np.arange(50)[:, None] * 100 + np.arange(100)[None, :]) / 7.0
    ds = xr.Dataset(
        {f"var{v:03}": (("y", "x"), v + base, {"units": "K", "long_name": "variable"}) for v in range(100)},
        coords={"y": y, "x": x},
    )
    return {"html": fastest(repeat, ds._repr_html_), "text": fastest(repeat, lambda: repr(ds))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    ours, theirs = rangeo_example("repr_bench", "--repeat", args.repeat), xarray_times(args.repeat)
    print(f"100-variable Dataset (y: 50, x: 100 each), best of {args.repeat}")
    print(f"{'':14}{'rangeo':>10}{'xarray':>10}{'xarray/rangeo':>15}")
    for name in ("html", "text"):
        print(f"{name + ' repr':14}{ours[name] * 1e3:>8.2f}ms{theirs[name] * 1e3:>8.2f}ms"
              f"{theirs[name] / ours[name]:>14.2f}x")


if __name__ == "__main__":
    main()
