"""DeepGaze's Finalizer: blur with a learned sigma, add the weighted centre bias, log-softmax."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.legacy_resize import legacy_nearest_resize, spatial_size
from keras_saliency.layers.spatial import replicate_pad
from keras_saliency.saliency_ops import log_softmax_hw


@keras.saving.register_keras_serializable(package="keras_saliency")
class Finalizer(keras.layers.Layer):
    """readout (B, h, w, 1) + centre-bias log-density (B, H, W) -> log-density (B, H, W).

    As the reference: the centre bias is nearest-downscaled by
    ``saliency_map_factor``; the readout is nearest-resized to that size,
    blurred by a separable Gaussian (``2 ceil(truncate sigma) + 1`` taps,
    replicate padding, sigma in downscaled pixels, learned), plus
    ``center_bias_weight`` (learned, init 1) x centre bias, nearest-resized to
    (H, W) and log-softmaxed. The kernel support follows the *current* sigma
    exactly: a fixed buffer of ``max_sigma`` taps is masked to ``|g| <=
    ceil(truncate sigma)`` and renormalised, so sigma stays differentiable.
    """

    def __init__(self, sigma=8.0, learn_sigma=True, saliency_map_factor=2, truncate=3.0, max_sigma=20.0, **kwargs):
        super().__init__(**kwargs)
        self.sigma_init, self.learn_sigma = float(sigma), bool(learn_sigma)
        self.saliency_map_factor, self.truncate, self.max_sigma = int(saliency_map_factor), float(truncate), float(max_sigma)

    def build(self, readout_shape, centerbias_shape=None):
        self.sigma = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.sigma_init),
                                     trainable=self.learn_sigma, name="sigma")
        self.center_bias_weight = self.add_weight(shape=(), initializer="ones", name="center_bias_weight")

    def kernel(self):
        radius = int(math.ceil(self.truncate * self.max_sigma))
        grid = ops.convert_to_tensor(np.arange(-radius, radius + 1, dtype=np.float32))
        sigma = ops.clip(self.sigma, 1e-3, self.max_sigma)
        support = ops.ceil(self.truncate * sigma)
        weights = ops.exp(-0.5 * ops.square(grid / sigma)) * ops.cast(ops.abs(grid) <= support, "float32")
        return weights / ops.sum(weights), radius

    def blur(self, x):
        """Separable Gaussian with replicate padding of (B, h, w, 1)."""
        weights, radius = self.kernel()
        x = replicate_pad(x, radius)
        x = ops.conv(x, ops.reshape(weights, (-1, 1, 1, 1)), padding="valid")
        return ops.conv(x, ops.reshape(weights, (1, -1, 1, 1)), padding="valid")

    def call(self, readout, centerbias):
        height, width = spatial_size(centerbias)  # static or dynamic
        factor = self.saliency_map_factor
        small = (height // factor, width // factor)
        cb_small = legacy_nearest_resize(centerbias[..., None], small, scale=factor)
        out = self.blur(legacy_nearest_resize(readout, small))
        out = out + self.center_bias_weight * cb_small
        out = legacy_nearest_resize(out, (height, width))
        return log_softmax_hw(out)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma_init, "learn_sigma": self.learn_sigma,
                "saliency_map_factor": self.saliency_map_factor, "truncate": self.truncate,
                "max_sigma": self.max_sigma}
