"""DINet / ResNet-50 baseline heads on any backbone feature map (reference notes section 3.4).

DINet head (all convs bias-free, stride 1, 'same' = torch padding = dilation):
Conv1x1(C->256)+ReLU; three parallel Conv3x3(256->256) dilation 4, 8, 16, each +ReLU,
**summed**; decoder 2 x [Conv3x3(256->256)+ReLU]; final Conv3x3(256->1) + sigmoid.
Baseline head: Conv3x3(C->1, no bias) + sigmoid. Outputs are (B, h, w) at the feature
map's resolution (1/8 of the input on the dilated ResNet-50). The final conv is the
last layer with weights, i.e. the reference's n-reference "head"
(``ReferenceGuidedModel(head=1)``). Layers are plain functional Keras layers, so
``get_config`` / ``from_config`` round-trip through ``keras.Model``.
"""

import keras

from keras_saliency import backbones


def _conv(filters, kernel, name, dilation=1):
    return keras.layers.Conv2D(filters, kernel, padding="same", dilation_rate=dilation,
                               use_bias=False, name=name)


def dinet_head(features, width=256, dilations=(4, 8, 16), name="dinet"):
    """Apply the DINet head to a (B, h, w, C) tensor; returns (B, h, w)."""
    x = keras.layers.ReLU(name=f"{name}_enc_relu")(_conv(width, 1, f"{name}_enc_conv1x1")(features))
    branches = [keras.layers.ReLU(name=f"{name}_enc_relu_d{d}")(_conv(width, 3, f"{name}_enc_d{d}", d)(x))
                for d in dilations]
    x = keras.layers.Add(name=f"{name}_enc_sum")(branches)
    for i in range(2):
        x = keras.layers.ReLU(name=f"{name}_dec_relu{i}")(_conv(width, 3, f"{name}_dec_conv{i}")(x))
    return _final(x, name)


def resnet_baseline_head(features, name="resnet_baseline"):
    """Conv3x3(C->1, no bias) + sigmoid on a (B, h, w, C) tensor; returns (B, h, w)."""
    return _final(features, name)


@keras.saving.register_keras_serializable(package="keras_saliency")
class SqueezeChannel(keras.layers.Layer):
    """(B, h, w, 1) -> (B, h, w)."""

    def call(self, x):
        return keras.ops.squeeze(x, -1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1])


def _final(x, name):
    x = keras.layers.Activation("sigmoid", name=f"{name}_sigmoid")(_conv(1, 3, f"{name}_final_conv")(x))
    return SqueezeChannel(name=f"{name}_squeeze")(x)


def _single_map(backbone):
    out = backbone.output
    if isinstance(out, dict):
        if len(out) != 1:
            raise ValueError(f"the backbone must give one feature map, it gives taps {list(out)}")
        out = next(iter(out.values()))
    elif isinstance(out, (list, tuple)):
        if len(out) != 1:
            raise ValueError(f"the backbone must give one feature map, it gives {len(out)}")
        out = out[0]
    return out


def _build(head_fn, backbone, input_shape, name):
    if backbone is None:
        backbone = backbones.get("resnet50_dilated", taps=["layer4"], input_shape=input_shape)
    elif not isinstance(backbone, keras.Model):
        raise TypeError(f"`backbone` must be a keras.Model feature extractor or None, got {type(backbone)}")
    return keras.Model(backbone.input, head_fn(_single_map(backbone)), name=name)


def build_dinet(backbone=None, input_shape=(None, None, 3), name="dinet"):
    """DINet: dilated ResNet-50 (stride 8; random init unless the backbone carries weights) + DINet head.

    ``backbone``: a Keras feature extractor with one output (tensor, or a one-tap dict as
    ``keras_saliency.backbones.get`` returns); default ``backbones.get("resnet50_dilated",
    taps=["layer4"])``. Input as the backbone expects (0..255 RGB for the registry's).
    """
    return _build(dinet_head, backbone, input_shape, name)


def build_resnet_baseline(backbone=None, input_shape=(None, None, 3), name="resnet_baseline"):
    """The n-reference ResNet-50 baseline: dilated ResNet-50 + Conv3x3(2048->1) + sigmoid."""
    return _build(resnet_baseline_head, backbone, input_shape, name)
