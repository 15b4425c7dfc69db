"""Images/s of ``keras_saliency.predict`` on a folder of mixed-size photos with the default model.

    PYTHONPATH=. python benchmarks/prediction_throughput.py --label "this tree"

``--count`` (100) photos: the first MIT1003 stimuli by name from ``../shared/data/mit1003/STIMULI``
(mixed sizes: 1024x768, 768x1024, 1024x~680...) when present, else generated smooth JPEGs of
mixed sizes. One call ``keras_saliency.predict(paths, progress=False)`` after the model is
loaded; reported: seconds for the whole folder (the first image includes tracing/compiling),
images/s over the folder, and images/s after the first image. The script uses only the public
``keras_saliency.predict``, so the same file measures an older checkout of the package
(``PYTHONPATH=<checkout> python benchmarks/prediction_throughput.py --label <commit>``).
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

STIMULI = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mit1003" / "STIMULI"
SIZES = ((768, 1024), (1024, 768), (680, 1024), (600, 800), (1024, 1024))


def photos(count: int, folder: Path) -> list:
    """``count`` photo paths: MIT1003 stimuli when present, else generated JPEGs of mixed sizes in ``folder``."""
    if STIMULI.is_dir():
        return sorted(STIMULI.glob("*.jpeg"))[:count]
    from PIL import Image

    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        height, width = SIZES[i % len(SIZES)]
        y, x = np.mgrid[0:height, 0:width] / max(height, width)
        base = np.stack([np.sin(6 * x + i), np.cos(5 * y - i), np.sin(4 * (x + y))], -1) * 100 + 128
        image = np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)
        paths.append(folder / f"photo_{i:03d}.jpg")
        Image.fromarray(image).save(paths[-1], quality=90)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--label", default="this tree", help="names the code measured in the output line")
    args = parser.parse_args()

    import keras_saliency
    import keras_saliency.prediction
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        paths = photos(args.count, Path(folder))
        sizes = {Image.open(p).size for p in paths}
        model = keras_saliency.prediction.resolve_model(None)
        times = []
        original = model._predict_batch

        def timed(*a, **k):  # records when each batch finishes, to separate the first (tracing) image
            out = original(*a, **k)
            times.append(time.perf_counter())
            return out

        model._predict_batch = timed
        start = time.perf_counter()
        results = keras_saliency.predict(paths, model=model, progress=False)
        total = time.perf_counter() - start
    assert len(results) == len(paths)
    first = times[0] - start
    rest = (len(paths) - 1) / (total - first)
    print(f"| {args.label} | {len(paths)} ({len(sizes)} sizes) | {total:.1f} | {first:.1f} | "
          f"{len(paths) / total:.3f} | {rest:.3f} |")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
