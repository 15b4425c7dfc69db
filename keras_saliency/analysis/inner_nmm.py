"""Inner NMM: how strongly each unit of a layer responds to a pop-out target (He et al. Table 5).

``unit_nmm`` computes, for every image and every unit of the named layers, the NMM
(``nmm.nmm_maps``) of the unit's normalised, image-sized activation map
(``activations.iter_activation_maps``: per-map min-max, bilinear resize to the mask size) under the
image's target mask. ``top_units`` summarises an (N images, C units) matrix of one layer.

Unit selection (documented choice): a unit's score is its NMM averaged over the N images; the
"best unit" is the unit with the highest mean and "top-k" the k highest means. Picking and scoring
on the same images is optimistic (a max over C noisy means), so ``top_units`` also reports a
held-out best unit: chosen on the even-indexed images, scored on the odd-indexed ones.
"""

from typing import Dict, Optional, Sequence

import numpy as np

from keras_saliency.analysis.activations import iter_activation_maps
from keras_saliency.analysis.nmm import nmm_maps


def unit_nmm(model, images, masks, layer_names: Sequence[str], batch_size: int = 8, channel_chunk: int = 64,
             mode: Optional[str] = "minmax") -> Dict[str, np.ndarray]:
    """{layer: (N, C) float64} NMM of every unit of every layer under ``masks[i]`` for image i.

    ``images``: (N, h, w, 3) preprocessed for ``model``; ``masks``: (N, H, W) boolean target
    masks (one (H, W) for all; maps are resized to it), each with at least one pixel.
    """
    masks = np.asarray(masks).astype(bool)
    if masks.ndim != 3:
        raise ValueError(f"`masks` must have shape (N, H, W); got {masks.shape}.")
    if len(images) != len(masks):
        raise ValueError(f"`images` and `masks` lengths differ: {len(images)} vs {len(masks)}.")
    empty = [i for i in range(len(masks)) if not masks[i].any()]
    if empty:
        raise ValueError(f"`masks` {empty[:5]} are empty: NMM is undefined.")
    chunks: Dict[str, Dict[int, list]] = {name: {} for name in layer_names}
    for layer, i, _, maps in iter_activation_maps(model, images, layer_names, masks.shape[1:], batch_size,
                                                   channel_chunk, mode):
        chunks[layer].setdefault(i, []).append(nmm_maps(maps, masks[i]))
    return {layer: np.stack([np.concatenate(per_image[i]) for i in range(len(masks))])
            for layer, per_image in chunks.items()}


def top_units(values, k: int = 10) -> Dict[str, float]:
    """Summary of one layer's (N, C) unit NMM matrix (see module doc).

    Returns ``best_unit`` (index), ``best`` (its mean NMM), ``best_se`` (standard error of that
    mean over the N images, ddof=1; NaN for N = 1), ``top_k`` (mean of the k highest unit means)
    and ``held_out`` (mean over odd-indexed images of the unit best on even-indexed images; NaN
    for N < 2).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"`values` must be a non-empty (N, C) array; got shape {values.shape}.")
    if k < 1:
        raise ValueError(f"`k` must be >= 1; got {k}.")
    n = values.shape[0]
    means = values.mean(axis=0)
    order = np.argsort(means)[::-1]
    best = int(order[0])
    se = float(values[:, best].std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    held_out = float("nan")
    if n > 1:
        pick = int(np.argmax(values[0::2].mean(axis=0)))
        held_out = float(values[1::2, pick].mean())
    return {"best_unit": best, "best": float(means[best]), "best_se": se,
            "top_k": float(means[order[:k]].mean()), "held_out": held_out}
