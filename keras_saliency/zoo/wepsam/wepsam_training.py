"""WEPSAM training: SGD with Nesterov momentum and a decaying learning rate, pixel-wise squared error.

That recipe is ``WEPSAM.compile``'s default; ``model.fit(images, maps)``
serves both steps of the paper: weak pre-training on GBVS pseudo-labels
(``wepsam_pseudo_labels``) and fine-tuning on real fixations, whose targets
are empirical saliency maps (:func:`fixation_targets`). Targets are (N, S, S)
maps min-max normalised to [0, 1] per map; images are (N, S, S, 3) RGB in
0..255 at the model's input size S.
"""

from __future__ import annotations

from typing import Optional, Sequence

import keras
import numpy as np
from PIL import Image

from keras_saliency.maps import empirical_saliency_map


def min_max_scale(maps) -> np.ndarray:
    """float32 (N, H, W) maps min-max normalised to [0, 1] per map (constant maps become 0)."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3:
        raise ValueError(f"`maps` must be (N, H, W); got shape {maps.shape}.")
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1.0), 0.0).astype(np.float32)


def fixation_targets(fixation_sets: Sequence, sizes: Sequence, target_size: int = 128,
                     sigma_fraction: float = 0.04, work_side: Optional[int] = 256) -> np.ndarray:
    """Fine-tuning targets: empirical saliency maps of real fixations, float32 (N, S, S) in [0, 1].

    Each map is :func:`keras_saliency.maps.empirical_saliency_map` with
    ``sigma = sigma_fraction * max(H, W)`` (0.04: about 1 degree on MIT1003),
    resized bilinearly to S x S and min-max normalised. To keep the blur cheap it
    is computed on the image scaled (aspect kept, fixations scaled with it) to
    ``work_side`` pixels on its longer side, never upscaled; ``work_side=None``
    blurs at the image's own size (H, W). Fixations use the package convention
    (0-based, inside the image).
    """
    if len(fixation_sets) != len(sizes):
        raise ValueError(f"got {len(fixation_sets)} fixation sets for {len(sizes)} image sizes.")
    if not sigma_fraction > 0:
        raise ValueError(f"`sigma_fraction` must be positive; got {sigma_fraction!r}.")
    if work_side is not None and (int(work_side) != work_side or work_side < 8):
        raise ValueError(f"`work_side` must be None or an integer >= 8; got {work_side!r}.")
    maps = []
    for fixations, size in zip(fixation_sets, sizes):
        size = (int(size[0]), int(size[1]))
        scale = 1.0 if work_side is None else min(1.0, work_side / max(size))
        work = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
        if work != size:
            fixations = fixations.scaled(size, work).fit_to_image(work, policy="clip")[0]
        dense = empirical_saliency_map(fixations, work, sigma=sigma_fraction * max(work)).astype(np.float32)
        maps.append(np.asarray(Image.fromarray(dense).resize((target_size, target_size), Image.BILINEAR)))
    return min_max_scale(np.stack(maps))


def wepsam_optimizer(learning_rate: float = 0.01, momentum: float = 0.9, decay_rate: float = 0.9,
                     decay_steps: int = 100) -> keras.optimizers.SGD:
    """``SGD(nesterov=True)`` at ``learning_rate * decay_rate ** (step / decay_steps)`` (``WEPSAM.compile``'s default)."""
    for name, value in (("learning_rate", learning_rate), ("decay_steps", decay_steps)):
        if not value > 0:
            raise ValueError(f"`{name}` must be positive; got {value!r}.")
    if not 0 <= momentum < 1 or not 0 < decay_rate <= 1:
        raise ValueError(f"need 0 <= momentum < 1 and 0 < decay_rate <= 1; got {momentum!r}, {decay_rate!r}.")
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_steps, decay_rate)
    return keras.optimizers.SGD(schedule, momentum=momentum, nesterov=True)
