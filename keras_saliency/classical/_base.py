"""The classical models behind the saliency-model contract (`keras_saliency.models.contract`), NumPy only."""

from __future__ import annotations

import numpy as np

from keras_saliency.models.contract import SaliencyContract

MIN_SIZE = 8
WORKING_LONG_SIDE = 1024  # `keras_saliency.predict` decodes larger image files down to this longer side


class ClassicalModel(SaliencyContract):
    """Base: subclasses implement ``saliency_map(rgb) -> (H, W)`` (non-negative) for one float64 RGB image in [0, 1].

    ``predict_saliency_map(images)`` / ``predict_log_density(images)`` take (B, H, W, 3)
    RGB 0..255 batches like every model (``output_kind = "saliency_map"``); images
    are processed one by one at their own size. ``get_config()`` returns the
    constructor arguments (mixtures save classical members by it).
    """

    name = "classical"
    output_kind = "saliency_map"

    def saliency_map(self, rgb: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def working_size(self, size):
        """None (the image's own size) up to a longer side of ``WORKING_LONG_SIDE``; larger images scale down to it."""
        height, width = (int(n) for n in size)
        if max(height, width) <= WORKING_LONG_SIDE:
            return None
        factor = WORKING_LONG_SIDE / max(height, width)
        return max(1, round(height * factor)), max(1, round(width * factor))

    def _predict_batch(self, images, **conditions):
        if min(images.shape[1:3]) < MIN_SIZE:
            raise ValueError(f"{type(self).__name__} needs images of at least {MIN_SIZE}x{MIN_SIZE} pixels; "
                             f"got {images.shape[1:3]}.")
        return np.stack([self.saliency_map(image.astype(np.float64) / 255.0) for image in images])

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
