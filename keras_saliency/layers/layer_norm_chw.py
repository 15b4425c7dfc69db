"""DeepGaze's LayerNorm: each sample normalised over (H, W, C) jointly, per-channel affine."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_saliency")
class LayerNormCHW(keras.layers.Layer):
    """``(x - mean) / sqrt(var + eps) * gamma + beta`` with mean/var over all of (H, W, C) per sample.

    As DeepGaze's ``LayerNorm`` (``F.layer_norm`` over (C, H, W)), eps 1e-12 by
    default; ``gamma``/``beta`` are per channel (init 1/0). Input (B, H, W, C).
    """

    def __init__(self, epsilon=1e-12, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta")

    def call(self, x):
        mean, variance = ops.moments(x, axes=(1, 2, 3), keepdims=True)
        return (x - mean) * ops.rsqrt(variance + self.epsilon) * self.gamma + self.beta

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
