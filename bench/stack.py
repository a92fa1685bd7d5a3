"""STAC stacking benchmark: rangeo's `ItemCollection::stack` against odc-stac's `load`
(rasterio / GDAL reads, dask's threaded scheduler), same machine, same run, same items
served by the same HTTP server on 127.0.0.1.

The items are twelve Sentinel-2-like scenes of one 20.48 km tile (UTM 31N), each with
`red` and `nir` COGs of 2048 x 2048 uint16 pixels (10 m, DEFLATE, 128-pixel tiles,
nodata 0, scale 0.0001, offset -0.1), written once by rasterio into build/bench/stack/
with tests/reference/make_stack.py's scene maker, and served by tornado with range
requests. Two tasks, each the best of --repeat runs, each side in its own process (peak
memory is that process's highest resident set):

  native      the NDVI's median over time on the scenes' own grid
  reprojected the same onto the European LAEA grid (EPSG:3035) at 20 m

Both sides read every tile once, mask nodata, apply scale and offset, and compute in
float64 with 1024-pixel chunks. odc-stac neither masks nodata nor applies raster:bands'
scale and offset itself; its side does both after loading, as its users do. stackstac, the other peer,
pins pandas below 3, which the reference environment cannot take.

Run: .venv/bin/python bench/stack.py [--repeat N]   (installs odc-stac if missing)
"""

import argparse
import datetime as dt
import json
import pathlib
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np

from timing import best_of, json_line, rangeo_example

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "build" / "bench" / "stack"
SCENES, SIDE = 12, 20480.0
TASKS = ("native", "reprojected")


def make_items():
    """The scenes and their item collection, unless a complete set is there."""
    if (DATA / "done").exists():
        return
    sys.path.insert(0, str(ROOT / "tests" / "reference"))
    import make_stack

    make_stack.BANDS = {"red": 10.0, "nir": 10.0}
    items = DATA / "items"
    items.mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2019, 1, 5, 10, 58, 1)
    features = []
    for n in range(SCENES):
        when = (start + dt.timedelta(days=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        item = make_stack.make_item(items, n, f"S2_31UDQ_{n:02}", when, 400000.0, 5520000.0, SIDE, SIDE, 1)
        features.append(item.to_dict(include_self_link=False, transform_hrefs=False))
    (items / "items.json").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (DATA / "done").write_text("complete\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve():
    """tornado on the items, and the URL of their collection."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "servers" / "static_http.py"), str(DATA / "items"), str(port)]
    )
    url = f"http://127.0.0.1:{port}/items.json"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return server, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the HTTP server did not start")


def peer(url, repeat):
    """odc-stac with dask's threaded scheduler, in this process."""
    import dask
    import odc.stac
    import pystac

    def median_ndvi(**grid):
        items = pystac.ItemCollection.from_file(url)
        for item in items:  # pystac leaves the relative hrefs of a bare collection as they are
            for asset in item.assets.values():
                asset.href = urllib.parse.urljoin(url, asset.href)
        ds = odc.stac.load(items, bands=["red", "nir"], chunks={"x": 1024, "y": 1024}, resampling="nearest", **grid)
        # nodata (0) masked, then raster:bands' scale and offset, in float64.
        red, nir = (ds[band].where(ds[band] != 0) * 1e-4 - 0.1 for band in ("red", "nir"))
        return ((nir - red) / (nir + red)).median("time").compute()

    with dask.config.set(scheduler="threads"):
        out = {
            "native": best_of(repeat, lambda: np.nanmean(median_ndvi(crs="EPSG:32631", resolution=10))),
            "reprojected": best_of(repeat, lambda: np.nanmean(median_ndvi(crs="EPSG:3035", resolution=20))),
        }
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out



def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--peer", metavar="URL", help="time odc-stac only on the items at URL, print JSON")
    args = parser.parse_args()
    if args.peer:
        print(json.dumps(peer(args.peer, args.repeat)))
        return
    try:
        import odc.stac  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "odc-stac==0.5.3"], check=True)
    make_items()
    server, url = serve()
    try:
        ours = rangeo_example("stack_bench", "--items", url, "--repeat", args.repeat)
        theirs = json_line([sys.executable, __file__, "--peer", url, "--repeat", str(args.repeat)])
    finally:
        server.terminate()
    print(
        f"{SCENES} scenes x 2 bands of 2048 x 2048 uint16 COGs over HTTP on 127.0.0.1, median NDVI over time, "
        f"best of {args.repeat}; rangeo on {ours['threads']} threads, dask threaded scheduler"
    )
    print(f"{'':12}{'rangeo':>9}{'odc-stac':>11}{'odc/rangeo':>12}")
    for name in TASKS:
        a, b = ours[name], theirs[name]
        print(f"{name:12}{a['seconds']:>8.2f}s{b['seconds']:>10.2f}s{b['seconds'] / a['seconds']:>11.2f}x")
    print(f"{'peak memory':12}{ours['peak_mib']:>6.0f}MiB{theirs['peak_mib']:>8.0f}MiB")
    print("mean of the median NDVI: " + "; ".join(
        f"{name}: rangeo {ours[name]['checksum']:.6f}, odc-stac {theirs[name]['checksum']:.6f}" for name in TASKS))


if __name__ == "__main__":
    main()
