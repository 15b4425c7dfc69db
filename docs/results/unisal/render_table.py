"""Render the --results JSONs of examples/train_unisal.py as the markdown table of README.md.

Usage: python docs/results/unisal/render_table.py docs/results/unisal/adaptive.json docs/results/unisal/shared.json
Values are means over the held-out images (information gain in bits/fixation over the
domain's training-fold centre bias, so the centre bias rows have 0 by construction).
"""

import json
import sys

METRICS = ("auc_judd", "sauc", "nss", "cc", "kld", "sim", "information_gain")
HEADER = ("AUC-Judd", "sAUC", "NSS", "CC", "KLD", "SIM", "IG")


def main(adaptive_path, shared_path):
    runs = {"domain-adaptive (2 domains)": json.load(open(adaptive_path)),
            "shared domain (ablation)": json.load(open(shared_path))}
    first = next(iter(runs.values()))
    print("| domain | model | " + " | ".join(HEADER) + " |\n|---|---|" + "---|" * len(METRICS))
    for domain, count in first["test_images"].items():
        rows = [("centre bias", first["center_bias"][domain])]
        rows += [(f"UNISAL, {label}", run["unisal"][domain]) for label, run in runs.items()]
        for label, values in rows:
            print(f"| {domain} ({count}) | {label} | " + " | ".join(f"{values[m]:.3f}" for m in METRICS) + " |")
    for label, run in runs.items():
        losses = ", ".join(f"{v:.3f}" for v in run["loss_by_epoch"])
        print(f"\n{label}: {run['train_seconds'] / 60:.1f} min training; loss by epoch {losses}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
