"""Speed of keras_saliency.metrics against pysaliency 0.2.22, measured in one run.

The same 100 maps of 480x640 with 50 fixations each (seeded) go to both; each
metric is timed over the whole set (best of --repeats) and reported as ms/map
with the ratio pysaliency / keras-saliency (> 1: we are faster). Both sides
also report the dataset mean, so agreement is visible next to the speed.
keras-saliency checks every log-density for NaN and normalisation by
default (pysaliency does not); the ``validate=False`` rows show the cost.

pysaliency needs numpy<2.4 and torch, so it lives in its own venv:

    python3 -m venv /tmp/venv-pysal
    /tmp/venv-pysal/bin/pip install "numpy<2.4" scipy "setuptools<81" torch==2.13.0 pandas pysaliency==0.2.22
    python benchmarks/metrics_vs_pysaliency.py --pysaliency-python /tmp/venv-pysal/bin/python
"""

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from keras_saliency import metrics as M
from keras_saliency.density import normalize_log_density, uniform_log_density

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
        "log_likelihood (validate=False)": lambda: [M.log_likelihood(logd[k], fix[k], validate=False)
                                                    for k in range(n_maps)],
        "information_gain (validate=False)": lambda: [M.information_gain(logd[k], fix[k], uniform, validate=False)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pysaliency-python", required=True, help="python of a venv with pysaliency 0.2.22")
    parser.add_argument("--maps", type=int, default=100)
    parser.add_argument("--fixations", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of both sides; best kept")
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    args = parser.parse_args()
    data = make_data(args.maps, 480, 640, args.fixations)
    theirs, mine = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data)
        for _ in range(args.rounds):  # alternate the two sides so that load changes hit both
            run = json.loads(subprocess.run(
                [args.pysaliency_python, str(HERE / "_pysaliency_side.py"), str(path), str(args.repeats)],
                check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
            theirs = {k: min(v, theirs.get(k, v)) for k, v in run.items()}
            run = ours(data, args.repeats)
            mine = {k: min(v, mine.get(k, v)) for k, v in run.items()}
    lines = [
        f"{args.maps} maps of 480x640, {args.fixations} fixations each; best of {args.repeats} x {args.rounds} "
        "alternating rounds; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        "| metric | keras-saliency ms/map | pysaliency ms/map | speed-up | keras-saliency mean | pysaliency mean |",
        "|---|---|---|---|---|---|",
    ]
    for name in mine:
        t_ours, v_ours = mine[name]
        t_theirs, v_theirs = theirs[name.split(" ")[0]]
        lines.append(f"| {name} | {1000 * t_ours / args.maps:.3f} | {1000 * t_theirs / args.maps:.3f} | "
                     f"{t_theirs / t_ours:.1f}x | {v_ours:.6f} | {v_theirs:.6f} |")
    table = "\n".join(lines) + "\n"
    print(table)
    if args.output:
        args.output.write_text(f"Command: `python {' '.join(sys.argv)}`\n\n" + table)


if __name__ == "__main__":
    main()
