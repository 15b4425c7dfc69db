"""DeepGaze IIE layers against the independent NumPy/SciPy versions in deepgaze_numpy_reference."""

import math

import deepgaze_numpy_reference as ref
import keras
import numpy as np
import pytest
from scipy import ndimage
from scipy.special import logsumexp

from keras_saliency.layers import (
    Finalizer,
    LayerNormCHW,
    ReadoutNetwork,
    fixation_selection_network,
    saliency_network,
)
from keras_saliency.layers.finalizer import replicate_blur_matrix
from keras_saliency.layers.legacy_resize import legacy_nearest_resize
from keras_saliency.testing.roundtrip import assert_keras_roundtrip

RNG = np.random.default_rng(0)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def test_layer_norm_over_chw_jointly_with_per_channel_affine():
    x = RNG.normal(3, 2, (2, 4, 5, 3)).astype("float32")
    layer = LayerNormCHW()
    layer.build(x.shape)
    gamma, beta = np.array([1.0, 2.0, 3.0], "float32"), np.array([0.5, -1.0, 0.0], "float32")
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    out = _np(layer(x))
    for b in range(2):
        np.testing.assert_allclose(out[b], ref.layer_norm(x[b].astype(np.float64), gamma, beta), rtol=1e-4, atol=1e-5)
    assert layer.epsilon == 1e-12


@pytest.mark.parametrize("in_size,out_size", [((7, 5), (3, 4)), ((3, 5), (7, 11)), ((2, 24), (82, 17)),
                                              ((24, 32), (384, 512))])
def test_legacy_nearest_is_floor_of_dst_times_float32_scale(in_size, out_size):
    x = RNG.normal(size=(1, *in_size, 2)).astype("float32")
    out = _np(legacy_nearest_resize(x, out_size))[0]
    np.testing.assert_array_equal(out, ref.legacy_nearest(x[0], *out_size))


def test_legacy_nearest_uses_float32_products_as_pytorch():
    # 2 -> 82 rows: the exact index of row 41 is floor(41 * 2 / 82) = 1, PyTorch's float32 product gives 0.
    x = np.arange(2, dtype="float32").reshape(1, 2, 1, 1)
    out = _np(legacy_nearest_resize(x, (82, 1)))[0, :, 0, 0]
    assert out[41] == 0.0 and out[40] == 0.0 and out[42] == 1.0


def test_legacy_nearest_scale_factor_and_dynamic_shapes():
    x = RNG.normal(size=(1, 7, 9, 1)).astype("float32")
    half = _np(legacy_nearest_resize(x, (3, 4), scale=2))[0, :, :, 0]
    np.testing.assert_array_equal(half, ref.half(x[0, :, :, 0]))
    if keras.backend.backend() != "tensorflow":
        pytest.skip("dynamic-shape tracing is checked with tf.function")
    import tensorflow as tf

    fn = tf.function(lambda t: legacy_nearest_resize(t, (tf.shape(t)[1] * 2 - 1, tf.shape(t)[2] + 3)),
                     input_signature=[tf.TensorSpec((None, None, None, 1))])
    np.testing.assert_array_equal(fn(x).numpy()[0], ref.legacy_nearest(x[0], 13, 12))


def _readout_layers(network):
    layers = []
    for norm, conv in zip(network.norms, network.convs):
        gamma, beta = (None, None) if norm is None else (_np(norm.gamma), _np(norm.beta))
        layers.append((gamma, beta, _np(conv.kernel), None if conv.bias is None else _np(conv.bias)))
    return layers


@pytest.mark.parametrize("factory,widths,plain_last", [(saliency_network, (8, 16, 1), False),
                                                       (fixation_selection_network, (128, 16, 1), True)])
def test_readout_networks_match_numpy(factory, widths, plain_last):
    network = factory()
    x = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
    network.build(x.shape)
    for norm in network.norms:  # non-trivial affine parameters
        if norm is not None:
            norm.gamma.assign(RNG.uniform(0.5, 2, norm.gamma.shape).astype("float32"))
            norm.beta.assign(RNG.normal(size=norm.beta.shape).astype("float32"))
    assert [c.filters for c in network.convs] == list(widths)
    assert (network.convs[-1].bias is None) == plain_last and (network.norms[-1] is None) == plain_last
    out = _np(network(x))
    layers = _readout_layers(network)
    for b in range(2):
        expected = ref.readout_network(x[b].astype(np.float64), layers, plain_last)
        np.testing.assert_allclose(out[b], expected, rtol=1e-4, atol=1e-5)
    if not plain_last:
        assert out.min() > 0  # ends in Softplus
    restored = ReadoutNetwork.from_config(network.get_config())
    assert restored.widths == list(widths) and restored.plain_last == plain_last


def test_readout_network_rejects_bad_widths():
    with pytest.raises(ValueError, match="widths"):
        ReadoutNetwork((8, 0, 1))


def test_finalizer_blur_matches_scipy_kernel_2ceil3sigma_plus_1_with_replicate_padding():
    finalizer = Finalizer(sigma=1.7)
    readout = RNG.random((1, 6, 8, 1)).astype("float32")
    finalizer(readout, np.zeros((1, 24, 32), "float32"))
    np.testing.assert_allclose(_np(finalizer.blur(readout))[0, :, :, 0],
                               ref.gaussian_blur(readout[0, :, :, 0].astype(np.float64), 1.7), rtol=1e-5, atol=1e-6)
    # the support follows the current sigma: a spike spreads exactly ceil(3 sigma) pixels
    spike = np.zeros((1, 21, 21, 1), "float32")
    spike[0, 10, 10] = 1.0
    row = _np(finalizer.blur(spike))[0, 10, :, 0]
    radius = math.ceil(3 * 1.7)
    assert (row[10 - radius:10 + radius + 1] > 0).all() and not row[:10 - radius].any() and not row[11 + radius:].any()


@pytest.mark.parametrize("n,radius", [(1, 3), (2, 5), (7, 2), (9, 9)])
def test_replicate_blur_matrix_is_correlation_with_edge_padding(n, radius):
    weights = RNG.random(2 * radius + 1).astype("float32")  # asymmetric: checks the orientation too
    matrix = _np(replicate_blur_matrix(keras.ops.convert_to_tensor(weights), n, radius))
    v = RNG.normal(size=n)
    np.testing.assert_allclose(matrix @ v, ndimage.correlate1d(v, weights.astype(np.float64), mode="nearest"),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", [(24, 32), (23, 33)])
def test_finalizer_matches_numpy_pipeline_and_is_normalised(size):
    finalizer = Finalizer(sigma=2.3)
    readout = RNG.normal(size=(2, 3, 5, 1)).astype("float32")
    centerbias = RNG.normal(size=(2, *size)).astype("float32")
    centerbias -= logsumexp(centerbias, axis=(1, 2), keepdims=True)
    finalizer(readout, centerbias)
    finalizer.center_bias_weight.assign(0.7)
    out = _np(finalizer(readout, centerbias))
    assert out.shape == (2, *size)
    for b in range(2):
        expected = ref.finalizer(readout[b, :, :, 0].astype(np.float64), centerbias[b].astype(np.float64), 2.3, 0.7)
        np.testing.assert_allclose(out[b], expected, rtol=1e-4, atol=1e-4)
        assert logsumexp(out[b]) == pytest.approx(0.0, abs=1e-5)


def test_finalizer_round_trip():
    model_in = keras.Input((3, 4, 1)), keras.Input((12, 16))
    layer = Finalizer(sigma=1.5, learn_sigma=False, name="fin")
    model = keras.Model(model_in, layer(*model_in))
    inputs = [RNG.normal(size=(1, 3, 4, 1)).astype("float32"), np.full((1, 12, 16), -np.log(192), "float32")]
    loaded = assert_keras_roundtrip(model, inputs)
    assert not loaded.get_layer("fin").sigma.trainable
