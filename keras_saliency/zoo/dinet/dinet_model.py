"""DINet / ResNet-50 baseline heads on any backbone feature map (reference notes section 3.4).

DINet head (all convs bias-free, stride 1, 'same' = torch padding = dilation):
Conv1x1(C->256)+ReLU; three parallel Conv3x3(256->256) dilation 4, 8, 16, each +ReLU,
**summed**; decoder 2 x [Conv3x3(256->256)+ReLU]; final Conv3x3(256->1) + sigmoid.
Baseline head: Conv3x3(C->1, no bias) + sigmoid. Outputs are (B, h, w) at the feature
map's resolution (1/8 of the input on the dilated ResNet-50). The final conv is the
last layer with weights, i.e. the reference's n-reference "head"
(``ReferenceGuidedModel(head=1)``). Layers are plain functional Keras layers, so
``get_config`` / ``from_config`` round-trip through :class:`DINet`.

Contract (`keras_saliency.models`): :class:`DINet` declares ``output_kind =
"saliency_map"`` (its sigmoid map at 1/8 resolution is a saliency map, not a
log-density); ``predict_log_density(images)`` resizes the map bilinearly to the
input size (`keras_saliency.models.keras_saliency_model.resize_outputs`) and reads it as a density.
"""

import keras
import numpy as np

from keras_saliency import backbones
from keras_saliency.models.keras_saliency_model import resize_outputs
from keras_saliency.models.saliency_model import SaliencyModel


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


HEADS = {"dinet": "DINet head", "baseline": "Conv3x3 + sigmoid (the n-reference ResNet-50 baseline)"}


@keras.saving.register_keras_serializable(package="keras_saliency")
class DINet(SaliencyModel, keras.Model):
    """A backbone + the DINet (``head="dinet"``) or baseline (``head="baseline"``) head.

    Input (B, H, W, 3) RGB as the backbone expects (0..255 for the registry's) or
    ``{"image": ...}``; output the sigmoid saliency map (B, h, w) at the backbone's
    resolution. ``backbone``: a Keras feature extractor with one output (tensor, or a
    one-tap dict as ``keras_saliency.backbones.get`` returns) or its serialized config;
    None builds ``backbones.get("resnet50_dilated", taps=["layer4"])`` (random init).
    """

    output_kind = "saliency_map"

    def __init__(self, backbone=None, head="dinet", width=256, dilations=(4, 8, 16), input_shape=(None, None, 3),
                 name="dinet", **kwargs):
        if head not in HEADS:
            raise ValueError(f"`head` must be one of {sorted(HEADS)}; got {head!r}.")
        if isinstance(backbone, dict):
            backbone = keras.saving.deserialize_keras_object(backbone)
        if backbone is None:
            backbone = backbones.get("resnet50_dilated", taps=["layer4"], input_shape=tuple(input_shape))
        elif not isinstance(backbone, keras.Model):
            raise TypeError(f"`backbone` must be a keras.Model feature extractor, its config or None, "
                            f"got {type(backbone)}")
        features = _single_map(backbone)
        outputs = (dinet_head(features, width=width, dilations=tuple(dilations), name=name) if head == "dinet"
                   else resnet_baseline_head(features, name=name))
        super().__init__(inputs=backbone.input, outputs=outputs, name=name, **kwargs)
        self.backbone_model, self.head = backbone, head
        self.width, self.dilations, self.input_shape_ = int(width), [int(d) for d in dilations], list(input_shape)

    def call(self, inputs, training=None, mask=None):
        image = inputs["image"] if isinstance(inputs, dict) else inputs
        return super().call(image, training=training, mask=mask)

    def _predict_batch(self, images, **conditions):
        maps = np.asarray(keras.ops.convert_to_numpy(self.predict_on_batch(images)), np.float64)
        return resize_outputs(maps, images.shape[1:3], self.output_kind)

    def get_config(self):
        return {"backbone": keras.saving.serialize_keras_object(self.backbone_model), "head": self.head,
                "width": self.width, "dilations": self.dilations, "input_shape": self.input_shape_,
                "name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def build_dinet(backbone=None, input_shape=(None, None, 3), name="dinet"):
    """DINet: dilated ResNet-50 (stride 8; random init unless the backbone carries weights) + DINet head.

    ``backbone``: a Keras feature extractor with one output (tensor, or a one-tap dict as
    ``keras_saliency.backbones.get`` returns); default ``backbones.get("resnet50_dilated",
    taps=["layer4"])``. Input as the backbone expects (0..255 RGB for the registry's).
    """
    return DINet(backbone, "dinet", input_shape=input_shape, name=name)


def build_resnet_baseline(backbone=None, input_shape=(None, None, 3), name="resnet_baseline"):
    """The n-reference ResNet-50 baseline: dilated ResNet-50 + Conv3x3(2048->1) + sigmoid."""
    return DINet(backbone, "baseline", input_shape=input_shape, name=name)
