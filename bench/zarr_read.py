"""Zarr reading benchmark: rangeo against xarray + dask + zarr-python, and against the
floor of zarrs decoding the chunks with nothing else, same machine, same run, same store.

The store is Zarr v3 with zstd (level 3), written once by zarr-python into
build/bench/ and reused: a float32 variable `t` (time, lat, lon) of 4000 x 250 x 270
(1.08 GB in memory), a smooth field plus noise rounded to 0.01 as real data is, in
chunks of 100 x 250 x 270 (27 MB). Two tasks are timed, each the best of --repeat runs,
each side in its own process (peak memory is that process's highest resident set):
  full read         ds.t.load() / open_zarr(..).get("t").compute() / every chunk into one array
  mean over time    ds.t.mean("time")

dask runs with its threaded scheduler on every core; rangeo on its worker pool. The store
is read into the page cache first, so no side pays for the disk.

Run: .venv/bin/python bench/zarr_read.py [--repeat N]
"""

import argparse
import json
import pathlib
import resource
import subprocess
import sys

import numpy as np

from timing import best_of, json_line, warm

ROOT = pathlib.Path(__file__).resolve().parent.parent
STORE = ROOT / "build" / "bench" / "air_v3_zstd.zarr"
SHAPE, CHUNK = (4000, 250, 270), 100
TASKS = ("full read", "mean over time")


def make_store():
    """Writes the store chunk by chunk, unless a complete one is there."""
    import zarr

    if (STORE / "done").exists():
        return
    group = zarr.open_group(str(STORE), mode="w", zarr_format=3)
    nt, ny, nx = SHAPE
    array = group.create_array(
        "t", shape=SHAPE, chunks=(CHUNK, ny, nx), dtype="float32",
        compressors=zarr.codecs.ZstdCodec(level=3), fill_value=np.nan,
        dimension_names=("time", "lat", "lon"),
    )
    array.attrs.update({"units": "K", "long_name": "air temperature"})
    group.create_array("time", data=np.arange(nt, dtype="float64"), dimension_names=("time",)).attrs.update(
        {"units": "days since 2000-01-01", "calendar": "standard"})
    group.create_array("lat", data=np.linspace(-89.5, 89.5, ny), dimension_names=("lat",))
    group.create_array("lon", data=np.linspace(0.0, 358.5, nx), dimension_names=("lon",))
    rng = np.random.default_rng(0)
    lat = np.linspace(-89.5, 89.5, ny)[:, None]
    lon = np.linspace(0.0, 358.5, nx)[None, :]
    base = 250 + 30 * np.cos(np.deg2rad(lat)) + 3 * np.sin(np.deg2rad(2 * lon))
    for start in range(0, nt, CHUNK):
        days = np.arange(start, start + CHUNK)[:, None, None]
        block = base + 10 * np.cos(2 * np.pi * days / 365.25) + rng.normal(0, 1.5, (CHUNK, ny, nx))
        array[start:start + CHUNK] = np.round(block, 2).astype("float32")
    (STORE / "done").write_text("complete\n")


def peer(repeat):
    """xarray + dask + zarr-python, in this process."""
    import dask
    import xarray as xr

    with dask.config.set(scheduler="threads"):
        out = {
            "full read": best_of(repeat, lambda: xr.open_zarr(STORE).t.load()),
            "mean over time": best_of(repeat, lambda: xr.open_zarr(STORE).t.mean("time").compute()),
        }
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out



def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--peer", action="store_true", help="time xarray + dask only, print JSON")
    args = parser.parse_args()
    if args.peer:
        print(json.dumps(peer(args.repeat)))
        return
    make_store()
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "rangeo", "--example", "zarr_bench"], cwd=ROOT, check=True
    )
    binary = str(ROOT / "target" / "release" / "examples" / "zarr_bench")
    warm(STORE)
    common = ["--store", str(STORE), "--repeat", str(args.repeat)]
    ours = json_line([binary, "--mode", "rangeo", *common])
    floor = json_line([binary, "--mode", "zarrs", *common])
    theirs = json_line([sys.executable, __file__, "--peer", "--repeat", str(args.repeat)])
    stored = sum(f.stat().st_size for f in (STORE / "t").rglob("*") if f.is_file())
    nbytes = np.prod(SHAPE) * 4
    print(
        f"{'x'.join(map(str, SHAPE))} float32 ({nbytes / 1e9:.2f} GB, {stored / 1e9:.2f} GB stored, Zarr v3 zstd), "
        f"chunks of {CHUNK}, best of {args.repeat}; rangeo on {ours['threads']} threads, dask threaded scheduler"
    )
    print(f"{'':16}{'rangeo':>9}{'zarrs floor':>13}{'xarray+dask':>13}{'rangeo/floor':>14}{'dask/rangeo':>13}")
    for name in TASKS:
        a, f, b = ours[name], floor[name], theirs[name]
        print(
            f"{name:16}{a['seconds']:>8.2f}s{f['seconds']:>12.2f}s{b['seconds']:>12.2f}s"
            f"{a['seconds'] / f['seconds']:>13.2f}x{b['seconds'] / a['seconds']:>12.2f}x"
        )
    print(f"{'peak memory':16}{ours['peak_mib']:>6.0f}MiB{floor['peak_mib']:>10.0f}MiB{theirs['peak_mib']:>10.0f}MiB")
    print("checksums: " + "; ".join(
        f"{name}: {ours[name]['checksum']:.4f} {floor[name]['checksum']:.4f} {theirs[name]['checksum']:.4f}"
        for name in TASKS))


if __name__ == "__main__":
    main()
