"""UNISAL layers and model: domain selection, statistics updates, serialization, shapes."""

import numpy as np
import pytest

import keras

from keras_saliency import backbones
from keras_saliency.layers import (
    ConvGRU,
    DomainAdaptiveBatchNormalization,
    DomainAdaptiveSmoothing,
    GaussianPriorMaps,
    ReplicatePadding2D,
)
from keras_saliency.layers.domain_adaptive_conv import gaussian_kernel_init
from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.zoo.unisal import UNISAL

RNG = np.random.default_rng(0)


def test_dabn_selects_and_updates_only_its_domain():
    layer = DomainAdaptiveBatchNormalization(3, momentums=[0.9, 0.5, 0.99])
    x = RNG.normal(2.0, 3.0, (4, 5, 5, 2)).astype("float32")
    layer.build(x.shape)
    layer.gamma.assign(np.array([[1, 1], [2, 2], [3, 3]], "float32"))
    out = keras.ops.convert_to_numpy(layer(x, np.array([1]), training=False))
    np.testing.assert_allclose(out, 2 * x / np.sqrt(1 + 1e-5), rtol=1e-5)  # domain 1: gamma 2, stats (0, 1)
    layer(x, np.array([1]), training=True)
    mean = keras.ops.convert_to_numpy(layer.moving_mean)
    np.testing.assert_allclose(mean[1], 0.5 * x.reshape(-1, 2).mean(0), rtol=1e-5)  # momentum 0.5
    np.testing.assert_array_equal(mean[[0, 2]], 0)  # other domains untouched
    variance = keras.ops.convert_to_numpy(layer.moving_variance)[1]
    np.testing.assert_allclose(variance, 0.5 + 0.5 * x.reshape(-1, 2).var(0, ddof=1), rtol=1e-4)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="synchronized statistics are TensorFlow's")
def test_synchronized_dabn_on_one_device_normalises_as_the_default():
    """Synchronized = global-batch statistics; on one device that is the batch (the two-worker
    equality is tests/training/test_multi_worker.py)."""
    x = RNG.normal(2.0, 3.0, (4, 5, 5, 2)).astype("float32")
    layers = [DomainAdaptiveBatchNormalization(2, momentums=0.5, synchronized=s) for s in (False, True)]
    outs = [keras.ops.convert_to_numpy(layer(x, np.array([1]), training=True)) for layer in layers]
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-5)
    np.testing.assert_allclose(outs[1].reshape(-1, 2).std(0), 1.0, rtol=1e-3)
    for name in ("moving_mean", "moving_variance"):
        a, b = (keras.ops.convert_to_numpy(getattr(layer, name)) for layer in layers)
        np.testing.assert_allclose(b, a, rtol=1e-5)
    assert DomainAdaptiveBatchNormalization.from_config(layers[1].get_config()).synchronized


def test_replicate_padding_repeats_edges():
    x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
    out = keras.ops.convert_to_numpy(ReplicatePadding2D(2)(x))[0, :, :, 0]
    np.testing.assert_array_equal(out, np.pad(x[0, :, :, 0], 2, mode="edge"))


def test_gaussian_priors_and_smoothing_init():
    maps = keras.ops.convert_to_numpy(GaussianPriorMaps(2)(np.zeros((1, 7, 12, 8), "float32"), np.array([1])))
    assert maps.shape == (1, 7, 12, 16)
    assert maps[0, 3, 6, 15] == pytest.approx(6.0 * np.exp(-0.5 * (1 / 22) ** 2 / np.e ** 0), rel=1e-3)
    kernel = gaussian_kernel_init()
    assert kernel.sum() == pytest.approx(1.0) and kernel[20, 20] == pytest.approx(0.005433, rel=1e-3)
    smooth = DomainAdaptiveSmoothing(1)
    flat = np.ones((1, 16, 16, 1), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(smooth(flat, np.array([0]))), flat, rtol=1e-5)


def test_conv_gru_shapes_and_dropout_only_in_training():
    gru = ConvGRU(8, n_domains=2)
    x = RNG.normal(size=(2, 3, 4, 5, 6)).astype("float32")
    seq, last = gru(x, np.array([0]))
    assert tuple(seq.shape) == (2, 3, 4, 5, 8)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(seq[:, -1]), keras.ops.convert_to_numpy(last))
    a, _ = gru(x, np.array([0]))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(seq))


def test_unisal_shapes_domains_and_roundtrip(tmp_path):
    model = UNISAL(domains=("A", "B"))
    images = RNG.uniform(0, 255, (1, 2, 64, 96, 3)).astype("float32")
    out = model({"image": images, "domain": np.array([1], np.int32)})
    assert tuple(out.shape) == (1, 2, 64, 96)
    sums = np.exp(keras.ops.convert_to_numpy(out)).sum(axis=(2, 3))
    np.testing.assert_allclose(sums, 1.0, rtol=1e-5)
    image_out = model({"image": images[:, 0], "domain": np.array([0], np.int32)}, target_size=(40, 50))
    assert tuple(image_out.shape) == (1, 40, 50)
    assert model.count_params() > 3e6
    with pytest.raises(ValueError, match="Unknown domain 'C'"):
        model.domain_index("C")
    for bad in (np.array([2], np.int32), np.array([-1], np.int32), 5, np.array([0.5])):  # was InvalidArgumentError
        with pytest.raises(ValueError, match=r"`domain` index .* is out of range: this model has 2 domains"):
            model({"image": images, "domain": bad})
    with pytest.raises(ValueError, match="out of range"):
        model({"image": images, "domain": keras.ops.convert_to_tensor(np.array([3], np.int32))})
    with pytest.raises(ValueError, match="divisible by 32"):
        model({"image": images[:, :, :60], "domain": np.array([0], np.int32)})
    assert_keras_roundtrip(model, {"image": images[:, :1], "domain": np.array([1], np.int32)})
    by_name = model({"image": images, "domain": "B"}, static=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(by_name), keras.ops.convert_to_numpy(out))
    model.save_to_preset(tmp_path / "preset")
    loaded = UNISAL.from_preset(tmp_path / "preset")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded({"image": images, "domain": "B"})),
                                  keras.ops.convert_to_numpy(out))


def test_mobilenetv2_unisal_is_a_registered_backbone():
    model = backbones.get("mobilenetv2_unisal", input_shape=(64, 96, 3))
    out = model(np.zeros((1, 64, 96, 3), "float32"))
    assert tuple(out["stride8"].shape) == (1, 8, 12, 64)
    assert tuple(out["stride16"].shape) == (1, 4, 6, 160)
    assert tuple(out["head"].shape) == (1, 2, 3, 1280)


def test_mobilenetv2_loads_torchvision_names(shared_file):
    """The parity backbone renamed to torchvision's nested keys loads to identical outputs."""
    from keras_saliency.backbones.mobilenetv2_unisal import build_unisal_mobilenetv2, load_state_dict_into

    state = dict(np.load(shared_file("reference", "unisal", "parity_state_dict.npz")))
    tonylins = {k[len("cnn."):]: v for k, v in state.items() if k.startswith("cnn.")}
    inverse_expand = {"conv.0": "conv.0.0", "conv.1": "conv.0.1", "conv.3": "conv.1.0", "conv.4": "conv.1.1",
                      "conv.6": "conv.2", "conv.7": "conv.3"}
    inverse_first = {"conv.0": "conv.0.0", "conv.1": "conv.0.1", "conv.3": "conv.1", "conv.4": "conv.2"}
    torchvision = {}
    for key, value in tonylins.items():
        parts = key.split(".")
        if len(parts) > 3 and parts[2] == "conv":
            table = inverse_first if parts[1] == "1" else inverse_expand
            key = ".".join(parts[:2] + [table[".".join(parts[2:4])]] + parts[4:])
        torchvision[key] = value
    a, b = build_unisal_mobilenetv2((64, 64, 3)), build_unisal_mobilenetv2((64, 64, 3))
    load_state_dict_into(a, tonylins)
    load_state_dict_into(b, torchvision)
    x = RNG.normal(size=(1, 64, 64, 3)).astype("float32")
    for out_a, out_b in zip(a.predict(x, verbose=0), b.predict(x, verbose=0)):
        np.testing.assert_array_equal(out_a, out_b)


@pytest.mark.parametrize("factor, size", [(8, 41), (4, 9), (3, 5)])
def test_polyphase_smoothing_equals_upsample_then_smooth(factor, size):
    layer = DomainAdaptiveSmoothing(2, size)
    low = RNG.normal(size=(2, 5, 7, 1)).astype("float32")
    layer.build(low.shape)
    layer.kernel.assign(RNG.normal(size=(2, size, size)).astype("float32"))
    upsampled = np.repeat(np.repeat(low, factor, axis=1), factor, axis=2)
    expected = keras.ops.convert_to_numpy(layer(upsampled, np.array([1])))
    got = keras.ops.convert_to_numpy(layer.call_upsampled(low, np.array([1]), factor))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_unisal_with_an_efficientnet_lite_encoder(tmp_path):
    model = UNISAL(domains=("MIT1003", "OSIE"), encoder="efficientnet_lite0")
    images = RNG.uniform(0, 255, (1, 64, 96, 3)).astype("float32")
    out = model({"image": images, "domain": np.array([1], np.int32)})
    assert tuple(out.shape) == (1, 64, 96)
    assert model.get_config()["encoder"] == "efficientnet_lite0"
    assert_keras_roundtrip(model, {"image": images, "domain": np.array([0], np.int32)})
    with pytest.raises(ValueError, match="lacks the taps"):
        UNISAL(encoder="vgg16")
