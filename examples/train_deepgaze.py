"""DeepGaze IIE on MIT1003: 10-fold cross-validated maximum-likelihood training of readouts on frozen backbones.

Protocol (reference notes 2.4, issue 6):
  * folds from ``keras_saliency.data.kfold_split`` (k=10): test = fold f, validation = fold f+1, training = rest;
  * fixations: every subject's scanpath minus its first (central) fixation, 1-based FixaTons coordinates,
    the 0.2% outside the image clipped; images at their original size (long side 1024 px; the model
    itself halves them, as the reference); ``--scale`` shrinks them further (``--quick``);
  * centre bias: ``maps.CentreBias.fit`` on the training images' fixations only;
  * per backbone the frozen features are computed once (``FeatureCache``, on disk with ``--cache-dir``),
    then ``--instances`` readouts are trained (Adam 1e-3, x0.1 every 15 epochs until < 1e-7, early
    stopping on validation information gain, best weights restored);
  * test-fold metrics for each instance, each backbone's mixture of its instances and the mixture of
    all backbones (probability-space averages), plus the centre bias itself.

Usage:
  python examples/train_deepgaze.py --quick                       (stand-in random CNN, 12 images, 1 fold)
  python examples/train_deepgaze.py --backbones efficientnet_lite0 efficientnet_lite1 efficientnet_lite2 \\
      --backbone-weights imagenet --instances 3 --cache-dir /tmp/deepgaze_features --output runs/deepgaze
Every number written is a test-fold number; ``summary.json`` / ``summary.md`` average them over the folds run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np
from PIL import Image
from scipy.special import logsumexp

from keras_saliency import metrics
from keras_saliency.data import kfold_split
from keras_saliency.fixations import Fixations
from keras_saliency.maps import CentreBias
from keras_saliency.zoo.deepgaze import DeepGazeII, FeatureCache, ReadoutDataset, fit_readout

MIT1003 = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mit1003"
METRICS = ("information_gain", "log_likelihood", "auc_judd", "nss")


def load_mit1003(root: Path, count=None, scale: float = 1.0):
    """(ids, images loader, sizes, fixations): scanpaths minus their first fixation, clipped into the image."""
    ids = sorted(p.name for p in (root / "SCANPATHS").iterdir())[:count]
    sizes, fixations = [], []
    for image_id in ids:
        with Image.open(root / "STIMULI" / f"{image_id}.jpeg") as img:
            width, height = img.size
        size = (round(height * scale), round(width * scale))
        xs, ys, subjects = [], [], []
        for s, path in enumerate(sorted((root / "SCANPATHS" / image_id).iterdir())):
            rows = np.loadtxt(path, ndmin=2)[1:]
            xs.append(rows[:, 0])
            ys.append(rows[:, 1])
            subjects.append(np.full(len(rows), s))
        fix = Fixations.from_one_based(np.concatenate(xs), np.concatenate(ys), subject=np.concatenate(subjects))
        fix = fix.scaled((height, width), size) if scale != 1.0 else fix
        sizes.append(size)
        fixations.append(fix.fit_to_image(size, policy="clip")[0])

    def load_image(image_id):
        i = ids.index(image_id)
        img = Image.open(root / "STIMULI" / f"{image_id}.jpeg").convert("RGB")
        if img.size != sizes[i][::-1]:
            img = img.resize(sizes[i][::-1], Image.BILINEAR)
        return np.asarray(img, np.float32)

    return ids, load_image, sizes, fixations


def standin_extractor(seed: int = 0) -> keras.Model:
    """A random 3-stage CNN with stride-8 and stride-16 taps (no ImageNet weights; for smoke runs only)."""
    keras.utils.set_random_seed(seed)
    image = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(image)
    taps = {}
    for i, width in enumerate((16, 32, 64, 64)):
        x = keras.layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name=f"standin_{i}")(x)
        if i >= 2:
            taps[f"stride{2 ** (i + 1)}"] = x
    return keras.Model(image, taps, name="standin_features")


def make_extractor(name: str, weights):
    if name == "standin":
        return standin_extractor()
    from keras_saliency import backbones

    return backbones.get(name, weights=weights)


class SizeCache:
    """``size -> log-density`` of a CentreBias, computed once per size."""

    def __init__(self, centre_bias: CentreBias):
        self.centre_bias, self.maps = centre_bias, {}

    def __call__(self, size):
        size = tuple(size)
        if size not in self.maps:
            self.maps[size] = self.centre_bias.log_density(size).astype(np.float32)
        return self.maps[size]


def evaluate(log_densities, fixations, sizes, centre_bias):
    samples = [{"fixations": f, "image_size": s} for f, s in zip(fixations, sizes)]
    result = metrics.evaluate(list(log_densities), samples, METRICS, baseline=centre_bias)
    return {name: row["by_image"] for name, row in result.summary().items()}


def predict(readout_model, dataset):
    """Log-densities of every image of a (non-shuffled) ReadoutDataset, in the dataset's image order."""
    out = [None] * len(dataset.sizes)
    for b, batch in enumerate(dataset.batches):
        inputs, _ = dataset[b]
        for i, log_density in zip(batch, keras.ops.convert_to_numpy(readout_model(inputs, training=False))):
            out[i] = log_density.astype(np.float64)
    return out


def mixture(members):
    return [logsumexp(np.stack(parts), axis=0) - np.log(len(parts)) for parts in zip(*members)]


def run_fold(fold, args, ids, load_image, sizes, fixations, extractors, caches, out_dir):
    split = kfold_split(ids, fold, k=args.folds)
    index = {i: n for n, i in enumerate(ids)}
    part = {name: [index[i] for i in split[name]] for name in split}
    pick = lambda names, values: [values[i] for i in names]  # noqa: E731
    centre_bias = SizeCache(CentreBias.fit(pick(part["train"], fixations), pick(part["train"], sizes)))
    rows, backbone_mixtures = {}, []
    test_fix, test_sizes = pick(part["test"], fixations), pick(part["test"], sizes)
    rows["centre bias"] = evaluate([centre_bias(s).astype(np.float64) for s in test_sizes], test_fix, test_sizes,
                                   centre_bias)
    for name, extractor in extractors.items():
        features = caches[name]
        data = {split_name: ReadoutDataset(pick(p, features), pick(p, fixations), pick(p, sizes), centre_bias,
                                           batch_size=args.batch_size, shuffle=(split_name == "train"),
                                           seed=args.seed + fold)
                for split_name, p in part.items()}
        keras.utils.set_random_seed(args.seed + 1000 * fold)
        model = DeepGazeII(extractor, n_components=args.instances)
        instances = []
        for k in range(args.instances):
            start = time.perf_counter()
            history = fit_readout(model.readout_model([k]), data["train"], data["validation"], epochs=args.epochs,
                                  patience=args.patience, run_eagerly=args.quick)
            seconds = time.perf_counter() - start
            instances.append(predict(model.readout_model([k]), data["test"]))
            rows[f"{name} #{k}"] = {**evaluate(instances[-1], test_fix, test_sizes, centre_bias),
                                    "epochs": len(history.history["loss"]), "train_s": round(seconds, 1),
                                    "best_val_ig": float(np.max(history.history["val_ig"]))}
            print(f"fold {fold} {name} #{k}: {rows[f'{name} #{k}']}", flush=True)
        model.readout_model().save_weights(out_dir / f"{name}_fold{fold}.weights.h5")
        backbone_mixtures.append(mixture(instances))
        rows[f"{name} mixture of {args.instances}"] = evaluate(backbone_mixtures[-1], test_fix, test_sizes,
                                                               centre_bias)
    if len(extractors) > 1:
        rows["all backbones mixture"] = evaluate(mixture(backbone_mixtures), test_fix, test_sizes, centre_bias)
    return rows


def summarise(per_fold):
    names = list(per_fold[0])
    table = {}
    for name in names:
        keys = [k for k in per_fold[0][name] if k in METRICS]
        values = np.array([[fold[name][k] for k in keys] for fold in per_fold])
        table[name] = {k: (float(values[:, j].mean()), float(values[:, j].std())) for j, k in enumerate(keys)}
    lines = ["| model | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, row in table.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[k][0]:.4f} ± {row[k][1]:.4f}" for k in METRICS) + " |")
    return table, "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: stand-in backbone, 12 images at 1/4 size, "
                                                         "fold 0 of 4, 2 instances, 2 epochs, eager")
    ap.add_argument("--data", type=Path, default=MIT1003)
    ap.add_argument("--backbones", nargs="+", default=None,
                    help="keras_saliency.backbones names (default taps) or 'standin' (default: efficientnet_lite0; "
                         "standin with --quick)")
    ap.add_argument("--backbone-weights", default=None, help="'imagenet' or a weights path (backbones.get)")
    ap.add_argument("--instances", type=int, default=3, help="readouts trained per backbone and fold")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--run-folds", type=int, nargs="+", default=None, help="which folds to run (default all)")
    ap.add_argument("--count", type=int, default=None, help="first N images only")
    ap.add_argument("--scale", type=float, default=1.0, help="image scale factor before the model")
    ap.add_argument("--epochs", type=int, default=None, help="default: until the rate falls below 1e-7 (75)")
    ap.add_argument("--patience", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--cache-dir", type=Path, default=None, help="feature cache folder (default: in memory)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", type=Path, default=Path("deepgaze_run"))
    args = ap.parse_args(argv)
    args.backbones = args.backbones or (["standin"] if args.quick else ["efficientnet_lite0"])
    if args.quick:
        args.count, args.scale, args.folds, args.run_folds = 12, 0.25, 4, [0]
        args.instances, args.epochs, args.patience, args.batch_size = 2, 2, None, 2
    if not (args.data / "SCANPATHS").is_dir():
        raise SystemExit(f"MIT1003 not found at {args.data} (needs SCANPATHS/ and STIMULI/; see its README).")
    args.output.mkdir(parents=True, exist_ok=True)
    ids, load_image, sizes, fixations = load_mit1003(args.data, args.count, args.scale)
    extractors = {name: make_extractor(name, args.backbone_weights if name != "standin" else None)
                  for name in args.backbones}
    caches = {}
    for name, extractor in extractors.items():
        start = time.perf_counter()
        directory = None if args.cache_dir is None else args.cache_dir / f"{name}_scale{args.scale:g}"
        caches[name] = FeatureCache(DeepGazeII(extractor), directory).get_many(ids, load_image, sizes)
        print(f"{name}: features of {len(ids)} images in {time.perf_counter() - start:.1f} s")
    per_fold = []
    for fold in args.run_folds or range(args.folds):
        rows = run_fold(fold, args, ids, load_image, sizes, fixations, extractors, caches, args.output)
        (args.output / f"fold{fold}.json").write_text(json.dumps(rows, indent=1))
        per_fold.append(rows)
        print(f"fold {fold}: " + ", ".join(f"{k}: IG {v['information_gain']:.3f}" for k, v in rows.items()))
    table, markdown = summarise(per_fold)
    (args.output / "summary.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                          "table": table}, indent=1))
    (args.output / "summary.md").write_text(markdown + "\n")
    print(markdown)
    return table


if __name__ == "__main__":
    main()
