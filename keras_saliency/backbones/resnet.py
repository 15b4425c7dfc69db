"""ResNet-50 (optionally dilated, output stride 8 as DINet) and ResNeXt-50 32x4d, torchvision layout.

torchvision's ResNet v1.5 puts the stride on the 3x3 conv; BatchNorm eps 1e-5.
keras.applications.ResNet50 strides the 1x1 conv (v1) and has no dilation, so this
hand-written version is what converted torchvision/DINet weights need. ResNeXt is not
in keras.applications at all. DINet's dilation (reference code): layer3 and layer4 keep
stride 1 and use dilation (= padding) 2 and 4 in every 3x3 conv.
"""

from __future__ import annotations

from typing import Dict

import keras
import numpy as np

from keras_saliency.backbones.preprocessing import imagenet_normalization
from keras_saliency.backbones.registry import register_backbone
from keras_saliency.backbones.torch_layout import assign_torch_weights, check_all_consumed

BLOCKS = (3, 4, 6, 3)


def _bn(x, name):
    return keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)(x)


def _bottleneck(x, planes, stride, dilation, groups, base_width, name, downsample):
    width = int(planes * base_width / 64) * groups
    shortcut = x
    y = keras.layers.ReLU(name=f"{name}_relu1")(_bn(keras.layers.Conv2D(width, 1, use_bias=False,
                                                                        name=f"{name}_conv1")(x), f"{name}_bn1"))
    y = keras.layers.ZeroPadding2D(dilation, name=f"{name}_pad2")(y)
    y = keras.layers.Conv2D(width, 3, stride, dilation_rate=dilation, groups=groups, use_bias=False,
                            name=f"{name}_conv2")(y)
    y = keras.layers.ReLU(name=f"{name}_relu2")(_bn(y, f"{name}_bn2"))
    y = _bn(keras.layers.Conv2D(planes * 4, 1, use_bias=False, name=f"{name}_conv3")(y), f"{name}_bn3")
    if downsample:
        shortcut = keras.layers.Conv2D(planes * 4, 1, stride, use_bias=False, name=f"{name}_downsample_conv")(x)
        shortcut = _bn(shortcut, f"{name}_downsample_bn")
    return keras.layers.ReLU(name=f"{name}_out")(keras.layers.Add(name=f"{name}_add")([y, shortcut]))


def build_resnet(name: str, input_shape=(None, None, 3), dilated=False, groups=1, base_width=64) -> keras.Model:
    inputs = keras.Input(input_shape, name="normalized_image")
    x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = keras.layers.ReLU(name="relu")(_bn(keras.layers.Conv2D(64, 7, 2, use_bias=False, name="conv1")(x), "bn1"))
    x = keras.layers.MaxPooling2D(3, 2, name="maxpool")(keras.layers.ZeroPadding2D(1, name="maxpool_pad")(x))
    channels = 64
    for stage, repeats in enumerate(BLOCKS, start=1):
        planes = 64 * 2 ** (stage - 1)
        stride = 1 if stage == 1 or (dilated and stage >= 3) else 2
        dilation = {3: 2, 4: 4}.get(stage, 1) if dilated else 1
        for b in range(repeats):
            downsample = b == 0 and (stride != 1 or channels != planes * 4)
            x = _bottleneck(x, planes, stride if b == 0 else 1, dilation, groups, base_width, f"layer{stage}_{b}",
                            downsample)
            channels = planes * 4
        x = keras.layers.Identity(name=f"layer{stage}")(x)
    return keras.Model(inputs, x, name=name)


def torch_name(layer_name: str) -> str:
    """Keras layer name -> torchvision module name (``layer1_0_downsample_conv`` -> ``layer1.0.downsample.0``)."""
    if layer_name in ("conv1", "bn1"):
        return layer_name
    stage, block, rest = layer_name.split("_", 2)
    rest = {"downsample_conv": "downsample.0", "downsample_bn": "downsample.1"}.get(rest, rest)
    return f"{stage}.{block}.{rest}"


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray], prefix: str = None) -> set:
    """torchvision names (``conv1``, ``bn1``, ``layer1.0.conv1``, ``layer1.0.downsample.0``...) under ``prefix``.

    ``prefix=None`` accepts both plain names and the ``module.`` wrapping of a DataParallel
    checkpoint (the ShapeNet ResNet-50 DeepGaze IIE uses). Returns the consumed keys; every
    layer is set, or ValueError names the mismatches. Standalone (no prefix given) every
    other tensor must be the classifier's (``fc.*``).
    """
    standalone = prefix is None
    if standalone:
        prefix = "module." if "module.conv1.weight" in state else ""
    used = assign_torch_weights(model, state, prefix, name_of=lambda layer: torch_name(layer.name))
    if standalone:
        check_all_consumed({k: v for k, v in state.items() if not k.startswith(f"{prefix}fc.")}, used, model.name,
                           ignore=("num_batches_tracked",))
    return used


# Every conv/bn of a bottleneck is a tap under its PyTorch name too (``layer3.5.conv2`` -> ``layer3_5_conv2``).
_TAPS = {f"layer{k}": f"layer{k}" for k in range(1, 5)}
_TAPS.update({f"layer{s}.{b}.{part}": f"layer{s}_{b}_{part}" for s, n in enumerate(BLOCKS, 1) for b in range(n)
              for part in ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3")})
# DeepGaze IIE hooks these raw conv outputs (before BatchNorm).
DEEPGAZE_TAPS = {
    "resnet50": ("layer3.0.conv2", "layer3.3.conv2", "layer3.5.conv1", "layer3.5.conv2", "layer4.1.conv2",
                 "layer4.2.conv2"),
    "resnext50": ("layer3.5.conv1", "layer3.5.conv2", "layer3.4.conv2", "layer4.2.conv2"),
}
for _name, _kwargs, _notes in [
    ("resnet50", {}, "torchvision ResNet-50 (v1.5); default taps: DeepGaze IIE's (ShapeNet ResNet-50)"),
    ("resnet50_dilated", {"dilated": True}, "DINet's dilated ResNet-50, output stride 8"),
    ("resnext50", {"groups": 32, "base_width": 4}, "ResNeXt-50 32x4d (torchvision layout); default taps: DeepGaze "
                                                   "IIE's"),
]:
    register_backbone(
        _name,
        lambda input_shape, n=_name, kw=_kwargs: build_resnet(n, input_shape, **kw),
        preprocess=imagenet_normalization,
        taps=_TAPS,
        default_taps=DEEPGAZE_TAPS.get(_name, ("layer4",)),
        load_state_dict=load_state_dict_into,
        notes=_notes + "; weights=None or a user-supplied torchvision state dict",
    )
