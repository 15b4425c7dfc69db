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

    One vectorised pass: the sum of ``exp`` (NaN and +inf make it non-finite,
    so they are found by the same check), taken in float32 and summed in float64:
    3x faster than a float64 ``exp`` and within ~1e-8 of it, far inside the
    ``NORMALIZATION_ATOL`` the check allows (the map itself stays float64).
    ``validate=False`` only converts to float64 (H, W): for callers that already
    checked the map.
    """
    log_density = check_shape(name, np.asarray(log_density, dtype=np.float64))
    if validate:
        values = log_density.astype(np.float32)
        with np.errstate(over="ignore"):  # an overflow makes the mass inf, which is reported
            np.exp(values, out=values)
        check_mass(name, log_density, float(values.sum(dtype=np.float64)))
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


def upsample_log_density(log_density, size, dtype=np.float64, block_rows: int = 128) -> np.ndarray:
    """:func:`resize_log_density` to ``size = (H, W)`` built in row blocks, as ``dtype``, for any (H, W).

    The same bilinear, pixel-centre aligned interpolation of the density (source coordinate
    ``(i + 0.5) * h / H - 0.5``, clamped at the edges), computed ``block_rows`` output rows
    at a time in float32 and renormalised, so that besides the result (H, W) of ``dtype``
    only an (h, W) float32 array and one block exist: a 100-megapixel float32 map takes
    400 MB, not several float64 copies. The input must be a normalised (h, w) log-density.
    """
    log_density = check_log_density("log_density", log_density)
    height, width = (int(s) for s in size)
    if min(height, width) < 1:
        raise ValueError(f"`size` must be (H, W) with positive sizes; got {tuple(size)}.")
    rows0, rows1, row_weight = _linear_taps(log_density.shape[0], height)
    cols0, cols1, col_weight = _linear_taps(log_density.shape[1], width)
    density = np.exp(log_density).astype(np.float32)
    col_weight = col_weight.astype(np.float32)
    columns = density[:, cols0] * (1 - col_weight)  # (h, W) float32
    columns += density[:, cols1] * col_weight
    out = np.empty((height, width), dtype)
    total = 0.0
    for start in range(0, height, int(block_rows)):
        stop = min(start + int(block_rows), height)
        weight = row_weight[start:stop, None].astype(np.float32)
        block = columns[rows0[start:stop]] * (1 - weight)
        block += columns[rows1[start:stop]] * weight
        total += float(block.sum(dtype=np.float64))
        with np.errstate(divide="ignore"):
            out[start:stop] = np.log(block)
    out -= np.asarray(np.log(total), dtype)
    return out


def _linear_taps(source: int, target: int):
    """(index0, index1, weight1) per target sample of pixel-centre aligned linear interpolation, edges clamped."""
    coordinate = np.clip((np.arange(target) + 0.5) * (source / target) - 0.5, 0, source - 1)
    index0 = np.floor(coordinate).astype(np.int64)
    index1 = np.minimum(index0 + 1, source - 1)
    return index0, index1, coordinate - index0


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
