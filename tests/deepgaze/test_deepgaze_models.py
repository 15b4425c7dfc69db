"""DeepGazeII / DeepGazeIIE / DensityMixture: feature path, mixtures, chunked evaluation, configs."""

import deepgaze_numpy_reference as ref
import keras
import numpy as np
import pytest
from deepgaze_support import tiny_extractor
from scipy.special import logsumexp

from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.zoo.deepgaze import DeepGazeII, DeepGazeIIE, DensityMixture

RNG = np.random.default_rng(1)
SIZE = (64, 96)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _inputs(batch=2, size=SIZE):
    centerbias = RNG.normal(size=(batch, *size)).astype("float32")
    return {"image": RNG.uniform(0, 255, (batch, *size, 3)).astype("float32"),
            "centerbias": centerbias - logsumexp(centerbias, axis=(1, 2), keepdims=True)}


def test_features_are_taps_of_the_half_image_nearest_resized_to_the_readout_grid():
    extractor = tiny_extractor(0)
    model = DeepGazeII(extractor)
    image = _inputs(1, (70, 90))["image"]
    features = _np(model.features(image))[0]
    assert features.shape == (3, 3, 10)  # ceil(35 / 16) x ceil(45 / 16), 4 + 6 channels
    taps = extractor(ref.half(image[0])[None])
    expected = np.concatenate([ref.legacy_nearest(_np(taps[k])[0], 3, 3) for k in ("s4", "s8")], axis=-1)
    np.testing.assert_allclose(features, expected, rtol=1e-6, atol=1e-6)
    assert not model.extractor.trainable


def test_deepgaze_ii_is_the_probability_average_of_its_normalised_components():
    model = DeepGazeII(tiny_extractor(0), n_components=3)
    inputs = _inputs()
    out = _np(model(inputs))
    assert out.shape == (2, *SIZE)
    np.testing.assert_allclose(logsumexp(out, axis=(1, 2)), 0.0, atol=1e-5)
    features = model.features(inputs["image"])
    parts = [_np(readout(features, inputs["centerbias"])) for readout in model.readouts]
    for part in parts:
        np.testing.assert_allclose(logsumexp(part, axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out, ref.mixture(parts), atol=1e-5)
    assert len(model.readout_model().readouts) == 3 and model.readout_model([1]).readouts[0] is model.readouts[1]


def test_chunked_ensemble_equals_full_ensemble_and_the_mixture_of_members():
    model = DeepGazeIIE([tiny_extractor(1), tiny_extractor(2, (3, 5))], n_components=2)
    inputs = _inputs(3)
    full = _np(model(inputs))
    chunked = model.predict_log_density(inputs["image"], centerbias=inputs["centerbias"], batch_size=2)
    np.testing.assert_allclose(chunked, full, atol=2e-5)
    members = [_np(m(inputs)) for m in model.members]
    np.testing.assert_allclose(full, ref.mixture(members), atol=2e-5)
    np.testing.assert_allclose(logsumexp(full, axis=(1, 2)), 0.0, atol=1e-5)
    # a generic mixture of any log-density models gives the same
    generic = DensityMixture(model.members)
    np.testing.assert_allclose(generic.predict_log_density(inputs["image"], centerbias=inputs["centerbias"],
                                                           batch_size=3), full, atol=2e-5)


def test_round_trips_keep_weights_and_outputs():
    inputs = _inputs(1)
    single = DeepGazeII(tiny_extractor(3), n_components=2)
    single(inputs)
    single.readouts[1].finalizer.sigma.assign(3.0)  # a non-initial value must survive
    single.predict_log_density(inputs["image"], centerbias=inputs["centerbias"])  # its compiled helper models must not end up in the saved model
    loaded = assert_keras_roundtrip(single, inputs)
    assert float(_np(loaded.readouts[1].finalizer.sigma)) == 3.0 and loaded.n_components == 2
    assert_keras_roundtrip(DeepGazeIIE([tiny_extractor(4), tiny_extractor(5)], n_components=1), inputs)
    assert_keras_roundtrip(DensityMixture([DeepGazeII(tiny_extractor(6)), DeepGazeII(tiny_extractor(7))]), inputs)


def test_backbone_names_go_through_the_registry():
    model = DeepGazeIIE(backbones=("efficientnet_lite0",), taps=[["stride8", "stride16"]], n_components=1)
    inputs = _inputs(1)
    out = _np(model(inputs))
    assert logsumexp(out[0]) == pytest.approx(0.0, abs=1e-4)
    assert tuple(model.members[0].features(inputs["image"]).shape) == (1, 2, 3, 40 + 112)


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match="apply to backbone names only"):
        DeepGazeII(tiny_extractor(0), taps=["s4"])
    with pytest.raises(ValueError, match="n_components"):
        DeepGazeII(tiny_extractor(0), n_components=0)
    with pytest.raises(ValueError, match="one entry per backbone"):
        DeepGazeIIE(["vgg19", "vgg19"], taps=[["conv5_1"]])
    with pytest.raises(ValueError, match="non-empty list of Keras models"):
        DensityMixture([])
    model = DeepGazeII(tiny_extractor(0))
    with pytest.raises(ValueError, match="centerbias"):
        model.predict_log_density(np.zeros((1, 32, 32, 3)), centerbias=np.zeros((1, 16, 16)))
    with pytest.raises(ValueError, match="stores no centre bias"):
        model.predict_log_density(np.zeros((1, 32, 32, 3)))
    with pytest.raises(ValueError, match="components"):
        model.readout_model([1])
