"""Speed of keras_saliency.metrics against pysaliency 0.2.22, measured in one run.

The same 100 maps of 480x640 with 50 fixations each (seeded) go to both; each
metric is timed over the whole set (best of --repeats within a round, the two
sides alternating for --rounds rounds) and reported as the median ms/map with
the median per-round ratio pysaliency / keras-saliency (> 1: we are faster).
Both sides also report the dataset mean, so agreement is visible next to the
speed. keras-saliency checks every log-density for NaN and normalisation by
default (pysaliency does not); the ``validate=False`` column shows the cost.

``--dataset DIR`` (MIT1003 in its source layout, e.g. ../shared/data/mit1003)
adds a whole-dataset row: ``keras_saliency.metrics.evaluate`` with every
metric against the pysaliency calls a user would make for the same table
(model methods over Stimuli/Fixations, FixationMap references, MIT_KLDiv per
image), same predictions (a size-dependent smooth log-density), same sigma.

BLAS threads: the environment (``OPENBLAS_NUM_THREADS`` etc.) is passed to
both sides and written into the results.

pysaliency needs numpy<2.4 and torch, so it lives in its own venv:

    python3 -m venv /tmp/venv-pysal
    /tmp/venv-pysal/bin/pip install "numpy<2.4" scipy "setuptools<81" torch==2.13.0 pandas pysaliency==0.2.22
    python benchmarks/metrics_vs_pysaliency.py --pysaliency-python /tmp/venv-pysal/bin/python

(pysaliency's metrics never call torch; any torch importable in that venv will do.)
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from keras_saliency import metrics as M
from keras_saliency.atomic_write import atomic_write
from keras_saliency.density import normalize_log_density, uniform_log_density

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _size_log_density import size_log_density  # noqa: E402  (shared with the pysaliency side)

HERE = Path(__file__).resolve().parent


def make_data(n_maps, height, width, n_fix, seed=0):
    rng = np.random.default_rng(seed)
    maps = np.stack([ndimage.gaussian_filter(rng.random((height, width)), 12) for _ in range(n_maps)])
    log_densities = np.stack([normalize_log_density(np.log(m)) * 1.0 for m in maps])
    x = rng.integers(0, width, size=n_maps * n_fix)
    y = rng.integers(0, height, size=n_maps * n_fix)
    n = np.repeat(np.arange(n_maps), n_fix)
    gt_maps = np.zeros_like(maps)
    for k in range(n_maps):
        np.add.at(gt_maps[k], (y[n == k], x[n == k]), 1.0)
        gt_maps[k] = ndimage.gaussian_filter(gt_maps[k], 0.04 * max(height, width))
    return dict(maps=maps, log_densities=log_densities, gt_maps=gt_maps, x=x, y=y, n=n)


def ours(data, repeats):
    n_maps = len(data["maps"])
    fix = [np.stack([data["x"][data["n"] == k] + 0.5, data["y"][data["n"] == k] + 0.5], 1) for k in range(n_maps)]
    sizes = [m.shape for m in data["maps"]]
    uniform = uniform_log_density(sizes[0])
    negatives = [M.shuffled_nonfixations(fix, sizes, k) for k in range(n_maps)]
    maps, logd, gt = data["maps"], data["log_densities"], data["gt_maps"]
    runs = {
        "auc_judd": lambda: [M.auc_judd(maps[k], fix[k]) for k in range(n_maps)],
        "auc_uniform": lambda: [M.auc_uniform(maps[k], fix[k]) for k in range(n_maps)],
        "sauc": lambda: [M.sauc(maps[k], fix[k], negatives[k]) for k in range(n_maps)],
        "nss": lambda: [M.nss(maps[k], fix[k]) for k in range(n_maps)],
        "cc": lambda: [M.cc(maps[k], gt[k]) for k in range(n_maps)],
        "kld": lambda: [M.kld(maps[k], gt[k]) for k in range(n_maps)],
        "sim": lambda: [M.sim(maps[k], gt[k]) for k in range(n_maps)],
        "log_likelihood": lambda: [M.log_likelihood(logd[k], fix[k]) for k in range(n_maps)],
        "information_gain": lambda: [M.information_gain(logd[k], fix[k], uniform) for k in range(n_maps)],
        "log_likelihood/validate=False": lambda: [M.log_likelihood(logd[k], fix[k], validate=False)
                                                  for k in range(n_maps)],
        "information_gain/validate=False": lambda: [M.information_gain(logd[k], fix[k], uniform, validate=False)
                                                    for k in range(n_maps)],
    }
    out = {}
    for name, run in runs.items():
        best = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            value = run()
            best = min(best, time.perf_counter() - start)
        out[name] = [best, float(np.mean(value))]
    return out


DATASET_METRICS = ("auc_judd", "auc_uniform", "sauc", "nss", "cc", "kld", "sim", "log_likelihood", "information_gain")
DATASET_SIGMA = 35.0  # pixels; about 1 degree in MIT1003


def ours_dataset(dataset_npz):
    data = np.load(dataset_npz)
    sizes = [tuple(s) for s in data["sizes"]]
    maps = {size: size_log_density(size) for size in set(sizes)}
    samples = [{"image_size": size, "fixations": np.stack([data["x"][data["n"] == k], data["y"][data["n"] == k]], 1)}
               for k, size in enumerate(sizes)]
    start = time.perf_counter()
    result = M.evaluate([maps[size] for size in sizes], samples, DATASET_METRICS, sigma=DATASET_SIGMA)
    seconds = time.perf_counter() - start
    return seconds, {name: row["by_image"] for name, row in result.summary().items()}


def save_dataset(root, path, count=None):
    from keras_saliency.data.fixation_datasets import read_fixation_images

    images = read_fixation_images("mit1003", root, count)
    inside = [f.fit_to_image(size, policy="drop")[0] for f, size in zip(images.fixations, images.sizes)]  # off-screen
    n = np.concatenate([np.full(len(f), k) for k, f in enumerate(inside)])
    np.savez(path, sizes=np.asarray(images.sizes), n=n, x=np.concatenate([f.x for f in inside]),
             y=np.concatenate([f.y for f in inside]))
    return len(images.sizes), len(n)


def pysaliency_side(args, *side_args):
    out = subprocess.run([args.pysaliency_python, str(HERE / "_pysaliency_side.py"), *map(str, side_args)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pysaliency-python", required=True, help="python of a venv with pysaliency 0.2.22")
    parser.add_argument("--maps", type=int, default=100)
    parser.add_argument("--fixations", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides; medians kept")
    parser.add_argument("--dataset", type=Path, help="MIT1003 folder (source layout) for the whole-dataset row")
    parser.add_argument("--dataset-rounds", type=int, default=1, help="alternating rounds of the dataset row")
    parser.add_argument("--dataset-count", type=int, help="only the first images of --dataset (quick checks)")
    parser.add_argument("--output", type=Path, help="also append the Markdown table here")
    args = parser.parse_args()
    data = make_data(args.maps, 480, 640, args.fixations)
    theirs, mine, ratios, dataset_rounds = [], [], [], []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path, dataset_path = Path(tmp) / "data.npz", Path(tmp) / "dataset.npz"
        np.savez(path, **data)
        if args.dataset:
            n_images, n_fixations = save_dataset(args.dataset, dataset_path, args.dataset_count)
        for _ in range(args.rounds):  # alternate the two sides so that load changes hit both
            theirs.append(pysaliency_side(args, "maps", path, args.repeats))
            mine.append(ours(data, args.repeats))
            ratios.append({k: theirs[-1][k.split("/")[0]][0] / v[0] for k, v in mine[-1].items()})
        for _ in range(args.dataset_rounds if args.dataset else 0):
            seconds_theirs, means_theirs = pysaliency_side(args, "dataset", dataset_path, DATASET_SIGMA)
            seconds_ours, means_ours = ours_dataset(dataset_path)
            dataset_rounds.append((seconds_ours, seconds_theirs, means_ours, means_theirs))
    median = lambda values: float(np.median(values))  # noqa: E731
    threads = ", ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
                        if k in os.environ) or "BLAS threads unset (OpenBLAS default: one per core)"
    lines = [
        f"{args.maps} maps of 480x640, {args.fixations} fixations each; best of {args.repeats} calls per round, "
        f"median of {args.rounds} alternating rounds; {os.cpu_count()} CPU cores ({platform.machine()}), "
        f"Python {platform.python_version()}, NumPy {np.__version__}; {threads}; load average "
        f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after (other jobs shared the machine).",
        "",
        "| metric | keras-saliency ms/map | pysaliency ms/map | speed-up | keras-saliency, validate=False | "
        "keras-saliency mean | pysaliency mean |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in mine[0]:
        if "/" in name:
            continue
        t_ours, t_theirs = median([m[name][0] for m in mine]), median([t[name][0] for t in theirs])
        unvalidated = f"{name}/validate=False"
        extra = "–"
        if unvalidated in mine[0]:
            t_fast = median([m[unvalidated][0] for m in mine])
            extra = f"{1000 * t_fast / args.maps:.3f} ms ({median([r[unvalidated] for r in ratios]):.1f}x)"
        lines.append(f"| {name} | {1000 * t_ours / args.maps:.3f} | {1000 * t_theirs / args.maps:.3f} | "
                     f"{median([r[name] for r in ratios]):.1f}x | {extra} | {mine[0][name][1]:.6f} | "
                     f"{theirs[0][name][1]:.6f} |")
    if dataset_rounds:
        means_ours, means_theirs = dataset_rounds[0][2], dataset_rounds[0][3]
        lines += ["", f"Whole dataset: MIT1003, {n_images} images, {n_fixations} fixations, metrics "
                  f"{', '.join(DATASET_METRICS)} (reference maps: sigma {DATASET_SIGMA:g} px); median of "
                  f"{args.dataset_rounds} alternating round(s).", "",
                  "| | keras-saliency `metrics.evaluate` | pysaliency | speed-up |", "|---|---|---|---|",
                  f"| seconds for the dataset | {median([r[0] for r in dataset_rounds]):.1f} | "
                  f"{median([r[1] for r in dataset_rounds]):.1f} | "
                  f"{median([r[1] / r[0] for r in dataset_rounds]):.1f}x |"]
        lines += [f"| {name} (mean by image) | {means_ours[name]:.6f} | {means_theirs[name]:.6f} | |"
                  for name in DATASET_METRICS]
    table = "\n".join(lines) + "\n"
    print(table)
    if args.output:
        command = " ".join(["python", *sys.argv])
        env = " ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ)
        previous = args.output.read_text() if args.output.exists() else ""
        text = previous + f"Command: `{(env + ' ' if env else '') + command}`\n\n" + table + "\n"
        atomic_write(args.output, lambda f: f.write(text.encode()))


if __name__ == "__main__":
    main()
