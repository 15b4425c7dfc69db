"""DenseNet-201 and EfficientNet-B5 from keras.applications (``weights=None`` or user files).

Differences from the PyTorch networks DeepGaze IIE used, stated: keras DenseNet
BatchNorm uses eps 1.001e-5 (torchvision 1e-5); keras EfficientNet-B5 pads
TF-"same" computed from the actual input size, whereas DeepGaze IIE's vendored
EfficientNet-PyTorch pads statically as for a 456 px input (stride 1: k3 (1, 1),
k5 (2, 2); stride 2: k3 (0, 1), k5 (1, 2)) whatever the real size, so feature maps
differ where those disagree (odd sizes); BN eps 1e-3 in both. keras EfficientNet
rescales/normalises inside the network, so it takes 0..255 RGB directly. No
state-dict converter: load Keras weights. For DeepGaze IIE's exact PyTorch networks use
``densenet201_torchvision`` and ``efficientnet_b5_pytorch`` (`keras_saliency.backbones.densenet`,
`keras_saliency.backbones.efficientnet_pytorch`).
DeepGaze IIE's DenseNet-201 taps map to ``denselayer32.norm1`` ->
``conv5_block32_0_bn``, ``denselayer32.conv1`` -> ``conv5_block32_1_conv``,
``denselayer31.conv2`` -> ``conv5_block31_2_conv``; its EfficientNet-B5 taps
``_blocks.24._depthwise_conv`` -> ``block5e_dwconv``, ``_blocks.26._depthwise_conv`` ->
``block5g_dwconv``, ``_blocks.35._project_conv`` -> ``block6i_project_conv`` (raw conv
outputs, before BatchNorm, as DeepGaze IIE hooks them).
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
    taps={"denselayer32.norm1": "conv5_block32_0_bn", "denselayer32.conv1": "conv5_block32_1_conv",
          "denselayer31.conv2": "conv5_block31_2_conv", "block3": "pool3_conv", "block4": "relu"},
    default_taps=("denselayer32.norm1", "denselayer32.conv1", "denselayer31.conv2"),
    notes="keras.applications; BN eps 1.001e-5 (torchvision 1e-5); Keras weights only",
)
register_backbone(
    "efficientnet_b5",
    _efficientnet_b5,
    preprocess=no_normalization,
    taps={"stride8": "block3e_add", "stride16": "block5g_add", "stride32": "block7c_add", "head": "top_activation",
          "_blocks.24._depthwise_conv": "block5e_dwconv", "_blocks.26._depthwise_conv": "block5g_dwconv",
          "_blocks.35._project_conv": "block6i_project_conv"},
    default_taps=("_blocks.24._depthwise_conv", "_blocks.26._depthwise_conv", "_blocks.35._project_conv"),
    notes="keras.applications (TF 'same' padding, normalises inside); Keras weights only",
)
