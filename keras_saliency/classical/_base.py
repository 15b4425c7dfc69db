"""Shared interface of the classical (non-learned) saliency models."""

from __future__ import annotations

import numpy as np

from keras_saliency.density import log_density_from_saliency_map


def as_float_rgb(image) -> np.ndarray:
    """float64 (H, W, 3) in [0, 1] from uint8 or float RGB; clear errors otherwise."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"`image` must be an (H, W, 3) RGB array; got shape {image.shape}.")
    if min(image.shape[:2]) < 8:
        raise ValueError(f"`image` must be at least 8x8 pixels; got {image.shape[:2]}.")
    image = image.astype(np.float64)
    if not np.isfinite(image).all():
        raise ValueError("`image` contains NaN or infinite values.")
    return image / 255.0 if image.max() > 1.0 else image


class ClassicalModel:
    """Base: subclasses implement ``predict_saliency(image) -> (H, W)`` (non-negative)."""

    name = "classical"

    def predict_saliency(self, image) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_log_density(self, image) -> np.ndarray:
        """Log of the saliency map normalised to sum 1 (a 1e-20 floor keeps it finite)."""
        return log_density_from_saliency_map(self.predict_saliency(image))

    def __call__(self, image) -> np.ndarray:
        return self.predict_saliency(image)
