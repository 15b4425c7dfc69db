"""DeepGaze IIE layers against independent NumPy/SciPy computations, and the mixture model."""

import math

import numpy as np
import pytest
from scipy import ndimage
from scipy.special import logsumexp

import keras

from keras_saliency.layers import Finalizer, LayerNormCHW
from keras_saliency.layers.legacy_resize import legacy_nearest_resize
from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.zoo.deepgaze import DeepGazeIIE

RNG = np.random.default_rng(0)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def test_layer_norm_over_chw_jointly():
    x = RNG.normal(3, 2, (2, 4, 5, 3)).astype("float32")
    layer = LayerNormCHW()
    layer.build(x.shape)
    layer.gamma.assign(np.array([1.0, 2.0, 3.0], "float32"))
    flat = x.reshape(2, -1)
    expected = (x - flat.mean(1)[:, None, None, None]) / flat.std(1)[:, None, None, None] * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(_np(layer(x)), expected, rtol=1e-4, atol=1e-5)


def test_legacy_nearest_uses_floor_of_dst_times_in_over_out():
    x = np.arange(7 * 5, dtype="float32").reshape(1, 7, 5, 1)
    out = _np(legacy_nearest_resize(x, (3, 4)))[0, :, :, 0]
    rows, cols = np.floor(np.arange(3) * 7 / 3).astype(int), np.floor(np.arange(4) * 5 / 4).astype(int)
    np.testing.assert_array_equal(out, x[0, :, :, 0][np.ix_(rows, cols)])
    half = _np(legacy_nearest_resize(x, (3, 2), scale=2))[0, :, :, 0]
    np.testing.assert_array_equal(half, x[0, ::2, ::2, 0][:3, :2])


def test_finalizer_blur_equals_scipy_and_output_is_normalised():
    finalizer = Finalizer(sigma=1.7)
    readout = RNG.random((1, 6, 8, 1)).astype("float32")
    centerbias = np.zeros((1, 24, 32), "float32")
    finalizer(readout, centerbias)
    blurred = _np(finalizer.blur(readout))[0, :, :, 0]
    # Reference: 2 ceil(3 sigma) + 1 taps normalised, replicate ("nearest") padding, separable.
    radius = math.ceil(3 * 1.7)
    g = np.exp(-0.5 * (np.arange(-radius, radius + 1) / 1.7) ** 2)
    g /= g.sum()
    expected = ndimage.correlate1d(ndimage.correlate1d(readout[0, :, :, 0], g, 0, mode="nearest"), g, 1,
                                   mode="nearest")
    np.testing.assert_allclose(blurred, expected, rtol=1e-5, atol=1e-6)
    out = _np(finalizer(readout, centerbias))
    assert out.shape == (1, 24, 32)
    assert logsumexp(out[0]) == pytest.approx(0.0, abs=1e-5)


def test_centre_bias_weight_adds_the_centre_bias():
    finalizer = Finalizer(sigma=1.0)
    readout = np.zeros((1, 4, 4, 1), "float32")
    centerbias = np.log(np.full((1, 16, 16), 1 / 256.0, "float32"))
    centerbias[0, :8] += 2.0
    out = _np(finalizer(readout, centerbias))[0]
    assert out[:8].mean() - out[8:].mean() == pytest.approx(2.0, abs=1e-4)  # weight 1: differences carry over


def test_mixture_is_the_probability_average_of_its_components():
    model = DeepGazeIIE(backbones=("efficientnet_lite0",), n_components=2, taps=[["stride8", "stride16"]])
    inputs = {"image": RNG.uniform(0, 255, (1, 64, 96, 3)).astype("float32"),
              "centerbias": np.full((1, 64, 96), -np.log(64 * 96), "float32")}
    out = _np(model(inputs))
    assert out.shape == (1, 64, 96)
    assert logsumexp(out[0]) == pytest.approx(0.0, abs=1e-4)
    features = model.features(inputs["image"], 0)
    assert tuple(features.shape[1:3]) == (2, 3)  # ceil(32/16) x ceil(48/16)
    parts = [_np(model.component(features, inputs["centerbias"], 0, k)) for k in range(2)]
    np.testing.assert_allclose(out, np.logaddexp(*parts) - np.log(2), atol=1e-5)
    assert_keras_roundtrip(model, inputs)
