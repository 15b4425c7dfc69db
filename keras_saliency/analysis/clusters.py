"""Salient regions from fixations alone, for datasets without region annotations.

Method: (1) mean-shift with a flat kernel of radius ``bandwidth`` pixels on the fixation
coordinates (every fixation is a seed; seeds move to the mean of the fixations within the radius
until they move < 1e-3 px; converged modes closer than ``bandwidth / 2`` merge; each fixation
joins its nearest mode). Clusters with fewer than ``min_fixations`` are dropped. (2) the region
of a cluster = the pixels where the Gaussian-blurred (sigma = ``bandwidth / 2`` px) density of
*that cluster's* fixations is above ``level`` times its peak, restricted to pixels whose nearest
mode is this cluster's, so regions never overlap. Category: ``"cluster"`` (datasets with region
categories supply their own).
"""

from typing import List, Tuple

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from keras_saliency.fixations import as_fixations
from keras_saliency.maps import fixation_map


def mean_shift(points, bandwidth: float, max_iter: int = 300) -> Tuple[np.ndarray, np.ndarray]:
    """Flat-kernel mean-shift of (N, 2) points -> (modes (K, 2), labels (N,) in 0..K-1)."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"`points` must be a non-empty (N, 2) array; got shape {points.shape}.")
    if not bandwidth > 0:
        raise ValueError(f"`bandwidth` must be > 0 pixels; got {bandwidth}.")
    tree = cKDTree(points)
    seeds = points.copy()
    for _ in range(max_iter):
        neighbours = tree.query_ball_point(seeds, bandwidth)
        moved = np.array([points[idx].mean(axis=0) for idx in neighbours])
        shift = np.abs(moved - seeds).max()
        seeds = moved
        if shift < 1e-3:
            break
    modes: List[np.ndarray] = []
    for seed in seeds[np.argsort([-len(i) for i in tree.query_ball_point(seeds, bandwidth)])]:
        if all(np.hypot(*(seed - m)) >= bandwidth / 2 for m in modes):
            modes.append(seed)
    modes_arr = np.array(modes)
    labels = cKDTree(modes_arr).query(points)[1]
    return modes_arr, labels


def cluster_regions(fixations, size, bandwidth: float = 50.0, level: float = 0.25,
                    min_fixations: int = 3) -> List[Tuple[np.ndarray, str]]:
    """Regions [(bool mask (H, W), "cluster"), ...] from fixation clusters (see module doc)."""
    if not 0 < level < 1:
        raise ValueError(f"`level` must be in (0, 1); got {level}.")
    fixations = as_fixations(fixations)
    height, width = size
    modes, labels = mean_shift(fixations.xy, bandwidth)
    keep = [k for k in range(len(modes)) if (labels == k).sum() >= min_fixations]
    if not keep:
        return []
    rows, cols = np.mgrid[0:height, 0:width]
    pix = np.stack([cols.ravel() + 0.5, rows.ravel() + 0.5], axis=1)
    nearest = cKDTree(modes[keep]).query(pix)[1].reshape(height, width)
    regions = []
    for j, k in enumerate(keep):
        density = ndimage.gaussian_filter(fixation_map(fixations.select(labels == k), size), bandwidth / 2)
        mask = (density > level * density.max()) & (nearest == j)
        regions.append((mask, "cluster"))
    return regions
