"""What the benchmarks share: timing a piece of work as the best of several runs,
running rangeo's side (a release-built example that prints one JSON line), and reading
a store into the page cache before any side is timed on it."""

import json
import pathlib
import subprocess
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def fastest(repeat, f):
    """The shortest of `repeat` runs of `f`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def warm(store):
    """Reads every file of `store` once, into the page cache: otherwise the side that
    runs first on a store pays for the disk and the others do not."""
    for path in pathlib.Path(store).rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                while f.read(16 << 20):
                    pass


def json_line(command):
    """Runs `command` in the checkout and returns the JSON of its last line: one side of
    a benchmark, timed in its own process."""
    out = subprocess.run([str(c) for c in command], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rangeo_example(name, *args):
    """Builds runtime/examples/`name`.rs in release, runs it with `args`, and returns the
    JSON of its last line."""
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "rangeo", "--example", name], cwd=ROOT, check=True)
    return json_line([ROOT / "target" / "release" / "examples" / name, *args])


def best_of(repeat, f):
    """The shortest of `repeat` runs of `f`, in seconds, and the mean of its result."""
    best, checksum = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - start)
        # The mean accumulated in float64 without a float64 copy of the result, which
        # would count in the peak memory.
        checksum = float(np.asarray(result).mean(dtype=np.float64))
    return {"seconds": best, "checksum": checksum}
