"""Region-restricted NSS of many maps at once, and the per-layer top-k statistics.

He et al. associate an inner unit with a salient region by the NSS of the unit's (normalised,
image-sized) activation map against the fixation map restricted to the region:
``NSS_k(A) = sum_p F_k(p) * (A(p) - mean(A)) / std(A) / sum_p F_k(p)`` with ``F_k = F * (mask == k)``
(``F`` a fixation count map, so repeated fixations count repeatedly, as in
``keras_saliency.metrics.nss(..., convention="pysaliency")``; mean and population std over the
whole image). A constant map scores 0.
"""

from typing import Tuple

import numpy as np


def _check_maps(maps, fixation_map, region_mask) -> Tuple[np.ndarray, np.ndarray]:
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 2:
        maps = maps[None]
    if maps.ndim != 3:
        raise ValueError(f"`maps` must have shape (C, H, W) or (H, W); got {maps.shape}.")
    fixation_map = np.asarray(fixation_map, dtype=np.float64)
    if fixation_map.shape != maps.shape[1:]:
        raise ValueError(f"`fixation_map` shape {fixation_map.shape} != map shape {maps.shape[1:]}.")
    if fixation_map.min(initial=0) < 0:
        raise ValueError("`fixation_map` must be non-negative (fixation counts).")
    weights = fixation_map
    if region_mask is not None:
        region_mask = np.asarray(region_mask)
        if region_mask.shape != maps.shape[1:]:
            raise ValueError(f"`region_mask` shape {region_mask.shape} != map shape {maps.shape[1:]}.")
        weights = fixation_map * region_mask.astype(bool)
    return maps, weights


def region_nss(maps, fixation_map, region_mask=None) -> np.ndarray:
    """NSS of each of ``maps`` (C, H, W) against ``fixation_map * region_mask`` -> (C,) float64.

    ``region_mask=None`` uses every fixation. Raises if no fixation lies in the region.
    """
    maps, weights = _check_maps(maps, fixation_map, region_mask)
    total = weights.sum()
    if total <= 0:
        raise ValueError("No fixation lies inside `region_mask`: region NSS is undefined.")
    flat = maps.reshape(maps.shape[0], -1)
    mean = flat.mean(axis=1)
    std = flat.std(axis=1)
    w = weights.reshape(-1)
    idx = np.flatnonzero(w)
    inside = (flat[:, idx] * w[idx]).sum(axis=1) / total
    constant = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 0.0, (inside - mean) / np.where(constant, 1.0, std))


def top_k_statistics(nss_values, k: int = 10, threshold: float = 1.0) -> Tuple[float, int]:
    """(mean of the k largest values, number of values above ``threshold``) (paper Tables 2-3)."""
    values = np.asarray(nss_values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("`nss_values` is empty.")
    if k < 1:
        raise ValueError(f"`k` must be >= 1; got {k}.")
    top = np.sort(values)[::-1][:k]
    return float(top.mean()), int((values > threshold).sum())
