"""Edge cases: empty fixations, constant maps, NaN/inf, negative values, size mismatch, outside points."""

import numpy as np
import pytest
from scipy import ndimage

from keras_saliency import metrics as M
from keras_saliency.density import normalize_log_density, uniform_log_density

RNG = np.random.default_rng(0)
MAP = RNG.random((12, 16))
FIX = np.array([[3.5, 2.5], [10.2, 7.9], [10.2, 7.9], [15.9, 11.9]])
LOGD = normalize_log_density(RNG.normal(size=(12, 16)))


@pytest.mark.parametrize("fn", [
    lambda f: M.auc_judd(MAP, f), lambda f: M.auc_borji(MAP, f, seed=0), lambda f: M.nss(MAP, f),
    lambda f: M.sauc(MAP, f, FIX), lambda f: M.auc_uniform(MAP, f), lambda f: M.log_likelihood(LOGD, f),
    lambda f: M.information_gain(LOGD, f, uniform_log_density(LOGD.shape)),
])
def test_no_fixations_raise(fn):
    with pytest.raises(ValueError, match="at least one fixation"):
        fn(np.zeros((0, 2)))


@pytest.mark.parametrize("fn", [
    lambda m: M.auc_judd(m, FIX[:1]), lambda m: M.auc_borji(m, FIX[:1], seed=0), lambda m: M.nss(m, FIX[:1]),
    lambda m: M.sauc(m, FIX[:1], FIX[:1]), lambda m: M.auc_uniform(m, FIX[:1]), lambda m: M.cc(m, m),
    lambda m: M.kld(m, m), lambda m: M.sim(m, m), lambda m: M.log_likelihood(m, FIX[:1]),
    lambda m: M.information_gain(m, FIX[:1], m),
])
def test_empty_maps_raise(fn):
    with pytest.raises(ValueError, match=r"is empty \(shape \(0, 0\)\)"):
        fn(np.zeros((0, 0)))


def test_calibration_histogram_of_no_fixations_is_zero():
    np.testing.assert_array_equal(M.calibration_histogram(LOGD, np.zeros((0, 2))), np.zeros(10))


def test_constant_map_is_chance_level():
    flat = np.full((12, 16), 0.3)
    assert M.auc_judd(flat, FIX) == pytest.approx(0.5)
    assert M.auc_uniform(flat, FIX) == pytest.approx(0.5)
    assert M.sauc(flat, FIX, FIX[:1]) == pytest.approx(0.5)
    assert M.nss(flat, FIX) == 0.0
    assert M.nss(flat, FIX, convention="mit") == 0.0
    assert M.cc(flat, MAP) == 0.0
    assert M.kld(flat, flat) == pytest.approx(0.0, abs=1e-12)
    assert M.sim(flat, flat) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="sums to 0"):
        M.sim(flat, MAP, convention="mit")  # min-max normalisation leaves no mass


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_maps_are_rejected_with_the_argument_name(bad):
    broken = MAP.copy()
    broken[1, 1] = bad
    for fn in (lambda: M.auc_judd(broken, FIX), lambda: M.nss(broken, FIX), lambda: M.cc(MAP, broken)):
        with pytest.raises(ValueError, match="NaN or infinite"):
            fn()


def test_log_density_allows_zero_mass_but_not_nan_and_must_be_normalised():
    zero_mass = LOGD.copy()
    zero_mass[0, 0] = -np.inf
    zero_mass = normalize_log_density(zero_mass)
    assert np.isfinite(M.log_likelihood(zero_mass, FIX))
    with pytest.raises(ValueError, match="not a normalised log-density"):
        M.log_likelihood(LOGD + 1.0, FIX)
    broken = LOGD.copy()
    broken[2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        M.log_likelihood(broken, FIX)


def test_negative_values():
    shifted = MAP - 0.5
    # Rank and correlation metrics are invariant to the offset.
    assert M.auc_judd(shifted, FIX) == pytest.approx(M.auc_judd(MAP, FIX))
    assert M.nss(shifted, FIX) == pytest.approx(M.nss(MAP, FIX))
    assert M.cc(shifted, MAP) == pytest.approx(1.0)
    # KLD/SIM subtract a negative minimum first (pysaliency), so MAP - 0.5 == MAP - min(MAP).
    assert M.kld(shifted, MAP) == pytest.approx(M.kld(MAP - MAP.min(), MAP))
    assert M.sim(shifted, MAP) == pytest.approx(M.sim(MAP - MAP.min(), MAP))


def test_size_mismatch_is_an_error_unless_resize_is_asked():
    small = MAP[::2, ::2]
    with pytest.raises(ValueError, match="resize=True"):
        M.cc(small, MAP)
    assert -1 <= M.cc(small, MAP, resize=True) <= 1
    with pytest.raises(ValueError, match="resize=True"):
        M.auc_judd(small, FIX, image_size=(12, 16))
    # Upsampling a smooth map keeps its ranking roughly; the value must be a valid AUC.
    assert 0 <= M.auc_judd(small, FIX, image_size=(12, 16), resize=True) <= 1


def test_fixations_outside_the_map_raise_with_a_fix():
    with pytest.raises(ValueError, match="1 of 2 `fixations` lie outside the 12x16 map"):
        M.nss(MAP, [[3.0, 3.0], [16.0, 3.0]])
    with pytest.raises(ValueError, match="`nonfixations` lie outside"):
        M.sauc(MAP, FIX, [[-1.0, 0.0]])


def test_duplicates_count_in_pysaliency_but_not_in_mit_convention():
    once = FIX[[0, 1, 3]]
    assert M.nss(MAP, FIX) != pytest.approx(M.nss(MAP, once))
    assert M.nss(MAP, FIX, convention="mit") == pytest.approx(M.nss(MAP, once, convention="mit"))


def test_perfect_and_inverted_maps():
    target = np.zeros((12, 16))
    rows, cols = np.floor(FIX[:, 1]).astype(int), np.floor(FIX[:, 0]).astype(int)
    target[rows, cols] = 1.0
    assert M.auc_judd(target, FIX) == pytest.approx(1.0)
    # Judd thresholds sit only at fixated values, so an inverted binary map scores 0.5, not 0.
    assert M.auc_judd(-target, FIX) == pytest.approx(0.5)
    assert M.auc_uniform(-target, FIX) < 0.05


def test_unknown_convention_is_rejected():
    with pytest.raises(ValueError, match="`convention` must be one of"):
        M.nss(MAP, FIX, convention="matlab")


@pytest.mark.parametrize("kind", ["smooth", "quantised", "noise"])
def test_auc_judd_on_large_maps_matches_a_brute_force_roc(kind):
    # Large maps take the bucketed counting path; compare with a plain sort-based ROC.
    rng = np.random.default_rng({"smooth": 1, "quantised": 2, "noise": 3}[kind])
    s = rng.random((400, 500))
    if kind == "smooth":
        s = ndimage.gaussian_filter(s, 8)
    if kind == "quantised":
        s = np.round(s * 20) / 20
    fix = np.stack([rng.integers(0, 500, 60) + 0.5, rng.integers(0, 400, 60) + 0.5], axis=1)
    rows, cols = fix[:, 1].astype(int), fix[:, 0].astype(int)
    positives = s[rows, cols]
    fixated = np.zeros(s.shape, bool)
    fixated[rows, cols] = True
    negatives = np.sort(s[~fixated])
    thresholds = np.sort(np.concatenate([[s.max() + 1], positives, [s.min()]]))[::-1]
    tp = [(positives >= t).mean() for t in thresholds]
    fp = [(negatives >= t).mean() for t in thresholds]
    assert M.auc_judd(s, fix) == pytest.approx(np.trapezoid(tp, fp), rel=1e-12)


def test_nss_is_precise_for_maps_with_a_large_offset():
    for offset in (1e3, 1e6):
        assert M.nss(MAP + offset, FIX) == pytest.approx(M.nss(MAP, FIX), rel=1e-8)


def test_nss_refuses_maps_whose_squares_overflow():
    with pytest.raises(ValueError, match="too large to standardise"):
        M.nss(MAP * 1e300, FIX)
    assert M.nss(MAP * 1e150, FIX) == pytest.approx(M.nss(MAP, FIX), rel=1e-9)
