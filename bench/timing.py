"""What the benchmarks share: timing a piece of work as the best of several runs."""

import time

import numpy as np


def best_of(repeat, f):
    """The shortest of `repeat` runs of `f`, in seconds, and the mean of its result."""
    best, checksum = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - start)
        checksum = float(np.asarray(result, dtype=np.float64).mean())
    return {"seconds": best, "checksum": checksum}
