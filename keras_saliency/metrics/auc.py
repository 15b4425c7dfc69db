"""ROC-area metrics: AUC-Judd, AUC-Borji, shuffled AUC and the uniform rank AUC.

Conventions (see the package README, "Metric conventions"):

* Fixations are continuous 0-based (x, y); a fixation counts for pixel
  ``(floor(y), floor(x))``. Fixations outside the map raise.
* ``convention="pysaliency"`` (default): every fixation counts, duplicates
  included; no jitter (pysaliency's default ``jitter=True`` moves values by
  ~1e-7, which changes results by <1e-4 on smooth maps).
* ``convention="mit"``: the MIT/Tübingen MATLAB code (``AUC_Judd.m``,
  ``AUC_Borji.m``, ``AUC_shuffled.m``): min-max normalised map, binary fixation
  map (each fixated pixel once), thresholds as written there.
* No resizing unless asked: pass ``image_size`` (the size the fixation
  coordinates refer to) and ``resize=True`` to zoom the map bilinearly.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from keras_saliency.metrics._inputs import (
    check_convention,
    fixation_pixels,
    minmax,
    saliency_for_fixations,
    unique_pixels,
    values_at,
)


def rank_auc_per_positive(positives: np.ndarray, negatives: np.ndarray, name: str = "saliency_map") -> np.ndarray:
    """P(neg < pos) + 0.5 P(neg == pos) for each positive value.

    Validates both (NaN/inf raise, naming ``name``): NaN sorts last, so the
    ends of the sorted negatives and the positives' sum show them.
    """
    if negatives.size == 0:
        raise ValueError("No negative samples: the AUC is undefined.")
    low, high = negatives.min(), negatives.max()
    if not (np.isfinite(low) and np.isfinite(high) and np.isfinite(positives.sum())):
        bad = int((~np.isfinite(negatives)).sum() + (~np.isfinite(positives)).sum())
        raise ValueError(f"`{name}` contains {bad} NaN or infinite values where the metric reads it.")
    if negatives.size < 16 * 8192:  # few negatives (shuffled AUC): place each among the sorted positives
        values, negatives = np.unique(positives), negatives.ravel()
        place = np.searchsorted(values, negatives, side="left")  # #(values < n)
        tie = values[np.minimum(place, values.size - 1)] == negatives
        # n < values[j] iff #(values <= n) = place + tie <= j; n <= values[j] iff place <= j
        below = np.cumsum(np.bincount(place + tie, minlength=values.size + 1))
        not_above = np.cumsum(np.bincount(place, minlength=values.size + 1))
        j = np.searchsorted(values, positives)
        return (below[j] + 0.5 * (not_above[j] - below[j])) / negatives.size
    values = np.unique(positives)
    # #(neg >= t) at t = each positive value and the next float above it (= #(neg > value)); no sort of negatives
    thresholds = np.unique(np.concatenate([values, np.nextafter(values, np.inf)]))
    at_least = _counts_at_least(negatives.ravel(), thresholds, value_range=(low, high))
    where = np.searchsorted(thresholds, positives)
    above = np.searchsorted(thresholds, np.nextafter(positives, np.inf))
    below = negatives.size - at_least[where]
    not_above = negatives.size - at_least[above]
    return (below + 0.5 * (not_above - below)) / negatives.size


def _count_at_least(sorted_values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    return sorted_values.size - np.searchsorted(sorted_values, thresholds, side="left")


def _counts_at_least(values: np.ndarray, thresholds: np.ndarray, n_bins: int = 8192, value_range=None) -> np.ndarray:
    """Exact #(values >= t) for each ascending unique threshold t, without sorting ``values``.

    Values are bucketed on a uniform grid over the threshold range (one pass; the
    bucket is a monotone function of the value, so a value in a higher bucket than
    t is > t); only the few values that share a bucket with a threshold are
    compared exactly. The bucket arithmetic is float32 (every step, the cast
    included, is monotone; about 5x faster here than float64, whose conversion to
    integers dominated): rounding can only move values into a threshold's bucket,
    where they are compared in their own precision.
    ``value_range``: the values' (min, max) when the caller knows them (saves a pass).
    """
    high = value_range[1] if value_range is not None else values.max()
    lo, hi = thresholds[0], min(thresholds[-1], high)  # the grid spans the data, not max + 1
    if values.size < 16 * n_bins or not hi > lo:
        return values.size - np.searchsorted(np.sort(values), thresholds, side="left")
    scale = n_bins / (hi - lo)
    offset = lo - 1 / scale  # below lo -> bucket 0, [lo, hi] -> 1..n_bins + 1, above -> n_bins + 2

    def bucket(v):  # monotone non-decreasing in v, in [0, n_bins + 2]
        x = np.subtract(v, offset, dtype=np.float32)
        x *= np.float32(scale)
        np.clip(x, 0, n_bins + 2, out=x)
        return x.astype(np.intp)

    value_buckets, threshold_buckets = bucket(values), bucket(thresholds)
    above = np.cumsum(np.bincount(value_buckets, minlength=n_bins + 3)[::-1])[::-1]
    strictly_higher = np.append(above, 0)[threshold_buckets + 1]  # all values in a higher bucket
    shared = np.zeros(n_bins + 3, dtype=bool)
    shared[threshold_buckets] = True
    mask = shared[value_buckets]
    candidates, candidate_buckets = np.sort(values[mask]), np.sort(value_buckets[mask])
    at_least = candidates.size - np.searchsorted(candidates, thresholds, side="left")
    higher = candidate_buckets.size - np.searchsorted(candidate_buckets, threshold_buckets, side="right")
    return strictly_higher + at_least - higher


def _finite_range(name: str, values: np.ndarray):
    """(min, max) of ``values``; NaN propagates into both, so this also validates them."""
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"`{name}` contains {int((~np.isfinite(values)).sum())} NaN or infinite values.")
    return low, high


def _judd_roc_area(positives: np.ndarray, all_values: np.ndarray, fixated_values: np.ndarray) -> float:
    """pysaliency ``general_roc(judd=1)``: thresholds = positives plus max+1 and min.

    Negatives are ``all_values`` without the (unique) fixated pixels'
    ``fixated_values``; they are counted per threshold without sorting them.
    Validates ``all_values`` (NaN/inf) through their min and max.
    """
    n_negatives = all_values.size - fixated_values.size
    if n_negatives == 0:
        raise ValueError("Every pixel is fixated: AUC-Judd has no negatives and is undefined.")
    low, high = _finite_range("saliency_map", all_values)
    thresholds = np.unique(np.concatenate([positives, [high + 1.0, low]]))
    tp = _counts_at_least(positives, thresholds) / positives.size
    fp = (_counts_at_least(all_values, thresholds, value_range=(low, high))
          - _counts_at_least(fixated_values, thresholds)) / n_negatives
    return float(np.trapezoid(tp[::-1], fp[::-1]))


def _threshold_grid(step: float, stop: float) -> np.ndarray:
    """MATLAB's ``0:step:stop`` as ``k * step``, k = 0..floor(stop / step)."""
    return np.arange(int(np.floor(stop / step + 1e-10)) + 1) * step


def _mit_split_area(fixated: np.ndarray, negatives: np.ndarray, step: float = 0.1) -> float:
    """One split of ``AUC_Borji.m`` / ``AUC_shuffled.m``."""
    thresholds = _threshold_grid(step, max(fixated.max(), negatives.max()))[::-1]
    tp = np.concatenate([[0.0], _count_at_least(np.sort(fixated), thresholds) / fixated.size, [1.0]])
    fp = np.concatenate([[0.0], _count_at_least(np.sort(negatives), thresholds) / negatives.size, [1.0]])
    return float(np.trapezoid(tp, fp))


def auc_judd(saliency_map, fixations, *, convention: str = "pysaliency", image_size=None,
             resize: bool = False) -> float:
    """AUC-Judd: fixated pixels against all non-fixated pixels, thresholds at fixated values.

    Args:
        saliency_map: (H, W) map, any real scale.
        fixations: (N, 2) (x, y) or :class:`~keras_saliency.fixations.Fixations`.
        convention: ``"pysaliency"`` (duplicates repeated as positives) or
            ``"mit"`` (``AUC_Judd.m`` with jitter off: unique fixated pixels).
    Returns:
        The area in [0, 1]; 0.5 for a constant map with the default
        convention. ``AUC_Judd.m`` without jitter handles ties badly (a
        constant map scores far below 0.5); ``"mit"`` reproduces that.
    """
    check_convention(convention)
    # the default convention validates through the map's min and max (_judd_roc_area)
    s = saliency_for_fixations(saliency_map, fixations, resize, image_size, validate=convention != "pysaliency")
    height, width = s.shape
    rows, cols = fixation_pixels(fixations, s.shape)
    flat = s.ravel()
    fixated = unique_pixels(rows, cols, width)
    if convention == "pysaliency":
        return _judd_roc_area(values_at(s, rows, cols), flat, flat[fixated])
    s = minmax(flat)
    n_fix, n_pix = fixated.size, s.size
    if n_fix == n_pix:
        raise ValueError("Every pixel is fixated: AUC-Judd has no negatives and is undefined.")
    thresholds = np.sort(s[fixated])[::-1]
    above = _count_at_least(np.sort(s), thresholds)
    i = np.arange(1, n_fix + 1)
    tp = np.concatenate([[0.0], i / n_fix, [1.0]])
    fp = np.concatenate([[0.0], (above - i) / (n_pix - n_fix), [1.0]])
    return float(np.trapezoid(tp, fp))


def auc_borji(saliency_map, fixations, n_splits: int = 100, seed: Optional[int] = None, *,
              random_indices=None, image_size=None, resize: bool = False) -> float:
    """AUC-Borji (``AUC_Borji.m``): fixated pixels against uniformly random pixels.

    The map is min-max normalised; positives are the unique fixated pixels
    (U of them); each of ``n_splits`` splits draws U pixels uniformly *with
    replacement*; thresholds ``0:0.1:max``; the result is the mean area.
    ``random_indices`` (U, n_splits) of row-major flat pixel indices replaces
    the random draw (for exact comparisons with MATLAB). Stochastic unless
    ``seed`` or ``random_indices`` is given.
    """
    s = saliency_for_fixations(saliency_map, fixations, resize, image_size)
    rows, cols = fixation_pixels(fixations, s.shape)
    fixated_pixels = unique_pixels(rows, cols, s.shape[1])
    s = minmax(s.ravel())
    fixated = s[fixated_pixels]
    if random_indices is None:
        if n_splits < 1:
            raise ValueError(f"`n_splits` must be >= 1; got {n_splits}.")
        random_indices = np.random.default_rng(seed).integers(0, s.size, size=(fixated.size, n_splits))
    random_indices = _check_indices(random_indices, s.size, rows=fixated.size)
    return float(np.mean([_mit_split_area(fixated, s[random_indices[:, k]]) for k in range(random_indices.shape[1])]))


def _check_indices(indices, n_pixels: int, rows: Optional[int] = None) -> np.ndarray:
    indices = np.asarray(indices)
    if indices.ndim != 2 or (rows is not None and indices.shape[0] != rows):
        raise ValueError(f"`random_indices` must have shape ({rows}, n_splits); got {indices.shape}.")
    if indices.size and (indices.min() < 0 or indices.max() >= n_pixels):
        raise ValueError(f"`random_indices` must be flat pixel indices in [0, {n_pixels}).")
    return indices.astype(np.int64)


def auc_uniform(saliency_map, fixations, *, image_size=None, resize: bool = False) -> float:
    """Rank AUC of each fixation against all pixels (pysaliency ``AUC(nonfixations='uniform')``)."""
    s = saliency_for_fixations(saliency_map, fixations, resize, image_size, validate=False)  # rank_auc validates
    rows, cols = fixation_pixels(fixations, s.shape)
    return float(rank_auc_per_positive(values_at(s, rows, cols), s.ravel()).mean())


def sauc(saliency_map, fixations, nonfixations, *, convention: str = "pysaliency", n_splits: int = 100,
         seed: Optional[int] = None, random_indices=None, image_size=None, resize: bool = False) -> float:
    """Shuffled AUC: fixations against fixations of *other* images (centre-bias free).

    Args:
        nonfixations: (M, 2) (x, y) negatives in this map's coordinates,
            typically all fixations of the other images of the dataset mapped
            to this image's size (:func:`keras_saliency.metrics.shuffled_nonfixations`).
        convention: ``"pysaliency"``: rank AUC of every fixation against all
            negatives (duplicates kept, ties count 0.5), averaged over fixations.
            ``"mit"``: ``AUC_shuffled.m``: min-max normalised map, unique fixated
            pixels, per split ``min(U, K)`` negatives drawn without replacement
            from the K unique negative pixels, thresholds ``0:0.1:max``.
    """
    check_convention(convention)
    # The default convention reads the map only at the fixations and negatives and validates those values.
    s = saliency_for_fixations(saliency_map, fixations, resize, image_size, validate=convention != "pysaliency")
    rows, cols = fixation_pixels(fixations, s.shape)
    neg_rows, neg_cols = fixation_pixels(nonfixations, s.shape, name="nonfixations")
    if convention == "pysaliency":
        return float(rank_auc_per_positive(values_at(s, rows, cols), values_at(s, neg_rows, neg_cols)).mean())
    width = s.shape[1]
    s = minmax(s.ravel())
    fixated = s[unique_pixels(rows, cols, width)]
    candidates = unique_pixels(neg_rows, neg_cols, width)
    n_draw = min(fixated.size, candidates.size)
    if random_indices is None:
        rng = np.random.default_rng(seed)
        random_indices = np.stack([rng.permutation(candidates)[:n_draw] for _ in range(n_splits)], axis=1)
    random_indices = _check_indices(random_indices, s.size)
    return float(np.mean([_mit_split_area(fixated, s[random_indices[:, k]]) for k in range(random_indices.shape[1])]))
