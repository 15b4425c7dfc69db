"""Render table.json of examples/n_reference.py as the markdown tables of README.md.

Usage: python docs/results/n_reference/render_table.py docs/results/n_reference/table.json
Spread = np.std over seeds (population, ddof=0), as the example reports it.
"""

import json
import sys

import numpy as np

METRICS = ("NSS", "AUC", "CC")


def _md(name):
    return name.replace("|", "\\|")


def main(path):
    run = json.load(open(path))
    table, per_seed, ns = run["table"], run["per_seed"], run["args"]["n"]
    print("| scheme | n | NSS | AUC-Judd | CC |\n|---|---|---|---|---|")
    order = ["upper", "TR"] + [f"{s} n={n}" for s in ("TR-Ref", "FT", "FT|Ref", "FT w/o TR") for n in ns]
    for key in order:
        name, _, n = key.partition(" n=")
        label = "upper bound (3-fold, target only)" if key == "upper" else _md(name)
        cells = " | ".join(f"{table[key][m][0]:.3f} ± {table[key][m][1]:.3f}" for m in METRICS)
        print(f"| {label} | {n or '-'} | {cells} |")
    print("\nPaired differences (same seed: same split, shots and initialisation), mean ± std over seeds, "
          "and per seed:\n")
    print("| comparison | n | ΔNSS | ΔAUC-Judd | ΔCC | ΔNSS per seed |\n|---|---|---|---|---|---|")
    for a, b in (("FT|Ref", "FT"), ("TR-Ref", "TR")):
        for n in ns:
            rows_b = per_seed[b if b == "TR" else f"{b} n={n}"]
            diff = {m: np.array([ra[m] - rb[m] for ra, rb in zip(per_seed[f"{a} n={n}"], rows_b)]) for m in METRICS}
            cells = " | ".join(f"{diff[m].mean():+.4f} ± {diff[m].std():.4f}" for m in METRICS)
            print(f"| {_md(a)} − {b} | {n} | {cells} | " + ", ".join(f"{v:+.4f}" for v in diff["NSS"]) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
