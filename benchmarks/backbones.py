"""Images/s of each backbone at 384x512 (batch 1) on this CPU, TensorFlow, with and without XLA.

    PYTHONPATH=. python benchmarks/backbones.py --output benchmarks/results/backbones.md

Each backbone runs its default taps with ``weights=None`` (speed does not depend on
the weights); one warm-up call (trace/compile) is excluded, then the median of
``--repeats`` calls is reported.
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_saliency import backbones  # noqa: E402


def measure(fn, x, repeats):
    fn(x)  # warm-up: trace (and compile with XLA)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(x)
        [np.asarray(v) for v in out.values()]
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", nargs="*", default=sorted(backbones.list_backbones()))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output")
    args = parser.parse_args()
    x = tf.constant(np.random.default_rng(0).uniform(0, 255, (1, 384, 512, 3)).astype("float32"))
    rows = ["| backbone | params (M) | images/s | images/s with jit_compile | taps |", "|---|---|---|---|---|"]
    for name in args.names:
        model = backbones.get(name, input_shape=(384, 512, 3))
        plain = tf.function(lambda inputs: model(inputs, training=False))
        xla = tf.function(lambda inputs: model(inputs, training=False), jit_compile=True)
        t_plain, t_xla = measure(plain, x, args.repeats), measure(xla, x, args.repeats)
        params = model.count_params() / 1e6
        rows.append(f"| {name} | {params:.1f} | {1 / t_plain:.2f} | {1 / t_xla:.2f} | "
                    f"{', '.join(backbones.list_backbones()[name]['default_taps'])} |")
        print(rows[-1], flush=True)
    header = (f"Command: `python {' '.join(sys.argv)}`\n\n384x512 RGB, batch 1, median of {args.repeats} calls after "
              f"one warm-up; TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores ({platform.machine()}); "
              "other jobs shared the machine, so treat ratios between rows as the stable part.\n\n")
    text = header + "\n".join(rows) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
