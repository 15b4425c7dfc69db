"""WEPSAM training: the recipe as compile defaults, fixation targets, fit steps, bad input."""

import keras
import numpy as np
import pytest

from keras_saliency.fixations import Fixations
from keras_saliency.maps import empirical_saliency_map
from keras_saliency.zoo.wepsam import WEPSAM, fixation_targets, min_max_scale


def _tiny():
    keras.utils.set_random_seed(0)
    return WEPSAM(conv_filters=(2, 2, 2), hidden_units=8, input_size=32, map_size=8)


def _data(n=4):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (n, 32, 32, 3)).astype("float32"), rng.uniform(0, 1, (n, 32, 32)).astype("float32")


def _schedule(optimizer, step):
    optimizer.iterations.assign(step)
    return float(optimizer.learning_rate)


def test_compile_defaults_are_nesterov_sgd_with_exponential_decay_and_mse():
    model = _tiny()
    model.compile()
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.nesterov and optimizer.momentum == 0.9
    assert _schedule(optimizer, 0) == pytest.approx(0.01) and _schedule(optimizer, 100) == pytest.approx(0.009)
    assert isinstance(model.loss, keras.losses.MeanSquaredError)
    model.compile(learning_rate=0.05, momentum=0.8, decay_rate=0.5, decay_steps=10)
    assert model.optimizer.momentum == 0.8
    assert _schedule(model.optimizer, 20) == pytest.approx(0.05 * 0.25)
    with pytest.raises(ValueError, match="momentum"):
        model.compile(momentum=1.0)
    with pytest.raises(ValueError, match=r"\['learning_rate'\] configure the recipe's optimizer"):
        model.compile(optimizer="adam", learning_rate=0.1)
    model.compile(optimizer="adam", loss="mae")  # own objects
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_fit_returns_a_history_whose_losses_are_the_pixelwise_squared_error():
    model = _tiny()
    x, y = _data()
    before = [np.array(w) for w in model.get_weights()]
    model.compile(learning_rate=0.1)
    history = model.fit(x, y, batch_size=4, epochs=1, validation_data=(x[:2], y[:2]), verbose=0)
    assert isinstance(history, keras.callbacks.History) and set(history.history) == {"loss", "val_loss"}
    expected_val = np.mean((keras.ops.convert_to_numpy(model(x[:2])) - y[:2]) ** 2)
    assert history.history["val_loss"][0] == pytest.approx(expected_val, rel=1e-4)  # pixel-wise squared error
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_two_fit_steps_lower_the_loss():
    model = _tiny()
    x, y = _data()
    model.compile(learning_rate=0.1)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_the_compiled_recipe_survives_saving(tmp_path):
    model = _tiny()
    model.compile(learning_rate=0.05, momentum=0.8)
    model.fit(*_data(), epochs=1, verbose=0)
    model.save(tmp_path / "wepsam.keras")
    loaded = keras.saving.load_model(tmp_path / "wepsam.keras")
    assert loaded.optimizer.nesterov and loaded.optimizer.momentum == 0.8
    assert isinstance(loaded.loss, keras.losses.MeanSquaredError) and int(loaded.optimizer.iterations) == 1


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
    np.testing.assert_allclose(min_max_scale(maps), [[[0, 1 / 3], [2 / 3, 1]], [[0, 0], [0, 0]]])


def test_bad_training_input_is_rejected():
    model = _tiny()
    model.compile()
    x, y = _data(2)
    with pytest.raises(ValueError, match=r"32, 32, 3\).*\(None, 30, 32, 3\)"):  # Keras' input check
        model.fit(np.zeros((2, 30, 32, 3), "float32"), y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"maps must be \(N, 32, 32\) like its output; got shape \(.*, 16, 16\)"):
        model.fit(x, np.zeros((2, 16, 16), "float32"), epochs=1, verbose=0)
