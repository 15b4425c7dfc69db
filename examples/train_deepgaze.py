"""DeepGaze IIE on MIT1003: cross-validated maximum-likelihood readouts on frozen backbones, ensembles, OSIE.

Protocol (reference notes 2.4, issue 6):
  * data: MIT1003 in the FixaTons layout and OSIE, read by the TFDS builders' record readers (every
    scanpath minus its first, central fixation for MIT1003; 1-based coordinates; the few points outside
    the image clipped); images scaled by ``--scale`` (the model then halves them, as the reference);
  * folds from ``keras_saliency.data.kfold_split`` (k=10): test = fold f, validation = fold f+1,
    training = the other 8; the centre bias (``maps.CentreBias``) is fitted on the training images only;
  * per backbone the frozen features are computed once (``FeatureCache``), then ``--instances`` readouts
    are trained (Adam 1e-3, x0.1 every ``--decay-every`` epochs, early stopping on validation
    information gain, best weights restored);
  * test-fold metrics for each instance, each backbone's mixture, a same-backbone and a cross-backbone
    pair, and the mixture of everything (probability-space averages), the centre bias and the
    leave-one-subject-out gold standard; out of domain, the same models (with the MIT1003 centre bias)
    on all of OSIE; equal-mass calibration histograms for both.

Usage:
  python examples/train_deepgaze.py --quick             (stand-in random CNN, 12 + 8 images, 1 fold, ~1 min)
  python examples/train_deepgaze.py --backbones efficientnet_lite0 efficientnet_lite1 efficientnet_lite2 \\
      --backbone-weights imagenet --instances 2 --scale 0.5 --run-folds 0 --cache-dir runs/cache --output runs/dg
  python examples/train_deepgaze.py --summarise-only --output runs/dg      (tables + figure of all folds run)
Every number written is a test-fold number; ``summary.md`` averages the folds found in ``--output``
and counts the folds where each of the paper's claims holds (``fold_comparisons``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np
from PIL import Image
from scipy.special import logsumexp

from keras_saliency import maps, metrics
from keras_saliency.data import kfold_split
from keras_saliency.presets import machine_paths
from keras_saliency.zoo.deepgaze import DeepGazeII, FeatureCache, ReadoutDataset, fit_readout

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments after --quick, the ../shared
# paths it needs and the files it must write (relative to the working directory).
QUICK_RUN = {"args": ["--output", "deepgaze_run", "--export-presets", "presets"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["deepgaze_run/fold0.json", "deepgaze_run/summary.json", "deepgaze_run/summary.md",
                         "deepgaze_run/calibration.png", "deepgaze_run/standin_fold0.weights.h5",
                         "presets/deepgaze_ii_standin_mit1003/model.weights.h5"]}
METRICS = ("information_gain", "log_likelihood", "auc_judd", "sauc", "nss", "cc", "kld", "sim")
TABLE_METRICS = METRICS[:2] + ("gold_percent",) + METRICS[2:]
BINS = 10


class Dataset:
    """Images of a record reader, scaled; fixations (with subjects) clipped into the scaled image."""

    def __init__(self, name, records, scale, count=None):
        self.name, self.ids, self.paths, self.sizes, self.fixations = name, [], {}, [], []
        self.clipped = 0
        for record in records:
            if count is not None and len(self.ids) >= count:
                break
            with Image.open(record.image) as img:
                width, height = img.size
            size = (round(height * scale), round(width * scale))
            fix = record.fixations.scaled((height, width), size) if scale != 1.0 else record.fixations
            fix, n_clipped = fix.fit_to_image(size, policy="clip")
            self.ids.append(record.image_id)
            self.paths[record.image_id] = Path(record.image)
            self.sizes.append(size)
            self.fixations.append(fix)
            self.clipped += n_clipped
        self.index = {image_id: n for n, image_id in enumerate(self.ids)}
        self.references = [maps.empirical_saliency_map(f, s, sigma=0.04 * max(s))
                           for f, s in zip(self.fixations, self.sizes)]

    def load_image(self, image_id):
        size = self.sizes[self.index[image_id]]
        img = Image.open(self.paths[image_id]).convert("RGB")
        if img.size != size[::-1]:
            img = img.resize(size[::-1], Image.BILINEAR)
        return np.asarray(img, np.float32)

    def samples(self, indices):
        return [{"fixations": self.fixations[i], "image_size": self.sizes[i], "reference_map": self.references[i]}
                for i in indices]


def read_mit1003(root, scale, count=None):
    from tfds_builders.mit1003.mit1003_dataset_builder import fixatons_records

    return Dataset("MIT1003", fixatons_records(root), scale, count)


def read_osie(root, scale, count=None):
    from tfds_builders.osie.osie_dataset_builder import osie_records

    return Dataset("OSIE", osie_records(root), scale, count)


def standin_extractor(seed: int = 0) -> keras.Model:
    """A random 4-stage CNN with stride-8 and stride-16 taps (no ImageNet weights; for smoke runs only)."""
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

    def __init__(self, centre_bias):
        self.centre_bias, self.maps = centre_bias, {}

    def __call__(self, size):
        size = tuple(size)
        if size not in self.maps:
            self.maps[size] = self.centre_bias.log_density(size).astype(np.float32)
        return self.maps[size]


class GoldStandard:
    """Per image the leave-one-subject-out log-density (nats) at each fixation, computed on first use."""

    def __init__(self, dataset, bandwidth):
        self.dataset, self.bandwidth, self.values = dataset, bandwidth, {}

    def __getitem__(self, i):
        if i not in self.values:
            self.values[i] = maps.leave_one_subject_out_log_densities(
                self.dataset.fixations[i], self.dataset.sizes[i], bandwidth=self.bandwidth)
        return self.values[i]


def fit_gold_bandwidth(dataset, candidates=(0.015, 0.02, 0.03, 0.045), count=40):
    """The LOSO bandwidth (fraction of the image side) with the highest likelihood on the first images."""
    scores = {}
    for bandwidth in candidates:
        values = [maps.leave_one_subject_out_log_densities(f, s, bandwidth=bandwidth).mean() + np.log(s[0] * s[1])
                  for f, s in zip(dataset.fixations[:count], dataset.sizes[:count])]
        scores[bandwidth] = float(np.mean(values) / np.log(2))
    return max(scores, key=scores.get), scores


def evaluate(log_densities, dataset, indices, centre_bias):
    result = metrics.evaluate(list(log_densities), dataset.samples(indices), METRICS + ("calibration",),
                              baseline=centre_bias, calibration_bins_count=BINS)
    row = {name: values["by_image"] for name, values in result.summary().items()}
    row["calibration"] = result.calibration_counts.tolist()
    return row


def gold_row(gold, dataset, indices, centre_bias):
    """Information gain / log-likelihood of the gold standard (bits/fixation, image-averaged)."""
    ig, ll = [], []
    for i in indices:
        rows, cols = dataset.fixations[i].pixel_indices()
        bias = centre_bias(dataset.sizes[i]).astype(np.float64)
        ig.append(np.mean(gold[i] - bias[rows, cols]) / np.log(2))
        ll.append(np.mean(gold[i]) / np.log(2))
    return {"information_gain": float(np.mean(ig)), "log_likelihood": float(np.mean(ll))}


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


def ensemble_rows(predictions, names, instances):
    """``{row name: member predictions}``: instances, per-backbone mixtures, pairs and the full mixture."""
    rows = {f"{name} #{k}": [predictions[name][k]] for name in names for k in range(instances)}
    for name in names:
        if instances > 1:
            rows[f"{name} mixture of {instances}"] = predictions[name]
    if instances > 2:
        rows[f"pair: {names[0]} #0 + #1"] = predictions[names[0]][:2]
    if len(names) > 1:
        rows[f"pair: {names[0]} #0 + {names[1]} #0"] = [predictions[names[0]][0], predictions[names[1]][0]]
        rows[f"all {len(names)} backbones x {instances}"] = [p for name in names for p in predictions[name]]
    return rows


def run_fold(fold, args, data, ood, extractors, caches, gold):
    split = kfold_split(data.ids, fold, k=args.folds)
    part = {name: [data.index[i] for i in split[name]] for name in split}
    centre_bias = SizeCache(maps.CentreBias.fit([data.fixations[i] for i in part["train"]],
                                                [data.sizes[i] for i in part["train"]]))
    test, ood_all = part["test"], list(range(len(ood.ids))) if ood else []
    result = {"in_domain": {}, "out_of_domain": {}, "training": {}}

    def add_rows(name, in_domain, out_of_domain):
        result["in_domain"][name] = evaluate(in_domain, data, test, centre_bias)
        if ood:
            result["out_of_domain"][name] = evaluate(out_of_domain, ood, ood_all, centre_bias)

    add_rows("centre bias", [centre_bias(data.sizes[i]).astype(np.float64) for i in test],
             [centre_bias(s).astype(np.float64) for s in ood.sizes] if ood else None)
    result["in_domain"]["gold standard (LOSO)"] = gold_row(gold["in_domain"], data, test, centre_bias)
    if ood:
        result["out_of_domain"]["gold standard (LOSO)"] = gold_row(gold["out_of_domain"], ood, ood_all, centre_bias)
    predictions, ood_predictions = {}, {}
    for name, extractor in extractors.items():
        features = caches[name]["in_domain"]
        sets = {split_name: ReadoutDataset([features[i] for i in p], [data.fixations[i] for i in p],
                                           [data.sizes[i] for i in p], centre_bias, batch_size=args.batch_size,
                                           shuffle=(split_name == "train"), seed=args.seed + fold)
                for split_name, p in part.items()}
        if ood:
            ood_set = ReadoutDataset(caches[name]["out_of_domain"], ood.fixations, ood.sizes, centre_bias,
                                     batch_size=args.batch_size, shuffle=False)
        keras.utils.set_random_seed(args.seed + 1000 * fold)
        model = DeepGazeII(extractor, n_components=args.instances)
        predictions[name], ood_predictions[name] = [], []
        for k in range(args.instances):
            start = time.perf_counter()
            history = fit_readout(model.readout_model([k]), sets["train"], sets["validation"], epochs=args.epochs,
                                  decay_every=args.decay_every, patience=args.patience, run_eagerly=args.quick)
            result["training"][f"{name} #{k}"] = {
                "epochs": len(history.history["loss"]), "seconds": round(time.perf_counter() - start, 1),
                "best_val_ig": float(np.max(history.history["val_ig"])),
                "sigma": float(model.readouts[k].finalizer.sigma.numpy()),
                "center_bias_weight": float(model.readouts[k].finalizer.center_bias_weight.numpy())}
            predictions[name].append(predict(model.readout_model([k]), sets["test"]))
            ood_predictions[name].append(predict(model.readout_model([k]), ood_set) if ood else None)
            print(f"fold {fold} {name} #{k}: {result['training'][f'{name} #{k}']}", flush=True)
        model.readout_model().save_weights(args.output / f"{name}_fold{fold}.weights.h5")
    names = list(extractors)
    ood_rows = ensemble_rows(ood_predictions, names, args.instances) if ood else {}
    for row, members in ensemble_rows(predictions, names, args.instances).items():
        add_rows(row, members[0] if len(members) == 1 else mixture(members),
                 None if not ood else (ood_rows[row][0] if len(members) == 1 else mixture(ood_rows[row])))
    return result


def calibration_error(counts):
    """Total-variation distance between the fixation share per equal-mass bin and the ideal 1/bins."""
    share = np.asarray(counts, float) / np.sum(counts)
    return float(0.5 * np.abs(share - 1.0 / len(share)).sum())


def members_of(row, singles):
    """The single-readout rows a mixture row averages (None for a single readout or a baseline)."""
    if row.startswith("all "):
        return list(singles)
    if row.startswith("pair: "):
        first, second = row[len("pair: "):].split(" + ")
        return [first, second if not second.startswith("#") else f"{first.split(' #')[0]} {second}"]
    if " mixture of " in row:
        return [s for s in singles if s.startswith(row.split(" mixture of ")[0] + " #")]
    return None


def fold_comparisons(runs, domain):
    """Per-fold tests of the paper's claims: ``[(claim, folds where it holds, folds)]``.

    Mixtures against their best member in IG (beating the members' mean is guaranteed: the log of a
    mean is at least the mean of the logs); each cross-backbone pair against the same-backbone pairs
    of its backbones; the all-backbone mixture's calibration error against its members' mean.
    """
    rows = list(runs[0][domain])
    singles = [r for r in rows if members_of(r, []) is None and " #" in r]
    ig = {r: np.array([run[domain][r]["information_gain"] for run in runs]) for r in rows}
    out = []
    for row in rows:
        members = members_of(row, singles)
        if members:
            best = np.max([ig[m] for m in members], axis=0)
            out.append((f"{row} > its best member (IG)", int(np.sum(ig[row] > best)), len(runs)))
    same = [r for r in rows if (m := members_of(r, singles)) and len(m) == 2
            and len({x.split(" #")[0] for x in m}) == 1]
    for cross in (r for r in rows if r.startswith("pair: ") and r not in same):
        backbones = {x.split(" #")[0] for x in members_of(cross, singles)}
        for row in (r for r in same if members_of(r, singles)[0].split(" #")[0] in backbones):
            out.append((f"{cross} > {row} (IG)", int(np.sum(ig[cross] > ig[row])), len(runs)))
    for row in (r for r in rows if r.startswith("all ")):
        error = {r: np.array([calibration_error(run[domain][r]["calibration"]) for run in runs])
                 for r in [row, *singles]}
        members_mean = np.mean([error[s] for s in singles], axis=0)
        out.append((f"{row} calibration error < its members' mean", int(np.sum(error[row] < members_mean)),
                    len(runs)))
    return out


def summarise(output: Path):
    """Averages every ``fold*.json`` in ``output`` into ``summary.md`` / ``summary.json`` and a figure."""
    folds = sorted(output.glob("fold*.json"), key=lambda p: int(p.stem[4:]))
    if not folds:
        raise SystemExit(f"no fold*.json in {output}")
    runs = [json.loads(p.read_text()) for p in folds]
    summary, lines = {}, [f"Folds: {', '.join(p.stem for p in folds)} of the 10-fold split; mean ± standard "
                          "deviation over folds; IG and LL in bits/fixation (IG over the fold's centre bias), "
                          "gold % = IG / IG of the LOSO gold standard; calibration error = total-variation "
                          "distance of the fixation share per equal-probability-mass bin from uniform.", ""]
    for domain in ("in_domain", "out_of_domain"):
        rows = [name for name in runs[0][domain]]
        if not rows:
            continue
        table = {}
        for name in rows:
            entry = {}
            for metric in METRICS:
                values = [run[domain][name][metric] for run in runs if metric in run[domain][name]]
                if values:
                    entry[metric] = (float(np.mean(values)), float(np.std(values)))
            gold_ig = [run[domain]["gold standard (LOSO)"]["information_gain"] for run in runs]
            ig = [run[domain][name]["information_gain"] for run in runs]
            entry["gold_percent"] = (float(np.mean(100 * np.asarray(ig) / np.asarray(gold_ig))),
                                     float(np.std(100 * np.asarray(ig) / np.asarray(gold_ig))))
            if "calibration" in runs[0][domain][name]:
                counts = np.sum([run[domain][name]["calibration"] for run in runs], axis=0)
                entry["calibration"] = counts.tolist()
                entry["calibration_error"] = calibration_error(counts)
            table[name] = entry
        summary[domain] = table
        title = ("MIT1003 test folds (in domain)" if domain == "in_domain"
                 else f"OSIE, first {runs[0]['ood_images']} images (out of domain)")
        lines += [f"## {title}", "", "| model | " + " | ".join(TABLE_METRICS) + " | calibration error |",
                  "|---" * (len(TABLE_METRICS) + 2) + "|"]
        for name, entry in table.items():
            cells = [f"{entry[m][0]:.3f} ± {entry[m][1]:.3f}" if m in entry else "–" for m in TABLE_METRICS]
            cal = f"{entry['calibration_error']:.3f}" if "calibration_error" in entry else "–"
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {cal} |")
        lines.append("")
    lines += ["## Per-fold comparisons", "", "| claim | domain | folds where it holds |", "|---|---|---|"]
    summary["comparisons"] = {}
    for domain in [d for d in ("in_domain", "out_of_domain") if d in summary]:
        comparisons = fold_comparisons(runs, domain)
        summary["comparisons"][domain] = [{"claim": c, "holds": k, "folds": n} for c, k, n in comparisons]
        lines += [f"| {c} | {domain.replace('_', ' ')} | {k} / {n} |" for c, k, n in comparisons]
    lines.append("")
    training = [run["training"] for run in runs]
    lines += ["## Training", "", "| readout | epochs | seconds | best validation IG | sigma | centre-bias weight |",
              "|---|---|---|---|---|---|"]
    for name in training[0]:
        values = {k: np.mean([t[name][k] for t in training]) for k in training[0][name]}
        lines.append(f"| {name} | {values['epochs']:.1f} | {values['seconds']:.0f} | {values['best_val_ig']:.3f} | "
                     f"{values['sigma']:.2f} | {values['center_bias_weight']:.2f} |")
    (output / "summary.json").write_text(json.dumps(summary, indent=1))
    (output / "summary.md").write_text("\n".join(lines) + "\n")
    plot_calibration(summary, output / "calibration.png")
    return summary


def plot_calibration(summary, path):
    """Fixation share per equal-mass bin (lowest density first) for each model and both domains."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    domains = [d for d in ("in_domain", "out_of_domain") if d in summary]
    fig, axes = plt.subplots(1, len(domains), figsize=(6.5 * len(domains), 4.2), squeeze=False)
    for ax, domain in zip(axes[0], domains):
        for name, entry in summary[domain].items():
            if "calibration" not in entry or name.startswith("pair"):
                continue
            share = np.asarray(entry["calibration"], float) / np.sum(entry["calibration"])
            style = {"lw": 2.5} if name.startswith("all") else {"lw": 1.2, "alpha": 0.8}
            ax.plot(np.arange(1, len(share) + 1), share, marker="o", ms=3, label=name, **style)
        ax.axhline(1.0 / BINS, color="k", ls="--", lw=1, label="perfectly calibrated")
        ax.set_title("MIT1003 (in domain)" if domain == "in_domain" else "OSIE (out of domain)")
        ax.set_xlabel("equal-probability-mass bin (lowest predicted density first)")
        ax.set_ylabel("share of fixations")
    axes[0][-1].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


CITATIONS = [
    "@inproceedings{linardos2021deepgaze, title={DeepGaze IIE: Calibrated prediction in and out-of-domain for "
    "state-of-the-art saliency modeling}, author={Linardos, Akis and K{\\\"u}mmerer, Matthias and Press, Ori and "
    "Bethge, Matthias}, booktitle={ICCV}, year={2021}}",
    "@techreport{judd2012benchmark, title={A Benchmark of Computational Models of Saliency to Predict Human "
    "Fixations}, author={Judd, Tilke and Durand, Fr{\\'e}do and Torralba, Antonio}, institution={MIT}, year={2012}}",
]


def export_presets(args, data, command):
    """Presets of every fold's readouts: the all-backbone ensemble and the best backbone's own mixture.

    As the reference's released model, each backbone mixes the readouts of all folds run (each trained
    without its test fold); the stored centre bias is fitted on all MIT1003 images; one-image prediction
    resizes to the training scale (long side ``1024 * scale``).
    """
    from keras_saliency.zoo.deepgaze import DeepGazeIIE

    summary = json.loads((args.output / "summary.json").read_text())
    folds = sorted(int(p.stem[4:]) for p in args.output.glob("fold*.json"))
    runs = sorted({json.loads((args.output / f"fold{fold}.json").read_text())["command"] for fold in folds})
    command = "; ".join([*runs, command])
    best = max(args.backbones,
               key=lambda n: summary["in_domain"][f"{n} mixture of {args.instances}"]["information_gain"][0])
    grid = maps.CentreBias.fit(data.fixations, data.sizes).log_density((128, 128))
    exports = [("single", [best], f"{best} mixture of {args.instances}")]
    if len(args.backbones) > 1:
        exports.insert(0, ("ensemble", args.backbones, f"all {len(args.backbones)} backbones x {args.instances}"))
    for label, backbones, row in exports:
        model = DeepGazeIIE([standin_extractor() if n == "standin" else n for n in backbones],
                            n_components=args.instances * len(folds), backbone_weights=args.backbone_weights,
                            centerbias_shape=grid.shape, image_long_side=round(1024 * args.scale))
        model.centerbias.assign(grid)
        for member, name in zip(model.members, backbones):
            for j, fold in enumerate(folds):
                part = member.readout_model(range(j * args.instances, (j + 1) * args.instances))
                part.load_weights(args.output / f"{name}_fold{fold}.weights.h5")
        metrics_list = [{"name": m, "value": round(summary[domain][row][m][0], 4), "dataset": dataset,
                         "command": command}
                        for domain, dataset in (("in_domain", "mit1003"), ("out_of_domain", "osie"))
                        if row in summary.get(domain, {})
                        for m in ("information_gain", "auc_judd", "sauc", "nss", "cc", "kld")]
        short = [n.replace("efficientnet_", "") for n in backbones]
        name = f"deepgaze_iie_{'_'.join(short)}_mit1003" if label == "ensemble" else f"deepgaze_ii_{short[0]}_mit1003"
        model.save_to_preset(args.export_presets / name, {
            "name": name,
            "description": (f"DeepGaze IIE readouts on frozen ImageNet {', '.join(backbones)} "
                            f"({args.instances} instances x {len(folds)} folds per backbone), "
                            f"trained by maximum likelihood at long side {round(1024 * args.scale)} px"),
            "training_data": f"MIT1003 (FixaTons layout), folds {folds} of a 10-fold split; metrics are test-fold "
                             "means of the per-fold models (information gain in bits/fixation over the training "
                             "folds' centre bias); OSIE metrics: the same models out of domain",
            "license": "apache-2.0", "citations": CITATIONS, "metrics": metrics_list}, overwrite=True)
        print(f"preset {name}: {args.export_presets / name}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: stand-in backbone, 12 MIT1003 + 8 OSIE images "
                                                         "at 1/4 size, fold 0 of 4, 2 instances, 2 epochs, eager")
    ap.add_argument("--data", type=Path, default=SHARED / "mit1003", help="MIT1003 in the FixaTons layout")
    ap.add_argument("--ood-data", type=Path, default=SHARED / "osie", help="OSIE (stimuli/, fixations.mat); "
                                                                           "skipped when absent")
    ap.add_argument("--backbones", nargs="+", default=None,
                    help="keras_saliency.backbones names (default taps) or 'standin' (default: efficientnet_lite0; "
                         "standin with --quick)")
    ap.add_argument("--backbone-weights", default=None, help="'imagenet' or a weights path (backbones.get)")
    ap.add_argument("--instances", type=int, default=3, help="readouts trained per backbone and fold")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--run-folds", type=int, nargs="+", default=None, help="which folds to run (default all)")
    ap.add_argument("--count", type=int, default=None, help="first N MIT1003 images only")
    ap.add_argument("--ood-count", type=int, default=None, help="first N OSIE images only")
    ap.add_argument("--scale", type=float, default=1.0, help="image scale factor before the model")
    ap.add_argument("--epochs", type=int, default=None, help="default: until the rate falls below 1e-7")
    ap.add_argument("--decay-every", type=int, default=15, help="epochs between x0.1 learning-rate steps")
    ap.add_argument("--patience", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--cache-dir", type=Path, default=None, help="feature cache folder (default: in memory)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", type=Path, default=Path("deepgaze_run"))
    ap.add_argument("--summarise-only", action="store_true", help="only rebuild summary.md from fold*.json")
    ap.add_argument("--export-presets", type=Path, default=None,
                    help="after summarising, save the ensemble and the best single backbone as presets here")
    args = ap.parse_args(argv)
    command = "python examples/train_deepgaze.py " + " ".join(sys.argv[1:] if argv is None else argv)
    paths = machine_paths(command) if args.export_presets else []
    if paths:
        ap.error(f"--export-presets: the presets record this command; give paths relative to here, not {paths}")
    if args.summarise_only:
        summary = summarise(args.output)
        if args.export_presets:
            args.backbones = args.backbones or ["efficientnet_lite0"]
            export_presets(args, read_mit1003(args.data, args.scale, args.count), command)
        return summary
    args.backbones = args.backbones or (["standin"] if args.quick else ["efficientnet_lite0"])
    if args.quick:
        args.count, args.ood_count, args.scale, args.folds, args.run_folds = 12, 8, 0.25, 4, [0]
        args.instances, args.epochs, args.patience, args.batch_size = 2, 2, None, 2
    if not (args.data / "SCANPATHS").is_dir():
        raise SystemExit(f"MIT1003 not found at {args.data} (needs SCANPATHS/ and STIMULI/; see its README).")
    args.output.mkdir(parents=True, exist_ok=True)
    data = read_mit1003(args.data, args.scale, args.count)
    ood = read_osie(args.ood_data, args.scale, args.ood_count) if (args.ood_data / "fixations.mat").is_file() else None
    bandwidth, scores = fit_gold_bandwidth(data)
    gold = {"in_domain": GoldStandard(data, bandwidth), "out_of_domain": GoldStandard(ood, bandwidth) if ood else None}
    print(f"{data.name}: {len(data.ids)} images, {sum(map(len, data.fixations))} fixations ({data.clipped} clipped); "
          f"OSIE: {len(ood.ids) if ood else 0} images; gold-standard bandwidth {bandwidth} ({scores})", flush=True)
    extractors = {name: make_extractor(name, args.backbone_weights if name != "standin" else None)
                  for name in args.backbones}
    caches = {}
    for name, extractor in extractors.items():
        start = time.perf_counter()
        caches[name] = {}
        for domain, dataset in (("in_domain", data), ("out_of_domain", ood)):
            if dataset is None:
                continue
            folder = f"{name}_{dataset.name}_scale{args.scale:g}"
            directory = None if args.cache_dir is None else args.cache_dir / folder
            caches[name][domain] = FeatureCache(DeepGazeII(extractor), directory).get_many(
                dataset.ids, dataset.load_image, dataset.sizes)
        print(f"{name}: features in {time.perf_counter() - start:.1f} s", flush=True)
    for fold in args.run_folds or range(args.folds):
        result = run_fold(fold, args, data, ood, extractors, caches, gold)
        result.update(gold_standard_bandwidth=bandwidth, ood_images=len(ood.ids) if ood else 0,
                      command=command)
        (args.output / f"fold{fold}.json").write_text(json.dumps(result, indent=1))
        print(f"fold {fold}: " + ", ".join(f"{k}: IG {v['information_gain']:.3f}"
                                           for k, v in result["in_domain"].items()), flush=True)
    summary = summarise(args.output)
    if args.export_presets:
        export_presets(args, data, command)
    return summary


if __name__ == "__main__":
    main()
