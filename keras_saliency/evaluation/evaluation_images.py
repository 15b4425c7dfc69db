"""A fixation dataset at the evaluation scale, as the cross-validation protocol scores it."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

import numpy as np

from keras_saliency.maps import empirical_saliency_map

if TYPE_CHECKING:  # keras_saliency.data imports TensorFlow
    from keras_saliency.data.fixation_datasets import FixationImages


class EvaluationImages:
    """The images of ``images`` scaled by ``scale``; fixations (with subjects) clipped into the scaled images.

    ``sizes`` are ``(round(H * scale), round(W * scale))``; ``references`` the empirical saliency maps
    (sigma 0.04 x the longer side) that CC, KLD and SIM compare with; ``clipped`` counts the fixations
    moved to the border pixel.
    """

    def __init__(self, images: "FixationImages", scale: float = 1.0):
        if not scale > 0:
            raise ValueError(f"`scale` must be positive; got {scale!r}.")
        self.name, self.images, self.ids = images.title, images, list(images.ids)
        self.sizes = [(round(h * scale), round(w * scale)) for h, w in images.sizes]
        self.fixations, self.clipped = images.fixations_at(self.sizes, policy="clip")
        self.index = {image_id: n for n, image_id in enumerate(self.ids)}
        self.references = [empirical_saliency_map(f, s, sigma=0.04 * max(s))
                           for f, s in zip(self.fixations, self.sizes)]

    def load_image(self, image_id: str) -> np.ndarray:
        """Image ``image_id`` at its evaluation size: float32 (H, W, 3) RGB 0..255."""
        index = self.index[image_id]
        return self.images.image(index, self.sizes[index])

    def samples(self, indices) -> List[dict]:
        """:func:`keras_saliency.metrics.evaluate` samples (fixations, image size, reference map) of ``indices``."""
        return [{"fixations": self.fixations[i], "image_size": self.sizes[i], "reference_map": self.references[i]}
                for i in indices]
