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

    def call_upsampled(self, x, domain, factor: int):
        """Same result as ``call(nearest_upsample(x, factor), domain)``, computed at low resolution.

        Smoothing a nearest-upsampled map is a polyphase convolution: output
        pixel ``(f i + p, f j + q)`` is a small convolution of the replicate-padded
        low-resolution map whose kernel is the big kernel summed over the
        blocks of phase (p, q). One conv with f^2 output channels and a
        depth-to-space rearrangement replace the full-resolution 41x41 conv
        (34x fewer multiply-adds for UNISAL's factor 8); the result is exact.
        """
        if not self.built:
            self.build(x.shape)
        half = self.size // 2
        lo, hi = -((half + factor - 1) // factor), (factor - 1 + half) // factor
        taps = hi - lo + 1
        # assign[p, s, a] = 1 when kernel row a falls on low-res offset lo + s for output phase p.
        offsets = np.floor_divide(np.arange(factor)[:, None] + np.arange(self.size)[None, :] - half, factor)
        assign = (offsets[:, None, :] == (lo + np.arange(taps))[None, :, None]).astype(np.float32)
        kernel = ops.take(self.kernel, domain_index(domain), axis=0)
        phases = ops.einsum("psa,ab,qtb->stpq", assign, kernel, assign)
        phases = ops.reshape(phases, (taps, taps, 1, factor * factor))
        out = ops.conv(replicate_pad(x, -lo), ops.cast(phases, x.dtype), padding="valid")  # (B, h, w, f*f)
        batch, height, width = ops.shape(out)[0], ops.shape(out)[1], ops.shape(out)[2]
        out = ops.reshape(out, (batch, height, width, factor, factor))
        out = ops.transpose(out, (0, 1, 3, 2, 4))
        return ops.reshape(out, (batch, height * factor, width * factor, 1))

    def compute_output_shape(self, x_shape, domain_shape=None):
        return x_shape

    def get_config(self):
        return {**super().get_config(), "n_domains": self.n_domains, "size": self.size}
