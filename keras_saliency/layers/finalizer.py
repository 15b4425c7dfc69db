"""DeepGaze's Finalizer: blur with a learned sigma, add the weighted centre bias, log-softmax."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.legacy_resize import legacy_nearest_resize, spatial_size
from keras_saliency.saliency_ops import log_softmax_hw


def replicate_blur_matrix(weights, n, radius: int):
    """(n, n) matrix M with ``(M @ v)[i] = sum_d weights[d + radius] * v[clip(i + d, 0, n - 1)]``.

    ``weights``: (2 radius + 1,) taps for offsets -radius..radius; ``n`` may be a
    tensor. Interior columns hold ``weights[j - i + radius]``; column 0 gathers
    every tap that falls on or before the first pixel, column n - 1 every tap
    on or after the last (PyTorch ``mode="replicate"`` padding).
    """
    rows = ops.expand_dims(ops.arange(n), 1)
    cols = ops.expand_dims(ops.arange(n), 0)
    offset = cols - rows
    last_tap = 2 * radius
    interior = ops.where(ops.abs(offset) <= radius, ops.take(weights, ops.clip(offset + radius, 0, last_tap)), 0.0)
    cumulative = ops.cumsum(weights)  # cumulative[k] = sum of taps 0..k
    total = cumulative[-1]
    before = radius - rows  # taps 0..radius - i land on pixel 0
    first = ops.where(before >= 0, ops.take(cumulative, ops.clip(before, 0, last_tap)), 0.0)
    after = n - 2 - rows + radius  # taps after index n - 2 - i + radius land on pixel n - 1
    last = total - ops.where(after >= 0, ops.take(cumulative, ops.clip(after, 0, last_tap)), 0.0)
    is_first, is_last = ops.equal(cols, 0), ops.equal(cols, n - 1)
    matrix = ops.where(is_last, last, interior)
    matrix = ops.where(is_first, first, matrix)
    return ops.where(ops.logical_and(is_first, is_last), total, matrix)


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
        """Separable Gaussian with replicate padding of (B, h, w, 1): ``B_h @ x @ B_w^T``.

        The (n, n) matrices hold the kernel with the replicate padding folded
        into their first and last columns; two matrix products are far faster
        on CPU than 1-channel convolutions with up to ``2 * 60 + 1`` taps.
        """
        weights, radius = self.kernel()
        height, width = spatial_size(x)
        plane = x[..., 0]
        plane = ops.matmul(replicate_blur_matrix(weights, height, radius), plane)
        plane = ops.matmul(plane, ops.transpose(replicate_blur_matrix(weights, width, radius)))
        return plane[..., None]

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
