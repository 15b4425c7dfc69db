"""``keras-saliency list``: the registered presets as a table (or JSON)."""

import dataclasses
import json


def register(subparsers):
    parser = subparsers.add_parser(
        "list",
        help="list the registered presets",
        description="List the registered presets: model, training data, size, headline metrics, "
        "Hub repository and whether a copy ships with the package (loads offline).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from keras_saliency.zoo import list_presets

    presets = list_presets()
    if args.json:
        rows = [{**dataclasses.asdict(p), "bundled": p.bundled} for p in presets]
        print(json.dumps(rows, indent=2))
        return 0
    if not presets:
        print("No presets registered yet.")
        return 0
    header = ("name", "model", "training data", "params", "size MB", "metrics", "hub", "bundled")
    rows = [
        (
            p.name,
            p.model_class,
            p.training_data,
            f"{p.parameter_count:,}",
            f"{p.size_mb:.1f}",
            ", ".join(f"{k}={v:.3g}" for k, v in p.metrics.items()) or "-",
            p.hub or "-",
            "yes" if p.bundled else "no",
        )
        for p in presets
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
