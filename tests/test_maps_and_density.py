import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency import density as D
from keras_saliency import maps
from keras_saliency.fixations import Fixations


def test_empirical_map_matches_reference_gt_maps(metrics_reference):
    npz, ref = metrics_reference
    for i in range(5):
        n = f"{i:02d}"
        fix = np.stack([npz[f"fix_x_{n}"] + 0.5, npz[f"fix_y_{n}"] + 0.5], axis=1)
        got = maps.empirical_saliency_map(fix, npz[f"gt_map_{n}"].shape, sigma=npz["gt_sigma"][i])
        np.testing.assert_allclose(got, npz[f"gt_map_{n}"], rtol=1e-12, atol=1e-15)


def test_fixation_map_counts_duplicates_and_binary_does_not():
    fix = [[0.5, 0.5], [0.7, 0.2], [3.2, 1.9]]
    counts = maps.fixation_map(fix, (2, 4))
    np.testing.assert_array_equal(counts, [[2, 0, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(maps.fixation_map(fix, (2, 4), binary=True), [[1, 0, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(ValueError, match="outside"):
        maps.fixation_map([[4.0, 0.0]], (2, 4))


def test_sigma_in_degrees():
    fix = [[10.5, 10.5]]
    a = maps.empirical_saliency_map(fix, (20, 20), sigma_degrees=0.5, pixels_per_degree=4)
    b = maps.empirical_saliency_map(fix, (20, 20), sigma=2.0)
    np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match="exactly one"):
        maps.empirical_saliency_map(fix, (20, 20))


def _centred_fixations(rng, n_images, size, spread=0.12):
    h, w = size
    sets = []
    for _ in range(n_images):
        xy = rng.normal([w / 2, h / 2], [spread * w, spread * h], size=(30, 2))
        sets.append(Fixations.from_array(np.clip(xy, 0, [w - 1e-3, h - 1e-3])))
    return sets


def test_center_bias_is_normalised_centred_and_beats_uniform_out_of_sample():
    rng = np.random.default_rng(0)
    sizes = [(60, 80)] * 40
    train = _centred_fixations(rng, 40, (60, 80))
    bias = maps.EmpiricalCenterBias.fit(train, sizes)
    log_density = bias.log_density((30, 50))  # another size than training
    assert logsumexp(log_density) == pytest.approx(0.0, abs=1e-10)
    peak = np.unravel_index(np.argmax(log_density), log_density.shape)
    assert abs(peak[0] - 15) <= 3 and abs(peak[1] - 25) <= 3
    test = _centred_fixations(rng, 10, (30, 50))
    ll = np.mean([log_density[f.pixel_indices()].mean() for f in test])
    assert ll > -np.log(30 * 50) + 0.5  # clearly better than uniform on held-out data
    assert 0.03 <= bias.bandwidth <= 0.2


def test_gold_standard_leave_one_subject_out():
    rng = np.random.default_rng(1)
    size = (40, 60)
    # Five subjects all look at the same two spots: the LOSO model must predict them well.
    xy, subjects = [], []
    for s in range(5):
        for centre in ([15, 10], [45, 30]):
            xy.append(rng.normal(centre, 1.5, size=(3, 2)))
            subjects += [s] * 3
    fix = Fixations.from_array(np.concatenate(xy), subject=subjects)
    loso = maps.leave_one_subject_out_log_densities(fix, size, bandwidth=0.05)
    assert loso.shape == (len(fix),)
    ig_bits = (loso.mean() - D.uniform_log_density(size)[0, 0]) / np.log(2)
    assert ig_bits > 2.0
    # A lone subject has no "others": falls back to the baseline.
    lone = Fixations.from_array([[5.0, 5.0]], subject=[0])
    np.testing.assert_allclose(maps.leave_one_subject_out_log_densities(lone, size), -np.log(40 * 60))
    with pytest.raises(ValueError, match="subject"):
        maps.leave_one_subject_out_log_densities(Fixations.from_array([[1.0, 1.0]]), size)


def test_resize_log_density_keeps_normalisation_and_shape():
    rng = np.random.default_rng(2)
    ld = D.normalize_log_density(rng.normal(size=(24, 32)))
    for size in [(48, 64), (12, 16), (30, 17)]:
        out = D.resize_log_density(ld, size)
        assert out.shape == size
        assert logsumexp(out) == pytest.approx(0.0, abs=1e-10)
    # Upsampling then downsampling a smooth density returns it approximately.
    smooth = D.normalize_log_density(-((np.arange(24)[:, None] - 12) ** 2 + (np.arange(32) - 16) ** 2) / 50.0)
    back = D.resize_log_density(D.resize_log_density(smooth, (48, 64)), (24, 32))
    np.testing.assert_allclose(np.exp(back), np.exp(smooth), atol=2e-4)


def test_density_conversions_round_trip():
    rng = np.random.default_rng(3)
    sal = rng.random((10, 12))
    ld = D.log_density_from_saliency_map(sal)
    assert logsumexp(ld) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(D.saliency_map_from_log_density(ld), sal / sal.sum(), rtol=1e-9)
    np.testing.assert_allclose(D.probability_from_log_density(ld).sum(), 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        D.log_density_from_saliency_map(sal - 1)
    with pytest.raises(ValueError, match="not a normalised"):
        D.probability_from_log_density(np.zeros((3, 3)))
