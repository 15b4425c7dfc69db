"""Metric-optimal saliency maps from a probabilistic model.

Kümmerer, Wallis & Bethge, "Saliency Benchmarking Made Easy: Separating Models,
Maps and Metrics", ECCV 2018: a probabilistic model predicts a density; each
metric has its own best saliency map derived from that density.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy import ndimage

from keras_saliency.density import check_log_density

_DENSITY = ("auc_judd", "auc_borji", "auc_uniform", "nss")
_BLURRED = ("cc", "kld", "sim")
METRICS = _DENSITY + _BLURRED + ("sauc",)


def metric_optimal_saliency_map(log_density, metric: str, *, baseline_log_density=None,
                                sigma: Optional[float] = None) -> np.ndarray:
    """The saliency map that maximises the expected ``metric`` under ``log_density``.

    * AUC-Judd, AUC-Borji, uniform AUC, NSS: the density ``p`` itself.
    * sAUC: ``p / b`` with ``b`` the density of ``baseline_log_density``, which
      must be the distribution the negatives come from (the dataset's average
      density, i.e. the centre bias).
    * CC, KLD: the expected empirical saliency map, ``p`` blurred with the same
      Gaussian (``sigma`` pixels, reflect mode) as the empirical maps.
      SIM: the same blurred density, an approximation (its exact optimum has
      no closed form).
    """
    if metric not in METRICS:
        raise ValueError(f"`metric` must be one of {METRICS}; got {metric!r}.")
    density = np.exp(check_log_density("log_density", log_density))
    if metric in _DENSITY:
        return density
    if metric == "sauc":
        if baseline_log_density is None:
            raise ValueError("The sAUC-optimal map needs `baseline_log_density` (the average density).")
        baseline = check_log_density("baseline_log_density", baseline_log_density)
        if baseline.shape != density.shape:
            raise ValueError(f"`baseline_log_density` has shape {baseline.shape}, expected {density.shape}.")
        return np.exp(np.log(density) - baseline)
    if sigma is None or not sigma > 0:
        raise ValueError(f"The {metric.upper()}-optimal map needs the empirical-map `sigma` in pixels; got {sigma!r}.")
    return ndimage.gaussian_filter(density, sigma, mode="reflect", truncate=4.0)
