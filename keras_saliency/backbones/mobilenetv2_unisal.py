"""MobileNetV2 exactly as UNISAL uses it (reference notes 1.2).

Standard MobileNetV2 1.0 (t, c, n, s): (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
(6,96,3,1) (6,160,3,2) (6,320,1,1), stem Conv3x3/2 + BN + ReLU6, last Conv1x1 to 1280.
UNISAL's changes, reproduced: the first block of every stride-2 stage runs its
depthwise conv at stride 1 and the output is subsampled ``x[:, ::2, ::2]`` after
the block (equal to a stride-2 conv with *symmetric* padding; Keras "same" would
pad asymmetrically), BatchNorm eps is PyTorch's 1e-5, and the skip features are
taken *before* that subsampling: ``feat_4x`` = features[7] (64 ch, 1/8),
``feat_2x`` = features[14] (160 ch, 1/16). Blocks 2 and 4, whose full-resolution output
nothing reads, run the equal stride-2 depthwise conv on a zero-padded input instead
(everything after the depthwise conv is per pixel, so subsampling it first is exact:
a quarter of the work for those blocks). Not keras.applications.MobileNetV2,
which pads asymmetrically and uses BN eps 1e-3.
"""

from __future__ import annotations

from typing import Dict

import keras
import numpy as np

from keras_saliency.layers.padded_channels_conv import Conv2D
from keras_saliency.layers.shifted_depthwise_conv import DepthwiseConv2D
from keras_saliency.layers.spatial import Subsample2x

SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
SKIP_4X, SKIP_2X, LAST = 7, 14, 18


def _bn(x, name):
    return keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)(x)


def build_unisal_mobilenetv2(input_shape=(None, None, 3), name="unisal_mobilenetv2") -> keras.Model:
    """ImageNet-normalised RGB -> [x (1280, 1/32), feat_2x (160, 1/16), feat_4x (64, 1/8)].

    Layer names mirror the PyTorch state dict: ``features_<i>_<j>`` is
    ``features.<i>.<j>`` and ``features_<i>_conv_<j>`` is ``features.<i>.conv.<j>``.
    """
    inputs = keras.Input(input_shape, name="normalized_image")
    x = keras.layers.ZeroPadding2D(1, name="features_0_pad")(inputs)
    x = Conv2D(32, 3, 2, use_bias=False, name="features_0_0")(x)  # the RGB stem: see Conv2D
    x = keras.layers.ReLU(6.0, name="features_0_relu")(_bn(x, "features_0_1"))
    channels, index, taps = 32, 1, {}
    for expand, out, repeats, stride in SETTINGS:
        for r in range(repeats):
            p = f"features_{index}_conv"
            block_input = x
            j = 0
            if expand != 1:
                x = keras.layers.Conv2D(channels * expand, 1, use_bias=False, name=f"{p}_0")(x)
                x = keras.layers.ReLU(6.0, name=f"{p}_2")(_bn(x, f"{p}_1"))
                j = 3
            subsample = r == 0 and stride == 2
            if subsample and index not in (SKIP_4X, SKIP_2X):  # only the subsampled output is used
                x = keras.layers.ZeroPadding2D(1, name=f"{p}_{j}_pad")(x)
                x = DepthwiseConv2D(3, 2, padding="valid", use_bias=False, name=f"{p}_{j}")(x)
                subsample = False
            else:
                x = DepthwiseConv2D(3, padding="same", use_bias=False, name=f"{p}_{j}")(x)
            x = keras.layers.ReLU(6.0, name=f"{p}_{j + 2}")(_bn(x, f"{p}_{j + 1}"))
            x = keras.layers.Conv2D(out, 1, use_bias=False, name=f"{p}_{j + 3}")(x)
            x = _bn(x, f"{p}_{j + 4}")
            if r > 0 and channels == out:
                x = keras.layers.Add(name=f"features_{index}_add")([x, block_input])
            if index == SKIP_4X:
                taps["feat_4x"] = x
            if index == SKIP_2X:
                taps["feat_2x"] = x
            if subsample:
                x = Subsample2x(name=f"features_{index}_subsample")(x)
            channels, index = out, index + 1
    x = keras.layers.Conv2D(1280, 1, use_bias=False, name=f"features_{LAST}_0")(x)
    x = keras.layers.ReLU(6.0, name=f"features_{LAST}_relu")(_bn(x, f"features_{LAST}_1"))
    return keras.Model(inputs, [x, taps["feat_2x"], taps["feat_4x"]], name=name)


def torch_conv(weight: np.ndarray, depthwise: bool = False) -> np.ndarray:
    """PyTorch conv (O, I, kh, kw) -> Keras (kh, kw, I, O); depthwise (C, 1, kh, kw) -> (kh, kw, C, 1)."""
    return np.transpose(weight, (2, 3, 0, 1) if depthwise else (2, 3, 1, 0))


_TORCHVISION_EXPAND = {"conv.0.0": "conv.0", "conv.0.1": "conv.1", "conv.1.0": "conv.3", "conv.1.1": "conv.4",
                       "conv.2": "conv.6", "conv.3": "conv.7"}
_TORCHVISION_NO_EXPAND = {"conv.0.0": "conv.0", "conv.0.1": "conv.1", "conv.1": "conv.3", "conv.2": "conv.4"}


def from_torchvision_names(state: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """Renames torchvision's nested MobileNetV2 keys (``features.2.conv.0.0``) to the UNISAL/tonylins layout."""
    renamed = {}
    for key, value in state.items():
        parts = key.split(".")
        if len(parts) > 3 and parts[0] == "features" and parts[2] == "conv":
            index = int(parts[1])
            table = _TORCHVISION_NO_EXPAND if index == 1 else _TORCHVISION_EXPAND
            for old in sorted(table, key=len, reverse=True):
                head = "conv." + ".".join(parts[3:3 + old.count(".")])
                if head == old:
                    key = ".".join(parts[:2] + [table[old]] + parts[3 + old.count("."):])
                    break
        renamed[key] = value
    return renamed


def load_state_dict_into(model: keras.Model, state: Dict[str, np.ndarray], prefix: str = "") -> None:
    """Loads ``<prefix>features.*`` weights: UNISAL (``cnn.``), tonylins or torchvision MobileNetV2 names."""
    if f"{prefix}features.1.conv.0.0.weight" in state:  # torchvision's nested layout
        state = from_torchvision_names(state)
    for layer in model.layers:
        if not layer.weights:
            continue
        torch_name = prefix + layer.name.replace("_conv_", ".conv.").replace("_", ".")
        if isinstance(layer, keras.layers.BatchNormalization):
            weights = [state[f"{torch_name}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")]
        else:
            weights = [torch_conv(state[f"{torch_name}.weight"], isinstance(layer, keras.layers.DepthwiseConv2D))]
        expected = [tuple(w.shape) for w in layer.get_weights()]
        if [tuple(w.shape) for w in weights] != expected:
            raise ValueError(f"{layer.name} expects {expected}, the state dict has {[w.shape for w in weights]}.")
        layer.set_weights(weights)


def _register():
    from keras_saliency.backbones.preprocessing import imagenet_normalization
    from keras_saliency.backbones.registry import BackboneSpec, register_backbone

    def build(input_shape):
        model = build_unisal_mobilenetv2(input_shape)
        return keras.Model(model.inputs, model.outputs, name="mobilenetv2_unisal")

    register_backbone(BackboneSpec(
        name="mobilenetv2_unisal",
        build=build,
        preprocess=imagenet_normalization,
        taps={"stride8": f"features_{SKIP_4X}_conv_7", "stride16": f"features_{SKIP_2X}_conv_7",
              "head": f"features_{LAST}_relu"},  # the tap names of every backbone (feat_4x, feat_2x, x in UNISAL)
        default_taps=("head", "stride16", "stride8"),
        load_state_dict=lambda network, state: load_state_dict_into(
            network, state, prefix="cnn." if any(k.startswith("cnn.") for k in state) else ""),
        notes="UNISAL's MobileNetV2 (symmetric stride-2 padding, BN eps 1e-5, taps before subsampling)",
    ))


_register()
