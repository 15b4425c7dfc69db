"""Metrics of probabilistic models: log-likelihood, information gain, calibration.

Inputs are normalised natural-log densities (``logsumexp == 0``; see
:mod:`keras_saliency.density`); results are in **bits per fixation**, averaged
over fixations with duplicates counted (pysaliency convention).
"""

from __future__ import annotations

import numpy as np

from keras_saliency.density import check_log_density, check_map
from keras_saliency.metrics._inputs import MATLAB_EPS, check_convention, fixation_pixels, minmax, unique_pixels

LN2 = np.log(2.0)


def log_likelihood(log_density, fixations, *, validate: bool = True) -> float:
    """Mean log-density at the fixations, in bits/fixation (nats = bits x ln 2).

    ``validate=False`` skips the NaN and normalisation check of the whole map
    (about 1 ms per 480x640 map), for maps already checked.
    """
    log_density = check_log_density("log_density", log_density, validate)
    rows, cols = fixation_pixels(fixations, log_density.shape)
    return float(log_density[rows, cols].mean() / LN2)


def information_gain(log_density, fixations, baseline_log_density, *, convention: str = "pysaliency",
                     validate: bool = True) -> float:
    """Information gain over a baseline (e.g. the centre bias), in bits/fixation.

    ``"pysaliency"``: ``mean((log_density - baseline)[fixations]) / ln 2``.
    ``"mit"`` (``InfoGain.m``): both inputs are read as *saliency maps*, each
    min-max normalised and divided by its sum, and the result is the mean over
    unique fixated pixels of ``log2(eps + p) - log2(eps + b)``. Min-max
    normalisation gives the minimum pixel zero mass (``log2(eps) = -52``), so
    this variant is not a likelihood; prefer the default. ``validate=False``
    skips the NaN and normalisation checks of both maps (default convention).
    """
    check_convention(convention)
    if convention == "mit":
        p = minmax(check_map("log_density", log_density))
        b = minmax(check_map("baseline_log_density", baseline_log_density))
        if p.shape != b.shape:
            raise ValueError(f"Maps differ in shape: {p.shape} vs {b.shape}.")
        rows, cols = fixation_pixels(fixations, p.shape)
        flat = unique_pixels(rows, cols, p.shape[1])
        p, b = p.ravel() / p.sum(), b.ravel() / b.sum()
        return float(np.mean(np.log2(MATLAB_EPS + p[flat]) - np.log2(MATLAB_EPS + b[flat])))
    log_density = check_log_density("log_density", log_density, validate)
    baseline = check_log_density("baseline_log_density", baseline_log_density, validate)
    if baseline.shape != log_density.shape:
        raise ValueError(
            f"`baseline_log_density` has shape {baseline.shape} but `log_density` has {log_density.shape}."
        )
    rows, cols = fixation_pixels(fixations, log_density.shape)
    return float((log_density[rows, cols] - baseline[rows, cols]).mean() / LN2)


def calibration_bins(log_density, bins: int = 10) -> np.ndarray:
    """int64 (H, W) bin of every pixel: bins of equal predicted mass, lowest density first.

    Pixels are sorted by probability (stable: ties in row-major order); a
    pixel's bin is ``min(floor(bins * c), bins - 1)`` with ``c`` the cumulative
    mass up to the pixel's midpoint.
    """
    if int(bins) != bins or bins < 1:
        raise ValueError(f"`bins` must be a positive integer; got {bins!r}.")
    density = np.exp(check_log_density("log_density", log_density))
    flat = density.ravel()
    order = np.argsort(flat, kind="stable")
    midpoint_mass = np.cumsum(flat[order]) - flat[order] / 2
    assigned = np.empty(flat.size, dtype=np.int64)
    assigned[order] = np.minimum(np.floor(bins * midpoint_mass).astype(np.int64), bins - 1)
    return assigned.reshape(density.shape)


def calibration_histogram(log_density, fixations, bins: int = 10) -> np.ndarray:
    """DeepGaze IIE's calibration test: fixation counts per equal-probability-mass bin.

    Returns int64 (bins,); bin 0 holds the lowest-density ~1/bins of the
    predicted mass. A calibrated model puts ~1/bins of the fixations in every
    bin; sum the counts over images for a dataset histogram.
    """
    assigned = calibration_bins(log_density, bins)
    rows, cols = fixation_pixels(fixations, assigned.shape, allow_empty=True)
    return np.bincount(assigned[rows, cols], minlength=int(bins)).astype(np.int64)
