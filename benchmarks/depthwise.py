"""Depthwise convolutions on this CPU: TensorFlow's kernel vs the shifted sum, in TF graph mode and under XLA.

    PYTHONPATH=. python benchmarks/depthwise.py --output benchmarks/results/depthwise.md

`keras_saliency.layers.DepthwiseConv2D` computes either way (`keras_saliency.layers.depthwise_implementation`);
this times both, each in ``tf.function`` (graph) and ``tf.function(jit_compile=True)`` (XLA), for:
UNISAL (EfficientNet-Lite0 encoder) predicting one 288x384 image (static path), one UNISAL training
step (batch 8 at 288x384, ``train_on_batch`` with the reference recipe), and the EfficientNet-Lite0/1/2
backbones' DeepGaze features of one 384x512 image. Random weights (speed does not depend on them). The
four variants of a row run alternately, ``--rounds`` times ``--repeats`` calls each after the first
(tracing / compiling) call; the table gives medians and the ratio to graph + kernel, the default on
TensorFlow. TensorFlow backend only (JAX always compiles with XLA: the shifted sum is its default).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402

VARIANTS = (("graph", "kernel"), ("graph", "shifted"), ("XLA", "shifted"), ("XLA", "kernel"))


def unisal_predict(rng):
    """A (traced call per variant) builder: UNISAL's static path on one 288x384 image."""
    import tensorflow as tf

    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL(domains=["images"], encoder="efficientnet_lite0", encoder_weights=None)
    x = {"image": tf.constant(rng.uniform(0, 255, (1, 288, 384, 3)).astype("float32")),
         "domain": tf.zeros((1,), tf.int32)}

    def build(jit):
        call = tf.function(lambda x: model(x, training=False), jit_compile=jit)
        return lambda: call(x)
    return build


def unisal_train(rng):
    """A builder of one ``train_on_batch`` per variant (its own compiled model: the train function is traced once)."""
    from keras_saliency.zoo.unisal import UNISAL

    b, h, w = 8, 288, 384
    x = {"image": rng.uniform(0, 255, (b, h, w, 3)).astype("float32"), "domain": np.zeros((b,), "int32")}
    fixations = (rng.uniform(size=(b, h, w)) > 0.999).astype("float32")
    y = np.stack([np.full((b, h, w), 1.0 / (h * w), "float32"), fixations], -1)

    def build(jit):
        model = UNISAL(domains=["images"], encoder="efficientnet_lite0", encoder_weights=None)
        model.compile(steps_per_epoch=100, freeze_encoder_epochs=0, learning_rate=0.01, jit_compile=jit)
        return lambda: model.train_on_batch(x, y, return_dict=True)["loss"]
    return build


def backbone_features(name):
    def make(rng):
        import tensorflow as tf

        from keras_saliency import backbones

        model = backbones.get(name, input_shape=(384, 512, 3))
        x = tf.constant(rng.uniform(0, 255, (1, 384, 512, 3)).astype("float32"))

        def build(jit):
            call = tf.function(lambda x: model(x, training=False), jit_compile=jit)
            return lambda: sum(float(tf.reduce_sum(t)) for t in tf.nest.flatten(call(x)))  # every tap finished
        return build
    return make


CASES = {
    "UNISAL predict, 1 image 288x384": (unisal_predict, 1),
    "UNISAL train step, batch 8 at 288x384": (unisal_train, 8),
    "efficientnet_lite0 features, 384x512": (backbone_features("efficientnet_lite0"), 1),
    "efficientnet_lite1 features, 384x512": (backbone_features("efficientnet_lite1"), 1),
    "efficientnet_lite2 features, 384x512": (backbone_features("efficientnet_lite2"), 1),
}


def measure(make, rounds: int, repeats: int):
    """{variant: (median ms per call, first call s)} of one case, the variants alternating."""
    import time

    from keras_saliency.layers import depthwise_implementation

    build = make(np.random.default_rng(0))
    calls, first = {}, {}
    for mode, implementation in VARIANTS:
        with depthwise_implementation(implementation):  # traced (and run once) under the variant
            calls[mode, implementation] = build(mode == "XLA")
            start = time.perf_counter()
            np.asarray(calls[mode, implementation]())
            first[mode, implementation] = time.perf_counter() - start
    times = {variant: [] for variant in VARIANTS}
    for _ in range(rounds):
        for variant in VARIANTS:
            times[variant].append(1000 * median_seconds(calls[variant], repeats, warmup=False))
    return {variant: (float(np.median(times[variant])), first[variant]) for variant in VARIANTS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=None, help=f"default: all of {list(CASES)}")
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    header = " | ".join(f"{mode} + {implementation}" for mode, implementation in VARIANTS)
    rows = [f"| case | {header} (ms per call; first call s) | fastest |", "|---|" + "---|" * (len(VARIANTS) + 1)]
    for name in args.cases or CASES:
        make, _ = CASES[name]
        result = measure(make, args.rounds, args.repeats)
        base = result[VARIANTS[0]][0]
        cells = [f"{ms:.0f} ({ms / base:.2f}x; {first:.0f} s)" for ms, first in result.values()]
        fastest = min(result, key=lambda variant: result[variant][0])
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {fastest[0]} + {fastest[1]} |")
        print(rows[-1], flush=True)
    text = "\n".join([
        f"Command: `python {' '.join(sys.argv)}`; {os.cpu_count()} CPU cores ({platform.machine()}); load "
        f"average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. Ratios are to graph + kernel "
        "(TensorFlow's default) in the same run.", "", *rows]) + "\n"
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        atomic_write(args.output, lambda handle: handle.write(text.encode()))


if __name__ == "__main__":
    main()
