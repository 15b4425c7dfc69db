"""DenseNet-201 in torchvision's layout (layer names = PyTorch module names), BatchNorm eps 1e-5.

``features.conv0`` (7x7/2) -> ``norm0`` -> ReLU -> 3x3/2 max-pool, then dense blocks of
(6, 12, 48, 32) layers (growth 32, bottleneck 4 x 32 = 128) separated by transitions
(BN -> ReLU -> 1x1 conv halving the channels -> 2x2/2 average pool), and ``features.norm5``.
Each dense layer: concatenation of its inputs -> ``norm1`` -> ReLU -> ``conv1`` (1x1) ->
``norm2`` -> ReLU -> ``conv2`` (3x3, padding 1). Tap names are the module names without
``features.``: DeepGaze IIE hooks ``denseblock4.denselayer32.norm1`` (the BatchNorm output
before its ReLU, 1888 channels), ``denseblock4.denselayer32.conv1`` (128) and
``denseblock4.denselayer31.conv2`` (32). Loads torchvision ``densenet201`` state dicts
(``weights=path``); the classifier is not built and its tensors are ignored.
"""

from __future__ import annotations

import re
from typing import Dict

import keras
import numpy as np

from keras_saliency.backbones.preprocessing import imagenet_normalization
from keras_saliency.backbones.registry import register_backbone
from keras_saliency.backbones.torch_layout import assign_torch_weights, check_all_consumed

BLOCKS = (6, 12, 48, 32)
GROWTH, BOTTLENECK, INIT_FEATURES = 32, 4, 64
BN_EPSILON = 1e-5
_OLD_NAME = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _bn(x, name):
    return keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=0.9, name=name)(x)


def _conv(x, filters, kernel, name, padding=0):
    if padding:
        x = keras.layers.ZeroPadding2D(padding, name=f"{name}.pad")(x)
    return keras.layers.Conv2D(filters, kernel, use_bias=False, name=name)(x)


def build_densenet201(input_shape=(None, None, 3)) -> keras.Model:
    """The feature part on ImageNet-normalised inputs; output: ``features.norm5`` (1920 channels, stride 32)."""
    inputs = keras.Input(input_shape, name="normalized_image")
    x = keras.layers.ZeroPadding2D(3, name="features.conv0.pad")(inputs)
    x = keras.layers.Conv2D(INIT_FEATURES, 7, 2, use_bias=False, name="features.conv0")(x)
    x = keras.layers.ReLU(name="features.relu0")(_bn(x, "features.norm0"))
    x = keras.layers.ZeroPadding2D(1, name="features.pool0.pad")(x)
    x = keras.layers.MaxPooling2D(3, 2, name="features.pool0")(x)
    channels = INIT_FEATURES
    for b, repeats in enumerate(BLOCKS, start=1):
        inputs_so_far = [x]
        for i in range(1, repeats + 1):
            p = f"features.denseblock{b}.denselayer{i}"
            y = inputs_so_far[0] if len(inputs_so_far) == 1 else keras.layers.Concatenate(
                name=f"{p}.concat")(inputs_so_far)
            y = keras.layers.ReLU(name=f"{p}.relu1")(_bn(y, f"{p}.norm1"))
            y = _conv(y, BOTTLENECK * GROWTH, 1, f"{p}.conv1")
            y = keras.layers.ReLU(name=f"{p}.relu2")(_bn(y, f"{p}.norm2"))
            inputs_so_far.append(_conv(y, GROWTH, 3, f"{p}.conv2", padding=1))
        x = keras.layers.Concatenate(name=f"features.denseblock{b}")(inputs_so_far)
        channels += repeats * GROWTH
        if b < len(BLOCKS):
            p = f"features.transition{b}"
            x = keras.layers.ReLU(name=f"{p}.relu")(_bn(x, f"{p}.norm"))
            channels //= 2
            x = _conv(x, channels, 1, f"{p}.conv")
            x = keras.layers.AveragePooling2D(2, 2, name=f"{p}.pool")(x)
    x = _bn(x, "features.norm5")
    return keras.Model(inputs, x, name="densenet201_torchvision")


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray], prefix: str = "") -> set:
    """torchvision ``densenet201`` names (optionally under ``prefix``); ``classifier.*`` is ignored standalone.

    Returns the consumed keys. Every layer is set, or ValueError names the mismatches. The
    old names of torchvision's published file (``denselayer1.norm.1.weight``) are renamed as
    torchvision itself does (``denselayer1.norm1.weight``).
    """
    state = {_OLD_NAME.sub(r"\1\2", k): v for k, v in state.items()}
    used = assign_torch_weights(model, state, prefix)
    if not prefix:
        check_all_consumed({k: v for k, v in state.items() if not k.startswith("classifier.")}, used, model.name,
                           ignore=("num_batches_tracked",))
    return used


# torchvision DenseNet is built from features.* only; aliases drop the "features." prefix.
DEEPGAZE_TAPS = ("denseblock4.denselayer32.norm1", "denseblock4.denselayer32.conv1", "denseblock4.denselayer31.conv2")
_TAPS = {f"denseblock{b}.denselayer{i}.{part}": f"features.denseblock{b}.denselayer{i}.{part}"
         for b, n in enumerate(BLOCKS, 1) for i in range(1, n + 1) for part in ("norm1", "conv1", "norm2", "conv2")}
_TAPS.update({f"denseblock{b}": f"features.denseblock{b}" for b in range(1, 5)})
_TAPS["norm5"] = "features.norm5"

register_backbone(
    "densenet201_torchvision",
    build_densenet201,
    preprocess=imagenet_normalization,
    taps=_TAPS,
    default_taps=DEEPGAZE_TAPS,
    load_state_dict=load_state_dict_into,
    notes="DenseNet-201 in torchvision's layout (BN eps 1e-5); default taps: DeepGaze IIE's; weights=None or a "
          "torchvision densenet201 state dict",
)
