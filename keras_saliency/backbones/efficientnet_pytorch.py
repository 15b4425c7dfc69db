"""EfficientNet-B5 in the layout of the EfficientNet-PyTorch package vendored by DeepGaze IIE.

Layer names are the PyTorch module names (``_conv_stem``, ``_blocks.24._depthwise_conv``,
``_blocks.N._se_reduce``...), so its ``efficientnet-b5-b6417697.pth`` loads as is.
MBConv blocks with squeeze-excitation (ratio 0.25 of the block's input channels), Swish
(``x * sigmoid(x)``), BatchNorm eps 1e-3; width 1.6, depth 2.2 (39 blocks), stem 48,
head 2048 channels.

Padding, as that code builds it: every convolution is a ``Conv2dStaticSamePadding`` whose
zero padding was computed once for the nominal 456 px input, whatever the real input
size: stride 1 k3 -> (1, 1), k5 -> (2, 2); stride 2 k3 -> (0 before, 1 after), k5 -> (1, 2);
1x1 none. This is reproduced with explicit ``ZeroPadding2D`` + ``padding="valid"`` (Keras'
``"same"`` computes the padding from the actual size and differs at stride 2 on even sizes).
DeepGaze IIE hooks the raw convolution outputs ``_blocks.24._depthwise_conv`` (1056
channels), ``_blocks.26._depthwise_conv`` (1056) and ``_blocks.35._project_conv`` (304).
"""

from __future__ import annotations

import math
from typing import Dict, List

import keras
import numpy as np

from keras_saliency.backbones.preprocessing import imagenet_normalization
from keras_saliency.backbones.registry import register_backbone
from keras_saliency.backbones.torch_layout import assign_torch_weights, check_all_consumed

BN_EPSILON = 1e-3
WIDTH, DEPTH, NOMINAL_SIZE = 1.6, 2.2, 456
SE_RATIO = 0.25
# (repeats, kernel, stride, expansion, input filters, output filters) of EfficientNet-B0.
BASE_BLOCKS = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
               (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320))


def round_filters(filters: int, width: float = WIDTH, divisor: int = 8) -> int:
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * scaled else rounded)


def block_specs(width: float = WIDTH, depth: float = DEPTH) -> List[dict]:
    """One dict per MBConv block: kernel, stride, expand, filters_in, filters_out."""
    specs = []
    for repeats, kernel, stride, expand, f_in, f_out in BASE_BLOCKS:
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for r in range(int(math.ceil(depth * repeats))):
            specs.append(dict(kernel=kernel, stride=stride if r == 0 else 1, expand=expand,
                              filters_in=f_in if r == 0 else f_out, filters_out=f_out))
    return specs


def static_same_padding(kernel: int, stride: int, size: int = NOMINAL_SIZE):
    """(before, after) zero padding of EfficientNet-PyTorch's ``Conv2dStaticSamePadding`` for ``size``."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _conv(x, filters, kernel, stride, name, depthwise=False, use_bias=False):
    pad = static_same_padding(kernel, stride)
    if pad != (0, 0):
        x = keras.layers.ZeroPadding2D((pad, pad), name=f"{name}.pad")(x)
    if depthwise:
        return keras.layers.DepthwiseConv2D(kernel, stride, use_bias=use_bias, name=name)(x)
    return keras.layers.Conv2D(filters, kernel, stride, use_bias=use_bias, name=name)(x)


def _bn(x, name):
    return keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=0.99, name=name)(x)


def _swish(x, name):
    return keras.layers.Activation("silu", name=name)(x)


def build_efficientnet_b5(input_shape=(None, None, 3), include_top: bool = False) -> keras.Model:
    """The network on ImageNet-normalised inputs; output ``_bn1`` after Swish (2048 ch), or logits with the top."""
    inputs = keras.Input(input_shape, name="normalized_image")
    x = _swish(_bn(_conv(inputs, round_filters(32), 3, 2, "_conv_stem"), "_bn0"), "_swish_stem")
    for b, spec in enumerate(block_specs()):
        p, residual = f"_blocks.{b}", x
        expanded = spec["filters_in"] * spec["expand"]
        if spec["expand"] != 1:
            x = _swish(_bn(_conv(x, expanded, 1, 1, f"{p}._expand_conv"), f"{p}._bn0"), f"{p}._swish0")
        x = _swish(_bn(_conv(x, None, spec["kernel"], spec["stride"], f"{p}._depthwise_conv", depthwise=True),
                       f"{p}._bn1"), f"{p}._swish1")
        squeezed = keras.layers.GlobalAveragePooling2D(keepdims=True, name=f"{p}._se_pool")(x)
        squeezed = _conv(squeezed, max(1, int(spec["filters_in"] * SE_RATIO)), 1, 1, f"{p}._se_reduce", use_bias=True)
        squeezed = _conv(_swish(squeezed, f"{p}._se_swish"), expanded, 1, 1, f"{p}._se_expand", use_bias=True)
        gate = keras.layers.Activation("sigmoid", name=f"{p}._se_sigmoid")(squeezed)
        x = keras.layers.Multiply(name=f"{p}._se_scale")([x, gate])
        x = _bn(_conv(x, spec["filters_out"], 1, 1, f"{p}._project_conv"), f"{p}._bn2")
        if spec["stride"] == 1 and spec["filters_in"] == spec["filters_out"]:
            x = keras.layers.Add(name=f"{p}._add")([x, residual])
    x = _swish(_bn(_conv(x, round_filters(1280), 1, 1, "_conv_head"), "_bn1"), "_swish_head")
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="_avg_pooling")(x)
        x = keras.layers.Dense(1000, name="_fc")(x)
    return keras.Model(inputs, x, name="efficientnet_b5_pytorch")


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray], prefix: str = "") -> set:
    """EfficientNet-PyTorch ``efficientnet-b5`` names (optionally under ``prefix``); returns the consumed keys.

    Standalone (no prefix), the classifier ``_fc.*`` is ignored when the model has no top.
    """
    used = assign_torch_weights(model, state, prefix)
    if not prefix:
        has_top = any(layer.name == "_fc" for layer in model.layers)
        rest = {k: v for k, v in state.items() if has_top or not k.startswith("_fc.")}
        check_all_consumed(rest, used, model.name, ignore=("num_batches_tracked",))
    return used


DEEPGAZE_TAPS = ("_blocks.24._depthwise_conv", "_blocks.26._depthwise_conv", "_blocks.35._project_conv")
register_backbone(
    "efficientnet_b5_pytorch",
    build_efficientnet_b5,
    preprocess=imagenet_normalization,
    taps={"head": "_swish_head"},
    default_taps=DEEPGAZE_TAPS,
    load_state_dict=load_state_dict_into,
    notes="EfficientNet-B5 in the EfficientNet-PyTorch layout DeepGaze IIE vendors (static padding for 456 px, "
          "BN eps 1e-3); default taps: DeepGaze IIE's; weights=None or an efficientnet-b5 .pth",
)
