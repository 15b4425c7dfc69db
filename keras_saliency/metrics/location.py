"""NSS: normalised scanpath saliency (a location-based metric)."""

from __future__ import annotations

import numpy as np

from keras_saliency.density import check_map
from keras_saliency.metrics._inputs import check_convention, dot, fixation_pixels, saliency_for_fixations, unique_pixels


def _mean_std(saliency_map: np.ndarray, ddof: int):
    """Mean and std in two passes without a map-sized temporary when that is numerically safe."""
    flat = saliency_map.ravel()
    mean = flat.mean()
    mean_square = dot(flat, flat) / flat.size
    if not (np.isfinite(mean) and np.isfinite(mean_square)):
        check_map("saliency_map", saliency_map)  # raises for NaN/inf; otherwise the squares overflowed
        raise ValueError("`saliency_map` values are too large to standardise (their squares overflow "
                         "float64); divide the map by its maximum first (NSS is scale-invariant).")
    var = mean_square - mean * mean
    if not var > 1e-4 * mean_square:  # cancellation would cost digits: centre first
        centred = flat - mean
        var = dot(centred, centred) / flat.size
    return mean, np.sqrt(max(var, 0.0) * flat.size / (flat.size - ddof))


def nss_per_fixation(saliency_map: np.ndarray, rows: np.ndarray, cols: np.ndarray, ddof: int = 0) -> np.ndarray:
    """Standardised map value at each given pixel; zeros for a constant map.

    A map whose std is below 1e-12 of its mean counts as constant: the float
    std of a constant map is rounding noise, not 0.
    """
    mean, std = _mean_std(saliency_map, ddof)
    if std <= 1e-12 * abs(mean) or std == 0:
        return np.zeros(rows.shape)
    return (saliency_map[rows, cols] - mean) / std


def nss(saliency_map, fixations, *, convention: str = "pysaliency", image_size=None, resize: bool = False) -> float:
    """Mean of the standardised saliency map at the fixations.

    ``convention="pysaliency"``: population std (ddof=0), every fixation
    counted (duplicates included). ``"mit"`` (``NSS.m``): MATLAB std (ddof=1),
    each fixated pixel once. A constant map carries no information and scores
    0 (MATLAB returns NaN there).
    """
    check_convention(convention)
    # NaN/inf are caught by _mean_std through the mean and the sum of squares (one pass saved).
    s = saliency_for_fixations(saliency_map, fixations, resize, image_size, validate=False)
    rows, cols = fixation_pixels(fixations, s.shape)
    if convention == "mit":
        flat = unique_pixels(rows, cols, s.shape[1])
        rows, cols = np.divmod(flat, s.shape[1])
        return float(nss_per_fixation(s, rows, cols, ddof=1).mean())
    return float(nss_per_fixation(s, rows, cols).mean())
