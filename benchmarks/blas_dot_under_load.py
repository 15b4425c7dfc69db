"""Why metric timings swing on a busy machine: OpenBLAS ``ddot`` threads against a single-threaded loop.

    python benchmarks/blas_dot_under_load.py --output benchmarks/results/blas_dot_under_load.md
    OPENBLAS_NUM_THREADS=1 python benchmarks/blas_dot_under_load.py --output benchmarks/results/blas_dot_under_load.md

Times one dot product of two 480x640 float64 maps (307,200 values) with
``np.dot`` (OpenBLAS; it splits vectors over 10,000 elements across its
threads) and with ``np.einsum("i,i->")`` (NumPy's own SIMD loop in the calling
thread), alternately, and reports median and mean over ``--repeats`` calls
with the load average. Appends to ``--output``.
"""

import argparse
import os
import sys

import numpy as np
from _timing import call_seconds


def stats(fn, repeats):
    times = 1e6 * call_seconds(fn, repeats)
    return float(np.median(times)), float(np.mean(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--output")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    a, b = rng.random(480 * 640), rng.random(480 * 640)
    load = os.getloadavg()[0]
    rows = {"np.dot (OpenBLAS ddot)": [], "np.einsum('i,i->')": []}
    for _ in range(3):  # alternate
        rows["np.dot (OpenBLAS ddot)"].append(stats(lambda: np.dot(a, b), args.repeats))
        rows["np.einsum('i,i->')"].append(stats(lambda: np.einsum("i,i->", a, b), args.repeats))
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset (one per core)")
    env = f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} " if "OPENBLAS_NUM_THREADS" in os.environ else ""
    lines = [f"Command: `{env}python {' '.join(sys.argv)}`", "",
             f"{os.cpu_count()} CPU cores, NumPy {np.__version__}, OPENBLAS_NUM_THREADS {threads}; load average "
             f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (other jobs shared the machine).", "",
             "| call (307,200 float64) | median µs | mean µs |", "|---|---|---|"]
    for name, values in rows.items():
        lines.append(f"| {name} | {np.median([v[0] for v in values]):.0f} | {np.median([v[1] for v in values]):.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        previous = open(args.output).read() + "\n" if os.path.exists(args.output) else ""
        atomic_write(args.output, lambda f: f.write((previous + text).encode()))


if __name__ == "__main__":
    main()
