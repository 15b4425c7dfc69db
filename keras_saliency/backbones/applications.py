"""DenseNet-201 and EfficientNet-B5 from keras.applications (``weights=None`` or user files).

Differences from the PyTorch networks DeepGaze IIE used, stated: keras DenseNet
BatchNorm uses eps 1.001e-5 (torchvision 1e-5); keras EfficientNet-B5 pads
TF-"same" (asymmetric at stride 2) and rescales/normalises inside the network,
so it takes 0..255 RGB directly. No state-dict converter: load Keras weights.
DeepGaze IIE's DenseNet-201 taps map to ``denselayer32.norm1`` ->
``conv5_block32_0_bn``, ``denselayer32.conv1`` -> ``conv5_block32_1_conv``,
``denselayer31.conv2`` -> ``conv5_block31_2_conv``.
"""

from __future__ import annotations

import keras

from keras_saliency.backbones.preprocessing import imagenet_normalization, no_normalization
from keras_saliency.backbones.registry import register_backbone


def _densenet201(input_shape):
    return keras.applications.DenseNet201(weights=None, include_top=False, input_shape=input_shape)


def _efficientnet_b5(input_shape):
    return keras.applications.EfficientNetB5(weights=None, include_top=False, input_shape=input_shape)


register_backbone(
    "densenet201",
    _densenet201,
    preprocess=imagenet_normalization,
    taps={"norm1_32": "conv5_block32_0_bn", "conv1_32": "conv5_block32_1_conv", "conv2_31": "conv5_block31_2_conv",
          "block3": "pool3_conv", "block4": "relu"},
    default_taps=("norm1_32", "conv1_32", "conv2_31"),
    notes="keras.applications; BN eps 1.001e-5 (torchvision 1e-5); Keras weights only",
)
register_backbone(
    "efficientnet_b5",
    _efficientnet_b5,
    preprocess=no_normalization,
    taps={"stride8": "block3e_add", "stride16": "block5g_add", "stride32": "block7c_add", "head": "top_activation"},
    default_taps=("stride16", "stride32"),
    notes="keras.applications (TF 'same' padding, normalises inside); Keras weights only",
)
