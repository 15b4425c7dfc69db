"""The WEPSAM experiment's outputs: the markdown report, the generated finding, the loss curves, the preset.

``report`` is :func:`~keras_saliency.zoo.wepsam.wepsam_experiment.run_experiment`'s result plus
``"command"``, ``"date"``, ``"machine"``, ``"wall_s"`` and ``"finding"`` (:func:`finding`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_saliency.zoo.wepsam.wepsam_experiment import METRICS, PRE, RND, ROWS
from keras_saliency.zoo.wepsam.wepsam_model import WEPSAM

LABELS = {"auc_judd": "AUC-Judd", "auc_borji": "AUC-Borji", "cc": "CC", "sim": "SIM", "kld": "KLD", "nss": "NSS"}
CENTRE, FINE_TUNED, RANDOM_FINE_TUNED = ROWS[1], ROWS[3], ROWS[4]


def plot(curves, pretrain_curves, reference, path: Path):
    """Fine-tuning training / validation MSE per epoch (both inits, every seed) and the pre-training curves."""
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
    """The report as results.md: command, setup, Table 1 and Fig. 2 analogues, the finding."""
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
    """What the numbers say: validation MSE before / after fine-tuning, epochs to converge, metric verdicts."""
    v_pre = np.mean([r["val_loss"] for r in curves[PRE]], 0)
    v_rnd = np.mean([r["val_loss"] for r in curves[RND]], 0)
    last = len(v_rnd) - 1
    level = 1.02 * min(v_pre[-1], v_rnd[-1])
    lines = [f"Validation MSE before fine-tuning: pre-trained {v_pre[0]:.5f} vs random {v_rnd[0]:.5f}; after "
             f"epoch 1: {v_pre[1]:.5f} vs {v_rnd[1]:.5f}; after epoch {last}: {v_pre[-1]:.5f} vs {v_rnd[-1]:.5f} "
             f"(the mean training target scores {reference['finetune_val']:.5f})."]
    lines.append(f"Epochs to come within 2% of the lower final validation MSE ({level:.5f}): pre-trained "
                 f"{_epochs_to(v_pre, level)}, random init {_epochs_to(v_rnd, level)} (None: not reached).")
    pre, rnd, centre = (table[k] for k in (FINE_TUNED, RANDOM_FINE_TUNED, CENTRE))
    for other, name in ((rnd, RANDOM_FINE_TUNED), (centre, "the mean training target (centre bias)")):
        verdicts = {m: _compare(pre[m], other[m], m) for m in METRICS}
        counts = ", ".join(f"{v} on {', '.join(LABELS[m] for m in METRICS if verdicts[m] == v)}"
                           for v in ("better", "tie", "worse") if v in verdicts.values())
        lines.append(f"Test metrics, WEPSAM pre-trained + fine-tuned vs {name}: {counts}.")
    lines.append("(Tie: a gap within max(0.005, 2 x the summed seed std).)")
    return " ".join(lines)


def save_preset(model, path: Path, report):
    """The first seed's pre-trained + fine-tuned model as a preset folder, with its measured test metrics."""
    metrics = [{"name": LABELS[m], "value": float(report["table"][FINE_TUNED][m][0]),
                "dataset": f"MIT1003 test fold (10-fold split, fold 0, seed 0; {report['setup']['n_test']} images)",
                "command": report["command"]} for m in METRICS]
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
