"""VGG-16/19 in torchvision's layout, with separate conv and ReLU layers so pre-ReLU taps exist.

DeepGaze II reads VGG-19 ``conv5_1, relu5_1, relu5_2, conv5_3, relu5_4``. keras.applications
fuses the ReLU into each Conv2D, so those pre-activation taps would not exist; this
version keeps them apart. Weights: torchvision-named state dicts (``features.N.weight``)
converted by :func:`load_state_dict_into`, inputs normalised with the ImageNet mean/std.
"""

from __future__ import annotations

from typing import Dict

import keras
import numpy as np

from keras_saliency.backbones.preprocessing import imagenet_normalization
from keras_saliency.backbones.registry import register_backbone

CONFIGS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
WIDTHS = (64, 128, 256, 512, 512)


def build_vgg(variant: str, input_shape=(None, None, 3)) -> keras.Model:
    inputs = keras.Input(input_shape, name="normalized_image")
    x = inputs
    for block, (repeats, width) in enumerate(zip(CONFIGS[variant], WIDTHS), start=1):
        for i in range(1, repeats + 1):
            x = keras.layers.Conv2D(width, 3, padding="same", name=f"conv{block}_{i}")(x)
            x = keras.layers.ReLU(name=f"relu{block}_{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{block}")(x)
    return keras.Model(inputs, x, name=variant)


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray]) -> None:
    """torchvision ``features.N.{weight,bias}`` -> the convs in order."""
    indices = sorted({int(k.split(".")[1]) for k in state if k.startswith("features.") and k.endswith(".weight")})
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(indices) != len(convs):
        raise ValueError(f"{model.name} has {len(convs)} convolutions, the state dict {len(indices)}.")
    for layer, index in zip(convs, indices):
        kernel = np.transpose(state[f"features.{index}.weight"], (2, 3, 1, 0))
        if kernel.shape != tuple(layer.kernel.shape):
            raise ValueError(f"{model.name}: {layer.name} expects {tuple(layer.kernel.shape)}, got {kernel.shape}.")
        layer.set_weights([kernel, state[f"features.{index}.bias"]])


for _variant, _repeats in CONFIGS.items():
    _taps = {f"{kind}{b}_{i}": f"{kind}{b}_{i}" for b, r in enumerate(_repeats, 1) for i in range(1, r + 1)
             for kind in ("conv", "relu")}
    _taps.update({f"pool{b}": f"pool{b}" for b in range(1, 6)})
    register_backbone(
        _variant,
        lambda input_shape, v=_variant: build_vgg(v, input_shape),
        preprocess=imagenet_normalization,
        taps=_taps,
        default_taps=("conv5_1", "relu5_1", "relu5_2", "conv5_3", "relu5_4") if _variant == "vgg19"
        else ("relu4_3", "relu5_3"),
        load_state_dict=load_state_dict_into,
        notes="torchvision layout; weights=None or a user-supplied torchvision state dict",
    )
