"""Feature caching and maximum-likelihood readout training."""

import json
import math

import keras
import numpy as np
import pytest
from deepgaze_support import tiny_extractor
from scipy.special import logsumexp

from keras_saliency.fixations import Fixations
from keras_saliency.zoo.deepgaze import (
    DeepGazeII,
    FeatureCache,
    ReadoutDataset,
    ValidationInformationGain,
    evaluate_information_gain,
    fit_readout,
    readout_grid,
    step_decay,
)
from keras_saliency.losses import NegativeLogLikelihood
from keras_saliency.zoo.deepgaze.deepgaze_training import epochs_until

RNG = np.random.default_rng(2)
SIZES = [(64, 96)] * 3 + [(96, 64)] * 2 + [(40, 72)]


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _center_bias(size):
    rows, cols = np.mgrid[:size[0], :size[1]]
    log_p = -0.5 * (((rows - size[0] / 2) / (0.3 * size[0])) ** 2 + ((cols - size[1] / 2) / (0.3 * size[1])) ** 2)
    return (log_p - logsumexp(log_p)).astype("float32")


@pytest.fixture(scope="module")
def data():
    images = [RNG.uniform(0, 255, (*s, 3)).astype("float32") for s in SIZES]
    for image, size in zip(images, SIZES):  # a bright square the model can learn to predict
        image[size[0] // 4: size[0] // 2, size[1] // 4: size[1] // 2] = 255.0
    fixations = [Fixations(RNG.uniform(s[1] / 4, s[1] / 2, 12), RNG.uniform(s[0] / 4, s[0] / 2, 12)) for s in SIZES]
    return images, fixations


def test_disk_cache_stores_features_atomically_and_refuses_another_extractor(tmp_path, data):
    images, _ = data
    model = DeepGazeII(tiny_extractor(0))
    calls = []
    load = lambda i: calls.append(i) or images[int(i[3:])]  # noqa: E731
    ids = [f"img{i}" for i in range(len(SIZES))]
    features = FeatureCache(model, tmp_path / "cache").get_many(ids, load, SIZES)
    assert calls == ids and sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [f"{i}.npy" for i in ids] + ["meta.json"])  # no temporary files left behind
    for feature, image, size in zip(features, images, SIZES):
        assert feature.shape[:2] == readout_grid(size, model)
        np.testing.assert_array_equal(feature, _np(model.features(image[None]))[0])
    again = FeatureCache(DeepGazeII(model.extractor), tmp_path / "cache").get_many(ids, load, SIZES)
    assert len(calls) == len(ids)  # the second cache read the files, loading no image
    np.testing.assert_array_equal(np.asarray(again[0]), features[0])
    assert json.loads((tmp_path / "cache" / "meta.json").read_text())["taps"] == ["s4", "s8"]
    with pytest.raises(ValueError, match="another extractor"):
        FeatureCache(DeepGazeII(tiny_extractor(9)), tmp_path / "cache")
    with pytest.raises(ValueError, match="shape"):
        FeatureCache(model, tmp_path / "cache").get("img0", load, size=(200, 200))
    with pytest.raises(ValueError, match="safe file name"):
        FeatureCache(model, tmp_path / "cache").get("../x", load)


def test_dataset_groups_sizes_pads_fixations_and_checks_them(data):
    _, fixations = data
    features = [np.zeros((*readout_grid(s, DeepGazeII(tiny_extractor(0))), 10), "float32") for s in SIZES]
    dataset = ReadoutDataset(features, fixations, SIZES, _center_bias, batch_size=2, shuffle=False)
    assert len(dataset) == 4  # (64, 96): 2 + 1, (96, 64): 2, (40, 72): 1
    inputs, targets = dataset[0]
    assert inputs["features"].shape[0] == 2 and inputs["centerbias"].shape == (2, 64, 96)
    assert targets.shape == (2, 16, 2)  # 12 fixations at most, padded to a power of two
    counts = [len(fixations[i]) for i in dataset.batches[0]]
    for row, count in enumerate(counts):
        assert (targets[row, count:] == -1).all() and (targets[row, :count] >= 0).all()
    np.testing.assert_allclose(inputs["centerbias"][1], _center_bias((64, 96)))
    outside = [Fixations([5.0, 200.0], [5.0, 5.0])] + list(fixations[1:])
    with pytest.raises(ValueError, match="outside"):
        ReadoutDataset(features, outside, SIZES, _center_bias)
    with pytest.raises(ValueError, match="no fixations"):
        ReadoutDataset(features, [Fixations.empty()] + list(fixations[1:]), SIZES, _center_bias)


def test_training_on_cached_features_trains_the_end_to_end_model(data):
    images, fixations = data
    model = DeepGazeII(tiny_extractor(0), n_components=1)
    cache = FeatureCache(model)  # in memory
    features = [cache.get(str(i), lambda i=i: images[i]) for i in range(len(SIZES))]
    train = ReadoutDataset(features, fixations, SIZES, _center_bias, batch_size=2, seed=0)
    before = [_np(w).copy() for w in model.readouts[0].weights]
    readout_model = model.readout_model()
    history = fit_readout(readout_model, train, train, epochs=2, learning_rate=1e-2, run_eagerly=True)
    assert len(history.history["val_ig"]) == 2 and all(np.isfinite(history.history["loss"]))
    assert any(not np.array_equal(b, _np(w)) for b, w in zip(before, model.readouts[0].weights))
    assert max(history.history["val_ig"]) == pytest.approx(evaluate_information_gain(readout_model, train), abs=1e-5)
    for i in (0, 3, 5):  # features from the cache == the end-to-end forward pass on the image
        inputs = {"image": images[i][None], "centerbias": _center_bias(SIZES[i])[None]}
        cached = _np(readout_model({"features": features[i][None], "centerbias": inputs["centerbias"]}))
        np.testing.assert_allclose(cached, model.predict_log_density(inputs["image"], centerbias=inputs["centerbias"]),
                                   atol=1e-5)
        np.testing.assert_allclose(cached, _np(model(inputs)), atol=1e-5)


def test_compiled_fit_accepts_batches_of_different_sizes(data):
    images, fixations = data
    model = DeepGazeII(tiny_extractor(1))
    features = [_np(model.features(image[None]))[0] for image in images]
    train = ReadoutDataset(features, fixations, SIZES, _center_bias, batch_size=3, seed=1)
    history = fit_readout(model.readout_model(), train, epochs=1, learning_rate=1e-2)
    assert np.isfinite(history.history["loss"][0])


def _rate_at(optimizer, step):
    optimizer.iterations.assign(step)
    return float(optimizer.learning_rate)


def test_compile_defaults_are_the_recipe():
    readout_model = DeepGazeII(tiny_extractor(0)).readout_model()
    readout_model.compile(steps_per_epoch=3)
    assert isinstance(readout_model.optimizer, keras.optimizers.Adam)
    assert isinstance(readout_model.loss, NegativeLogLikelihood) and readout_model.loss.target == "fixations"
    assert [_rate_at(readout_model.optimizer, s) for s in (0, 44, 45, 90)] == pytest.approx([1e-3, 1e-3, 1e-4, 1e-5])
    readout_model.compile(steps_per_epoch=2, learning_rate=1e-2, decay_every=1, decay=0.5)
    assert [_rate_at(readout_model.optimizer, s) for s in (1, 2)] == pytest.approx([1e-2, 5e-3])
    with pytest.raises(ValueError, match="pass `steps_per_epoch`"):
        readout_model.compile()
    with pytest.raises(ValueError, match=r"\['learning_rate', 'steps_per_epoch'\] configure the recipe's optimizer"):
        readout_model.compile(optimizer="sgd", steps_per_epoch=3, learning_rate=1e-2)
    readout_model.compile(optimizer="sgd")
    assert isinstance(readout_model.optimizer, keras.optimizers.SGD)


def test_compile_and_fit_lower_the_loss_and_return_a_history(data):
    images, fixations = data
    model = DeepGazeII(tiny_extractor(0))
    features = [_np(model.features(image[None]))[0] for image in images[:3]]
    train = ReadoutDataset(features, fixations[:3], SIZES[:3], _center_bias, batch_size=3, shuffle=False)
    readout_model = model.readout_model()
    readout_model.compile(steps_per_epoch=len(train))  # the recipe: Adam at 1e-3
    history = readout_model.fit(train.tf_dataset(), epochs=2, callbacks=[ValidationInformationGain(train)],
                                shuffle=False, verbose=0)
    assert isinstance(history, keras.callbacks.History) and len(history.history["val_ig"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]  # one batch: two steps on it


def test_step_decay_and_the_reference_stop_rule():
    schedule = step_decay(1e-3, decay_every=15, decay=0.1)
    assert [schedule(e) for e in (0, 14, 15, 30)] == pytest.approx([1e-3, 1e-3, 1e-4, 1e-5])
    assert epochs_until(1e-3, 1e-7) == 75  # rates 1e-3 .. 1e-7, 15 epochs each
    assert math.isclose(schedule(74), 1e-7, rel_tol=1e-9)
    with pytest.raises(ValueError, match="decay"):
        step_decay(1e-3, decay=1.5)
