"""Keras side of the DeepGaze IIE parity check: convert the reference's random-weight files and compare.

    PYTHONPATH=. python benchmarks/deepgaze_iie/compare.py --parity ../parity_out \\
        --output docs/results/deepgaze_iie_parity/README.md

``--parity``: the folder ``reference_side.py`` wrote. Per backbone: its own state dict
(``backbone_<b>.pth``) loaded through ``backbones.get(name, weights=path)`` and run on the
half-resolution image the reference's backbone saw, max |diff| of every hooked feature
map. Full model: ``deepgaze2e_random.pth`` converted torch-free
(:func:`~keras_saliency.zoo.deepgaze.deepgaze_convert.deepgaze_iie_from_state_dict`) and
run on each case's image and centre bias, max |diff| of the log-densities (target 5e-4).
With ``--preset``, the converted model also goes through ``convert_deepgaze_iie_checkpoint``
-> preset folder -> ``presets.load`` for the first case.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from keras_saliency import backbones  # noqa: E402
from keras_saliency.convert import load_state_dict  # noqa: E402
from keras_saliency.zoo.deepgaze.deepgaze_convert import (  # noqa: E402
    REFERENCE_BACKBONES,
    convert_deepgaze_iie_checkpoint,
    deepgaze_iie_from_state_dict,
)

TARGET = 5e-4
LABELS = ("ShapeNet ResNet-50", "EfficientNet-B5", "DenseNet-201", "ResNeXt-50")


def tap_of(target: str) -> str:
    """Reference hook name (``1.module.layer3.0.conv2``, ``1.features.denseblock4...``) -> our tap alias."""
    name = target[len("1."):]
    for prefix in ("module.", "features."):
        name = name[len(prefix):] if name.startswith(prefix) else name
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parity", required=True, help="the folder written by reference_side.py")
    parser.add_argument("--output", help="markdown file for the figures")
    parser.add_argument("--preset", action="store_true", help="also check convert -> preset -> load")
    args = parser.parse_args()
    folder = Path(args.parity)
    cases = np.load(folder / "cases.npz")
    labels = sorted({k.split("/")[0] for k in cases.files}, key=lambda s: -int(s.split("x")[0]))
    first = labels[0]
    rows = ["| backbone | tap | shape (C, h, w) | max abs(reference) | max abs(diff) |", "|---|---|---|---|---|"]
    image = cases[f"{first}/image"].astype(np.float32)[None]
    half = image[:, ::2, ::2][:, : image.shape[1] // 2, : image.shape[2] // 2]
    for b, (name, label) in enumerate(zip(REFERENCE_BACKBONES, LABELS)):
        start = time.perf_counter()
        extractor = backbones.get(name, weights=folder / f"backbone_{b}.pth")
        out = extractor.predict_on_batch(half)
        for key in [k for k in cases.files if k.startswith(f"{first}/features/{b}/")]:
            reference = cases[key]
            ours = np.transpose(np.asarray(out[tap_of(key.split("/", 3)[3])])[0], (2, 0, 1))
            diff = float(np.max(np.abs(ours - reference)))
            rows.append(f"| {label} (`{name}`) | `{tap_of(key.split('/', 3)[3])}` | {reference.shape} | "
                        f"{np.max(np.abs(reference)):.3g} | {diff:.2e} |")
        print(f"backbone {name}: {time.perf_counter() - start:.0f} s", *rows[-len(out):], sep="\n", flush=True)
        del extractor
    start = time.perf_counter()
    model = deepgaze_iie_from_state_dict(load_state_dict(folder / "deepgaze2e_random.pth"), image_long_side=None)
    print(f"conversion: {time.perf_counter() - start:.0f} s", flush=True)
    model_rows = ["| image (H x W) | log-density std | max abs(diff) | target |", "|---|---|---|---|"]
    worst = 0.0
    for label in labels:
        image = cases[f"{label}/image"].astype(np.float32)[None]
        bias = cases[f"{label}/centerbias"][None]
        start = time.perf_counter()
        ours = model.log_densities(image, bias)[0]
        reference = cases[f"{label}/log_density"]
        diff = float(np.max(np.abs(ours - reference)))
        worst = max(worst, diff)
        model_rows.append(f"| {label} | {reference.std():.3f} | {diff:.2e} | {TARGET:g} |")
        print(f"{label}: {diff:.2e} ({time.perf_counter() - start:.0f} s)", flush=True)
    if args.preset:
        from keras_saliency import presets

        with tempfile.TemporaryDirectory() as tmp:
            path = convert_deepgaze_iie_checkpoint(folder / "deepgaze2e_random.pth", Path(tmp) / "dg2e")
            loaded = presets.load(path)
            image = cases[f"{first}/image"].astype(np.float32)[None]
            ours = loaded.log_densities(image, cases[f"{first}/centerbias"][None])[0]
            diff = float(np.max(np.abs(ours - cases[f"{first}/log_density"])))
            worst = max(worst, diff)
            model_rows.append(f"| {first}, via convert -> preset -> load | | {diff:.2e} | {TARGET:g} |")
    text = "\n".join([
        "Command: `PYTHONPATH=. python " + " ".join(sys.argv) + "` after the reference side "
        "(`benchmarks/deepgaze_iie/reference_side.py`, see its docstring).", "",
        "## Backbones alone (own state dict through `backbones.get(name, weights=path)`, "
        f"image {first} halved as DeepGaze does)", "", *rows, "",
        "## DeepGaze IIE, 4 backbones x 30 readouts (`deepgaze2e.pth` layout, converted torch-free)", "",
        *model_rows, "", f"Worst log-density difference {worst:.2e} ({'within' if worst <= TARGET else 'ABOVE'} "
        f"the {TARGET:g} target).", ""])
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(Path(args.output), lambda h: h.write(text.encode()))


if __name__ == "__main__":
    main()
