"""Inference time of UNISAL, DeepGaze II and WEPSAM under TF graph mode, TF XLA and JAX ``jit`` on this CPU.

    PYTHONPATH=. python benchmarks/backends.py --output benchmarks/results/backends.md
    KERAS_BACKEND=jax PYTHONPATH=. python benchmarks/backends.py --output benchmarks/results/backends.md

The TensorFlow run times ``tf.function(call)`` and ``tf.function(call,
jit_compile=True)`` alternately (median of ``--repeats`` calls each, after
compiling; the XLA function traced with depthwise convolutions as the shifted sum,
its fast form under XLA, the graph one with TensorFlow's kernel, the default:
`keras_saliency.layers.depthwise_implementation`, ``benchmarks/depthwise.py``); the JAX run (its own process: the backend is fixed at import)
times ``jax.jit(call)`` and appends its rows. Random weights (speed does not
depend on them). Inputs: UNISAL one 224x384 frame (static path), DeepGaze II
one 384x512 image with efficientnet_lite0 and one readout, WEPSAM a batch of 8
128x128 images. Ratios to TF graph need both runs: compare the rows. A last row times what a user
calls, UNISAL's ``predict_log_density`` of one 288x384 photo (resizing and normalising included) after
its compile threshold (``keras_saliency.recurring_shapes``: ``tf.function`` / ``jax.jit``). On JAX,
``keras_saliency.xla_flags`` applies (this script imports keras_saliency before compiling anything).
With ``--litert`` (TensorFlow run) each model is also exported to LiteRT (`keras_saliency.export`, one image
at the same size, XNNPACK as ai-edge-litert applies it by default) and its ``run`` timed per image beside the
graph (the export graph normalises the log-density; the graph rows do not).
"""

import argparse
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402


def families():
    from keras_saliency.zoo.deepgaze import DeepGazeII
    from keras_saliency.zoo.unisal import UNISAL
    from keras_saliency.zoo.wepsam import WEPSAM

    rng = np.random.default_rng(0)
    unisal = UNISAL()
    unisal.build()
    frame = {"image": rng.uniform(0, 255, (1, 1, 224, 384, 3)).astype("float32"), "domain": np.zeros((1,), np.int32)}
    deepgaze = DeepGazeII("efficientnet_lite0", centerbias_shape=(16, 16))  # a stored grid: exportable
    image = {"image": rng.uniform(0, 255, (1, 384, 512, 3)).astype("float32"),
             "centerbias": np.full((1, 384, 512), -np.log(384 * 512), "float32")}
    wepsam = WEPSAM()
    batch = rng.uniform(0, 255, (8, 128, 128, 3)).astype("float32")
    return {
        "UNISAL (224x384 frame, static)": (lambda x: unisal(x, static=True), frame, 1, unisal),
        "DeepGaze II (efficientnet_lite0, 384x512)": (lambda x: deepgaze(x), image, 1, deepgaze),
        "WEPSAM (batch of 8, 128x128)": (lambda x: wepsam(x), batch, 8, wepsam),
    }


def litert_ms(model, x, repeats: int) -> float:
    """ms per image of ``model`` exported to LiteRT at the size of ``x`` (one image of it, RGB 0..255)."""
    import tempfile
    from pathlib import Path

    from keras_saliency.export import export_model, load_exported

    pixels = (x["image"] if isinstance(x, dict) else x).reshape((-1,) + x_size(x) + (3,))[:1]
    with tempfile.TemporaryDirectory() as folder:
        result = export_model(model, Path(folder) / "model.tflite", "tflite", input_size=x_size(x),
                              check_images=[pixels[0]])
        exported = load_exported(result.path)
        exported.run(pixels)
        return 1000 * median_seconds(lambda: exported.run(pixels), 3 * repeats, warmup=False)


def x_size(x):
    image = x["image"] if isinstance(x, dict) else x
    return tuple(image.shape[-3:-1])


def contract_row(repeats: int) -> str:
    """UNISAL's ``predict_log_density`` of one 288x384 photo, the call a user makes, once it is compiled."""
    from keras_saliency.zoo.unisal import UNISAL, unisal_model

    model = UNISAL()
    photo = np.random.default_rng(1).uniform(0, 255, (1, 288, 384, 3))
    for _ in range(unisal_model.COMPILE_AFTER + 1):  # eager calls, then the trace of this shape
        model.predict_log_density(photo)
    ms = 1000 * median_seconds(lambda: model.predict_log_density(photo), 3 * repeats, warmup=False)
    backend = keras.backend.backend()
    how = "tf.function" if backend == "tensorflow" else "jax.jit"
    return f"| UNISAL `predict_log_density` (288x384 photo, float64 out) | {backend} | {ms:.1f} ({how}) | | |"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--output")
    parser.add_argument("--litert", action="store_true", help="also time each model exported to LiteRT")
    args = parser.parse_args()
    backend = keras.backend.backend()
    load = os.getloadavg()[0]
    rows = []
    for name, (call, x, images, model) in families().items():
        pixels = x
        if backend == "tensorflow":
            import tensorflow as tf

            x = tf.nest.map_structure(tf.constant, x)  # arguments, not constants XLA could fold
            from keras_saliency.layers import depthwise_implementation

            graph, xla = tf.function(call), tf.function(call, jit_compile=True)
            graph(x)  # trace
            with depthwise_implementation("shifted"):
                xla(x)  # trace and compile
            t_graph, t_xla = [], []
            for _ in range(3):  # alternate so that load changes hit both
                t_graph.append(1000 * median_seconds(lambda: graph(x), args.repeats, warmup=False))
                t_xla.append(1000 * median_seconds(lambda: xla(x), args.repeats, warmup=False))
            t_graph, t_xla = float(np.median(t_graph)), float(np.median(t_xla))
            rows.append(f"| {name} | tensorflow | {t_graph / images:.1f} | {t_xla / images:.1f} (jit_compile) | "
                        f"{t_xla / t_graph:.2f} |")
            if args.litert:
                print(rows[-1], flush=True)
                t_lite = litert_ms(model, pixels, args.repeats)
                rows.append(f"| {name} | LiteRT | {t_graph / images:.1f} | {t_lite:.1f} (exported, one image) | "
                            f"{t_lite / (t_graph / images):.2f} |")
        else:
            import jax

            jitted = jax.jit(call)
            jitted(x)
            t_jit = 1000 * median_seconds(lambda: jitted(x), 3 * args.repeats, warmup=False)
            rows.append(f"| {name} | jax | – | {t_jit / images:.1f} (jax.jit) | – |")
        print(rows[-1], flush=True)
    rows.append(contract_row(args.repeats))
    print(rows[-1], flush=True)
    env = "" if backend == "tensorflow" else f"KERAS_BACKEND={backend} "
    text = "\n".join([
        f"Command: `{env}python {' '.join(sys.argv)}`; backend {backend}; {os.cpu_count()} CPU cores "
        f"({platform.machine()}); load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(other jobs shared the machine).", "",
        "| model | backend | ms/image, graph | ms/image, XLA | XLA / graph |", "|---|---|---|---|---|", *rows]) + "\n"
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        previous = open(args.output).read() + "\n" if os.path.exists(args.output) and backend != "tensorflow" else ""
        atomic_write(args.output, lambda f: f.write((previous + text).encode()))


if __name__ == "__main__":
    main()
