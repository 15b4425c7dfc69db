"""Mixture weights fitted by maximum likelihood on held-out images (e.g. a validation fold).

The members are fixed; only the weights ``w`` of ``log p = logsumexp_m(log w_m + log p_m)`` are fitted,
by expectation-maximisation, to maximise the image-averaged log-likelihood per fixation (the mean the
protocol's information gain takes: every image counts once, whatever its number of fixations). EM never
lowers that objective and keeps the weights on the simplex; members with zero weight stay at zero.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.special import logsumexp

from keras_saliency.metrics._inputs import fixation_pixels


def fit_mixture_weights(members: Sequence[Sequence[np.ndarray]], fixations: Sequence, iterations: int = 500,
                        tolerance: float = 1e-10) -> np.ndarray:
    """float64 (M,) weights summing to 1 for ``members`` (M lists of (H, W) natural-log densities, one per image).

    ``fixations``: one :class:`~keras_saliency.fixations.Fixations` per image (pixel of a fixation: ``floor``, as
    the metrics); images without fixations are ignored. Stops after ``iterations`` steps or when the objective
    (mean log-likelihood, nats) improves by less than ``tolerance``.
    """
    members = [list(m) for m in members]
    if not members or any(len(m) != len(fixations) for m in members):
        raise ValueError(f"`members` must be M >= 1 lists of {len(fixations)} log-densities (one per image); got "
                         f"lengths {[len(m) for m in members]}.")
    if iterations < 1:
        raise ValueError(f"`iterations` must be >= 1; got {iterations}.")
    values, image_weights = [], []  # per image: (M, N) member log-densities at its fixations
    for i, fix in enumerate(fixations):
        if len(fix) == 0:
            continue
        shapes = {np.shape(m[i]) for m in members}
        if len(shapes) != 1:
            raise ValueError(f"image {i}: the members' log-densities differ in shape: {sorted(shapes)}.")
        rows, cols = fixation_pixels(fix, shapes.pop())
        values.append(np.stack([np.asarray(m[i], np.float64)[rows, cols] for m in members]))
        image_weights.append(np.full(len(rows), 1.0 / len(rows)))
    if not values:
        raise ValueError("`fixations` holds no fixation: the weights cannot be fitted.")
    table = np.concatenate(values, axis=1)  # (M, total fixations)
    if not np.isfinite(table).all():
        raise ValueError("a member's log-density is not finite at a fixation.")
    weight = np.concatenate(image_weights) / len(values)  # sums to 1: the image-averaged mean
    w = np.full(len(members), 1.0 / len(members))
    previous = -np.inf
    for _ in range(iterations):
        with np.errstate(divide="ignore"):
            joint = np.log(w)[:, None] + table
        total = logsumexp(joint, axis=0)
        objective = float(weight @ total)
        if objective - previous < tolerance:
            break
        previous = objective
        w = np.exp(joint - total) @ weight
        w /= w.sum()
    return w
