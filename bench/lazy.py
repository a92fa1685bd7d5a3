"""Lazy chunked compute benchmark: rangeo against xarray + dask (threaded scheduler),
same machine, same run, same work.

Both sides generate the same kind of data lazily, chunk by chunk: float32 uniform noise
plus a seasonal cycle along time plus a latitude profile, daily from 2000-01-01, 7305 x
180 x 360 (1.76 GiB) in chunks of 100 days, and compute:
  mean over time          air.mean("time")
  monthly climatology     air.groupby("time.month").mean()
  weighted area mean      air.weighted(cos(lat)).mean(["lat", "lon"])
  anomaly std             (air.groupby("time.month") - climatology).std("time")
and dask's introductory example on a 20,000² float64 uniform array in 1,000² chunks
(3 GiB; --square, --square-chunk), as notebooks/dask-accelerates-numpy.ipynb runs it:
  x + x.T - x.mean(0)     its mean
  ... its first chunk     the mean of its first chunk (what a graph's culling saves)
Each is timed as the best of --repeat runs. Peak memory is each process's highest
resident set. The checksums (means of each result) agree to about 1e-3: the noise comes
from different generators.

dask runs with its defaults (threaded scheduler on every core; flox is not installed).
rangeo runs as the release build of runtime/examples/lazy_bench.rs on the kernel's
worker pool.

Run: .venv/bin/python bench/lazy.py [--repeat N] [--time T --lat Y --lon X --chunk C]
                                    [--square N --square-chunk C]
"""

import argparse
import json
import pathlib
import resource
import subprocess

import dask
import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr

from timing import best_of

ROOT = pathlib.Path(__file__).resolve().parent.parent
ANALYSES = (
    "mean over time", "monthly climatology", "weighted area mean", "anomaly std",
    "x + x.T - x.mean(0)", "... its first chunk",
)


def dask_times(args):
    nt, ny, nx = args.time, args.lat, args.lon
    times = pd.date_range("2000-01-01", periods=nt, freq="D")
    lat = (-89.5 + np.arange(ny, dtype=np.float32) * np.float32(180.0 / ny)).astype(np.float32)
    lon = (np.arange(nx, dtype=np.float32) * np.float32(360.0 / nx)).astype(np.float32)
    seasonal = (10.0 * np.cos(2 * np.pi * np.arange(nt, dtype=np.float32) / np.float32(365.25))).astype(np.float32)
    profile = (250.0 + 30.0 * np.cos(np.deg2rad(lat))).astype(np.float32)
    noise = da.random.default_rng(0).random((nt, ny, nx), dtype=np.float32, chunks=(args.chunk, ny, nx))
    coords = {"time": times, "lat": lat, "lon": lon}
    air = (
        xr.DataArray(noise, dims=("time", "lat", "lon"), coords=coords)
        + xr.DataArray(seasonal, dims="time", coords={"time": times})
        + xr.DataArray(profile, dims="lat", coords={"lat": lat})
    ).rename("air")
    weights = np.cos(np.deg2rad(air.lat))

    def anomaly_std():
        monthly = air.groupby("time.month")
        return (monthly - monthly.mean()).std("time").compute()

    x = da.random.default_rng(0).random((args.square, args.square), chunks=args.square_chunk)
    y = x + x.T - x.mean(axis=0)
    corner = y[: args.square_chunk, : args.square_chunk]

    with dask.config.set(scheduler="threads"):
        out = {
            "mean over time": best_of(args.repeat, lambda: air.mean("time").compute()),
            "monthly climatology": best_of(args.repeat, lambda: air.groupby("time.month").mean().compute()),
            "weighted area mean": best_of(args.repeat, lambda: air.weighted(weights).mean(["lat", "lon"]).compute()),
            "anomaly std": best_of(args.repeat, anomaly_std),
            "x + x.T - x.mean(0)": best_of(args.repeat, lambda: y.mean().compute()),
            "... its first chunk": best_of(args.repeat, lambda: corner.mean().compute()),
        }
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def rangeo_times(args):
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "rangeo", "--example", "lazy_bench"], cwd=ROOT, check=True
    )
    binary = ROOT / "target" / "release" / "examples" / "lazy_bench"
    command = [str(binary), "--repeat", str(args.repeat)]
    for name in ("time", "lat", "lon", "chunk", "square", "square_chunk"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--time", type=int, default=7305)
    parser.add_argument("--lat", type=int, default=180)
    parser.add_argument("--lon", type=int, default=360)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--square", type=int, default=20_000)
    parser.add_argument("--square-chunk", type=int, default=1_000)
    args = parser.parse_args()
    ours = rangeo_times(args)
    theirs = dask_times(args)
    print(
        f"{args.time}x{args.lat}x{args.lon} float32 ({ours['gib']:.2f} GiB), chunks of {args.chunk} days, "
        f"best of {args.repeat}; rangeo on {ours['threads']} threads, dask threaded scheduler"
    )
    print(f"{'':22}{'rangeo':>9}{'dask':>9}{'dask/rangeo':>13}   checksums")
    for name in ANALYSES:
        a, b = ours[name], theirs[name]
        print(
            f"{name:22}{a['seconds']:>8.2f}s{b['seconds']:>8.2f}s{b['seconds'] / a['seconds']:>12.2f}x"
            f"   {a['checksum']:.4f} {b['checksum']:.4f}"
        )
    print(f"{'peak memory':22}{ours['peak_mib']:>6.0f}MiB{theirs['peak_mib']:>6.0f}MiB"
          f"{theirs['peak_mib'] / ours['peak_mib']:>12.2f}x")


if __name__ == "__main__":
    main()
