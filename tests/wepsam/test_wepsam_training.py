"""WEPSAM training helpers: optimiser/schedule, fixation targets, a 1-step fit, bad input."""

import keras
import numpy as np
import pytest

from keras_saliency.fixations import Fixations
from keras_saliency.maps import empirical_saliency_map
from keras_saliency.zoo.wepsam import WEPSAM, compile_wepsam, fixation_targets, normalise_maps, train_wepsam


def _tiny():
    keras.utils.set_random_seed(0)
    return WEPSAM(conv_filters=(2, 2, 2), hidden_units=8, input_size=32, map_size=8)


def test_compile_uses_nesterov_sgd_with_exponential_decay_and_mse():
    model = compile_wepsam(_tiny(), learning_rate=0.05, momentum=0.8, decay_rate=0.5, decay_steps=10)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.nesterov and optimizer.momentum == 0.8
    schedule = optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.05) and float(schedule(20)) == pytest.approx(0.05 * 0.25)
    assert isinstance(model.loss, keras.losses.MeanSquaredError)
    with pytest.raises(ValueError, match="momentum"):
        compile_wepsam(_tiny(), momentum=1.0)


def test_one_step_fit_reduces_nothing_to_nan_and_updates_weights():
    model = _tiny()
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    y = rng.uniform(0, 1, (4, 32, 32)).astype("float32")
    before = [np.array(w) for w in model.get_weights()]
    history = train_wepsam(model, x, y, epochs=1, batch_size=4, validation=(x[:2], y[:2]), learning_rate=0.1)
    assert set(history) >= {"loss", "val_loss"} and len(history["loss"]) == 1
    assert np.isfinite(history["loss"][0]) and np.isfinite(history["val_loss"][0])
    expected_val = np.mean((keras.ops.convert_to_numpy(model(x[:2])) - y[:2]) ** 2)
    assert history["val_loss"][0] == pytest.approx(expected_val, rel=1e-4)  # pixel-wise squared error
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_fixation_targets_are_resized_normalised_empirical_maps():
    fixations = [Fixations(x=np.array([30.5, 31.5]), y=np.array([10.5, 10.5])),
                 Fixations(x=np.array([5.5]), y=np.array([50.5]))]
    sizes = [(60, 80), (60, 80)]
    targets = fixation_targets(fixations, sizes, target_size=16, sigma_fraction=0.05)
    assert targets.shape == (2, 16, 16) and targets.dtype == np.float32
    assert targets.min() == 0.0 and np.allclose(targets.max(axis=(1, 2)), 1.0)
    dense = empirical_saliency_map(fixations[0], sizes[0], sigma=4.0)
    peak = np.unravel_index(np.argmax(dense), dense.shape)
    row, col = np.unravel_index(np.argmax(targets[0]), (16, 16))
    assert abs(row - peak[0] * 16 / 60) <= 1 and abs(col - peak[1] * 16 / 80) <= 1
    with pytest.raises(ValueError, match="2 fixation sets for 1 image sizes"):
        fixation_targets(fixations, sizes[:1])


def test_fixation_targets_blurred_at_reduced_size_match_full_resolution():
    rng = np.random.default_rng(1)
    size = (600, 800)
    fixations = [Fixations(x=rng.uniform(0, 800, 40), y=rng.uniform(0, 600, 40))]
    full = fixation_targets(fixations, [size], target_size=32, work_side=None)
    reduced = fixation_targets(fixations, [size], target_size=32, work_side=200)
    assert np.abs(full - reduced).mean() < 0.01 and np.abs(full - reduced).max() < 0.08
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.999  # a wrong scaling of x or y drops this
    with pytest.raises(ValueError, match="work_side"):
        fixation_targets(fixations, [size], work_side=4)


def test_normalise_maps_is_per_map_minmax():
    maps = np.stack([np.arange(4.0).reshape(2, 2), np.full((2, 2), 3.0)])
    np.testing.assert_allclose(normalise_maps(maps), [[[0, 1 / 3], [2 / 3, 1]], [[0, 0], [0, 0]]])


def test_bad_training_input_is_rejected():
    model = _tiny()
    x = np.zeros((2, 32, 32, 3), "float32")
    with pytest.raises(ValueError, match=r"training images must be \(N, 32, 32, 3\) RGB; got shape \(2, 30, 32, 3\)"):
        train_wepsam(model, np.zeros((2, 30, 32, 3)), np.zeros((2, 30, 32)), epochs=1)
    with pytest.raises(ValueError, match=r"training maps must be \(N, 32, 32\)"):
        train_wepsam(model, x, np.zeros((2, 16, 16)), epochs=1)
    with pytest.raises(ValueError, match="NaN"):
        train_wepsam(model, x, np.full((2, 32, 32), np.nan), epochs=1)
    with pytest.raises(ValueError, match="validation set is empty"):
        train_wepsam(model, x, np.zeros((2, 32, 32)), epochs=1, validation=(x[:0], np.zeros((0, 32, 32))))
    with pytest.raises(ValueError, match="epochs"):
        train_wepsam(model, x, np.zeros((2, 32, 32)), epochs=0)
