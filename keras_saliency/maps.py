"""Maps built from fixations: count maps, empirical saliency maps, baselines.

All maps are float64 (H, W). Fixations use the package convention
(continuous 0-based coordinates, pixel ``i`` covers ``[i, i + 1)``); a fixation
outside the image raises unless it was clipped or dropped before
(:meth:`keras_saliency.fixations.Fixations.fit_to_image`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np
from scipy import ndimage

from keras_saliency.density import normalize_log_density, uniform_log_density
from keras_saliency.fixations import Fixations, _check_size, as_fixations


def _pixels_inside(fixations, size) -> Tuple[np.ndarray, np.ndarray]:
    fixations = as_fixations(fixations)
    fixations.fit_to_image(size, policy="raise")
    return fixations.pixel_indices()


def fixation_map(fixations, size, binary: bool = False) -> np.ndarray:
    """Count map: each fixation adds 1 to its pixel (``binary=True``: 1 per fixated pixel)."""
    height, width = _check_size(size)
    rows, cols = _pixels_inside(fixations, (height, width))
    counts = np.bincount(rows * width + cols, minlength=height * width).astype(np.float64)
    counts = counts.reshape(height, width)
    return (counts > 0).astype(np.float64) if binary else counts


def empirical_saliency_map(
    fixations,
    size,
    sigma: Optional[float] = None,
    sigma_degrees: Optional[float] = None,
    pixels_per_degree: Optional[float] = None,
) -> np.ndarray:
    """Gaussian-blurred fixation count map (pysaliency ``FixationMap`` convention).

    ``scipy.ndimage.gaussian_filter(counts, sigma, mode="reflect", truncate=4.0)``.
    Give ``sigma`` in pixels, or ``sigma_degrees`` with ``pixels_per_degree``
    (e.g. MIT1003: about 35 px/deg; OSIE: 24 px = 1 deg). Not normalised: no fixations give an
    all-zero map (as `fixation_map`), which KLD/SIM refuse as a reference (CC scores a constant map 0).
    """
    if (sigma is None) == (sigma_degrees is None):
        raise ValueError("Give exactly one of `sigma` (pixels) or `sigma_degrees`.")
    if sigma_degrees is not None:
        if pixels_per_degree is None or pixels_per_degree <= 0:
            raise ValueError(f"`pixels_per_degree` must be positive with `sigma_degrees`; got {pixels_per_degree!r}.")
        sigma = sigma_degrees * pixels_per_degree
    if not sigma > 0:
        raise ValueError(f"`sigma` must be positive; got {sigma!r}.")
    height, width = _check_size(size)
    rows, cols = _pixels_inside(fixations, (height, width))
    radius = int(4.0 * sigma + 0.5)  # scipy's truncation
    if radius < min(height, width) and rows.size <= 4 * radius + 2:
        # A few fixations: the separable blur of their impulses as one (H, K) @ (K, W) product,
        # far cheaper than filtering the whole count map; the same values up to rounding.
        return _impulse_blur(rows, height, sigma, radius).T @ _impulse_blur(cols, width, sigma, radius)
    return ndimage.gaussian_filter(fixation_map(fixations, size), sigma, mode="reflect", truncate=4.0)


def _impulse_blur(positions: np.ndarray, length: int, sigma: float, radius: int) -> np.ndarray:
    """(K, length): ``gaussian_filter1d`` (mode "reflect", radius < length) of a unit impulse at each position.

    scipy's kernel: ``exp(-x^2 / (2 sigma^2))`` on ``[-radius, radius]``, normalised to sum 1;
    "reflect" mirrors the impulse at ``-1 - p`` and ``2 length - 1 - p``.
    """
    kernel = np.exp(-0.5 / (sigma * sigma) * np.arange(-radius, radius + 1) ** 2)
    kernel /= kernel.sum()
    kernel = np.append(kernel, 0.0)  # index -1: outside the support
    grid = np.arange(length)
    out = np.zeros((positions.size, length))
    for mirrored in (positions, -1 - positions, 2 * length - 1 - positions):
        offset = grid[None, :] - mirrored[:, None] + radius
        offset[(offset < 0) | (offset > 2 * radius)] = -1
        out += kernel[offset]
    return out


def _normalised_positions(fixation_sets, sizes) -> np.ndarray:
    """(N, 2) (u, v) in [0, 1): every fixation divided by its image width/height."""
    if len(fixation_sets) != len(sizes):
        raise ValueError(f"Got {len(fixation_sets)} fixation sets but {len(sizes)} image sizes.")
    parts = []
    for fixations, size in zip(fixation_sets, sizes):
        fixations = as_fixations(fixations)
        height, width = _check_size(size)
        fixations.fit_to_image((height, width), policy="raise")
        parts.append(np.stack([fixations.x / width, fixations.y / height], axis=1))
    positions = np.concatenate(parts) if parts else np.zeros((0, 2))
    if len(positions) == 0:
        raise ValueError("The training fixations are empty: a centre bias needs at least one fixation.")
    return positions


def _kde_on_grid(positions: np.ndarray, size, bandwidth: float, uniform_weight: float) -> np.ndarray:
    height, width = size
    rows = np.minimum((positions[:, 1] * height).astype(np.int64), height - 1)
    cols = np.minimum((positions[:, 0] * width).astype(np.int64), width - 1)
    counts = np.bincount(rows * width + cols, minlength=height * width).reshape(height, width).astype(np.float64)
    blurred = ndimage.gaussian_filter(counts, (bandwidth * height, bandwidth * width), mode="constant", truncate=4.0)
    density = blurred / blurred.sum()
    return (1.0 - uniform_weight) * density + uniform_weight / (height * width)


class EmpiricalCenterBias:
    """Centre-bias log-density estimated from training fixations (as DeepGaze does).

    A Gaussian kernel density estimate of all training fixations in
    normalised image coordinates (x / W, y / H), with bandwidth ``bandwidth``
    (fraction of the image side), mixed with a uniform density of weight
    ``uniform_weight``. Evaluated at any image size by rasterising the
    positions onto that grid and blurring (mass leaving the image is
    renormalised away). :meth:`fit` picks both parameters by held-out
    likelihood on image-level folds.
    """

    def __init__(self, positions, bandwidth: float = 0.05, uniform_weight: float = 0.01):
        self.positions = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
        if not 0 < bandwidth < 1:
            raise ValueError(f"`bandwidth` must be in (0, 1) (fraction of the image side); got {bandwidth!r}.")
        if not 0 <= uniform_weight <= 1:
            raise ValueError(f"`uniform_weight` must be in [0, 1]; got {uniform_weight!r}.")
        self.bandwidth = float(bandwidth)
        self.uniform_weight = float(uniform_weight)

    @classmethod
    def fit(
        cls,
        fixation_sets: Sequence,
        sizes: Sequence,
        bandwidths: Sequence[float] = (0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15),
        uniform_weights: Sequence[float] = (0.0, 0.01, 0.03, 0.1, 0.3),
        n_folds: int = 5,
        grid: Tuple[int, int] = (96, 96),
        seed: int = 0,
    ) -> "EmpiricalCenterBias":
        """Fits bandwidth and uniform weight by ``n_folds``-fold held-out log-likelihood over images.

        Needs fixations on at least 2 images (a fold to fit and one to score; with fewer images than
        ``n_folds`` the empty folds are skipped); otherwise a ``ValueError`` pointing to :meth:`from_fixations`.
        """
        positions = _normalised_positions(fixation_sets, sizes)  # raises for no fixations at all
        with_fixations = sum(len(as_fixations(f)) > 0 for f in fixation_sets)
        if with_fixations < 2:
            raise ValueError(f"EmpiricalCenterBias.fit needs fixations on at least 2 images to score held-out "
                             f"folds; got {with_fixations}. Use EmpiricalCenterBias.from_fixations(...) with "
                             "a fixed bandwidth instead.")
        fold_of_image = np.random.default_rng(seed).permutation(len(fixation_sets)) % n_folds
        per_image = [_normalised_positions([f], [s]) if len(as_fixations(f)) else np.zeros((0, 2))
                     for f, s in zip(fixation_sets, sizes)]
        best = None
        for bandwidth in bandwidths:
            for uniform_weight in uniform_weights:
                total, count = 0.0, 0
                for fold in range(n_folds):
                    train = [p for p, k in zip(per_image, fold_of_image) if k != fold]
                    test = [p for p, k in zip(per_image, fold_of_image) if k == fold]
                    train, test = np.concatenate([np.zeros((0, 2)), *train]), np.concatenate([np.zeros((0, 2)), *test])
                    if len(train) == 0 or len(test) == 0:
                        continue
                    density = _kde_on_grid(train, grid, bandwidth, uniform_weight)
                    rows = np.minimum((test[:, 1] * grid[0]).astype(np.int64), grid[0] - 1)
                    cols = np.minimum((test[:, 0] * grid[1]).astype(np.int64), grid[1] - 1)
                    with np.errstate(divide="ignore"):
                        total += np.log(density[rows, cols]).sum()
                    count += len(test)
                score = total / max(count, 1)
                if best is None or score > best[0]:
                    best = (score, bandwidth, uniform_weight)
        return cls(positions, bandwidth=best[1], uniform_weight=best[2])

    @classmethod
    def from_fixations(cls, fixation_sets, sizes, bandwidth=0.05, uniform_weight=0.01) -> "EmpiricalCenterBias":
        return cls(_normalised_positions(fixation_sets, sizes), bandwidth, uniform_weight)

    def log_density(self, size) -> np.ndarray:
        """The centre-bias log-density at ``size = (H, W)`` (``logsumexp == 0``)."""
        height, width = _check_size(size)
        density = _kde_on_grid(self.positions, (height, width), self.bandwidth, self.uniform_weight)
        with np.errstate(divide="ignore"):
            return normalize_log_density(np.log(density))


def leave_one_subject_out_log_densities(
    fixations: Fixations,
    size,
    bandwidth: float = 0.03,
    uniform_weight: float = 0.01,
    baseline_log_density: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Gold-standard log-density at each fixation from the *other* subjects' fixations.

    For subject s, the density is the Gaussian KDE (sigma = ``bandwidth`` x
    image side, per axis; mass outside the image renormalised away) of all
    fixations on this image by subjects other than s, mixed with
    ``uniform_weight`` times ``baseline_log_density`` (uniform if None).
    Returns float64 (N,) natural-log densities in fixation order; the
    information gain of the gold standard is their mean minus the baseline's,
    in bits after dividing by ln 2. Fixations of a subject with no other
    subject on the image fall back to the baseline alone.
    """
    if fixations.subject is None:
        raise ValueError("The leave-one-subject-out gold standard needs `fixations.subject`.")
    height, width = _check_size(size)
    rows, cols = _pixels_inside(fixations, (height, width))
    baseline = uniform_log_density((height, width)) if baseline_log_density is None else baseline_log_density
    baseline = np.exp(np.asarray(baseline, dtype=np.float64))
    if baseline.shape != (height, width):
        raise ValueError(f"`baseline_log_density` has shape {baseline.shape}, expected {(height, width)}.")
    sigma = (bandwidth * height, bandwidth * width)
    subjects = np.unique(fixations.subject)
    blurred = {}
    for subject in subjects:
        mask = fixations.subject == subject
        counts = np.zeros(height * width)
        np.add.at(counts, rows[mask] * width + cols[mask], 1.0)
        blurred[subject] = (ndimage.gaussian_filter(counts.reshape(height, width), sigma, mode="constant",
                                                    truncate=4.0), int(mask.sum()))
    total = sum(b for b, _ in blurred.values())
    n_total = len(fixations)
    out = np.empty(n_total)
    for subject in subjects:
        mask = fixations.subject == subject
        others, n_self = total - blurred[subject][0], blurred[subject][1]
        if n_total - n_self == 0:
            density = baseline
        else:
            kde = np.maximum(others, 0.0)
            kde = kde / kde.sum()
            density = (1.0 - uniform_weight) * kde + uniform_weight * baseline
        out[mask] = np.log(density[rows[mask], cols[mask]])
    return out
