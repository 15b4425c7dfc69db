"""Parametric centre-bias baseline: an anisotropic Gaussian at the image centre.

For a centre bias *fitted* to training fixations use
:class:`keras_saliency.maps.EmpiricalCenterBias`.
"""

from __future__ import annotations

import numpy as np

from keras_saliency.classical._base import ClassicalModel


class GaussianCenterBias(ClassicalModel):
    """``exp(-((x - W/2)^2 / (2 (sx W)^2) + (y - H/2)^2 / (2 (sy H)^2)))`` at pixel centres.

    ``sigma_x``, ``sigma_y`` are fractions of the image width and height
    (default 0.25 each, i.e. a Gaussian whose std is a quarter of each side).
    """

    name = "center_bias"

    def __init__(self, sigma_x: float = 0.25, sigma_y: float = 0.25):
        if not (sigma_x > 0 and sigma_y > 0):
            raise ValueError(f"`sigma_x` and `sigma_y` must be positive; got {sigma_x}, {sigma_y}.")
        self.sigma_x, self.sigma_y = sigma_x, sigma_y

    def get_config(self) -> dict:
        return {"sigma_x": self.sigma_x, "sigma_y": self.sigma_y}

    def saliency_map(self, rgb) -> np.ndarray:
        height, width = np.shape(rgb)[:2]
        y = (np.arange(height) + 0.5 - height / 2) / (self.sigma_y * height)
        x = (np.arange(width) + 0.5 - width / 2) / (self.sigma_x * width)
        return np.exp(-0.5 * (y[:, None] ** 2 + x[None, :] ** 2))
