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
import json
import pathlib
import resource
import subprocess
import sys
import time

import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parent.parent
STORE = ROOT.parent / "shared" / "data" / "real" / "air_temperature.zarr"


def best_of(repeat, f):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def xarray_times(repeat):
    air = xr.open_zarr(STORE).air.load()
    monthly = lambda: air.groupby("time.month")  # noqa: E731
    times = {
        "mean over time": best_of(repeat, lambda: air.mean("time")),
        "monthly groupby mean": best_of(repeat, lambda: monthly().mean()),
        "monthly anomaly": best_of(repeat, lambda: monthly() - monthly().mean()),
    }
    times["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def rangeo_times(repeat):
    if not (ROOT / "build" / "reference" / "air" / "manifest.json").exists():
        subprocess.run([sys.executable, str(ROOT / "tests" / "reference" / "make_air.py")], check=True)
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "rangeo", "--example", "air_bench"], cwd=ROOT, check=True
    )
    binary = ROOT / "target" / "release" / "examples" / "air_bench"
    out = subprocess.run([str(binary), "--repeat", str(repeat)], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
