"""The lazy engine over the layouts real stores use: rangeo against xarray + dask
(threaded scheduler) and against the true floor, same machine, same run, same stores.

The data is a reanalysis-like float32 field, air(time=4380, lat=181, lon=360) (1.14 GB),
6-hourly from 2000-01-01: a smooth climate (latitude profile, seasonal and daily cycles,
a zonal wave) plus noise, rounded to 0.01 K as real archives are. xarray + zarr-python
write it once per layout and codec into build/bench/engine/ (Zarr v3):

  layouts   full field per step   100 x 181 x 360 (26 MB chunks)
            time-heavy            730 x 91 x 180 (48 MB; ARCO time-series stores)
            small                 16 x 91 x 180 (1 MB)
            one chunk             4380 x 181 x 360 (the whole variable)
  codecs    zstd (level 1), blosc-lz4 (byte shuffle), none

Workloads, each side as its users write them:
  full read                  ds.air.load() / air.compute()
  mean over time             air.mean("time")
  weighted area mean         air.weighted(cos(lat)).mean(["lat", "lon"])
  monthly climatology        air.groupby("time.month").mean()
  monthly anomaly std        (air.groupby("time.month") - climatology).std("time")
  nearest point series       air.sel(lat=44.3, lon=289.1, method="nearest")
  rechunk to space chunks    air.chunk(time=-1, lat=30, lon=30).to_zarr(new store)
and dask's introductory example (x + x.T - x.mean(0) on 20,000², 1,000² chunks: its mean,
and the mean of its first chunk), as bench/lazy.py runs it.

Every cell runs in a process of its own (rangeo's release-built
runtime/examples/engine_bench.rs; this script with --peer for xarray + dask), so peak
memory is that workload's. The floor reads the chunk files a workload needs and decodes
them with the codec library itself (numcodecs' libzstd and c-blosc), summing each as it
is decoded, on as many threads as rangeo's pool: what no implementation can beat. A full
read's floor decodes into the result instead (straight into it where a chunk is one run
of it): the result's memory is part of that work, and on a VM its first touch costs
as much as decoding. It is shown for the read-bound workloads (full read, the three
reductions and the point series). Each store's files are read once before its first
cell, so every side reads them from the page cache (otherwise the side that runs first
on a store pays for the disk: rangeo's full reads looked 2x slower than they are).

Run: .venv/bin/python bench/engine.py [--repeat N] [--layouts a,b] [--codecs a,b]
                                      [--workloads a,b] [--busy] [--no-square]
--busy keeps every core busy with other processes for the whole run (a shared hub node).
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import resource
import subprocess
import sys
import time

import numpy as np

from timing import best_of, json_line, warm

ROOT = pathlib.Path(__file__).resolve().parent.parent
STORES = ROOT / "build" / "bench" / "engine"
SHAPE = (4380, 181, 360)
LAYOUTS = {
    "per step": (100, 181, 360),
    "time-heavy": (730, 91, 180),
    "small": (16, 91, 180),
    "one chunk": SHAPE,
}
CODECS = ("zstd", "blosc-lz4", "none")
WORKLOADS = (
    "full read", "mean over time", "weighted area mean", "monthly climatology",
    "monthly anomaly std", "nearest point series", "rechunk to space chunks",
)
# Workloads bound by reading: the floor applies to them.
READ_BOUND = {"full read", "mean over time", "weighted area mean", "monthly climatology", "nearest point series"}
POINT = (44.3, 289.1)


def store_path(layout, codec):
    return STORES / f"{layout.replace(' ', '-')}_{codec}.zarr"


def coordinates():
    import pandas as pd

    time = pd.date_range("2000-01-01", periods=SHAPE[0], freq="6h")
    lat = np.linspace(90.0, -90.0, SHAPE[1]).astype("float32")
    lon = np.arange(SHAPE[2], dtype="float32")
    return time, lat, lon


def make_store(layout, codec):
    """Writes one store with xarray, block of time steps by block, unless a complete one
    is there."""
    import xarray as xr
    import zarr

    path = store_path(layout, codec)
    if (path / "done").exists():
        return path
    time, lat, lon = coordinates()
    compressors = {
        "zstd": [zarr.codecs.ZstdCodec(level=1)],
        "blosc-lz4": [zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")],
        "none": None,
    }[codec]
    chunks = LAYOUTS[layout]
    template = xr.Dataset(
        {"air": (("time", "lat", "lon"), np.zeros(SHAPE, dtype="float32"), {"units": "K"})},
        coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}), "lon": ("lon", lon)},
    )
    encoding = {"air": {"chunks": chunks, "compressors": compressors}}
    template.to_zarr(path, mode="w", zarr_format=3, encoding=encoding, compute=False)
    rng = np.random.default_rng(0)
    la = np.deg2rad(lat)[:, None]
    lo = np.deg2rad(lon)[None, :]
    hours = np.arange(SHAPE[0]) * 6.0
    step = 730
    for start in range(0, SHAPE[0], step):
        h = hours[start:start + step][:, None, None]
        block = (
            250 + 35 * np.cos(la) - 15 * np.cos(2 * np.pi * h / 8766) * np.sin(la)
            + 3 * np.cos(2 * np.pi * h / 24 + lo) + 5 * np.sin(3 * lo) * np.cos(la)
            + rng.normal(0, 1.5, (len(h), SHAPE[1], SHAPE[2]))
        )
        part = template.isel(time=slice(start, start + len(h))).drop_vars(["lat", "lon"])
        part["air"] = (("time", "lat", "lon"), np.round(block, 2).astype("float32"))
        part.drop_vars("time").to_zarr(path, region={"time": slice(start, start + len(h))})
    (path / "done").write_text("complete\n")
    return path


def peer(store, workload, repeat, out):
    """xarray + dask on one workload, in this process."""
    import dask
    import xarray as xr

    def run():
        air = xr.open_zarr(store).air
        if workload == "full read":
            return air.load()
        if workload == "mean over time":
            return air.mean("time").compute()
        if workload == "weighted area mean":
            return air.weighted(np.cos(np.deg2rad(air.lat))).mean(["lat", "lon"]).compute()
        if workload == "monthly climatology":
            return air.groupby("time.month").mean().compute()
        if workload == "monthly anomaly std":
            monthly = air.groupby("time.month")
            return (monthly - monthly.mean()).std("time").compute()
        if workload == "nearest point series":
            return air.sel(lat=POINT[0], lon=POINT[1], method="nearest").compute()
        if workload == "rechunk to space chunks":
            target = air.chunk({"time": -1, "lat": 30, "lon": 30})
            target.encoding = {}
            target.to_dataset().to_zarr(out, mode="w", zarr_format=3)
            return xr.open_zarr(out).air
        raise ValueError(workload)

    with dask.config.set(scheduler="threads"):
        timed = best_of(repeat, run)
    timed["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timed


def chunk_files(store, needed=None):
    """The chunk files of `air` (v3 default keys), all or those `needed` returns true
    for (given the chunk's grid position)."""
    files = []
    for path in sorted((store / "air" / "c").rglob("*")):
        if path.is_file():
            index = tuple(int(p) for p in path.relative_to(store / "air" / "c").parts)
            if needed is None or needed(index):
                files.append(path)
    return files


def floor(store, workload, threads, repeat):
    """Reads the chunk files `workload` needs and decodes them with the codec library,
    summing each as it is decoded, on `threads` threads; for a full read, into the
    result (its memory is part of the work)."""
    import numcodecs
    import zarr

    meta = json.loads((store / "air" / "zarr.json").read_text())
    codecs = [c["name"] for c in meta["codecs"]]
    config = {c["name"]: c.get("configuration", {}) for c in meta["codecs"]}
    if "zstd" in codecs:
        codec = numcodecs.Zstd(level=config["zstd"]["level"])
    elif "blosc" in codecs:
        codec = numcodecs.Blosc()
    else:
        codec = None
    needed = None
    if workload == "nearest point series":
        _, lat, lon = coordinates()
        y, x = int(np.abs(lat - POINT[0]).argmin()), int(np.abs(lon - POINT[1]).argmin())
        chunks = meta["chunk_grid"]["configuration"]["chunk_shape"]
        needed = lambda index: index[1] == y // chunks[1] and index[2] == x // chunks[2]  # noqa: E731
    files = chunk_files(store, needed)

    def one(path):
        data = path.read_bytes()
        raw = codec.decode(data) if codec is not None else data
        return float(np.frombuffer(raw, dtype="<f4").sum(dtype=np.float64)), len(raw) // 4

    def run():
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            sums = list(pool.map(one, files))
        return np.array([sum(s for s, _ in sums) / max(sum(n for _, n in sums), 1)])

    if workload == "full read":
        # A full read's result has to exist: each chunk is decoded straight into its
        # region of a new array where that region is one run of it, else decoded and
        # copied in (the checksum is taken after the timing, as for both sides).
        chunk = meta["chunk_grid"]["configuration"]["chunk_shape"]

        def place(result, path):
            index = tuple(int(p) for p in path.relative_to(store / "air" / "c").parts)
            region = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(index, chunk, SHAPE))
            view = result[region]
            if view.flags.c_contiguous and view.shape == tuple(chunk):
                if codec is None:
                    with open(path, "rb") as f:
                        f.readinto(memoryview(view).cast("B"))
                else:
                    codec.decode(path.read_bytes(), out=view)
                return
            data = path.read_bytes()
            raw = codec.decode(data) if codec is not None else data
            block = np.frombuffer(raw, dtype="<f4").reshape(chunk)
            view[...] = block[tuple(slice(0, e.stop - e.start) for e in region)]

        def run():  # noqa: F811 - the full read's own floor
            result = np.empty(SHAPE, dtype="<f4")
            with concurrent.futures.ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda path: place(result, path), files))
            return result

    del zarr
    timed = best_of(repeat, run)
    timed["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timed


def square(repeat, n=20_000, c=1_000):
    """dask's introductory example, both sides."""
    import dask
    import dask.array as da

    ours = json_line([ROOT / "target" / "release" / "examples" / "lazy_bench", "--repeat", str(repeat),
                      "--only-square", "--square", str(n), "--square-chunk", str(c)])
    x = da.random.default_rng(0).random((n, n), chunks=c)
    y = x + x.T - x.mean(axis=0)
    with dask.config.set(scheduler="threads"):
        theirs = {
            "x + x.T - x.mean(0)": best_of(repeat, lambda: y.mean().compute()),
            "... its first chunk": best_of(repeat, lambda: y[:c, :c].mean().compute()),
        }
    return ours, theirs


def busy_processes():
    """One spinning process per core, as another user's work on a shared node."""
    spin = "import numpy as np\na = np.random.rand(400, 400)\nwhile True:\n    a @ a\n"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return [subprocess.Popen([sys.executable, "-c", spin], env=env) for _ in range(os.cpu_count())]


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--codecs", default=",".join(CODECS))
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--busy", action="store_true")
    parser.add_argument("--no-square", action="store_true")
    parser.add_argument("--peer", nargs=2, metavar=("STORE", "WORKLOAD"), help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=3, metavar=("STORE", "WORKLOAD", "THREADS"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        print(json.dumps(peer(pathlib.Path(args.peer[0]), args.peer[1], args.repeat, args.out)))
        return
    if args.floor:
        store, workload, threads = args.floor
        print(json.dumps(floor(pathlib.Path(store), workload, int(threads), args.repeat)))
        return
    layouts, codecs = args.layouts.split(","), args.codecs.split(",")
    workloads = args.workloads.split(",")
    stores = {(layout, codec): make_store(layout, codec) for layout in layouts for codec in codecs}
    for example in ("engine_bench", "lazy_bench"):
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "rangeo", "--example", example],
                       cwd=ROOT, check=True)
    binary = ROOT / "target" / "release" / "examples" / "engine_bench"
    out = STORES / "rechunked.zarr"
    spinners = busy_processes() if args.busy else []
    rows = []
    try:
        for (layout, codec), store in stores.items():
            warm(store)
            for workload in workloads:
                common = ["--repeat", str(args.repeat), "--out", str(out)]
                ours = json_line([binary, "--store", store, "--workload", workload, *common])
                theirs = json_line([sys.executable, __file__, "--peer", store, workload, *common])
                low = None
                if workload in READ_BOUND:
                    low = json_line([sys.executable, __file__, "--floor", store, workload,
                                     str(ours["threads"]), "--repeat", str(args.repeat)])
                rows.append((layout, codec, workload, ours, theirs, low))
                print_row(*rows[-1], flush=True)
        square_rows = None if args.no_square else square(args.repeat)
    finally:
        for p in spinners:
            p.kill()
    summary(rows, square_rows, args)


def print_row(layout, codec, workload, ours, theirs, low, flush=False):
    floor_s = f"{low['seconds']:>7.2f}s" if low else f"{'-':>8}"
    print(
        f"{layout:10} {codec:9} {workload:24}{ours['seconds']:>7.2f}s{theirs['seconds']:>7.2f}s{floor_s}"
        f"{ratio(theirs['seconds'], ours['seconds']):>9}{ratio(ours['seconds'], low['seconds'] if low else 0):>9}"
        f"{ours['peak_mib']:>7.0f}{theirs['peak_mib']:>7.0f}{ratio(ours['peak_mib'], theirs['peak_mib']):>8}"
        f"   {ours['checksum']:.4f} {theirs['checksum']:.4f}",
        flush=flush,
    )


def summary(rows, square_rows, args):
    print()
    print(f"{'x'.join(map(str, SHAPE))} float32 (1.14 GB), Zarr v3 by xarray, best of {args.repeat}"
          f"{', every core kept busy by other processes' if args.busy else ''}")
    print(f"{'layout':10} {'codec':9} {'workload':24}{'rangeo':>8}{'dask':>8}{'floor':>8}"
          f"{'dask/rg':>9}{'rg/floor':>9}{'rg MiB':>7}{'dk MiB':>7}{'rg/dk':>8}   checksums")
    for row in rows:
        print_row(*row)
    if rows:
        speedups = sorted(t["seconds"] / o["seconds"] for _, _, _, o, t, _ in rows)
        floors = [o["seconds"] / f["seconds"] for *_, o, _, f in rows if f]
        memory = [o["peak_mib"] / t["peak_mib"] for *_, o, t, _ in rows]
        print(f"dask/rangeo: median {np.median(speedups):.2f}x, slowest {speedups[0]:.2f}x; "
              f"rangeo/floor on read-bound work: worst {max(floors, default=float('nan')):.2f}x; "
              f"rangeo/dask memory: worst {max(memory):.2f}x")
    if square_rows:
        ours, theirs = square_rows
        for name in ("x + x.T - x.mean(0)", "... its first chunk"):
            a, b = ours[name], theirs[name]
            print(f"{name:46}{a['seconds']:>7.2f}s{b['seconds']:>7.2f}s{'':8}{ratio(b['seconds'], a['seconds']):>9}"
                  f"   {a['checksum']:.4f} {b['checksum']:.4f}")


if __name__ == "__main__":
    main()
