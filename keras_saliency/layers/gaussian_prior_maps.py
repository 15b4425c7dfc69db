"""UNISAL's learned Gaussian prior maps (one set per domain)."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.domain_batch_norm import domain_index


def unisal_gaussian_init(n_gaussians: int = 16) -> np.ndarray:
    """The reference's manual initialisation, (16, 2, 2) = [map, (y, x), (mu, log_std)].

    Maps 0-8: a 3x3 grid of blobs (mu in {.25, .5, .75}, log_std -1.5); 9-11:
    vertical bands (mu_x .25/.5/.75, log_std_y 0); 12-14: horizontal bands;
    15: a broad centre blob (log_std 0).
    """
    if n_gaussians != 16:
        raise ValueError("The manual UNISAL initialisation defines exactly 16 maps.")
    rows = [((my, -1.5), (mx, -1.5)) for my in (0.25, 0.5, 0.75) for mx in (0.25, 0.5, 0.75)]
    rows += [((0.5, 0.0), (mx, -1.5)) for mx in (0.25, 0.5, 0.75)]
    rows += [((my, -1.5), (0.5, 0.0)) for my in (0.25, 0.5, 0.75)]
    rows += [((0.5, 0.0), (0.5, 0.0))]
    return np.asarray(rows, dtype=np.float32)


@keras.saving.register_keras_serializable(package="keras_saliency")
class GaussianPriorMaps(keras.layers.Layer):
    """``scale * exp(-((y - mu_y) / e^ls_y)^2 / 2) * exp(-((x - mu_x) / e^ls_x)^2 / 2)`` per map.

    Unconstrained parameters: sigma = exp(log_std). Evaluated on the feature
    grid ``linspace(0, 1, H) x linspace(0, 1, W)`` (endpoints included) of the
    input; returns (B, H, W, n_gaussians). Call ``layer(features, domain)``.
    """

    def __init__(self, n_domains=1, n_gaussians=16, scale=6.0, **kwargs):
        super().__init__(**kwargs)
        self.n_domains, self.n_gaussians, self.scale = int(n_domains), int(n_gaussians), float(scale)

    def build(self, features_shape, domain_shape=None):
        init = np.tile(unisal_gaussian_init(self.n_gaussians)[None], (self.n_domains, 1, 1, 1))
        self.gaussians = self.add_weight(shape=init.shape, initializer=keras.initializers.Constant(init),
                                         name="gaussians")

    def call(self, features, domain):
        params = ops.take(self.gaussians, domain_index(domain), axis=0)  # (G, 2, 2)
        height, width = ops.shape(features)[1], ops.shape(features)[2]
        ys = ops.linspace(0.0, 1.0, height)
        xs = ops.linspace(0.0, 1.0, width)
        mu_y, ls_y = params[:, 0, 0], params[:, 0, 1]
        mu_x, ls_x = params[:, 1, 0], params[:, 1, 1]
        gy = ops.exp(-0.5 * ops.square((ys[:, None] - mu_y[None]) / ops.exp(ls_y)[None]))  # (H, G)
        gx = ops.exp(-0.5 * ops.square((xs[:, None] - mu_x[None]) / ops.exp(ls_x)[None]))  # (W, G)
        maps = self.scale * gy[:, None, :] * gx[None, :, :]  # (H, W, G)
        batch = ops.shape(features)[0]
        return ops.cast(ops.broadcast_to(maps[None], (batch, height, width, self.n_gaussians)), features.dtype)

    def compute_output_shape(self, features_shape, domain_shape=None):
        return tuple(features_shape[:3]) + (self.n_gaussians,)

    def get_config(self):
        return {**super().get_config(), "n_domains": self.n_domains, "n_gaussians": self.n_gaussians,
                "scale": self.scale}
