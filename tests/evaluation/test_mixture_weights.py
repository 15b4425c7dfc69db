"""fit_mixture_weights: EM recovers the weights fixations were drawn with, and refuses bad inputs by name."""

import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency.evaluation import fit_mixture_weights
from keras_saliency.fixations import Fixations

SIZE = (20, 30)


def _density(rng):
    log = rng.normal(scale=2.0, size=SIZE)
    return log - logsumexp(log)


def _draw(rng, log_densities, weights, count):
    """``count`` fixations (pixel centres + uniform jitter) from the mixture of ``log_densities``."""
    p = sum(w * np.exp(d) for w, d in zip(weights, log_densities)).ravel()
    flat = rng.choice(p.size, size=count, p=p / p.sum())
    rows, cols = np.divmod(flat, SIZE[1])
    return Fixations(cols + rng.uniform(0, 1, count), rows + rng.uniform(0, 1, count))


def _objective(members, fixations, weights):
    """The image-averaged mean log-likelihood (nats) of the weighted mixture."""
    per_image = []
    for i, fix in enumerate(fixations):
        mixed = logsumexp(np.stack([m[i] for m in members]) + np.log(weights)[:, None, None], axis=0)
        rows, cols = fix.pixel_indices()
        per_image.append(mixed[rows, cols].mean())
    return float(np.mean(per_image))


def test_recovers_the_weights_the_fixations_were_drawn_with():
    rng = np.random.default_rng(0)
    members = [[], []]
    fixations = []
    for _ in range(40):
        a, b = _density(rng), _density(rng)
        members[0].append(a)
        members[1].append(b)
        fixations.append(_draw(rng, (a, b), (0.3, 0.7), 200))
    weights = fit_mixture_weights(members, fixations)
    assert weights.shape == (2,) and abs(weights.sum() - 1) < 1e-12
    np.testing.assert_allclose(weights, [0.3, 0.7], atol=0.05)
    fitted = _objective(members, fixations, weights)
    for other in ([0.5, 0.5], [0.2, 0.8], [0.4, 0.6]):
        assert fitted >= _objective(members, fixations, np.array(other)) - 1e-12


def test_a_useless_member_gets_almost_no_weight_and_images_count_once():
    rng = np.random.default_rng(1)
    good = [_density(rng) for _ in range(10)]
    useless = [np.full(SIZE, -np.log(SIZE[0] * SIZE[1])) for _ in range(10)]
    # one image with many fixations drawn from the uniform member must not outweigh nine images
    fixations = [_draw(rng, (d,), (1.0,), 30) for d in good[:9]] + [_draw(rng, (useless[9],), (1.0,), 3000)]
    weights = fit_mixture_weights([good, useless], fixations)
    assert weights[0] > 0.6, weights


def test_bad_inputs_are_named():
    rng = np.random.default_rng(2)
    d = [_density(rng) for _ in range(2)]
    fix = [_draw(rng, (x,), (1.0,), 5) for x in d]
    with pytest.raises(ValueError, match="one per image"):
        fit_mixture_weights([d, d[:1]], fix)
    with pytest.raises(ValueError, match="no fixation"):
        fit_mixture_weights([d], [Fixations(np.zeros(0), np.zeros(0))] * 2)
    with pytest.raises(ValueError, match="differ in shape"):
        fit_mixture_weights([d, [x[:, :10] for x in d]], fix)
    with pytest.raises(ValueError, match="not finite"):
        fit_mixture_weights([d, [np.full(SIZE, -np.inf)] * 2], fix)
    with pytest.raises(ValueError, match="iterations"):
        fit_mixture_weights([d], fix, iterations=0)
