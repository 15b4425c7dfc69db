"""Save the predictions of named models on a folder of images, or compare two saved sets.

Used to check that a refactoring keeps every bundled preset's outputs: run ``save`` from two
checkouts (e.g. ``git worktree add ../old <commit>`` and ``PYTHONPATH=../old``), then ``compare``:

    PYTHONPATH=../old python benchmarks/compare_predictions.py save old_predictions
    python benchmarks/compare_predictions.py save new_predictions
    python benchmarks/compare_predictions.py compare old_predictions new_predictions

Only ``keras_saliency.predict(paths, model=name)`` is used, so both versions run the same call.
"""

import argparse
from pathlib import Path

import numpy as np

MODELS = ("deepgaze_iie_lite0_lite1_lite2_mit1003", "deepgaze_ii_lite2_mit1003", "unisal_lite0_mit1003_osie",
          "gbvs", "itti", "center_bias")


def save(out: Path, images: Path, models) -> None:
    import keras_saliency

    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in images.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    for name in models:
        results = keras_saliency.predict(paths, model=name, progress=False)
        np.savez(out / f"{name}.npz", **{Path(r.source).stem: r.log_density for r in results})
        print(f"{name}: {len(results)} images")


def compare(a: Path, b: Path, models) -> None:
    print("| model | images | max abs difference of log-densities | max L1 distance of densities |")
    print("|---|---|---|---|")
    for name in models:
        old, new = np.load(a / f"{name}.npz"), np.load(b / f"{name}.npz")
        if sorted(old.files) != sorted(new.files):
            raise SystemExit(f"{name}: the two sets hold different images ({old.files} vs {new.files})")
        log = max(float(np.abs(old[k] - new[k]).max()) for k in old.files)
        l1 = max(float(np.abs(np.exp(old[k]) - np.exp(new[k])).sum()) for k in old.files)
        print(f"| `{name}` | {len(old.files)} | {log:.3g} | {l1:.3g} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save")
    s.add_argument("out", type=Path)
    s.add_argument("--images", type=Path, default=Path(__file__).resolve().parents[1] / "examples" / "images")
    s.add_argument("--models", nargs="+", default=list(MODELS))
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument("--models", nargs="+", default=list(MODELS))
    args = parser.parse_args(argv)
    if args.command == "save":
        save(args.out, args.images, args.models)
    else:
        compare(args.a, args.b, args.models)


if __name__ == "__main__":
    main()
