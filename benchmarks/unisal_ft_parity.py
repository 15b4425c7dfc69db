"""UNISAL ``weights_ft_mit1003.pth`` layout: the reference random-weight state dict converted as that file.

    PYTHONPATH=. python benchmarks/unisal_ft_parity.py --shared ../shared

The fine-tuned checkpoint has ``weights_best.pth``'s four-domain layout (the reference trains
it by loading weights_best and fine-tuning the SALICON domain on MIT1003). This writes
``../shared/reference/unisal/parity_state_dict.npz`` (the reference's random weights, see the
reference notes 1.9) as a PyTorch zip named ``weights_ft_mit1003.pth`` (torch-free), converts
it with ``convert_unisal_checkpoint`` (preset with the SALICON domain only), loads the preset
and compares its log-density with the reference's ``salicon_img`` outputs (float32 and float64).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from keras_saliency import presets  # noqa: E402
from keras_saliency.testing.torch_zip import write_state_dict  # noqa: E402
from keras_saliency.zoo.unisal.unisal_convert import convert_unisal_checkpoint  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared")
    args = parser.parse_args()
    folder = Path(args.shared) / "reference" / "unisal"
    io = np.load(folder / "parity_io.npz")
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = Path(tmp) / "weights_ft_mit1003.pth"
        write_state_dict(checkpoint, dict(np.load(folder / "parity_state_dict.npz")))
        model = presets.load(convert_unisal_checkpoint(checkpoint, Path(tmp) / "unisal_ft_mit1003"))
    images = io["salicon_img/input_uint8_bthwc"].astype(np.float32)
    out = np.asarray(model({"image": images, "domain": np.zeros((1,), np.int32)}, static=True))
    rows = [f"Command: `PYTHONPATH=. python {' '.join(sys.argv)}`", "",
            f"Preset domains: {list(model.domains)}; case `salicon_img` ({images.shape[2]}x{images.shape[3]}, static "
            "path).", "", "| reference run | max abs(diff) of log-density | target |", "|---|---|---|"]
    for precision, target in (("f32", 5e-4), ("f64", 1e-4)):
        diff = float(np.max(np.abs(out - io[f"salicon_img/logdensity_{precision}"][:, :, 0])))
        rows.append(f"| float{precision[1:]} | {diff:.2e} | {target:g} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
