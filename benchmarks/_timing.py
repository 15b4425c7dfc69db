"""Wall-clock timing shared by the benchmarks: call times after an optional warm-up call."""

import time

import numpy as np


def call_seconds(fn, repeats: int, warmup: bool = True) -> np.ndarray:
    """Seconds of each of ``repeats`` calls of ``fn`` (its result made a NumPy array, so lazy results finish)."""
    if warmup:
        np.asarray(fn())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.asarray(fn())
        times.append(time.perf_counter() - start)
    return np.asarray(times)


def median_seconds(fn, repeats: int, warmup: bool = True) -> float:
    """Median seconds per call of ``fn`` (see :func:`call_seconds`)."""
    return float(np.median(call_seconds(fn, repeats, warmup)))
