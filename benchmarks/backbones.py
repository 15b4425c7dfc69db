"""Backbone throughput: images/s of every registered backbone at 384x512 on this machine's CPU.

Usage:
    PYTHONPATH=. python benchmarks/backbones.py [--batch_sizes 1] [--repeats 3]
        [--names efficientnet_lite0 vgg19 ...] [--out benchmarks/results/backbones.md]

Each backbone is built by ``keras_saliency.backbones.get(name, input_shape=(384, 512, 3))``
with its default taps and random weights (speed does not depend on the weights), then
called through ``tf.function`` with ``jit_compile`` False and True. The first call
(tracing / XLA compilation) is timed separately; images/s is the median over
``--repeats`` further calls. TensorFlow backend only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_saliency import backbones  # noqa: E402

SIZE = (384, 512)


def measure(model, batch_size: int, jit: bool, repeats: int):
    images = tf.constant(np.random.default_rng(0).uniform(0, 255, (batch_size, *SIZE, 3)).astype(np.float32))
    call = tf.function(lambda x: model(x, training=False), jit_compile=jit)
    start = time.perf_counter()
    tf.nest.map_structure(lambda t: t.numpy(), call(images))
    first_s = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        tf.nest.map_structure(lambda t: t.numpy(), call(images))
        times.append(time.perf_counter() - start)
    return batch_size / statistics.median(times), first_s


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", nargs="*", default=None, help="default: every registered backbone")
    parser.add_argument("--batch_sizes", nargs="*", type=int, default=[1])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    names = args.names or sorted(backbones.list_backbones())
    rows = []
    for name in names:
        model = backbones.get(name, input_shape=(*SIZE, 3))
        for batch_size in args.batch_sizes:
            for jit in (False, True):
                rate, first_s = measure(model, batch_size, jit, args.repeats)
                rows.append(f"| {name} | {batch_size} | {jit} | {rate:.2f} | {first_s:.1f} |")
                print(rows[-1], flush=True)
    lines = [
        "# Backbone throughput at 384x512 (CPU)",
        "",
        f"Command: `PYTHONPATH=. python benchmarks/backbones.py --batch_sizes {' '.join(map(str, args.batch_sizes))}"
        f" --repeats {args.repeats}{' --names ' + ' '.join(args.names) if args.names else ''}`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, "
        f"TensorFlow {tf.__version__}, Keras backend tensorflow. The cores are shared with other jobs, "
        "so absolute numbers are noisy (lower bounds); compare rows within one run.",
        "Random weights, default taps of each backbone, median of the timed calls after the first.",
        "",
        "| backbone | batch | jit_compile | images/s | first call (s, trace/compile) |",
        "|---|---|---|---|---|",
        *rows,
    ]
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
