"""AUC-Judd of GBVS, Itti-Koch and the centre bias vs uniform (0.5) on MIT1003 and OSIE images.

Usage: PYTHONPATH=. python benchmarks/classical_quality.py [--images N]
Needs ../shared/data/{mit1003,osie}. MIT1003: FixaTons scanpaths (1-based), each
scanpath's first (central) fixation dropped. OSIE: fixations.mat (treated as
1-based MATLAB coordinates). Out-of-image fixations are clipped.
Images are the first N (sorted) of each dataset; maps at the original size.
"""

import argparse
from pathlib import Path

import numpy as np
import scipy.io

from keras_saliency import classical
from keras_saliency.fixations import Fixations
from keras_saliency.metrics import auc_judd
from keras_saliency.image_files import load_image

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def mit1003(n):
    root = SHARED / "mit1003"
    for stimulus in sorted((root / "STIMULI").glob("*.jpeg"))[:n]:
        xs, ys = [], []
        for scanpath in sorted((root / "SCANPATHS" / stimulus.stem).iterdir()):
            rows = np.loadtxt(scanpath, ndmin=2)[1:]
            xs.append(rows[:, 0]), ys.append(rows[:, 1])
        yield stimulus, np.concatenate(xs), np.concatenate(ys)


def osie(n):
    root = SHARED / "osie"
    records = scipy.io.loadmat(root / "fixations.mat")["fixations"][:n, 0]
    for rec in records:
        subjects = rec["subjects"][0, 0]
        xs = [np.ravel(subjects[j, 0][0, 0]["fix_x"]).astype(float) for j in range(subjects.shape[0])]
        ys = [np.ravel(subjects[j, 0][0, 0]["fix_y"]).astype(float) for j in range(subjects.shape[0])]
        yield root / "stimuli" / str(rec["img"][0, 0][0]), np.concatenate(xs), np.concatenate(ys)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=50, help="images per dataset")
    args = parser.parse_args()
    models = {name: classical.get(name) for name in ("gbvs", "itti", "center_bias")}
    print(f"# AUC-Judd of classical models (first {args.images} images per dataset; uniform = 0.5)\n")
    print("| dataset | images | fixations | " + " | ".join(models) + " |")
    print("|---|---|---|" + "---|" * len(models))
    for dataset, reader in (("MIT1003", mit1003), ("OSIE", osie)):
        scores = {name: [] for name in models}
        total = 0
        for path, x, y in reader(args.images):
            image = load_image(path)
            fixations, _ = Fixations.from_one_based(x, y).fit_to_image(image.shape[:2], policy="clip")
            total += len(x)
            for name, model in models.items():
                scores[name].append(auc_judd(model.predict_saliency_map(image[None])[0], fixations))
        means = " | ".join(f"{np.mean(s):.4f} ± {np.std(s) / np.sqrt(len(s)):.4f}" for s in scores.values())
        print(f"| {dataset} | {len(scores['gbvs'])} | {total} | {means} |", flush=True)
    print("\nMean ± standard error over images (per-image AUC-Judd, `keras_saliency.metrics.auc_judd`).")


if __name__ == "__main__":
    main()
