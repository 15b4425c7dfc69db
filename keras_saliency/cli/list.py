"""``keras-saliency list``: the registered presets as a table (or JSON), read from their metadata.json."""

import dataclasses
import json


def register(subparsers):
    parser = subparsers.add_parser(
        "list",
        help="list the registered presets",
        description="List the registered presets: description, model, parameters, size and metrics "
        "(read from each preset's metadata.json; --json adds the training data), where it lives (bundled "
        "with the package, or a pinned Hub commit) and whether its files are on this machine.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from keras_saliency.presets import list_presets

    presets = list_presets()
    if args.json:
        rows = [{**dataclasses.asdict(p), "folder": p.folder and str(p.folder), "bundled": p.bundled,
                 "downloaded": p.downloaded} for p in presets]
        print(json.dumps(rows, indent=2))
        return 0
    if not presets:
        print("No presets registered yet.")
        return 0
    header = ("name", "description", "model", "params", "size MB", "metrics", "location", "local copy")
    rows = [
        (
            p.name,
            p.description or "-",
            p.model_class or "-",
            "-" if p.parameter_count is None else f"{p.parameter_count:,}",
            "-" if p.size_mb is None else f"{p.size_mb:.1f}",
            _metrics(p.metrics) or "-",
            p.location,
            "yes" if p.bundled else "cached" if p.downloaded else "not downloaded",
        )
        for p in presets
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _metrics(metrics: dict) -> str:
    """``{"mit1003/nss": 2.3, "mit1003/cc": 0.7}`` -> ``"mit1003: nss=2.3 cc=0.7"`` (datasets joined by "; ")."""
    by_dataset = {}
    for key, value in metrics.items():
        dataset, _, name = key.rpartition("/")
        by_dataset.setdefault(dataset, []).append(f"{name}={value:.3g}")
    return "; ".join(f"{dataset}: {' '.join(values)}" for dataset, values in by_dataset.items())
