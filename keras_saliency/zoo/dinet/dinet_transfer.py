"""The models of the n-reference transfer experiment: a backbone tap (or a stand-in CNN) + a DINet head.

:class:`TransferModel` builds the image -> (B, h, w) saliency models that
:mod:`keras_saliency.training.n_reference_schemes` trains. With ``freeze_encoder`` the backbone is frozen
(BatchNorm in inference mode), its features are computed once per image (:meth:`TransferModel.features`)
and only the head trains, on those features (``model(seed, feature_shape)``); otherwise every model is
trained end to end, as the reference does. The output grid is the tap's (its stride sets it).
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

import keras
import numpy as np

from keras_saliency import backbones
from keras_saliency.zoo.dinet.dinet_model import dinet_head, resnet_baseline_head


def standin_encoder(input_shape, trainable: bool = True) -> keras.Model:
    """A random 3-stage stride-2 CNN (8, 16, 32 channels; output stride 8) for smoke runs; inputs RGB 0..255."""
    inp = keras.Input(input_shape)
    h = keras.layers.Rescaling(1 / 255.0)(inp)
    for i, f in enumerate((8, 16, 32)):
        h = keras.layers.Conv2D(f, 3, strides=2, padding="same", activation="relu", name=f"stand_in_{i}")(h)
    encoder = keras.Model(inp, h)
    encoder.trainable = trainable
    return encoder


@dataclasses.dataclass(frozen=True)
class TransferModel:
    """What the models are made of.

    ``backbone``: "standin" or a ``keras_saliency.backbones`` name (with ``backbone_weights``), whose
    ``tap`` the head sits on; ``head``: "dinet" (``head_width`` channels, ``dilations``) or "resnet"
    (the baseline's one 3x3 conv); ``size``: the input (H, W).
    """

    backbone: str = "standin"
    backbone_weights: Optional[str] = None
    tap: str = "layer4"
    freeze_encoder: bool = False
    head: str = "dinet"
    head_width: int = 256
    dilations: Sequence[int] = (4, 8, 16)
    size: Tuple[int, int] = (240, 320)

    def encoder(self) -> keras.Model:
        """The feature extractor: images (B, H, W, 3) RGB 0..255 -> (B, h, w, C); frozen with ``freeze_encoder``."""
        shape = (*self.size, 3)
        if self.backbone == "standin":
            return standin_encoder(shape, trainable=not self.freeze_encoder)
        bb = backbones.get(self.backbone, weights=self.backbone_weights, taps=[self.tap], input_shape=shape,
                           trainable=not self.freeze_encoder)
        return keras.Model(bb.input, bb.output[self.tap], name=bb.name)

    def _head(self, features):
        if self.head == "dinet":
            return dinet_head(features, width=self.head_width, dilations=tuple(self.dilations))
        return resnet_baseline_head(features)

    def model(self, seed: int, feature_shape=None) -> keras.Model:
        """A fresh model seeded by ``seed``: images -> (B, h, w) maps, or, given ``feature_shape``
        (with ``freeze_encoder``), the head alone on precomputed (h, w, C) features."""
        keras.utils.set_random_seed(seed)
        if feature_shape is not None:
            inp = keras.Input(feature_shape, name="features")
            return keras.Model(inp, self._head(inp), name=f"{self.head}_head")
        bb = self.encoder()
        return keras.Model(bb.input, self._head(bb.output), name=self.head)


def encoder_features(encoder: keras.Model, images) -> np.ndarray:
    """The frozen encoder's (N, h, w, C) features of (N, H, W, 3) images, computed once (batches of 16)."""
    return keras.ops.convert_to_numpy(encoder.predict(images, batch_size=16, verbose=0))
