"""Log-density helpers (NumPy, float64).

A *log-density* here is an (H, W) array of natural-log probabilities per
pixel: ``logsumexp(log_density) == 0``, i.e. ``exp(log_density)`` sums to 1
over the image. It is the output of every probabilistic model in this package
(UNISAL, DeepGaze) and the input of the likelihood metrics.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.special import logsumexp

NORMALIZATION_ATOL = 1e-3


def check_shape(name: str, array: np.ndarray) -> np.ndarray:
    """(H, W) view of an (H, W) or (H, W, 1) array, or a ValueError naming ``name``."""
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(f"`{name}` must be a 2-D (H, W) map; got shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"`{name}` is empty (shape {array.shape}).")
    return array


def _raise_non_finite(name: str, array: np.ndarray, allow_neg_inf: bool) -> None:
    bad = np.isnan(array) | (array == np.inf) | ((not allow_neg_inf) & (array == -np.inf))
    if bad.any():
        raise ValueError(f"`{name}` contains {int(bad.sum())} NaN or infinite values.")


def check_map(name: str, array, allow_neg_inf: bool = False) -> np.ndarray:
    """Returns ``array`` as float64 (H, W) or raises a ValueError naming ``name``.

    One reduction, no temporary: NaN and +-inf propagate into the sum (into
    the max when ``-inf`` is allowed); only then, or when a sum of finite
    values overflows, are the values inspected one by one.
    """
    array = check_shape(name, np.asarray(array, dtype=np.float64))
    probe = array.max() if allow_neg_inf else array.sum()
    if not (np.isfinite(probe) or (allow_neg_inf and probe == -np.inf)):
        _raise_non_finite(name, array, allow_neg_inf)
    return array


def check_log_density(name: str, log_density, validate: bool = True) -> np.ndarray:
    """Validates a normalised log-density (``-inf`` allowed for zero mass).

    One vectorised pass: the float64 sum of ``exp`` (NaN and +inf make it
    non-finite, so they are found by the same check). ``validate=False`` only
    converts to float64 (H, W): for callers that already checked the map.
    """
    log_density = check_shape(name, np.asarray(log_density, dtype=np.float64))
    if validate:
        with np.errstate(over="ignore"):  # an overflow makes the mass inf, which is reported
            check_mass(name, log_density, np.exp(log_density).sum())
    return log_density


def check_mass(name: str, log_density: np.ndarray, mass: float) -> None:
    """Raises unless ``mass`` (the sum of ``exp(log_density)``) is 1 within ``NORMALIZATION_ATOL``."""
    if not abs(mass - 1.0) <= NORMALIZATION_ATOL:
        _raise_non_finite(name, log_density, allow_neg_inf=True)
        raise ValueError(
            f"`{name}` is not a normalised log-density: exp() sums to {mass:.6g} (expected 1). "
            "Use keras_saliency.density.normalize_log_density() first."
        )


def normalize_log_density(log_values) -> np.ndarray:
    """Shifts unnormalised log-values so that ``exp`` sums to 1."""
    log_values = check_map("log_values", log_values, allow_neg_inf=True)
    return log_values - logsumexp(log_values)


def log_density_from_saliency_map(saliency_map, floor: float = 1e-20) -> np.ndarray:
    """Log-density proportional to a non-negative saliency map (plus ``floor`` so it is finite)."""
    saliency_map = check_map("saliency_map", saliency_map)
    if saliency_map.min() < 0:
        raise ValueError(f"`saliency_map` must be non-negative; minimum is {saliency_map.min():.6g}.")
    return normalize_log_density(np.log(saliency_map + floor))


def probability_from_log_density(log_density) -> np.ndarray:
    """Per-pixel probabilities (sum 1) of a normalised log-density."""
    return np.exp(check_log_density("log_density", log_density))


def saliency_map_from_log_density(log_density) -> np.ndarray:
    """The saliency map of a probabilistic model: its density (Kümmerer et al. 2018).

    This is the metric-optimal map for AUC-Judd and NSS; see
    :mod:`keras_saliency.metrics.optimal` for the other metrics.
    """
    return probability_from_log_density(log_density)


def resize_log_density(log_density, size) -> np.ndarray:
    """Resizes a log-density to ``size = (H, W)`` and renormalises it.

    Bilinear interpolation of the *probability per unit area* with pixel
    centres aligned (``scipy.ndimage.zoom(order=1, grid_mode=True,
    mode="nearest")``), then renormalised so ``exp`` sums to 1 again.
    """
    log_density = check_log_density("log_density", log_density)
    height, width = (int(s) for s in size)
    if (height, width) == log_density.shape:
        return log_density.copy()
    density = np.exp(log_density)
    zoom = (height / density.shape[0], width / density.shape[1])
    resized = ndimage.zoom(density, zoom, order=1, mode="nearest", grid_mode=True)
    resized = np.maximum(resized, 0.0)
    with np.errstate(divide="ignore"):
        return normalize_log_density(np.log(resized))


def resize_saliency_map(saliency_map, size) -> np.ndarray:
    """Resizes a non-negative (h, w) map to ``size = (H, W)`` bilinearly, pixel centres aligned, clipped at 0.

    The same interpolation as :func:`resize_log_density` (``scipy.ndimage.zoom(order=1,
    grid_mode=True, mode="nearest")``), without renormalisation.
    """
    saliency_map = check_map("saliency_map", saliency_map)
    height, width = (int(s) for s in size)
    if (height, width) == saliency_map.shape:
        return saliency_map.copy()
    zoom = (height / saliency_map.shape[0], width / saliency_map.shape[1])
    return np.maximum(ndimage.zoom(saliency_map, zoom, order=1, mode="nearest", grid_mode=True), 0.0)


def uniform_log_density(size) -> np.ndarray:
    """The uniform log-density ``-log(H * W)`` of an (H, W) image (H, W >= 1)."""
    height, width = (int(s) for s in size)
    if height < 1 or width < 1:
        raise ValueError(f"`size` must be a positive (H, W); got {tuple(size)}: an empty image has no density.")
    return np.full((height, width), -np.log(height * width))
