"""``keras-saliency predict``: images or folders -> heatmap overlays, saliency PNGs and log-density .npy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_saliency.cli import UserError


def register(subparsers):
    parser = subparsers.add_parser(
        "predict",
        help="predict saliency for images or folders of images",
        description="Writes <stem>_overlay.png (heatmap over the image), <stem>_saliency.png and "
        "<stem>_log_density.npy (natural-log density at the original size, logsumexp == 0) per image.",
    )
    parser.add_argument("inputs", nargs="+", help="image files or folders of images")
    parser.add_argument("--output", "-o", required=True, help="folder for the results (created if needed)")
    parser.add_argument("--model", default=None,
                        help="classical model name (gbvs, itti, centre_bias), preset name, preset folder or "
                             "hf://org/name[@revision]; default: %(default)s -> the package default")
    parser.add_argument("--alpha", type=float, default=0.6, help="overlay opacity in [0, 1] (default 0.6)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from keras_saliency import prediction, visualize

    try:
        paths = prediction.collect_image_paths(args.inputs)
        model = prediction.resolve_model(args.model)
    except (FileNotFoundError, ValueError) as error:
        raise UserError(str(error)) from None
    except Exception as error:  # unknown preset names, unreachable hub...
        raise UserError(f"cannot load model {args.model!r}: {error}") from None
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise UserError("several inputs share a file name stem; their outputs would overwrite each other")
    try:
        results = prediction.predict(paths, model=model, progress=not args.no_progress and None)
    except ValueError as error:
        raise UserError(str(error)) from None
    for path, result in zip(paths, results):
        visualize.save_image(output / f"{path.stem}_overlay.png",
                             visualize.overlay_heatmap(result.image, result.saliency_map, alpha=args.alpha))
        visualize.save_image(output / f"{path.stem}_saliency.png", visualize.colorize(result.saliency_map))
        tmp = output / f".{path.stem}_log_density.npy.tmp"
        with open(tmp, "wb") as f:
            np.save(f, result.log_density.astype(np.float32))
        tmp.replace(output / f"{path.stem}_log_density.npy")
    print(f"wrote {3 * len(results)} files for {len(results)} images to {output}")
    return 0
