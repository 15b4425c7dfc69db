"""Quickstart: predict saliency for images with any model, save overlays and log-densities.

    python examples/quickstart.py                          # the bundled examples/images, default model
    python examples/quickstart.py photo.jpg folder/ --model gbvs
    python examples/quickstart.py --quick                  # the first two bundled images only

``--model`` is anything ``keras_saliency.predict`` takes: a classical model (``itti``, ``gbvs``,
``center_bias``; they need no weights, so they work offline), a registered preset name
(``keras-saliency list``; bundled presets load offline, the others come from the Hub), a preset
folder or ``hf://org/name[@revision]``. The default is ``keras_saliency.prediction.DEFAULT_MODEL``.

For every image, ``--output`` (default ``quickstart_out/``) receives ``<stem>_overlay.png`` (the
saliency map as a heatmap over the image) and ``<stem>_log_density.npy`` (float32 (H, W), natural-log
fixation density at the image's own size, ``logsumexp == 0``), and the script prints the pixel a
fixation most likely lands on with its probability relative to a uniform density. The same in one
command: ``keras-saliency predict examples/images --output predictions``; to score a model on real
fixations: ``keras-saliency evaluate --dataset mit1003 --model MODEL`` (after ``keras-saliency build``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments, ../shared files it needs,
# files it must write (relative to the working directory).
QUICK_RUN = {"args": [], "shared": [],
             "outputs": ["quickstart_out/astronaut_overlay.png", "quickstart_out/astronaut_log_density.npy",
                         "quickstart_out/chelsea_cat_overlay.png", "quickstart_out/chelsea_cat_log_density.npy"]}


def most_likely_fixation(log_density):
    """(x, y, ratio): the argmax pixel (0-based column, row) and its density times the pixel count."""
    import numpy as np

    row, column = np.unravel_index(np.argmax(log_density), log_density.shape)
    return int(column), int(row), float(np.exp(log_density[row, column]) * log_density.size)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path, default=[IMAGES],
                        help="image files or folders of images (default: examples/images)")
    parser.add_argument("--model", default=None, help="classical name, preset name, preset folder or hf://...")
    parser.add_argument("--output", type=Path, default=Path("quickstart_out"), help="default quickstart_out")
    parser.add_argument("--quick", action="store_true", help="only the first two images (sorted by path)")
    args = parser.parse_args(argv)

    import numpy as np

    import keras_saliency
    from keras_saliency import image_files, prediction, visualize
    from keras_saliency.presets import PresetError

    try:
        paths = image_files.collect_image_paths(args.inputs)
    except FileNotFoundError as error:
        parser.error(str(error))
    if args.quick:
        paths = paths[:2]
    model_name = args.model or prediction.DEFAULT_MODEL
    try:
        model = prediction.resolve_model(args.model)
        results = keras_saliency.predict(paths, model=model)
    except (PresetError, ValueError, OSError) as error:  # unknown preset, offline and not cached, bad image
        print(f"quickstart: error: {error}", file=sys.stderr)
        return 2
    args.output.mkdir(parents=True, exist_ok=True)
    for result in results:
        stem = Path(result.source).stem
        visualize.save_image(args.output / f"{stem}_overlay.png",
                             visualize.overlay_heatmap(result.image, result.saliency_map))
        np.save(args.output / f"{stem}_log_density.npy", result.log_density.astype(np.float32))
        x, y, ratio = most_likely_fixation(result.log_density)
        height, width = result.log_density.shape
        print(f"{result.source} ({width}x{height}): most likely fixation at x={x}, y={y} "
              f"({ratio:.1f} x uniform)")
    print(f"{model_name}: wrote {2 * len(results)} files to {args.output}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
