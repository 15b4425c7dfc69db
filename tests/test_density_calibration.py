"""density_calibration: the fitted monotone nonlinearity recovers a known miscalibration, keeps the ranking,
generalises to new fixations, and refuses bad inputs by name."""

import numpy as np
import pytest
from scipy.optimize import check_grad
from scipy.special import logsumexp

from keras_saliency.density_calibration import (
    DEFAULT_KNOTS,
    DensityCalibration,
    _Image,
    _objective,
    fit_density_calibration,
)
from keras_saliency.fixations import Fixations
from keras_saliency.metrics._inputs import fixation_pixels

SIZE = (30, 40)


def _densities(rng, count):
    """Blob-like log-densities: a Gaussian bump at a random place plus pixel noise."""
    y, x = np.mgrid[:SIZE[0], :SIZE[1]]
    out = []
    for _ in range(count):
        cy, cx = rng.uniform(0.2, 0.8) * SIZE[0], rng.uniform(0.2, 0.8) * SIZE[1]
        log = -((y - cy) ** 2 + (x - cx) ** 2) / (2 * 6.0 ** 2) + rng.normal(0, 0.3, SIZE)
        out.append(log - logsumexp(log))
    return out


def _draw(rng, log_density, count):
    p = np.exp(log_density - logsumexp(log_density)).ravel()
    rows, cols = np.divmod(rng.choice(p.size, size=count, p=p), SIZE[1])
    return Fixations(cols + rng.uniform(0, 1, count), rows + rng.uniform(0, 1, count))


def _mean_ll(log_densities, fixations):
    return np.mean([d[fixation_pixels(f, d.shape)].mean() for d, f in zip(log_densities, fixations)])


def test_recovers_a_too_flat_model_and_generalises():
    rng = np.random.default_rng(0)
    model = _densities(rng, 40)
    truth = [2.0 * d for d in model]  # fixations come from p^2: the model is too flat
    fit_fix = [_draw(rng, t, 30) for t in truth]
    new_fix = [_draw(rng, t, 30) for t in truth]  # fresh fixations on the same images
    calibration = fit_density_calibration(model, fit_fix)
    values, knots = np.asarray(calibration.values), np.asarray(calibration.knots)
    populated = (knots >= -2) & (knots <= 2)  # relative log-densities where most fixations lie
    slopes = np.diff(values[populated]) / np.diff(knots[populated])
    assert np.all(np.abs(slopes - 2.0) < 0.4), slopes
    calibrated = [calibration(d) for d in model]
    oracle = [t - logsumexp(t) for t in truth]
    gain, best = _mean_ll(calibrated, new_fix) - _mean_ll(model, new_fix), _mean_ll(oracle, new_fix) - _mean_ll(
        model, new_fix)
    assert gain > 0.8 * best > 0.05


def test_a_calibrated_model_stays_near_the_identity():
    rng = np.random.default_rng(1)
    model = _densities(rng, 40)
    fixations = [_draw(rng, d, 40) for d in model]
    calibration = fit_density_calibration(model, fixations)
    values, knots = np.asarray(calibration.values), np.asarray(calibration.knots)
    populated = (knots >= -3) & (knots <= 2)
    slopes = np.diff(values[populated]) / np.diff(knots[populated])
    assert np.all(np.abs(slopes - 1.0) < 0.35), slopes


def test_output_is_normalised_keeps_the_ranking_and_the_identity_is_the_identity():
    rng = np.random.default_rng(2)
    density = _densities(rng, 1)[0] + 3.0  # not normalised: renormalised first
    calibration = DensityCalibration(DEFAULT_KNOTS, np.asarray(DEFAULT_KNOTS) ** 3 / 50 + np.asarray(DEFAULT_KNOTS))
    out = calibration(density)
    assert out.dtype == np.float64 and out.shape == SIZE and abs(logsumexp(out)) < 1e-12
    assert np.array_equal(np.argsort(out, axis=None, kind="stable"), np.argsort(density, axis=None, kind="stable"))
    np.testing.assert_allclose(DensityCalibration.identity()(density), density - logsumexp(density), atol=1e-12)
    # linear beyond the end knots, with the end segments' slopes
    two = DensityCalibration([0.0, 1.0], [0.0, 3.0])
    ramp = np.log(np.array([[1e-6, 1.0, 20.0]]))
    relative = ramp - logsumexp(ramp) + np.log(3)
    expected = 3.0 * relative
    np.testing.assert_allclose(two(ramp), expected - logsumexp(expected), atol=1e-12)


def test_gradient_is_exact():
    rng = np.random.default_rng(3)
    knots = np.asarray(DEFAULT_KNOTS)
    images = []
    for density in _densities(rng, 5):
        rows, cols = fixation_pixels(_draw(rng, 1.5 * density, 20), SIZE)
        images.append(_Image(density + np.log(density.size), rows, cols, knots))
    start = rng.uniform(0.3, 2.0, len(knots) - 1)
    error = check_grad(lambda z: _objective(z, images, knots[0])[0], lambda z: _objective(z, images, knots[0])[1],
                       start)
    assert error < 1e-5


def test_slopes_are_bounded_where_fixations_are_missing():
    rng = np.random.default_rng(4)
    model = _densities(rng, 20)
    fixations = [_draw(rng, 3.0 * d, 30) for d in model]  # almost no fixation in the low-density pixels
    calibration = fit_density_calibration(model, fixations, max_slope=2.5)
    slopes = np.diff(calibration.values) / np.diff(calibration.knots)
    assert np.all(slopes >= 0) and np.all(slopes <= 2.5 + 1e-9)


def test_bad_inputs_are_named():
    rng = np.random.default_rng(5)
    model = _densities(rng, 2)
    fixations = [_draw(rng, d, 5) for d in model]
    with pytest.raises(ValueError, match="one entry per image"):
        fit_density_calibration(model, fixations[:1])
    with pytest.raises(ValueError, match="no fixation"):
        fit_density_calibration(model, [Fixations([], []), Fixations([], [])])
    with pytest.raises(ValueError, match=r"log_densities\[1\]"):
        fit_density_calibration([model[0], np.full(SIZE, np.nan)], fixations)
    with pytest.raises(ValueError, match=r"fixations\[0\]"):
        fit_density_calibration(model, [Fixations([100.0], [1.0]), fixations[1]])
    with pytest.raises(ValueError, match="max_slope"):
        fit_density_calibration(model, fixations, max_slope=0.5)
    with pytest.raises(ValueError, match="strictly increasing"):
        DensityCalibration([0.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="nondecreasing"):
        DensityCalibration([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="same length"):
        DensityCalibration([0.0, 1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        DensityCalibration([0.0, 1.0], [0.0, np.inf])
    restored = DensityCalibration(**DensityCalibration([0.0, 1.0], [0.0, 2.0]).get_config())
    assert restored == DensityCalibration([0.0, 1.0], [0.0, 2.0])


def test_the_mean_of_fold_calibrations_averages_their_values_and_refuses_other_knots():
    rng = np.random.default_rng(6)
    folds = []
    for _ in range(3):
        model = _densities(rng, 12)
        folds.append(fit_density_calibration(model, [_draw(rng, 1.7 * d, 40) for d in model]))
    mean = DensityCalibration.mean(folds)
    assert mean.knots == folds[0].knots
    np.testing.assert_allclose(mean.values, (np.array(folds[0].values) + folds[1].values + folds[2].values) / 3,
                               atol=1e-12)
    assert DensityCalibration.mean(folds[:1]) == folds[0]
    with pytest.raises(ValueError, match="same knots"):
        DensityCalibration.mean([folds[0], DensityCalibration.identity((-1.0, 0.0, 1.0))])
    with pytest.raises(ValueError, match="empty"):
        DensityCalibration.mean([])
    with pytest.raises(TypeError, match=r"calibrations\[1\]"):
        DensityCalibration.mean([folds[0], folds[1].get_config()])
