"""Calibration of a log-density by a monotone nonlinearity fitted by maximum likelihood on held-out images.

A model's log-density ``log p`` (natural log, normalised per image) is read relative to the uniform
density, ``r = log p + log(H * W)`` (0: as likely as an average pixel), so one calibration serves every
image size. The calibration maps ``r`` through a nondecreasing piecewise-linear function ``f`` (values
``values`` at the increasing ``knots``, extended linearly beyond the end knots with the end segments'
slopes) and renormalises: ``log q = f(r) - logsumexp(f(r))``. The ranking of the pixels is kept (AUC-Judd
is unchanged up to ties); only how the probability mass is shared among them changes. This is
pysaliency's "nonlinearity" of a saliency map fitted for information gain, applied to a density.

`fit_density_calibration` maximises the image-averaged log-likelihood per fixation (each image counts
once, as the protocol's information gain) over the segment increments, starting from the identity, by
L-BFGS-B with the exact gradient. Each segment's slope is bounded to ``[0, max_slope]`` (the identity's is
1): >= 0 keeps it monotone, the upper bound keeps a segment that holds few held-out fixations from
pushing its pixels' density to zero (a fixation there on new images would cost without bound). The pixel
of a fixation is ``floor`` of its coordinates, as the metrics.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from keras_saliency.density import check_map

DEFAULT_KNOTS = tuple(float(k) for k in np.linspace(-8.0, 6.0, 15))


@dataclasses.dataclass(frozen=True)
class DensityCalibration:
    """``log p -> log q`` of the module docstring: ``knots`` strictly increasing (in nats relative to uniform),
    ``values`` nondecreasing, both finite, the same length >= 2. The identity is ``values == knots``."""

    knots: Sequence[float]
    values: Sequence[float]

    def __post_init__(self):
        knots, values = np.asarray(self.knots, np.float64), np.asarray(self.values, np.float64)
        if knots.ndim != 1 or knots.shape != values.shape or len(knots) < 2:
            raise ValueError(f"`knots` and `values` must be 1-D of the same length >= 2; got shapes {knots.shape} "
                             f"and {values.shape}.")
        if not (np.isfinite(knots).all() and np.isfinite(values).all()):
            raise ValueError("`knots` and `values` must be finite.")
        if not (np.diff(knots) > 0).all():
            raise ValueError(f"`knots` must be strictly increasing; got {knots.tolist()}.")
        if not (np.diff(values) >= 0).all():
            raise ValueError(f"`values` must be nondecreasing (a monotone calibration); got {values.tolist()}.")
        object.__setattr__(self, "knots", tuple(knots.tolist()))
        object.__setattr__(self, "values", tuple(values.tolist()))

    @classmethod
    def identity(cls, knots: Sequence[float] = DEFAULT_KNOTS) -> "DensityCalibration":
        return cls(knots, knots)

    def __call__(self, log_density) -> np.ndarray:
        """float64 (H, W) calibrated log-density of an (H, W) log-density (renormalised first)."""
        log_density = check_map("log_density", log_density, allow_neg_inf=True)
        mapped = _piecewise_linear(_relative(log_density), np.asarray(self.knots), np.asarray(self.values))
        return mapped - logsumexp(mapped)

    def get_config(self) -> dict:
        return {"knots": list(self.knots), "values": list(self.values)}

    @classmethod
    def mean(cls, calibrations: Sequence["DensityCalibration"]) -> "DensityCalibration":
        """The calibration whose ``values`` are the mean of ``calibrations``' (all on the same ``knots``): e.g.
        one for a model trained on all folds from the calibrations fitted on each fold's validation images. A
        mean of nondecreasing functions is nondecreasing, so the result is a calibration again."""
        calibrations = list(calibrations)
        if not calibrations:
            raise ValueError("`calibrations` is empty; give at least one DensityCalibration.")
        knots = calibrations[0].knots
        for k, calibration in enumerate(calibrations):
            if not isinstance(calibration, DensityCalibration):
                raise TypeError(f"`calibrations[{k}]` must be a DensityCalibration; got {type(calibration).__name__}.")
            if calibration.knots != knots:
                raise ValueError(f"`calibrations[{k}]` has knots {list(calibration.knots)}, `calibrations[0]` "
                                 f"{list(knots)}: only calibrations on the same knots can be averaged.")
        return cls(knots, np.mean([c.values for c in calibrations], axis=0))


def _relative(log_density):
    """``log p + log(H * W)`` of the renormalised log-density: 0 where a pixel is as likely as the average."""
    return log_density - logsumexp(log_density) + np.log(log_density.size)


def _piecewise_linear(x, knots, values):
    """``f(x)``: linear interpolation of (knots, values), extended linearly with the end segments' slopes."""
    slopes = np.diff(values) / np.diff(knots)
    out = np.interp(x, knots, values)
    low, high = x < knots[0], x > knots[-1]
    out[low] = values[0] + slopes[0] * (x[low] - knots[0])
    out[high] = values[-1] + slopes[-1] * (x[high] - knots[-1])
    return out


class _Image:
    """One image's pixels as segment indices and fractions (fixed during the fit), its fixations' too."""

    def __init__(self, relative: np.ndarray, rows, cols, knots: np.ndarray):
        self.pixels = _segments(relative.ravel(), knots)
        self.fixations = _segments(relative[rows, cols], knots)


def _segments(x, knots):
    """(segment index 0..K-2, fraction) of each value: f(x) = v[s] + t * (v[s + 1] - v[s]); t < 0 below the
    first knot, t > 1 above the last (the linear extensions)."""
    index = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
    return index, (x - knots[index]) / (knots[index + 1] - knots[index])


def _objective(increments, images, first):
    """(minus the image-averaged mean log-likelihood per fixation, its gradient in the increments)."""
    values = first + np.concatenate([[0.0], np.cumsum(increments)])
    segments = len(increments)
    total, gradient = 0.0, np.zeros(segments)
    for image in images:
        (s, t), (fs, ft) = image.pixels, image.fixations
        mapped = values[s] + t * increments[s]
        norm = logsumexp(mapped)
        weight = np.exp(mapped - norm)
        total += np.mean(values[fs] + ft * increments[fs]) - norm
        # d f / d increment_j = [j < s] + t [j == s]: per-segment sums, then a reversed cumulative sum
        mass = np.bincount(s, weight, segments)
        fraction = np.bincount(s, weight * t, segments)
        fix_count = np.bincount(fs, minlength=segments) / len(fs)
        fix_fraction = np.bincount(fs, ft, segments) / len(fs)
        above = np.concatenate([np.cumsum((mass - fix_count)[::-1])[::-1][1:], [0.0]])
        gradient += (fix_fraction - fraction) - above
    return -total / len(images), -gradient / len(images)


def fit_density_calibration(log_densities: Sequence[np.ndarray], fixations: Sequence,
                            knots: Sequence[float] = DEFAULT_KNOTS, max_slope: float = 4.0,
                            max_iterations: int = 200) -> DensityCalibration:
    """The :class:`DensityCalibration` with ``knots`` of highest image-averaged log-likelihood on held-out images.

    ``log_densities``: (H, W) natural-log densities, one per image (renormalised here); ``fixations``: one
    :class:`~keras_saliency.fixations.Fixations` (or (N, 2) x, y array) per image; images without fixations
    are ignored. Fit on images the model was not trained on (a validation fold), never on the test images.
    """
    from keras_saliency.metrics._inputs import fixation_pixels

    if len(log_densities) != len(fixations):
        raise ValueError(f"`log_densities` ({len(log_densities)}) and `fixations` ({len(fixations)}) must hold one "
                         "entry per image.")
    if max_iterations < 1:
        raise ValueError(f"`max_iterations` must be >= 1; got {max_iterations}.")
    if not (np.isfinite(max_slope) and max_slope >= 1):
        raise ValueError(f"`max_slope` must be finite and >= 1 (the identity's slope); got {max_slope!r}.")
    identity = DensityCalibration.identity(knots)
    knots = np.asarray(identity.knots)
    images = []
    for i, (log_density, fix) in enumerate(zip(log_densities, fixations)):
        log_density = check_map(f"log_densities[{i}]", log_density)
        rows, cols = fixation_pixels(fix, log_density.shape, name=f"fixations[{i}]", allow_empty=True)
        if len(rows):
            images.append(_Image(_relative(log_density), rows, cols, knots))
    if not images:
        raise ValueError("`fixations` holds no fixation: the calibration cannot be fitted.")
    result = minimize(_objective, np.diff(knots), args=(images, knots[0]), jac=True, method="L-BFGS-B",
                      bounds=[(0.0, max_slope * d) for d in np.diff(knots)], options={"maxiter": max_iterations})
    values = knots[0] + np.concatenate([[0.0], np.cumsum(np.clip(result.x, 0.0, max_slope * np.diff(knots)))])
    return DensityCalibration(knots, values)
