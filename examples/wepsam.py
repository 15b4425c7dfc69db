"""WEPSAM experiment (Lahiri et al. 2016, Fig. 2 and Table 1 analogues): does weak pre-training help?

1. Weak pre-training set: the OSIE stimuli (``<data>/osie/stimuli``, 700 images) used WITHOUT their
   fixations; targets are GBVS pseudo-labels (cached, see ``keras_saliency.zoo.wepsam``), entropy-filtered
   (the lowest-entropy ``--keep-fraction`` kept); 10% of the kept images give the pre-training
   validation curve.
2. Fine-tuning set: MIT1003 fixations read with ``tfds_builders.mit1003.mit1003_dataset_builder.
   fixatons_records`` (first, central fixation of each scanpath dropped; points outside the image
   clipped), 10-fold split by image id (fold 0, seed 0: train / validation / test). Targets:
   empirical saliency maps (sigma = 0.04 x max side) resized to 128 x 128, pixel-wise squared error.
3. The same fine-tuning (same seed, same batches) from the pre-trained weights and from random
   initialisation: training/validation loss per epoch (epoch 0 = before fine-tuning) and AUC-Judd,
   AUC-Borji, CC, SIM, KLD, NSS (``keras_saliency.metrics``) on the held-out test images at their own
   size, next to GBVS (the pseudo-label teacher), the mean fine-tuning target (a learnt centre bias)
   and the pre-trained model before fine-tuning. Mean +- std over ``--seeds``.

Usage (repository root): PYTHONPATH=. python examples/wepsam.py --quick --output-dir /tmp/wepsam-quick
The committed run and its command: docs/results/wepsam/results.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
QUICK_RUN = {"args": ["--output-dir", "wepsam_out", "--cache-dir", "wepsam_cache", "--save-preset", "wepsam_preset"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/stimuli"],
             "outputs": ["wepsam_out/results.json", "wepsam_out/loss_curves.png", "wepsam_out/results.md",
                         "wepsam_preset/model.weights.h5"]}
METRICS = ("auc_judd", "auc_borji", "cc", "sim", "kld", "nss")
LABELS = {"auc_judd": "AUC-Judd", "auc_borji": "AUC-Borji", "cc": "CC", "sim": "SIM", "kld": "KLD", "nss": "NSS"}
PRE, RND = "pre-trained (WEPSAM)", "random init"
ROWS = ("GBVS (pseudo-label teacher)", "mean training target (centre bias)", "WEPSAM pre-trained, no fine-tuning",
        "WEPSAM pre-trained + fine-tuned", "random init + fine-tuned")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: tiny net, 10 + 20 images, 2 epochs, one seed")
    p.add_argument("--output-dir", type=Path, required=True, help="results.md, results.json, loss_curves.png")
    p.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "keras_saliency" / "wepsam",
                   help="GBVS pseudo-label cache")
    p.add_argument("--data", type=Path, default=SHARED, help="folder holding osie/stimuli and mit1003/")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--pretrain-epochs", type=int, default=6)
    p.add_argument("--finetune-epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=0.1, help="initial SGD rate (x 0.9 every 100 steps)")
    p.add_argument("--keep-fraction", type=float, default=0.7, help="entropy filter: fraction of maps kept")
    p.add_argument("--gbvs-max-side", type=int, default=256, help="GBVS image size (longer side, pixels)")
    p.add_argument("--conv-filters", type=int, nargs=3, default=[16, 32, 32])
    p.add_argument("--hidden-units", type=int, default=256)
    p.add_argument("--pretrain-images", type=int, default=None, help="use the first N OSIE stimuli (default all)")
    p.add_argument("--finetune-images", type=int, default=None, help="use the first N MIT1003 images (default all)")
    p.add_argument("--save-preset", type=Path, default=None,
                   help="save the first seed's pre-trained + fine-tuned model as a preset folder here")
    args = p.parse_args(argv)
    if args.quick:
        args.pretrain_epochs, args.finetune_epochs, args.batch_size, args.seeds = 2, 2, 8, args.seeds[:1]
        args.gbvs_max_side, args.hidden_units, args.conv_filters = 48, 16, [2, 4, 4]
        args.pretrain_images, args.finetune_images = 10, 20
    for name in ("pretrain_epochs", "finetune_epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    for name in ("pretrain_images", "finetune_images"):
        if getattr(args, name) is not None and getattr(args, name) < 10:
            p.error(f"--{name.replace('_', '-')} must be >= 10; got {getattr(args, name)}")
    from keras_saliency.presets import machine_paths

    paths = machine_paths(" ".join(argv)) if args.save_preset else []
    if paths:
        p.error(f"--save-preset: the preset records this command; give paths relative to here, not {paths}")
    return args


class FineTuneSet:
    """MIT1003 images of one split: network inputs (N, 128, 128, 3), Fixations, sizes, targets (and originals)."""

    def __init__(self, records, side: int, keep_originals: bool):
        from keras_saliency.zoo.wepsam import fixation_targets

        self.ids, self.inputs, self.originals, self.fixations, self.sizes, self.clipped = [], [], [], [], [], 0
        for record in records:
            with Image.open(record.image) as image:
                rgb = image.convert("RGB")
            size = (rgb.height, rgb.width)
            fixations, clipped = record.fixations.fit_to_image(size, policy="clip")
            self.ids.append(record.image_id)
            self.inputs.append(np.asarray(rgb.resize((side, side), Image.BILINEAR)))
            if keep_originals:  # the full-size test images, for GBVS and `predict_saliency`
                self.originals.append(np.asarray(rgb))
            self.fixations.append(fixations)
            self.sizes.append(size)
            self.clipped += clipped
        self.inputs = np.stack(self.inputs)
        self.targets = fixation_targets(self.fixations, self.sizes, target_size=side)
        self.references = None

    def evaluate(self, maps) -> dict:
        """Per-image mean of each metric for saliency maps at the images' own sizes."""
        from keras_saliency.maps import empirical_saliency_map
        from keras_saliency.metrics import evaluate

        if self.references is None:  # full-size empirical maps for CC / SIM / KLD, computed once
            self.references = [empirical_saliency_map(f, s, sigma=0.04 * max(s))
                               for f, s in zip(self.fixations, self.sizes)]

        samples = [{"fixations": f, "image_size": s, "reference_map": r}
                   for f, s, r in zip(self.fixations, self.sizes, self.references)]
        result = evaluate([np.asarray(m, np.float64) for m in maps], samples, METRICS, kind="saliency")
        return {m: float(np.mean(result.per_image[m])) for m in METRICS}


def load_finetune_sets(root: Path, count, side: int) -> dict:
    """{"train", "validation", "test"}: FineTuneSet of the 10-fold split (fold 0, seed 0) of MIT1003."""
    from keras_saliency.data.splits import kfold_split
    from tfds_builders.mit1003.mit1003_dataset_builder import fixatons_records

    records = list(itertools.islice(fixatons_records(root), count))
    split = kfold_split([r.image_id for r in records], fold=0, k=10, seed=0)
    by_id = {r.image_id: r for r in records}
    sets = {name: FineTuneSet([by_id[i] for i in ids], side, name == "test") for name, ids in split.items()}
    empty = [name for name, s in sets.items() if not s.ids]
    if empty:
        raise SystemExit(f"the MIT1003 split has no {' / '.join(empty)} images; use more --finetune-images")
    return sets


def gbvs_maps(images, settings) -> list:
    """GBVS at ``settings.gbvs_max_side`` (aspect kept), resized back to each image's size."""
    model = settings.gbvs()
    out = []
    for image in images:
        height, width = image.shape[:2]
        scale = settings.gbvs_max_side / max(height, width)
        small = Image.fromarray(image).resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                              Image.BILINEAR)
        saliency = model.predict_saliency_map(np.asarray(small)[None])[0].astype(np.float32)
        out.append(np.asarray(Image.fromarray(saliency).resize((width, height), Image.BILINEAR)))
    return out


def make_model(args, seed):
    import keras

    from keras_saliency.zoo.wepsam import WEPSAM

    keras.utils.set_random_seed(seed)
    return WEPSAM(conv_filters=args.conv_filters, hidden_units=args.hidden_units)


def finetune(model, data, args, seed) -> dict:
    """Fine-tune on ``data["train"]``; {"loss", "val_loss"} per epoch, index 0 = before fine-tuning."""
    import keras

    train, val = data["train"], data["validation"]
    model.compile(learning_rate=args.learning_rate)
    before = [model.evaluate(s.inputs.astype(np.float32), s.targets, batch_size=args.batch_size, verbose=0)
              for s in (train, val)]
    keras.utils.set_random_seed(seed)
    history = model.fit(train.inputs, train.targets, epochs=args.finetune_epochs, batch_size=args.batch_size,
                        validation_data=(val.inputs, val.targets), verbose=0).history
    return {"loss": [before[0]] + history["loss"], "val_loss": [before[1]] + history["val_loss"]}


def plot(curves, pretrain_curves, reference, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    colours = {PRE: "tab:blue", RND: "tab:red"}
    for ax, key, title in ((axes[0], "loss", "fine-tuning on MIT1003: training loss"),
                           (axes[1], "val_loss", "fine-tuning on MIT1003: validation loss")):
        for name, runs in curves.items():
            stack = np.array([r[key] for r in runs])
            epochs = np.arange(stack.shape[1])
            for run in stack:
                ax.plot(epochs, run, color=colours[name], alpha=0.3, lw=1)
            ax.plot(epochs, stack.mean(0), color=colours[name], lw=2, marker="o", label=f"{name} (mean)")
        ax.axhline(reference["finetune_train" if key == "loss" else "finetune_val"], color="grey", ls=":",
                   label="mean training target")
        ax.set(title=title, xlabel="epoch (0 = before fine-tuning)", ylabel="pixel-wise MSE")
        ax.grid(alpha=0.3)
        ax.legend()
    for i, run in enumerate(pretrain_curves):
        epochs = np.arange(1, len(run["loss"]) + 1)
        axes[2].plot(epochs, run["loss"], color="tab:green", label="training" if i == 0 else None)
        axes[2].plot(epochs, run["val_loss"], color="tab:olive", ls="--", label="validation" if i == 0 else None)
    axes[2].axhline(reference["pretrain_val"], color="grey", ls=":", label="mean pseudo-label (validation)")
    axes[2].set(title="weak pre-training on OSIE GBVS pseudo-labels", xlabel="epoch", ylabel="pixel-wise MSE")
    axes[2].grid(alpha=0.3)
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _cell(values, digits: int = 3) -> str:
    return f"{np.mean(values):.{digits}f}" + (f" ± {np.std(values):.{digits}f}" if len(values) > 1 else "")


def markdown(report) -> str:
    rows = ["| model | " + " | ".join(LABELS[m] for m in METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, values in report["table"].items():
        rows.append(f"| {name} | " + " | ".join(_cell(values[m]) for m in METRICS) + " |")
    curves = report["curves"]
    curve_rows = ["| epoch | " + " | ".join(f"{n}: {k}" for n in curves for k in ("train", "validation")) + " |",
                  "|---" * (1 + 2 * len(curves)) + "|"]
    for e in range(len(curves[PRE][0]["loss"])):
        cells = [_cell([r[k][e] for r in runs], 5) for runs in curves.values()
                 for k in ("loss", "val_loss")]
        curve_rows.append(f"| {e} | " + " | ".join(cells) + " |")
    s = report["setup"]
    return "\n".join([
        "# WEPSAM: weak pre-training on GBVS pseudo-labels vs random initialisation",
        "",
        f"Command (repository root): `{report['command']}`",
        "",
        f"Measured {report['date']} on {report['machine']}; wall time {report['wall_s'] / 60:.1f} min "
        f"(GBVS pseudo-labels {'from the cache' if s['cache_hit'] else 'computed in this run'}).",
        "",
        "## Setup",
        f"- Weak pre-training set, fixations NOT used: {s['pretrain_set']}. GBVS on each image at "
        f"{s['gbvs_max_side']} px longer side, map resized to 128 x 128 and min-max normalised; the entropy "
        f"filter kept {s['pretrain_kept']} of {s['pretrain_total']} maps (the {s['keep_fraction']:.0%} lowest "
        f"entropies, <= {s['entropy_threshold']:.3f} bits; all maps: min / median / max "
        f"{' / '.join(f'{v:.3f}' for v in s['entropy_all'])} bits); {s['pretrain_val']} of the kept images held "
        f"out for the pre-training validation curve; {s['pretrain_epochs']} epochs.",
        f"- Fine-tuning set: {s['finetune_set']}: train {s['n_train']}, validation {s['n_val']}, test "
        f"{s['n_test']} images ({s['clipped']} out-of-image fixations clipped); {s['finetune_epochs']} epochs; "
        "targets are empirical saliency maps (sigma 0.04 x max side) resized to 128 x 128, min-max normalised.",
        f"- Network: WEPSAM, conv filters {s['conv_filters']} (kernels 5, 3, 3), hidden {s['hidden_units']}, "
        f"maxout 2 pieces, {s['parameters']:,} parameters. SGD with Nesterov momentum 0.9, learning rate "
        f"{s['learning_rate']} x 0.9^(step / 100) (restarted for fine-tuning), batch {s['batch_size']}, "
        f"pixel-wise MSE; seeds {s['seeds']} (the same seed gives the same initialisation of the random-init "
        "run as of the pre-training run, and the same fine-tuning batch order for both).",
        "- Metrics: `keras_saliency.metrics.evaluate(kind='saliency')`, per-image means on the test images at "
        "their own size (network maps resized back from 128 x 128, clipped at 0); CC / SIM / KLD against the "
        "empirical maps (sigma 0.04 x max side). GBVS and the mean target are deterministic (no spread).",
        "",
        "## Table 1 analogue (MIT1003 test images, mean ± std over seeds)",
        *rows,
        "",
        "## Fig. 2 analogue: loss curves (pixel-wise MSE, mean ± std over seeds)",
        "![loss curves](loss_curves.png)",
        "",
        f"Dotted lines: the MSE of a constant prediction, the mean training map (fine-tuning: training "
        f"{report['reference_mse']['finetune_train']:.5f}, validation {report['reference_mse']['finetune_val']:.5f};"
        f" pre-training validation {report['reference_mse']['pretrain_val']:.5f}).",
        "",
        *curve_rows,
        "",
        "## Finding (generated from the numbers above)",
        report["finding"],
        "",
    ])


def _compare(a, b, metric) -> str:
    """'better' / 'worse' / 'tie' for ``a`` vs ``b`` (per-seed values); a tie is a gap within
    max(0.005, 2 x (std a + std b)). Lower is better for KLD only."""
    gap = np.mean(a) - np.mean(b)
    if abs(gap) <= max(0.005, 2 * (np.std(a) + np.std(b))):
        return "tie"
    return "better" if (gap < 0) == (metric == "kld") else "worse"


def _epochs_to(curve, level):
    reached = np.flatnonzero(np.asarray(curve) <= level)
    return int(reached[0]) if len(reached) else None


def finding(curves, table, reference) -> str:
    v_pre = np.mean([r["val_loss"] for r in curves[PRE]], 0)
    v_rnd = np.mean([r["val_loss"] for r in curves[RND]], 0)
    last = len(v_rnd) - 1
    level = 1.02 * min(v_pre[-1], v_rnd[-1])
    lines = [f"Validation MSE before fine-tuning: pre-trained {v_pre[0]:.5f} vs random {v_rnd[0]:.5f}; after "
             f"epoch 1: {v_pre[1]:.5f} vs {v_rnd[1]:.5f}; after epoch {last}: {v_pre[-1]:.5f} vs {v_rnd[-1]:.5f} "
             f"(the mean training target scores {reference['finetune_val']:.5f})."]
    lines.append(f"Epochs to come within 2% of the lower final validation MSE ({level:.5f}): pre-trained "
                 f"{_epochs_to(v_pre, level)}, random init {_epochs_to(v_rnd, level)} (None: not reached).")
    pre, rnd, centre = (table[k] for k in ("WEPSAM pre-trained + fine-tuned", "random init + fine-tuned",
                                           "mean training target (centre bias)"))
    for other, name in ((rnd, "random init + fine-tuned"), (centre, "the mean training target (centre bias)")):
        verdicts = {m: _compare(pre[m], other[m], m) for m in METRICS}
        counts = ", ".join(f"{v} on {', '.join(LABELS[m] for m in METRICS if verdicts[m] == v)}"
                           for v in ("better", "tie", "worse") if v in verdicts.values())
        lines.append(f"Test metrics, WEPSAM pre-trained + fine-tuned vs {name}: {counts}.")
    lines.append("(Tie: a gap within max(0.005, 2 x the summed seed std).)")
    return " ".join(lines)


def save_preset(model, path: Path, report):
    """The first seed's pre-trained + fine-tuned model as a preset folder, with its measured test metrics."""
    metrics = [{"name": LABELS[m], "value": float(report["table"]["WEPSAM pre-trained + fine-tuned"][m][0]),
                "dataset": f"MIT1003 test fold (10-fold split, fold 0, seed 0; {report['setup']['n_test']} images)",
                "command": report["command"]} for m in METRICS]
    from keras_saliency.zoo.wepsam import WEPSAM

    clean = WEPSAM.from_config(model.get_config())  # uncompiled: the preset holds no optimizer state
    clean.set_weights(model.get_weights())
    clean.save_to_preset(path, overwrite=True, metadata={
        "name": "wepsam_osie_gbvs_mit1003",
        "description": "WEPSAM (Lahiri et al. 2016) weakly pre-trained on GBVS pseudo-labels of the OSIE stimuli "
                       "(no fixations), fine-tuned on MIT1003 (10-fold split fold 0 train images); 128 x 128 RGB "
                       "0..255 in, (128, 128) saliency map out; `predict_saliency` for any image size.",
        "training_data": "OSIE stimuli (unlabeled, GBVS pseudo-labels) + MIT1003 fixations (FixaTons layout)",
        "license": "mit",
        "citations": ["Lahiri, Roy, Sheet, Biswas. WEPSAM: Weakly Pre-Learnt Saliency Model. arXiv:1605.01101, "
                      "2016.", "Judd, Ehinger, Durand, Torralba. Learning to predict where humans look. ICCV 2009.",
                      "Xu, Jiang, Wang, Kankanhalli, Zhao. Predicting human gaze beyond pixels. JoV 14(1):28, 2014."],
        "metrics": metrics,
    })


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    start = time.time()

    import keras

    from keras_saliency.zoo.wepsam import PseudoLabelSettings, build_pseudo_labels, folder_source

    osie, mit = args.data / "osie" / "stimuli", args.data / "mit1003"
    for path in (osie, mit):
        if not path.is_dir():
            raise SystemExit(f"missing data folder {path} (see the READMEs of /work/shared/data)")
    args.output_dir.mkdir(parents=True, exist_ok=True)

    # 1. weak labels: GBVS on the OSIE stimuli only (the folder holds no fixations)
    settings = PseudoLabelSettings(gbvs_max_side=args.gbvs_max_side)
    source = folder_source(osie)
    if args.pretrain_images is not None:
        source = _first(source, args.pretrain_images)
    cache_hit = _cached(source, args.cache_dir, settings)
    labels = build_pseudo_labels(source, args.cache_dir, settings, progress=not args.quick)
    entropies = labels.entropies()
    kept = labels.filtered(args.keep_fraction)
    threshold = float(kept.entropies().max())
    print(f"pseudo-labels: {len(labels.ids)} images, kept {len(kept.ids)} (entropy <= {threshold:.3f} bits) "
          f"at {time.time() - start:.0f} s")
    order = np.random.default_rng(0).permutation(len(kept.ids))
    n_val = max(1, len(order) // 10)
    pre_val, pre_train = np.sort(order[:n_val]), np.sort(order[n_val:])
    reference = {"pretrain_val": _mean_map_mse(kept.maps[pre_train], kept.maps[pre_val])}

    # 2. fine-tuning data and the deterministic baselines
    data = load_finetune_sets(mit, args.finetune_images, 128)
    test = data["test"]
    reference.update(finetune_train=_mean_map_mse(data["train"].targets, data["train"].targets),
                     finetune_val=_mean_map_mse(data["train"].targets, data["validation"].targets))
    table = {name: {m: [] for m in METRICS} for name in ROWS}
    for name, maps in ((ROWS[0], gbvs_maps(test.originals, settings)),
                       (ROWS[1], _mean_target_maps(data["train"].targets.mean(0), test.sizes))):
        for metric, value in test.evaluate(maps).items():
            table[name][metric].append(value)
    print(f"data and baselines ready at {time.time() - start:.0f} s")

    # 3. per seed: pre-train, fine-tune; fine-tune from random init
    curves, pretrain_curves, first_model = {PRE: [], RND: []}, [], None
    for seed in args.seeds:
        model = make_model(args, seed)
        model.compile(learning_rate=args.learning_rate)
        keras.utils.set_random_seed(seed)
        pretrain_curves.append(model.fit(kept.images[pre_train], kept.maps[pre_train], epochs=args.pretrain_epochs,
                                         batch_size=args.batch_size,
                                         validation_data=(kept.images[pre_val], kept.maps[pre_val]),
                                         verbose=0).history)
        for name in (ROWS[2], ROWS[3]):
            if name == ROWS[3]:
                curves[PRE].append(finetune(model, data, args, seed))
            for metric, value in test.evaluate([model.predict_saliency_map(im[None])[0] for im in test.originals]).items():
                table[name][metric].append(value)
        first_model = first_model or model
        model = make_model(args, seed)
        curves[RND].append(finetune(model, data, args, seed))
        for metric, value in test.evaluate([model.predict_saliency_map(im[None])[0] for im in test.originals]).items():
            table[ROWS[4]][metric].append(value)
        print(f"seed {seed} done at {time.time() - start:.0f} s")

    plot(curves, pretrain_curves, reference, args.output_dir / "loss_curves.png")
    report = {
        "command": "PYTHONPATH=. python " + " ".join(shlex.quote(a) for a in ["examples/wepsam.py", *argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores (shared with other jobs)",
        "wall_s": time.time() - start,
        "setup": {"pretrain_set": f"OSIE stimuli ({len(labels.ids)} images of {osie.name}/)",
                  "pretrain_total": len(labels.ids), "pretrain_kept": len(kept.ids), "pretrain_val": n_val,
                  "keep_fraction": args.keep_fraction, "entropy_threshold": threshold,
                  "entropy_all": [float(np.min(entropies)), float(np.median(entropies)), float(np.max(entropies))],
                  "gbvs_max_side": args.gbvs_max_side, "pretrain_epochs": args.pretrain_epochs,
                  "cache_hit": cache_hit,
                  "finetune_set": f"MIT1003 ({sum(len(s.ids) for s in data.values())} images, FixaTons layout; "
                                  "10-fold split by image id, fold 0, seed 0)",
                  "n_train": len(data["train"].ids), "n_val": len(data["validation"].ids), "n_test": len(test.ids),
                  "clipped": sum(s.clipped for s in data.values()), "finetune_epochs": args.finetune_epochs,
                  "conv_filters": list(args.conv_filters), "hidden_units": args.hidden_units,
                  "parameters": first_model.count_params(), "learning_rate": args.learning_rate,
                  "batch_size": args.batch_size, "seeds": list(args.seeds)},
        "table": table, "curves": curves, "pretrain_curves": pretrain_curves, "reference_mse": reference,
    }
    report["finding"] = finding(curves, table, reference)
    (args.output_dir / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.output_dir / "results.md").write_text(markdown(report))
    if args.save_preset is not None:
        save_preset(first_model, args.save_preset, report)
    print(markdown(report))
    return report


def _first(source, count):
    """The first ``count`` images of a folder source (sorted paths), as a source of its own."""
    from keras_saliency.zoo.wepsam import array_source

    pairs = list(itertools.islice(source.iterate(), count))
    return array_source([image for _, image in pairs], [image_id for image_id, _ in pairs])


def _cached(source, cache_dir, settings) -> bool:
    from keras_saliency.zoo.wepsam.wepsam_pseudo_labels import MANIFEST, cache_key

    return (cache_dir / f"wepsam-gbvs-{cache_key(settings, source)}" / MANIFEST).is_file()


def _mean_map_mse(train_maps, maps) -> float:
    """Pixel-wise MSE of ``maps`` against the mean of ``train_maps`` (what a constant prediction can reach)."""
    return float(np.mean((maps - train_maps.mean(0)) ** 2))


def _mean_target_maps(mean_map, sizes) -> list:
    """The mean fine-tuning target (128 x 128) resized bilinearly to every test image's size."""
    image = Image.fromarray(mean_map.astype(np.float32))
    return [np.asarray(image.resize((w, h), Image.BILINEAR)) for h, w in sizes]


if __name__ == "__main__":
    main()
