"""Which padding, BatchNorm epsilon and input normalisation the EfficientNet-Lite checkpoints use.

    PYTHONPATH=. python benchmarks/efficientnet_lite_conventions.py --output docs/results/efficientnet_lite_conventions.md

For each variant and each combination (symmetric k//2 vs TF "same" padding, BN eps
1e-5 vs 1e-3, ImageNet mean/std vs (x/255 - 0.5)/0.5), the mean log-probability of
the correct classes on the bundled photos (cat 281-285, espresso 967, rocket
657/744/812). A wrong convention still classifies roughly right but lowers the
confidence; the highest score identifies the training convention.
"""

import argparse
import sys
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from keras_saliency.backbones import efficientnet_lite as lite
from keras_saliency.backbones.efficientnet_lite_spec import checkpoint_path
from keras_saliency.backbones.preprocessing import IMAGENET_MEAN, IMAGENET_STD
from keras_saliency.convert import load_state_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"
EXPECTED = {"chelsea_cat": [281, 282, 283, 284, 285], "coffee": [967], "rocket": [657, 744, 812]}


def same_conv(x, filters, kernel, stride, name, groups=1):
    if groups == "depthwise":
        return keras.layers.DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=name)(x)
    return keras.layers.Conv2D(filters, kernel, stride, padding="same", use_bias=False, name=name)(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output")
    args = parser.parse_args()
    symmetric_conv = lite._conv
    rows = ["| variant | padding | BN eps | normalisation | mean log p(correct) |", "|---|---|---|---|---|"]
    for variant, (_, _, size) in lite.VARIANTS.items():
        state = load_state_dict(checkpoint_path(variant), skip_num_batches_tracked=True)
        photos = np.stack([np.asarray(Image.open(EXAMPLES / f"{n}.jpg").convert("RGB").resize((size, size),
                                                                                            Image.BILINEAR))
                           for n in EXPECTED]).astype(np.float32)
        for padding, conv in (("symmetric", symmetric_conv), ("tf_same", same_conv)):
            for eps in (1e-5, 1e-3):
                lite._conv, lite.BN_EPSILON = conv, eps
                model = lite.build_efficientnet_lite(variant, include_top=True, input_shape=(size, size, 3))
                lite.load_state_dict_into(model, state)
                for norm in ("imagenet", "half"):
                    x = ((photos - np.float32(IMAGENET_MEAN)) / np.float32(IMAGENET_STD) if norm == "imagenet"
                         else (photos / 255 - 0.5) / 0.5)
                    p = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(x, verbose=0)))
                    score = np.mean([np.log(p[i, classes].sum()) for i, classes in enumerate(EXPECTED.values())])
                    rows.append(f"| {variant} | {padding} | {eps:g} | {norm} | {score:.4f} |")
                    print(rows[-1], flush=True)
    lite._conv, lite.BN_EPSILON = symmetric_conv, 1e-5
    text = f"Command: `python {' '.join(sys.argv)}`\n\n" + "\n".join(rows) + "\n"
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
