"""Metric-optimal maps (Kümmerer et al. 2018) should win on fixations sampled from the model."""

import numpy as np
import pytest

from keras_saliency import metrics as M
from keras_saliency.density import normalize_log_density
from keras_saliency.maps import empirical_saliency_map

SIZE = (32, 40)
YY, XX = np.mgrid[0:SIZE[0], 0:SIZE[1]]
CENTRE = normalize_log_density(-((YY - 16) ** 2 / 120.0 + (XX - 20) ** 2 / 200.0))
MODEL = normalize_log_density(np.logaddexp(CENTRE, normalize_log_density(-((YY - 8) ** 2 + (XX - 30) ** 2) / 6.0)))


def _sample(log_density, n, rng):
    flat = rng.choice(log_density.size, size=n, p=np.exp(log_density).ravel())
    rows, cols = np.divmod(flat, SIZE[1])
    return np.stack([cols + rng.random(n), rows + rng.random(n)], axis=1)


def test_sauc_optimal_map_beats_the_density():
    # Fixations follow the centre bias tilted to the right; negatives follow the centre bias.
    tilted = normalize_log_density(CENTRE + 0.08 * XX)
    rng = np.random.default_rng(0)
    optimal = M.metric_optimal_saliency_map(tilted, "sauc", baseline_log_density=CENTRE)
    density = M.metric_optimal_saliency_map(tilted, "nss")
    scores = []
    for _ in range(20):
        fix, negatives = _sample(tilted, 40, rng), _sample(CENTRE, 400, rng)
        scores.append((M.sauc(optimal, fix, negatives), M.sauc(density, fix, negatives)))
    optimal_mean, density_mean = np.mean(scores, axis=0)
    assert optimal_mean > density_mean + 0.02


def test_cc_optimal_map_beats_the_density():
    rng = np.random.default_rng(1)
    sigma = 2.0
    wins = 0
    for _ in range(10):
        fix = _sample(MODEL, 15, rng)
        reference = empirical_saliency_map(fix, SIZE, sigma=sigma)
        blurred = M.metric_optimal_saliency_map(MODEL, "cc", sigma=sigma)
        wins += M.cc(blurred, reference) > M.cc(np.exp(MODEL), reference)
    assert wins >= 8


def test_optimal_map_arguments():
    with pytest.raises(ValueError, match="baseline_log_density"):
        M.metric_optimal_saliency_map(MODEL, "sauc")
    with pytest.raises(ValueError, match="sigma"):
        M.metric_optimal_saliency_map(MODEL, "kld")
    with pytest.raises(ValueError, match="`metric` must be one of"):
        M.metric_optimal_saliency_map(MODEL, "ig")
