"""Inference time of UNISAL, DeepGaze II and WEPSAM under TF graph mode, TF XLA and JAX ``jit`` on this CPU.

    PYTHONPATH=. python benchmarks/backends.py --output benchmarks/results/backends.md
    KERAS_BACKEND=jax PYTHONPATH=. python benchmarks/backends.py --output benchmarks/results/backends.md
    PYTHONPATH=. python benchmarks/backends.py --rounds 5 --output benchmarks/results/backends.md

``--rounds R`` runs R rounds of a TensorFlow process and a JAX process, one after the other, and
reports each model's median times and the median (and range) of the per-round ratios to that
round's TF graph time: the JAX side cannot share a process with TensorFlow (the backend is fixed at
import), and times of separate processes on this machine drift by 10-20 % between runs, so one pair
of runs can put a ratio on either side of a target.

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


def contract_ms(repeats: int) -> float:
    """ms of UNISAL's ``predict_log_density`` of one 288x384 photo, the call a user makes, once it is compiled."""
    from keras_saliency.zoo.unisal import UNISAL, unisal_model

    model = UNISAL()
    photo = np.random.default_rng(1).uniform(0, 255, (1, 288, 384, 3))
    for _ in range(unisal_model.COMPILE_AFTER + 1):  # eager calls, then the trace of this shape
        model.predict_log_density(photo)
    return 1000 * median_seconds(lambda: model.predict_log_density(photo), 3 * repeats, warmup=False)


def measure(args) -> dict:
    """This process' timings in ms per image: {model: {"graph", "xla"[, "litert"]} or {"jit"}}, and the user's call."""
    backend = keras.backend.backend()
    timings = {}
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
            timings[name] = {"graph": float(np.median(t_graph)) / images, "xla": float(np.median(t_xla)) / images}
            if args.litert:
                timings[name]["litert"] = litert_ms(model, pixels, args.repeats)
        else:
            import jax

            jitted = jax.jit(call)
            jitted(x)
            timings[name] = {"jit": 1000 * median_seconds(lambda: jitted(x), 3 * args.repeats, warmup=False) / images}
        print(name, timings[name], flush=True)
    timings[PREDICT_ROW] = {"graph" if backend == "tensorflow" else "jit": contract_ms(args.repeats)}
    return timings


PREDICT_ROW = "UNISAL `predict_log_density` (288x384 photo, float64 out)"


def single_run_text(timings: dict, load: float) -> str:
    backend = keras.backend.backend()
    rows = []
    for name, t in timings.items():
        if name == PREDICT_ROW:
            how = "tf.function" if backend == "tensorflow" else "jax.jit"
            rows.append(f"| {name} | {backend} | {t.get('graph', t.get('jit')):.1f} ({how}) | | |")
        elif backend == "tensorflow":
            rows.append(f"| {name} | tensorflow | {t['graph']:.1f} | {t['xla']:.1f} (jit_compile) | "
                        f"{t['xla'] / t['graph']:.2f} |")
            if "litert" in t:
                rows.append(f"| {name} | LiteRT | {t['graph']:.1f} | {t['litert']:.1f} (exported, one image) | "
                            f"{t['litert'] / t['graph']:.2f} |")
        else:
            rows.append(f"| {name} | jax | – | {t['jit']:.1f} (jax.jit) | – |")
    env = "" if backend == "tensorflow" else f"KERAS_BACKEND={backend} "
    return "\n".join([
        f"Command: `{env}python {' '.join(sys.argv)}`; backend {backend}; {os.cpu_count()} CPU cores "
        f"({platform.machine()}); load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(other jobs shared the machine).", "",
        "| model | backend | ms/image, graph | ms/image, XLA | XLA / graph |", "|---|---|---|---|---|", *rows]) + "\n"


def alternating_rounds_text(args, load: float) -> str:
    """``--rounds R``: R rounds of a TensorFlow process then a JAX process; medians and per-round ratios."""
    import json
    import subprocess
    import tempfile

    runs = {"tensorflow": [], "jax": []}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.rounds):
            for backend in runs:
                path = os.path.join(folder, f"{backend}{r}.json")
                command = [sys.executable, __file__, "--repeats", str(args.repeats), "--json", path]
                env = {**os.environ, "KERAS_BACKEND": backend}
                subprocess.run(command, check=True, env=env)
                with open(path) as f:
                    runs[backend].append(json.load(f))
    rows = []
    for name in runs["tensorflow"][0]:
        graph = [run[name]["graph"] for run in runs["tensorflow"]]
        xla = [run[name].get("xla") for run in runs["tensorflow"]]
        jit = [run[name]["jit"] for run in runs["jax"]]
        jax_ratio = [j / g for j, g in zip(jit, graph)]
        cells = [f"{np.median(graph):.1f}", f"{np.median(xla):.1f}" if xla[0] is not None else "–",
                 f"{np.median(jit):.1f}"]
        ratios = [f"{np.median([x / g for x, g in zip(xla, graph)]):.2f} ({min(x / g for x, g in zip(xla, graph)):.2f}-"
                  f"{max(x / g for x, g in zip(xla, graph)):.2f})" if xla[0] is not None else "–",
                  f"{np.median(jax_ratio):.2f} ({min(jax_ratio):.2f}-{max(jax_ratio):.2f})"]
        rows.append(f"| {name} | " + " | ".join(cells + ratios) + " |")
    return "\n".join([
        f"Command: `python {' '.join(sys.argv)}`: {args.rounds} rounds, each a TensorFlow process then a JAX "
        f"process (--repeats {args.repeats}); {os.cpu_count()} CPU cores ({platform.machine()}); load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. Medians over the rounds (ms per image); "
        "ratios: the median of the per-round ratios to that round's TF graph time (range in brackets).", "",
        "| model | TF graph | TF XLA | JAX jit | XLA / graph | JAX / graph |", "|---|---|---|---|---|---|",
        *rows]) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--output")
    parser.add_argument("--litert", action="store_true", help="also time each model exported to LiteRT")
    parser.add_argument("--rounds", type=int, default=0,
                        help="alternate R TensorFlow and JAX processes and report per-round ratios")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a --rounds worker: write the timings here
    args = parser.parse_args()
    load = os.getloadavg()[0]
    if args.rounds:
        text = alternating_rounds_text(args, load)
    else:
        timings = measure(args)
        if args.json:
            import json

            with open(args.json, "w") as f:
                json.dump(timings, f)
            return
        text = single_run_text(timings, load)
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        append = os.path.exists(args.output) and (args.rounds or keras.backend.backend() != "tensorflow")
        previous = open(args.output).read() + "\n" if append else ""
        atomic_write(args.output, lambda f: f.write((previous + text).encode()))


if __name__ == "__main__":
    main()
