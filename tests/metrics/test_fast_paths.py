"""The fast paths of the metrics give the straightforward computation's values and still reject bad input."""

import numpy as np
import pytest
from scipy import ndimage

from keras_saliency import metrics as M
from keras_saliency.density import check_log_density, normalize_log_density
from keras_saliency.maps import empirical_saliency_map, fixation_map
from keras_saliency.metrics.auc import rank_auc_per_positive

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("values", [RNG.random(200_000), RNG.integers(0, 30, 200_000).astype(float), RNG.random(50),
                                    RNG.integers(0, 30, 5000).astype(float)])  # both branches, with and without ties
def test_rank_auc_without_sorting_equals_the_sorted_count(values):
    positives = np.concatenate([values[:40], [values.min(), values.max(), -1.0, 2.0, 31.0]])
    ordered = np.sort(values)
    below = np.searchsorted(ordered, positives, side="left")
    not_above = np.searchsorted(ordered, positives, side="right")
    np.testing.assert_array_equal(rank_auc_per_positive(positives, values),
                                  (below + 0.5 * (not_above - below)) / values.size)


@pytest.mark.parametrize("size, n, sigma", [((96, 128), 40, 9.0), ((40, 30), 3, 2.5), ((20, 20), 1, 4.4)])
def test_empirical_map_of_few_fixations_equals_the_filtered_count_map(size, n, sigma):
    height, width = size
    fixations = np.stack([RNG.uniform(0, width, n), RNG.uniform(0, height, n)], 1)
    fixations[0] = [0.1, height - 0.2]  # a corner: the reflected parts count
    expected = ndimage.gaussian_filter(fixation_map(fixations, size), sigma, mode="reflect", truncate=4.0)
    np.testing.assert_allclose(empirical_saliency_map(fixations, size, sigma=sigma), expected,
                               rtol=1e-12, atol=1e-15 * expected.max())


def test_shuffled_negatives_pool_equals_the_per_image_mapping():
    sizes = [(30, 40), (20, 50), (35, 35)]
    sets = [np.stack([RNG.uniform(0, w, 7), RNG.uniform(0, h, 7)], 1) for h, w in sizes]
    pool = M.ShuffledNegatives(sets, sizes)
    for index, (height, width) in enumerate(sizes):
        expected = np.concatenate([np.stack([np.floor(f[:, 0] * width / w), np.floor(f[:, 1] * height / h)], 1) + 0.5
                                   for m, (f, (h, w)) in enumerate(zip(sets, sizes)) if m != index])
        np.testing.assert_array_equal(pool.for_image(index), expected)


def test_distribution_metrics_equal_their_textbook_formulas():
    s, r = RNG.random((30, 40)), ndimage.gaussian_filter(RNG.random((30, 40)), 3)
    p, q = s / s.sum(), r / r.sum()
    assert M.cc(s, r) == pytest.approx(np.corrcoef(s.ravel(), r.ravel())[0, 1], rel=1e-12)
    assert M.kld(s, r) == pytest.approx((q * np.log(2.2204e-16 + q / (p + 2.2204e-16))).sum(), rel=1e-12)
    assert M.sim(s, r) == pytest.approx(np.minimum(p, q).sum(), rel=1e-12)
    shifted = s - 0.5  # negative values: the minimum is subtracted first
    p = (shifted - shifted.min()) / (shifted - shifted.min()).sum()
    assert M.sim(shifted, r) == pytest.approx(np.minimum(p, q).sum(), rel=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_bad_values_where_the_metric_reads_raise(bad):
    saliency = RNG.random((12, 16))
    saliency[2, 3] = bad
    fixations = np.array([[3.5, 2.5], [8.5, 6.5]])
    for fn in (lambda: M.sauc(saliency, fixations, fixations[::-1]), lambda: M.auc_uniform(saliency, fixations),
               lambda: M.kld(saliency, saliency[::-1]), lambda: M.sim(saliency[::-1], saliency)):
        with pytest.raises(ValueError, match="NaN or infinite"):
            fn()


def test_log_density_validation_names_nan_and_overflow():
    log_density = normalize_log_density(RNG.normal(size=(8, 9)))
    check_log_density("ok", log_density)
    for value, message in ((np.nan, "NaN or infinite"), (np.inf, "NaN or infinite"), (800.0, "not a normalised")):
        broken = log_density.copy()
        broken[1, 1] = value
        with pytest.raises(ValueError, match=message):
            check_log_density("prediction", broken)
