"""BypassRNN (residual ConvGRU branch skipped for static batches), PixelLogSoftmax, ConvGRU dropout."""

import keras
import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency.layers import BypassRNN, ConvGRU, PixelLogSoftmax

RNG = np.random.default_rng(0)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _perturb(layer, rng):
    for weight in layer.weights:
        value = _np(weight)
        if "variance" in weight.path:
            weight.assign(rng.uniform(0.5, 1.5, value.shape).astype("float32"))
        else:
            weight.assign((value + rng.normal(0, 0.3, value.shape)).astype("float32"))


@pytest.fixture(scope="module")
def bypass():
    layer = BypassRNN(hidden_channels=6, n_domains=2, momentums=[0.99, 0.9], name="bypass")
    layer.build((2, 3, 4, 5, 6))
    _perturb(layer, np.random.default_rng(1))
    return layer


def test_bypass_rnn_is_the_residual_gru_branch(bypass):
    x = RNG.normal(size=(2, 3, 4, 5, 6)).astype("float32")
    h0 = RNG.normal(size=(2, 4, 5, 6)).astype("float32")
    domain = np.array([1])
    out, last = bypass(x, domain, initial_state=h0)
    sequence, expected_last = bypass.rnn(x, domain, initial_state=h0)
    frames = _np(sequence).reshape(-1, 5, 6)
    frames = _np(bypass.post_rnn_bn(_np(bypass.post_rnn_conv(frames.reshape(6, 4, 5, 6))), domain))
    expected = x + np.clip(frames, 0, 6).reshape(x.shape)
    np.testing.assert_allclose(_np(out), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(last), _np(expected_last), rtol=1e-6)
    assert np.abs(_np(out) - x).max() > 0.1  # the branch contributes


def test_bypass_rnn_static_batches_skip_the_branch(bypass):
    x = RNG.normal(size=(2, 3, 4, 5, 6)).astype("float32")
    h0 = RNG.normal(size=(2, 4, 5, 6)).astype("float32")
    out, last = bypass(x, np.array([0]), static=True, initial_state=h0)
    np.testing.assert_array_equal(_np(out), x)
    np.testing.assert_array_equal(_np(last), h0)
    assert bypass(x, np.array([0]), static=True)[1] is None


def test_bypass_rnn_config_roundtrip(bypass):
    clone = BypassRNN.from_config(bypass.get_config())
    clone.build((2, 3, 4, 5, 6))
    assert [w.path.split("/", 1)[1] for w in clone.weights] == [w.path.split("/", 1)[1] for w in bypass.weights]
    clone.set_weights(bypass.get_weights())
    x = RNG.normal(size=(1, 2, 4, 5, 6)).astype("float32")
    np.testing.assert_array_equal(_np(clone(x, np.array([1]))[0]), _np(bypass(x, np.array([1]))[0]))


def test_pixel_log_softmax_normalises_each_map():
    logits = RNG.normal(0, 30, (2, 3, 5, 7, 1)).astype("float32")
    out = _np(PixelLogSoftmax()(logits))
    assert out.shape == (2, 3, 5, 7)
    expected = logits[..., 0] - logsumexp(logits[..., 0], axis=(-2, -1), keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(logsumexp(out, axis=(-2, -1)), 0.0, atol=1e-5)
    assert PixelLogSoftmax().compute_output_shape((2, 3, 5, 7, 1)) == (2, 3, 5, 7)


def test_conv_gru_recurrent_dropout_masks_only_the_hidden_inputs():
    """With all recurrent masks zero, u_r/u_z/u see zeros but the update (1 - z) h keeps the real h."""
    gru = ConvGRU(4, n_domains=1)
    gru.build((1, 1, 3, 3, 2))
    _perturb(gru, np.random.default_rng(2))
    x = RNG.normal(size=(1, 3, 3, 2)).astype("float32")
    zeros = np.zeros((3, 4), "float32")
    base = _np(gru.step(x, np.zeros((1, 3, 3, 4), "float32"), np.array([0])))  # z * h~ with h~ from x alone
    ratios = []
    for h in RNG.normal(size=(2, 1, 3, 3, 4)).astype("float32"):
        ratios.append((_np(gru.step(x, h, np.array([0]), masks=zeros)) - base) / h)
    np.testing.assert_allclose(ratios[0], ratios[1], rtol=1e-4)  # both equal 1 - z, independent of h
    assert np.all((ratios[0] > 0) & (ratios[0] < 1))


def test_conv_gru_dropout_masks_are_shared_by_the_batch_and_redrawn_per_call():
    gru = ConvGRU(16, n_domains=1, recurrent_dropout=0.5)
    x = np.repeat(RNG.normal(size=(1, 3, 4, 4, 2)).astype("float32"), 2, axis=0)  # two identical samples
    h0 = np.repeat(RNG.normal(size=(1, 4, 4, 16)).astype("float32"), 2, axis=0)
    first, _ = gru(x, np.array([0]), initial_state=h0, training=True)
    np.testing.assert_allclose(_np(first)[0], _np(first)[1], atol=1e-5)  # one mask for the whole batch
    second, _ = gru(x, np.array([0]), initial_state=h0, training=True)
    assert np.abs(_np(first) - _np(second)).max() > 1e-3  # a new sequence draws new masks
    a, _ = gru(x, np.array([0]), initial_state=h0)
    b, _ = gru(x, np.array([0]), initial_state=h0)
    np.testing.assert_array_equal(_np(a), _np(b))  # no dropout at inference
