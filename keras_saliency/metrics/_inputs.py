"""Input validation shared by the NumPy metrics."""

from __future__ import annotations

from typing import Tuple

import numpy as np
from scipy import ndimage

from keras_saliency.density import check_map, check_shape
from keras_saliency.fixations import as_fixations

CONVENTIONS = ("pysaliency", "mit")
MATLAB_EPS = 2.220446049250313e-16


def check_convention(convention: str, allowed=CONVENTIONS) -> str:
    if convention not in allowed:
        raise ValueError(f"`convention` must be one of {tuple(allowed)}; got {convention!r}.")
    return convention


def fixation_pixels(fixations, shape, name: str = "fixations", allow_empty: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """(rows, cols) int64 of every fixation (duplicates kept); raises if outside the map."""
    height, width = shape
    if (isinstance(fixations, np.ndarray) and fixations.dtype == np.float64 and fixations.ndim == 2
            and fixations.shape[1] == 2 and len(fixations) and np.isfinite(fixations).all()):
        pixels = np.floor(fixations).astype(np.int64)  # an (N, 2) float array: whole-array passes, no column views
        cols, rows = pixels[:, 0], pixels[:, 1]
        inside = pixels.min() >= 0 and pixels.max() < min(height, width)  # (min(axis=0) of 2 columns: 20x slower)
    else:
        fixations = as_fixations(fixations)  # converts and validates every other input (and explains bad ones)
        if len(fixations) == 0 and not allow_empty:
            raise ValueError(f"`{name}` is empty: this metric needs at least one fixation.")
        rows, cols = fixations.pixel_indices()
        inside = rows.size == 0
    # floor(v) in [0, n) iff v in [0, n) for finite v; the mask only for the message
    if not inside and not (cols.min() >= 0 and rows.min() >= 0 and cols.max() < width and rows.max() < height):
        fixations = as_fixations(fixations)
        outside = int((~fixations.inside((height, width))).sum())
        raise ValueError(
            f"{outside} of {len(fixations)} `{name}` lie outside the {height}x{width} map; "
            "rescale them to the map size or use Fixations.fit_to_image(size, policy='clip'|'drop')."
        )
    return rows, cols


def values_at(array: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``array[rows, cols]`` of a 2-D array, gathered by flat index (half the time of NumPy's 2-D fancy indexing)."""
    return np.take(array.reshape(-1), rows * array.shape[1] + cols)


def unique_pixels(rows: np.ndarray, cols: np.ndarray, width: int) -> np.ndarray:
    """Sorted unique row-major flat indices of the fixated pixels (a binary fixation map)."""
    return np.unique(rows * width + cols)


def two_maps(saliency_map, reference_map, resize: bool, validate: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """Validates two maps; with ``resize=True`` the saliency map is zoomed to the reference size.

    Resizing follows pysaliency: ``scipy.ndimage.zoom(order=1, mode="nearest")``.
    ``validate=False`` checks only the shapes: for callers that find NaN/inf
    through a sum they need anyway (:func:`finite_sum`).
    """
    check = check_map if validate else lambda name, a: check_shape(name, np.asarray(a, dtype=np.float64))
    saliency_map = check("saliency_map", saliency_map)
    reference_map = check("reference_map", reference_map)
    if saliency_map.shape != reference_map.shape:
        if not resize:
            raise ValueError(
                f"`saliency_map` has shape {saliency_map.shape} but `reference_map` has {reference_map.shape}; "
                "resize first or pass resize=True."
            )
        saliency_map = resize_map(saliency_map, reference_map.shape)
    return saliency_map, reference_map


def finite_sum(name: str, array: np.ndarray) -> float:
    """``array.sum()``, or the ValueError of :func:`check_map` when NaN/inf made it non-finite."""
    total = array.sum()
    if not np.isfinite(total):
        check_map(name, array)  # raises for NaN/inf; otherwise finite values overflowed
        raise ValueError(f"`{name}` values are too large: their sum overflows float64; divide the map by its maximum.")
    return float(total)


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """float64 sum of ``a * b`` over all elements, without a temporary and without BLAS.

    ``np.dot`` calls OpenBLAS ``ddot``, which splits vectors over 10,000
    elements across threads; on a loaded machine a descheduled BLAS thread
    makes one call of 307,200 values take ~50 ms instead of ~0.2 ms
    (``benchmarks/results/blas_dot_under_load.md``).
    ``einsum`` runs the same SIMD loop in the calling thread.
    """
    return float(np.einsum("i,i->", a.ravel(), b.ravel()))


def resize_map(saliency_map: np.ndarray, shape) -> np.ndarray:
    """Bilinear resize as pysaliency's ResizingSaliencyMapModel (``zoom(order=1, mode='nearest')``)."""
    factors = (shape[0] / saliency_map.shape[0], shape[1] / saliency_map.shape[1])
    resized = ndimage.zoom(saliency_map, factors, order=1, mode="nearest")
    if resized.shape != tuple(shape):  # zoom rounds the output size; pad/crop the last row/col
        resized = resized[: shape[0], : shape[1]]
        resized = np.pad(resized, [(0, shape[0] - resized.shape[0]), (0, shape[1] - resized.shape[1])], mode="edge")
    return resized


def saliency_for_fixations(saliency_map, fixations, resize: bool, image_size=None, validate: bool = True) -> np.ndarray:
    """Validates a saliency map against fixations given in image coordinates.

    Fixations are in the coordinates of an image of ``image_size`` (defaults
    to the map's shape). With ``resize=True`` a map of another size is zoomed
    to ``image_size``; otherwise a size mismatch raises. ``validate=False``
    leaves the NaN/inf check to the caller.
    """
    saliency_map = (check_map("saliency_map", saliency_map) if validate
                    else check_shape("saliency_map", np.asarray(saliency_map, dtype=np.float64)))
    if image_size is not None and tuple(image_size) != saliency_map.shape:
        if not resize:
            raise ValueError(
                f"`saliency_map` has shape {saliency_map.shape} but the image is {tuple(image_size)}; "
                "pass resize=True to resize the map to the image."
            )
        saliency_map = resize_map(saliency_map, tuple(image_size))
    return saliency_map


def minmax(array: np.ndarray) -> np.ndarray:
    """MATLAB ``mat2gray``: (a - min) / (max - min); a constant map becomes zeros."""
    lo, hi = array.min(), array.max()
    if hi == lo:
        return np.zeros_like(array)
    return (array - lo) / (hi - lo)
