"""Plot benchmark: rangeo against xarray + matplotlib, same machine, same run.

Both sides build the same 1000 x 1000 float64 field on (lat, lon) (descending latitude,
with units) and time its default plot (`da.plot()`: a colour mesh with a colour bar at
640 x 480 pixels, 100 dpi) rendered to PNG bytes, as the best of --repeat renderings.
matplotlib draws with its Agg backend into memory (`savefig` to a buffer), rangeo's
`Figure` holds its PNG. Peak memory is each process's peak resident size.

Run: .venv/bin/python bench/plot.py [--repeat N]
"""

import argparse
import io
import resource

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from timing import fastest, rangeo_example  # noqa: E402


def field():
    i, j = np.arange(1000.0)[:, None], np.arange(1000.0)[None, :]
    values = 280.0 + 20.0 * np.sin(i / 50.0) * np.cos(j / 70.0)
    coords = {"lat": 90.0 - np.arange(1000) * 0.18, "lon": np.arange(1000) * 0.36}
    return xr.DataArray(values, dims=("lat", "lon"), coords=coords, name="air", attrs={"units": "K"})


def xarray_seconds(repeat):
    air = field()

    def render():
        air.plot()
        buffer = io.BytesIO()
        plt.gcf().savefig(buffer, format="png", dpi=100)
        plt.close("all")
        return buffer.getbuffer().nbytes

    return fastest(repeat, render)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    ours = rangeo_example("plot_bench", "--repeat", args.repeat)
    theirs = xarray_seconds(args.repeat)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"1000 x 1000 float64 field, default plot to PNG (640 x 480), best of {args.repeat}")
    print(f"{'':14}{'rangeo':>12}{'xarray+mpl':>12}{'ratio':>9}")
    print(f"{'plot':14}{ours['plot'] * 1e3:>10.1f}ms{theirs * 1e3:>10.1f}ms{theirs / ours['plot']:>8.2f}x")
    print(f"{'peak memory':14}{ours['peak_mib']:>9.0f}MiB{peak_mib:>9.0f}MiB")


if __name__ == "__main__":
    main()
