"""The presets of ``examples/best_presets.py`` beside the DeepGaze IIE preset: speed, and quality on unseen images.

    PYTHONPATH=. python benchmarks/best_presets.py --images 50 --repeats 3 --rounds 2 --output benchmarks/results/best_presets.md

Speed: seconds per 1024x768 image (uint8 noise, batch 1, ``predict_log_density`` end to end, each model at its
own working size and back), the median of ``--repeats`` calls after ``--warmup`` calls (the steady state of a folder of same-size images: the
first calls of a size run eagerly, then it is compiled); ``--rounds`` rounds, the models in
reversed order every other round, and each model's ratio to the DeepGaze IIE preset (the first model, the
default model until now) in the same round. The default model's target is 0.4 s.
Quality: information gain (bits/fixation, pysaliency convention) on OSIE images 0..N-1 at their full 600x800 size,
which none of these presets saw, over a centre bias fitted on the fixations of OSIE images 300..699 (clipped to
the image, as ``examples/best_models.py``'s OSIE centre bias, there at half size); AUC-Judd, NSS (of the
density) and the calibration error (total-variation distance of the fixations' shares of 10 equal-mass bins,
pooled over the images, from 1/10: ``keras_saliency.evaluation.calibration_error``) beside it.
Every model is called without conditions, as a user would (UNISAL members in their ``mit1003`` domain), and
those that take a ``domain`` again with ``domain="osie"`` (the domain their UNISAL learnt OSIE images 300..699 in).
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
from keras_saliency.evaluation import calibration_error  # noqa: E402
from keras_saliency.maps import EmpiricalCenterBias  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
MODELS = ("deepgaze_iie_lite0_lite1_lite2_mit1003", "unisal_lite0_mit1003_osie_full", "unisal_deepgaze_mit1003",
          "unisal_deepgaze_flip_mit1003")


def seconds(model, image, repeats, warmup):
    for _ in range(warmup):  # UNISAL compiles a shape after 16 eager batches of it, DeepGaze after 4
        model.predict_log_density(image)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_log_density(image)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def quality(models, count):
    """{model: (IG, AUC-Judd, NSS, calibration error)} over OSIE images 0..count-1 (the first three means, the
    last of the pooled histogram), and the number of images."""
    osie = read_fixation_images("osie", DATA / "osie", count=700)
    fixations, _ = osie.fixations_at(osie.sizes)
    bias = EmpiricalCenterBias.fit(fixations[300:], osie.sizes[300:])
    calls = {name: (model, {}) for name, model in models.items()}
    calls.update({f"{name}, domain='osie'": (model, {"domain": "osie"}) for name, model in models.items()
                  if "domain" in model.conditions})
    scores = {name: [] for name in calls}
    histograms = {name: 0 for name in calls}
    for i in range(min(count, 300)):
        image, baseline = osie.image(i)[None], bias.log_density(osie.sizes[i])
        for name, (model, conditions) in calls.items():
            log_density = model.predict_log_density(image, **conditions)[0]
            scores[name].append((metrics.information_gain(log_density, fixations[i], baseline),
                                 metrics.auc_judd(log_density, fixations[i]),
                                 metrics.nss(np.exp(log_density), fixations[i])))  # NSS of the density, not its log
            histograms[name] = histograms[name] + metrics.calibration_histogram(log_density, fixations[i])
    return {name: (*np.mean(values, axis=0), calibration_error(histograms[name]))
            for name, values in scores.items()}, min(count, 300)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS), help="presets; the first is the ratios' peer")
    parser.add_argument("--images", type=int, default=50, help="OSIE images 0..N-1 for the quality columns (<= 300)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20, help="calls before timing: the steady state of a folder "
                                                                  "of same-size images")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()

    models = {name: prediction.resolve_model(name) for name in args.models}
    peer = args.models[0]
    image = np.random.default_rng(0).integers(0, 256, (1, 768, 1024, 3), dtype=np.uint8)
    rounds = []
    for number in range(args.rounds):
        order = args.models if number % 2 == 0 else args.models[::-1]
        rounds.append({name: seconds(models[name], image, args.repeats, args.warmup) for name in order})
        print(f"round {number + 1}: " + ", ".join(f"{n} {s:.3f} s" for n, s in rounds[-1].items()), flush=True)
    command = " ".join(["PYTHONPATH=. python benchmarks/best_presets.py", *sys.argv[1:]])
    lines = ["# The best preset and the default model: speed and unseen-image quality", "",
             f"Command: `{command}`", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
             f"ratios to `{peer}` in the same round.", "",
             "| preset | " + " | ".join(f"s per 1024x768 image, round {i + 1} (ratio)" for i in range(args.rounds))
             + " |", "|---|" + "---|" * args.rounds]
    for name in args.models:
        lines.append(f"| `{name}` | " + " | ".join(f"{r[name]:.3f} ({r[name] / r[peer]:.2f}x)" for r in rounds) + " |")
    if (DATA / "osie").is_dir():
        scores, count = quality(models, args.images)
        lines += ["", f"OSIE images 0..{count - 1} (unseen by every preset here), full size:", "",
                  "| preset | IG (bits/fixation) | AUC-Judd | NSS | calibration error |", "|---|---|---|---|---|"]
        lines += [f"| `{name.split(',')[0]}`{name[len(name.split(',')[0]):]} | {s[0]:.4f} | {s[1]:.4f} | {s[2]:.4f} "
                  f"| {s[3]:.3f} |"
                  for name, s in scores.items()]
    else:
        lines += ["", f"(OSIE not in {DATA}: quality skipped)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
