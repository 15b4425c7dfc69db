"""UNISAL size, inference speed (224x384 frames) and training throughput on this CPU.

    PYTHONPATH=. python benchmarks/unisal.py --output benchmarks/results/unisal.md
    KERAS_BACKEND=jax PYTHONPATH=. python benchmarks/unisal.py --inference-only   # JAX rows

Inference: batch of one frame, static (Bypass-RNN) and RNN paths, TensorFlow with
and without XLA (``jit_compile``); median of ``--repeats`` calls after a warm-up.
Training: images/s of ``model.fit`` steps with the domain-aware recipe on batches
of 4 SALICON-sized images (288x384), graph mode, after the first (tracing) step.
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402

from keras_saliency.zoo.unisal import UNISAL  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--inference-only", action="store_true")
    parser.add_argument("--output")
    args = parser.parse_args()
    backend = keras.backend.backend()
    model = UNISAL()
    model.build()
    n_params = model.count_params()
    size_mb = sum(int(np.prod(w.shape)) for w in model.weights) * 4 / 1e6
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    rng = np.random.default_rng(0)
    frame = rng.uniform(0, 255, (1, 1, 224, 384, 3)).astype("float32")
    domain = np.zeros((1,), np.int32)
    rows = [f"Command: `{'KERAS_BACKEND=' + backend + ' ' if backend != 'tensorflow' else ''}python "
            f"{' '.join(sys.argv)}`; backend {backend}; {os.cpu_count()} CPU cores ({platform.machine()}); "
            "other jobs shared the machine.", "",
            f"- parameters: {n_params:,} ({trainable:,} trainable; the reference UNISAL has 3,714,872 trainable); "
            f"weights {size_mb:.1f} MB in float32 (paper: 15.5 MB)", ""]
    rows += ["| path | ms/frame (224x384) | ms/frame with XLA |", "|---|---|---|"]
    for static in (True, False):
        call = lambda: model({"image": frame, "domain": domain}, static=static)  # noqa: E731
        if backend == "tensorflow":
            import tensorflow as tf

            plain = tf.function(call)
            xla = tf.function(call, jit_compile=True)
            t_plain, t_xla = median_seconds(plain, args.repeats), median_seconds(xla, args.repeats)
            rows.append(f"| {'static (Bypass-RNN)' if static else 'ConvGRU'} | {1000 * t_plain:.1f} | "
                        f"{1000 * t_xla:.1f} |")
        else:
            import jax

            jitted = jax.jit(lambda x, d: model({"image": x, "domain": d}, static=static))
            t_jit = median_seconds(lambda: jitted(frame, domain), args.repeats)
            rows.append(f"| {'static (Bypass-RNN)' if static else 'ConvGRU'} | – | {1000 * t_jit:.1f} (jax.jit) |")
        print(rows[-1], flush=True)
    if not args.inference_only and backend == "tensorflow":
        model.compile(steps_per_epoch=100, freeze_encoder_epochs=0)
        x = {"image": rng.uniform(0, 255, (4, 288, 384, 3)).astype("float32"), "domain": np.full(4, 3, np.int32)}
        y = np.stack([rng.random((4, 288, 384)), rng.random((4, 288, 384)) > 0.99], -1).astype("float32")
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # trace
        steps = 5
        start = time.perf_counter()
        model.fit({k: np.concatenate([v] * steps) for k, v in x.items()}, np.concatenate([y] * steps), batch_size=4,
                  epochs=1, verbose=0)
        images_per_second = 4 * steps / (time.perf_counter() - start)
        rows += ["", f"- training: {images_per_second:.2f} images/s (288x384, batch 4, SGD domain-aware step, "
                     "graph mode)"]
        print(rows[-1], flush=True)
    text = "\n".join(rows) + "\n"
    print(text)
    if args.output:
        with open(args.output, "a" if os.path.exists(args.output) and backend != "tensorflow" else "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
