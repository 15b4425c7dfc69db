"""Averages of per-fold results (``fold<k>.json`` of :class:`~keras_saliency.evaluation.CrossValidation`).

``summarise_folds(output)`` writes ``summary.json`` (per domain and row: metric mean and standard
deviation over folds, gold %, summed calibration histogram and its error), ``summary.md`` and
``calibration.png`` into ``output``; model families append sections of their own (claims, training).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

import numpy as np

from keras_saliency.evaluation.cross_validation import GOLD_STANDARD, METRICS

TABLE_METRICS = METRICS[:2] + ("gold_percent",) + METRICS[2:]
DOMAINS = ("in_domain", "out_of_domain")
# a section: (fold results, summary so far) -> (markdown lines, entries added to summary.json)
Section = Callable[[list, dict], Tuple[List[str], dict]]


def calibration_error(counts) -> float:
    """Total-variation distance between the fixation share per equal-mass bin and the ideal 1 / bins."""
    counts = np.asarray(counts, float)
    if counts.size == 0 or not counts.sum() > 0:
        raise ValueError(f"`counts` holds no fixations ({counts.tolist()}): the calibration error is undefined.")
    share = counts / counts.sum()
    return float(0.5 * np.abs(share - 1.0 / len(share)).sum())


def read_folds(output: Path) -> Tuple[List[str], list]:
    """(fold names ``fold<k>`` in fold order, their results) of every ``fold*.json`` in ``output``."""
    folds = sorted(Path(output).glob("fold*.json"), key=lambda p: int(p.stem[4:]))
    if not folds:
        raise FileNotFoundError(f"no fold*.json in {output}")
    return [p.stem for p in folds], [json.loads(p.read_text()) for p in folds]


def domain_summary(runs: list, domain: str) -> dict:
    """``{row: {metric: (mean, std), "gold_percent": (mean, std), "folds": n[, "calibration", "calibration_error"]}}``.

    Rows in the order the folds first name them; a row that only some folds hold (a lever added after the
    first folds ran) is averaged over those ``n`` folds. Folds without ``domain`` are skipped.
    """
    runs = [run for run in runs if domain in run]
    names = list(dict.fromkeys(name for run in runs for name in run[domain]))
    table = {}
    for name in names:
        holding = [run for run in runs if name in run[domain]]
        entry = {}
        for metric in METRICS:
            values = [run[domain][name][metric] for run in holding if metric in run[domain][name]]
            if values:
                entry[metric] = (float(np.mean(values)), float(np.std(values)))
        percent = 100 * np.asarray([run[domain][name]["information_gain"]
                                    / run[domain][GOLD_STANDARD]["information_gain"] for run in holding])
        entry["gold_percent"] = (float(np.mean(percent)), float(np.std(percent)))
        entry["folds"] = len(holding)
        if all("calibration" in run[domain][name] for run in holding):
            counts = np.sum([run[domain][name]["calibration"] for run in holding], axis=0)
            entry["calibration"] = counts.tolist()
            entry["calibration_error"] = calibration_error(counts)
        table[name] = entry
    return table


def domain_table(table: dict, title: str) -> List[str]:
    """Markdown lines of one domain's summary: mean ± std of ``TABLE_METRICS`` and the calibration error; a row
    averaged over fewer folds than the others says over how many."""
    folds = max((entry.get("folds", 0) for entry in table.values()), default=0)
    lines = [f"## {title}", "", "| model | " + " | ".join(TABLE_METRICS) + " | calibration error |",
             "|---" * (len(TABLE_METRICS) + 2) + "|"]
    for name, entry in table.items():
        cells = [f"{entry[m][0]:.3f} ± {entry[m][1]:.3f}" if m in entry else "–" for m in TABLE_METRICS]
        cal = f"{entry['calibration_error']:.3f}" if "calibration_error" in entry else "–"
        label = name if entry.get("folds", folds) == folds else f"{name} ({entry['folds']} of {folds} folds)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {cal} |")
    return lines + [""]


def summarise_folds(output, sections: Sequence[Section] = ()) -> dict:
    """Writes ``summary.json``, ``summary.md`` and ``calibration.png`` of every fold in ``output``; returns the summary.

    MIT1003 is the in-domain dataset and OSIE the out-of-domain one in the titles; IG and LL are in
    bits/fixation, gold % = IG / IG of the LOSO gold standard of the same fold.
    """
    output = Path(output)
    names, runs = read_folds(output)
    summary, lines = {}, [f"Folds: {', '.join(names)} of the 10-fold split; mean ± standard "
                          "deviation over folds; IG and LL in bits/fixation (IG over the fold's centre bias), "
                          "gold % = IG / IG of the LOSO gold standard; calibration error = total-variation "
                          "distance of the fixation share per equal-probability-mass bin from uniform.", ""]
    for domain in DOMAINS:
        if not any(run.get(domain) for run in runs):
            continue
        summary[domain] = domain_summary(runs, domain)
        title = ("MIT1003 test folds (in domain)" if domain == "in_domain"
                 else f"OSIE, first {runs[0]['ood_images']} images (out of domain)")
        lines += domain_table(summary[domain], title)
    for section in sections:
        section_lines, entries = section(runs, summary)
        lines += section_lines
        summary.update(entries)
    (output / "summary.json").write_text(json.dumps(summary, indent=1))
    (output / "summary.md").write_text("\n".join(lines) + "\n")
    plot_calibration(summary, output / "calibration.png")
    return summary


def plot_calibration(summary: dict, path):
    """Fixation share per equal-mass bin (lowest density first) of each row but the pairs, both domains."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    domains = [d for d in DOMAINS if d in summary]
    names = list(dict.fromkeys(name for d in domains for name, entry in summary[d].items()
                               if "calibration" in entry and not name.startswith("pair")))
    # one colour and line style per row, the same in both panels, in one legend under them
    colours = plt.get_cmap("tab20").colors
    styles = {name: {"color": colours[i % len(colours)], "ls": ("-", "--", ":")[i // len(colours) % 3],
                     "lw": 2.5 if name.startswith("all") else 1.2} for i, name in enumerate(names)}
    legend_height = 0.15 * (-(-len(names) // 2) + 1)  # inches: two columns of entries
    fig, axes = plt.subplots(1, len(domains), figsize=(6.5 * len(domains), 4.2 + legend_height), squeeze=False)
    for ax, domain in zip(axes[0], domains):
        bins = None
        for name, entry in summary[domain].items():
            if name not in styles or "calibration" not in entry:  # a row with a histogram in one domain only
                continue
            share = np.asarray(entry["calibration"], float) / np.sum(entry["calibration"])
            bins = len(share)
            ax.plot(np.arange(1, bins + 1), share, marker="o", ms=3, label=name, **styles[name])
        if bins:
            ax.axhline(1.0 / bins, color="k", ls="--", lw=1)
        ax.set_title("MIT1003 (in domain)" if domain == "in_domain" else "OSIE (out of domain)")
        ax.set_xlabel("equal-probability-mass bin (lowest predicted density first)")
        ax.set_ylabel("share of fixations (dashed black: perfectly calibrated)")
    handles = {}
    for ax in axes[0]:
        handles.update(zip(*reversed(ax.get_legend_handles_labels())))
    fig.tight_layout(rect=(0, legend_height / (4.2 + legend_height), 1, 1))
    fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=2, fontsize=7, frameon=False)
    fig.savefig(path, dpi=110)
    plt.close(fig)
