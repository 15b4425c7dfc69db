"""The DeepGaze IIE preset (3 EfficientNet-Lite backbones x 20 readouts; the default model until 2026-12-03): merged
vs per-component.

    PYTHONPATH=. python benchmarks/default_model.py --images 10 --repeats 3 --output benchmarks/results/default_model.md

Two evaluations of the same preset and weights, in one process, alternating:

* ``per_component``: the path of 87c9546 and before, re-created here from the model's layers:
  per backbone one compiled feature function and one compiled function per readout component
  (``predict_on_batch`` each), the mixture accumulated in NumPy float64;
* ``merged`` (``model.predict_log_density`` now): every readout of a backbone on one feature
  pass as one stacked network, all three backbones one compiled function traced once for
  every size (`keras_saliency.zoo.deepgaze.deepgaze_merged`).

Speed: seconds per 1024x768 image (uint8 noise, batch 1, ``predict_log_density`` end to end:
working-size resize to 512x384, network, resize back), median of ``--repeats`` after a warm-up.
Quality: information gain (bits/fixation, pysaliency convention) over a centre bias fitted on
the same images' fixations (clipped to the image), mean over the first ``--images`` MIT1003 and OSIE stimuli of
``../shared/data`` (fixations as `keras_saliency.data.fixation_datasets` reads them), and the
largest absolute log-density difference between the two paths.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from keras_saliency import metrics, prediction  # noqa: E402
from keras_saliency.data.fixation_datasets import read_fixation_images  # noqa: E402
from keras_saliency.maps import EmpiricalCenterBias  # noqa: E402
from keras_saliency.zoo.deepgaze.deepgaze_centerbias import predict_at_working_size  # noqa: E402
from keras_saliency.zoo.deepgaze.deepgaze_mixture import RunningLogMeanExp  # noqa: E402
from keras_saliency.zoo.deepgaze.deepgaze_mixture import _PartModel as Part  # noqa: E402  (87c9546's DeepGazeII._part)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PRESET = "deepgaze_iie_lite0_lite1_lite2_mit1003"


def part(member, key, fn, layers):
    parts = member.__dict__.setdefault("_benchmark_parts", {})
    if key not in parts:
        parts[key] = Part(fn, layers, name=f"{member.name}_{key}")
    return parts[key]


def per_component(model, images):
    """(B, H, W) log-densities the way 87c9546 computed them (see the module docstring)."""
    def log_densities(batch, centerbias):
        mixture = RunningLogMeanExp()
        for member in model.members:
            features = part(member, "features", member.features, [member.extractor]).predict_on_batch(batch)
            inner = RunningLogMeanExp()
            for k, readout in enumerate(member.readouts):
                compiled = part(member, f"readout_{k}", lambda x, r=readout: r(x["features"], x["centerbias"]),
                                [readout])
                inner.add(np.asarray(compiled.predict_on_batch({"features": features, "centerbias": centerbias}),
                                     np.float64))
            mixture.add(inner.result())
        return mixture.result()

    out = predict_at_working_size(model, np.asarray(images, np.float32), None, log_densities)
    return out - np.logaddexp.reduce(out.reshape(len(out), -1), axis=1)[:, None, None]


def merged(model, images):
    return model.predict_log_density(images)


PATHS = {"per_component": per_component, "merged": merged}


def seconds(fn, model, image, repeats):
    fn(model, image)  # warm-up (tracing)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(model, image)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def information_gains(model, name, count):
    data = read_fixation_images(name, DATA / name, count=count)
    fixations, _ = data.fixations_at(data.sizes)  # points outside the image clipped to it
    bias = EmpiricalCenterBias.fit(fixations, data.sizes)
    gains = {path: [] for path in PATHS}
    largest = 0.0
    for i in range(len(data)):
        image = data.image(i)[None]
        outputs = {path: fn(model, image)[0] for path, fn in PATHS.items()}
        largest = max(largest, float(np.abs(outputs["merged"] - outputs["per_component"]).max()))
        baseline = bias.log_density(data.sizes[i])
        for path, log_density in outputs.items():
            gains[path].append(metrics.information_gain(log_density, fixations[i], baseline))
    return {path: float(np.mean(g)) for path, g in gains.items()}, largest, len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=50, help="stimuli per dataset for the information gain")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()

    model = prediction.resolve_model(PRESET)
    image = np.random.default_rng(0).integers(0, 256, (1, 768, 1024, 3), dtype=np.uint8)
    speed = {path: seconds(fn, model, image, args.repeats) for path, fn in PATHS.items()}
    speed_again = {path: seconds(fn, model, image, args.repeats) for path, fn in reversed(PATHS.items())}
    lines = ["# The default model: merged readouts vs per-component evaluation", "",
             f"Command: `PYTHONPATH=. python benchmarks/default_model.py --images {args.images} "
             f"--repeats {args.repeats} --output benchmarks/results/default_model.md`", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), "
             f"Python {sys.version.split()[0]}; preset `{PRESET}`.", "",
             "| path | s per 1024x768 image (run 1) | run 2 (reversed order) |", "|---|---|---|"]
    lines += [f"| {path} | {speed[path]:.3f} | {speed_again[path]:.3f} |" for path in PATHS]
    ratio = [speed["per_component"] / speed["merged"], speed_again["per_component"] / speed_again["merged"]]
    print("\n".join(lines), f"\nratios {ratio}", flush=True)
    lines += ["", f"Speed-up merged vs per_component: {ratio[0]:.2f}x, {ratio[1]:.2f}x.", "",
              "| dataset | images | IG per_component (bits) | IG merged (bits) | difference | max abs log-density difference |",
              "|---|---|---|---|---|---|"]
    for name in ("mit1003", "osie"):
        if not (DATA / name).is_dir():
            lines.append(f"| {name} | (not in ../shared/data: skipped) | | | | |")
            continue
        gains, largest, count = information_gains(model, name, args.images)
        lines.append(f"| {name} | {count} | {gains['per_component']:.5f} | {gains['merged']:.5f} | "
                     f"{gains['merged'] - gains['per_component']:+.2e} | {largest:.2e} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
