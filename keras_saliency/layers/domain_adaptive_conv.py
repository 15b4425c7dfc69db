"""Per-domain 1x1 fusion convolution and per-domain free smoothing kernel (UNISAL)."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.domain_batch_norm import domain_index
from keras_saliency.layers.spatial import replicate_pad


@keras.saving.register_keras_serializable(package="keras_saliency")
class DomainAdaptiveConv1x1(keras.layers.Layer):
    """A 1x1 convolution (with bias) whose weights are selected by the domain index."""

    def __init__(self, n_domains, filters=1, **kwargs):
        super().__init__(**kwargs)
        self.n_domains, self.filters = int(n_domains), int(filters)

    def build(self, x_shape, domain_shape=None):
        channels = int(x_shape[-1])
        self.kernel = self.add_weight(shape=(self.n_domains, channels, self.filters),
                                      initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.n_domains, self.filters), initializer="zeros", name="bias")

    def call(self, x, domain):
        d = domain_index(domain)
        return ops.einsum("bhwc,cf->bhwf", x, ops.take(self.kernel, d, axis=0)) + ops.take(self.bias, d, axis=0)

    def compute_output_shape(self, x_shape, domain_shape=None):
        return tuple(x_shape[:3]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "n_domains": self.n_domains, "filters": self.filters}


def gaussian_kernel_init(size: int = 41, log_std: float = -2.0) -> np.ndarray:
    """UNISAL's smoothing init: a Gaussian on a linspace(0, 1) grid (std e^-2 of the grid), sum 1."""
    grid = np.linspace(0.0, 1.0, size)
    g = np.exp(-0.5 * ((grid - 0.5) / np.exp(log_std)) ** 2)
    kernel = np.outer(g, g)
    return (kernel / kernel.sum()).astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_saliency")
class DomainAdaptiveSmoothing(keras.layers.Layer):
    """A free ``size x size`` single-channel kernel per domain, Gaussian-initialised, replicate padding.

    Input and output (B, H, W, 1); every kernel weight is trainable (the
    reference learns all 1681 values, not a sigma).
    """

    def __init__(self, n_domains=1, size=41, **kwargs):
        super().__init__(**kwargs)
        if size % 2 != 1:
            raise ValueError(f"`size` must be odd; got {size}.")
        self.n_domains, self.size = int(n_domains), int(size)

    def build(self, x_shape, domain_shape=None):
        init = np.tile(gaussian_kernel_init(self.size)[None], (self.n_domains, 1, 1))
        self.kernel = self.add_weight(shape=init.shape, initializer=keras.initializers.Constant(init), name="kernel")

    def call(self, x, domain):
        kernel = ops.take(self.kernel, domain_index(domain), axis=0)[:, :, None, None]
        return ops.conv(replicate_pad(x, self.size // 2), ops.cast(kernel, x.dtype), padding="valid")

    def compute_output_shape(self, x_shape, domain_shape=None):
        return x_shape

    def get_config(self):
        return {**super().get_config(), "n_domains": self.n_domains, "size": self.size}
