"""DeepGaze IIE speed and memory on this CPU: cached-feature training epochs, 768x1024 inference, ensemble memory.

    PYTHONPATH=. python benchmarks/deepgaze.py --output benchmarks/results/deepgaze.md

* Training: seconds per ``fit_readout`` epoch of one readout on cached features of
  ``--train-images`` 768x1024 images (24x32 readout grid, the backbone's channels, 15
  fixations each, batch 4, graph mode), after a first (tracing) epoch. The features are
  random arrays of the cached shape: the readout's cost does not depend on their values.
* Inference: ms/image end to end at 768x1024 for one backbone x one readout, batch 1,
  median of ``--repeats`` after a warm-up: ``model.predict`` (graph) and
  ``predict_log_density`` (backbone and each component compiled separately, one at a time).
* Memory: a fresh process builds an ensemble (``--ensemble`` backbones x ``--components``
  readouts), resets its peak-RSS counter (``/proc/self/clear_refs``), predicts one batch of
  ``--memory-batch`` 768x1024 images in one graph (``model.predict``) or member by member
  (``predict_log_density``) and reports ``VmHWM``: the peak over the built model's RSS is
  the inference's own. (tracemalloc cannot see TensorFlow's allocator; ``ru_maxrss`` of a
  child includes the parent's peak.) Linux only.
Backbones: EfficientNet-Lite0/1/2 with their ImageNet weights (the real backbones of the
issue; weights do not change the timings).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402

from keras_saliency.zoo.deepgaze import DeepGazeII, DeepGazeIIE, ReadoutDataset, fit_readout  # noqa: E402

SIZE = (768, 1024)


def rss_mb():
    """Peak resident memory of this process so far, MB (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_mb(field):
    """``VmRSS`` / ``VmHWM`` (peak RSS of this address space) from /proc/self/status, MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def inputs(batch, seed=0):
    rng = np.random.default_rng(seed)
    return {"image": rng.uniform(0, 255, (batch, *SIZE, 3)).astype("float32"),
            "centerbias": np.full((batch, *SIZE), -np.log(SIZE[0] * SIZE[1]), "float32")}


def memory_probe(args):
    """Runs in a fresh process: prints {"built_mb", "peak_mb"} as JSON.

    ``ru_maxrss`` would include the parent's peak (Linux carries it over fork and
    exec), so the peak is ``VmHWM``, reset after building (``clear_refs`` 5).
    """
    model = DeepGazeIIE(args.ensemble, n_components=args.components, backbone_weights="imagenet")
    data = inputs(args.memory_batch)
    built = status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    if args.memory_probe == "graph":
        model.predict(data, batch_size=args.memory_batch, verbose=0)
    else:
        model.predict_log_density(data["image"], centerbias=data["centerbias"], batch_size=args.memory_batch)
    print(json.dumps({"built_mb": built, "peak_mb": status_mb("VmHWM")}))


def training_epoch_seconds(backbone, n_images):
    model = DeepGazeII(backbone, backbone_weights="imagenet")
    channels = int(model.features(np.zeros((1, 64, 64, 3), "float32")).shape[-1])
    rng = np.random.default_rng(0)
    features = [rng.normal(size=(24, 32, channels)).astype("float32") for _ in range(n_images)]
    fixations = [np.stack([rng.uniform(0, SIZE[1], 15), rng.uniform(0, SIZE[0], 15)], 1) for _ in range(n_images)]
    bias = np.full(SIZE, -np.log(SIZE[0] * SIZE[1]), "float32")
    train = ReadoutDataset(features, fixations, [SIZE] * n_images, lambda size: bias, batch_size=4)
    readout = model.readout_model()
    fit_readout(readout, train, epochs=1)  # tracing
    start = time.perf_counter()
    epochs = 2
    readout.fit(train.tf_dataset(), epochs=epochs, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / epochs, channels


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="efficientnet_lite0")
    parser.add_argument("--train-images", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ensemble", nargs="+", default=["efficientnet_lite0", "efficientnet_lite1",
                                                          "efficientnet_lite2"])
    parser.add_argument("--components", type=int, default=10)
    parser.add_argument("--memory-batch", type=int, default=4)
    parser.add_argument("--memory-probe", choices=["graph", "chunked"], help=argparse.SUPPRESS)
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.memory_probe:
        return memory_probe(args)
    rows = [f"Command: `python {' '.join(sys.argv)}`; backend {keras.backend.backend()}; {os.cpu_count()} CPU "
            f"cores ({platform.machine()}); other jobs shared the machine.", ""]

    seconds, channels = training_epoch_seconds(args.backbone, args.train_images)
    rows.append(f"- training on cached features ({args.backbone} taps, 24x32x{channels} per 768x1024 image, one "
                f"readout, batch 4, graph mode): **{seconds:.2f} s/epoch** for {args.train_images} images "
                f"({1000 * seconds / args.train_images:.1f} ms/image)")

    model = DeepGazeII(args.backbone, backbone_weights="imagenet")
    one = inputs(1)
    graph = median_seconds(lambda: model.predict(one, batch_size=1, verbose=0), args.repeats)
    eager = median_seconds(lambda: model.predict_log_density(one["image"], centerbias=one["centerbias"]), args.repeats)
    rows.append(f"- end-to-end inference at 768x1024, {args.backbone} x 1 readout, batch 1: "
                f"**{1000 * graph:.0f} ms/image** (`predict`, graph), {1000 * eager:.0f} ms/image "
                f"(`predict_log_density`, chunked)")
    ensemble = DeepGazeIIE(args.ensemble, n_components=args.components, backbone_weights="imagenet")
    graph = median_seconds(lambda: ensemble.predict(one, batch_size=1, verbose=0), max(1, args.repeats // 2))
    eager = median_seconds(lambda: ensemble.predict_log_density(one["image"], centerbias=one["centerbias"]),
                           max(1, args.repeats // 2))
    rows.append(f"- ensemble {' + '.join(args.ensemble)} x {args.components} readouts each, batch 1: "
                f"{1000 * graph:.0f} ms/image (`predict`), {1000 * eager:.0f} ms/image (`predict_log_density`)")
    rows += ["", f"Peak memory, fresh process, ensemble {len(args.ensemble)} backbones x {args.components} readouts, "
             f"batch of {args.memory_batch} 768x1024 images:", "",
             "| path | RSS after building (MB) | peak RSS during inference (MB) | increase (MB) |", "|---|---|---|---|"]
    for probe in ("graph", "chunked"):
        command = [sys.executable, __file__, "--memory-probe", probe, "--components", str(args.components),
                   "--memory-batch", str(args.memory_batch), "--ensemble", *args.ensemble]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        name = "`predict` (one graph)" if probe == "graph" else "`predict_log_density` (member by member)"
        rows.append(f"| {name} | {result['built_mb']:.0f} | {result['peak_mb']:.0f} | "
                    f"{result['peak_mb'] - result['built_mb']:.0f} |")
    rows.append(f"\nPeak RSS of the benchmark process itself (training, inference and ensemble above): "
                f"{rss_mb():.0f} MB.")
    text = "\n".join(rows) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
