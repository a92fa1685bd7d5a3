"""Eager array benchmark: rangeo against xarray + numpy, same machine, same run.

Both sides work on the NCEP air temperature (2920 x 25 x 53 float64, decoded, in
memory) and do what tutorials do:
  mean over time          air.mean("time")
  monthly groupby mean    air.groupby("time.month").mean()
  monthly anomaly         air.groupby("time.month") - air.groupby("time.month").mean()
Each is timed as the best of --repeat runs. Peak memory is each process's highest
resident set (data loading included, for both).

xarray runs with the default options of the test environment (numpy; no bottleneck,
numbagg or flox installed), in this process. rangeo runs as the release build of
runtime/examples/air_bench.rs, on all cores of the kernel's worker pool.

Run: .venv/bin/python bench/arrays.py [--repeat N]
(after tests/reference/make_air.py has written build/reference/air).
"""

import argparse
import resource
import subprocess
import sys

import xarray as xr

from timing import ROOT, fastest, rangeo_example

STORE = ROOT.parent / "shared" / "data" / "real" / "air_temperature.zarr"


def xarray_times(repeat):
    air = xr.open_zarr(STORE).air.load()
    monthly = lambda: air.groupby("time.month")  # noqa: E731
    times = {
        "mean over time": fastest(repeat, lambda: air.mean("time")),
        "monthly groupby mean": fastest(repeat, lambda: monthly().mean()),
        "monthly anomaly": fastest(repeat, lambda: monthly() - monthly().mean()),
    }
    times["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def rangeo_times(repeat):
    if not (ROOT / "build" / "reference" / "air" / "manifest.json").exists():
        subprocess.run([sys.executable, str(ROOT / "tests" / "reference" / "make_air.py")], check=True)
    return rangeo_example("air_bench", "--repeat", repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ours = rangeo_times(args.repeat)
    theirs = xarray_times(args.repeat)
    print(f"air temperature 2920x25x53 float64, best of {args.repeat}; rangeo on {ours['threads']} threads")
    print(f"{'':24}{'rangeo':>10}{'xarray':>10}{'xarray/rangeo':>15}")
    for name in ("mean over time", "monthly groupby mean", "monthly anomaly"):
        print(f"{name:24}{ours[name] * 1e3:>8.1f}ms{theirs[name] * 1e3:>8.1f}ms{theirs[name] / ours[name]:>14.2f}x")
    print(f"{'peak memory':24}{ours['peak_mib']:>7.0f}MiB{theirs['peak_mib']:>7.0f}MiB")


if __name__ == "__main__":
    main()
