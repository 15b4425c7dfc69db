"""WEPSAM network: shapes, the paper's initialisation, maxout, serialisation, bad input."""

import keras
import numpy as np
import pytest

from keras_saliency.zoo.wepsam import WEPSAM, Maxout

SMALL = dict(conv_filters=(4, 8, 8), hidden_units=32)


def _images(n, size=128, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, 3)).astype("float32")


def test_default_architecture_matches_the_paper_layout():
    model = WEPSAM()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.kernel.shape for c in convs] == [(5, 5, 3, 32), (3, 3, 32, 64), (3, 3, 64, 64)]
    assert all(c.activation is keras.activations.relu for c in convs)
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert len(pools) == 3 and all(p.pool_size == (2, 2) for p in pools)
    assert model.get_layer("fc1").kernel.shape == (16 * 16 * 64, 2048)
    assert model.get_layer("fc2").kernel.shape == (2048, 2 * 1024)
    assert model.get_layer("maxout").output.shape == (None, 1024)
    assert model.get_layer("to_map").output.shape == (None, 32, 32, 1)
    assert model.input_shape == (None, 128, 128, 3) and model.output_shape == (None, 128, 128)


def test_output_is_the_bilinear_resize_of_the_32x32_map():
    model = WEPSAM(**SMALL)
    x = _images(2)
    inner = keras.Model(model.input, model.get_layer("to_map").output)
    small = keras.ops.convert_to_numpy(inner(x))
    out = keras.ops.convert_to_numpy(model(x))
    assert out.shape == (2, 128, 128)
    # half-pixel bilinear x4: output index 4i + 2 samples source coordinate i + 0.125
    rows = np.arange(4) * 4 + 2
    w = np.array([0.875, 0.125])
    for i in range(4):
        for j in range(4):
            patch = small[:, i:i + 2, j:j + 2, 0]
            np.testing.assert_allclose(out[:, rows[i], rows[j]], np.einsum("bij,i,j->b", patch, w, w), rtol=1e-5)


def test_initialisation_is_normal_0_0p01_weights_and_0p1_biases():
    keras.utils.set_random_seed(3)
    model = WEPSAM(**SMALL)
    kernels = np.concatenate([np.ravel(layer.kernel) for layer in model.layers if hasattr(layer, "kernel")])
    biases = np.concatenate([np.ravel(layer.bias) for layer in model.layers if hasattr(layer, "bias")])
    assert kernels.size > 50_000
    assert abs(kernels.mean()) < 3 * 0.01 / np.sqrt(kernels.size)
    assert abs(kernels.std() - 0.01) < 0.0002
    assert abs(np.mean(np.abs(kernels)) - 0.01 * np.sqrt(2 / np.pi)) < 0.0002  # Gaussian, not uniform/truncated
    np.testing.assert_array_equal(biases, np.full(biases.shape, 0.1, np.float32))


def test_maxout_matches_numpy_on_contiguous_groups():
    x = np.random.default_rng(1).normal(size=(3, 5, 12)).astype("float32")
    out = keras.ops.convert_to_numpy(Maxout(3)(x))
    np.testing.assert_array_equal(out, x.reshape(3, 5, 4, 3).max(-1))
    with pytest.raises(ValueError, match="multiple of pieces=5"):
        Maxout(5)(x)
    with pytest.raises(ValueError, match="pieces"):
        Maxout(0)


def test_maxout_inside_the_network_takes_the_max_of_fc2_pairs():
    model = WEPSAM(**SMALL, maxout_pieces=3)
    x = _images(2, seed=1)
    probe = keras.Model(model.input, [model.get_layer("fc2").output, model.get_layer("maxout").output])
    fc2, maxout = (keras.ops.convert_to_numpy(t) for t in probe(x))
    assert fc2.shape == (2, 3 * 1024)
    np.testing.assert_array_equal(maxout, fc2.reshape(2, 1024, 3).max(-1))


def test_config_and_keras_file_round_trip(tmp_path):
    model = WEPSAM(conv_filters=(3, 5, 7), hidden_units=16, maxout_pieces=3, input_size=64, map_size=8,
                   name="tiny_wepsam")
    config = model.get_config()
    clone = WEPSAM.from_config(config)
    assert clone.get_config() == config
    assert clone.input_shape == (None, 64, 64, 3) and clone.output_shape == (None, 64, 64)
    assert clone.get_layer("fc2").kernel.shape == (16, 3 * 64)
    path = tmp_path / "wepsam.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is WEPSAM and loaded.get_config() == config
    x = _images(2, 64, seed=2)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))


def test_predict_saliency_map_returns_maps_at_the_image_size():
    model = WEPSAM(**SMALL)
    rng = np.random.default_rng(4)
    for size in ((60, 90), (200, 130)):
        images = rng.integers(0, 256, (2, *size, 3), dtype=np.uint8)
        maps = model.predict_saliency_map(images)
        assert maps.shape == (2, *size) and maps.dtype == np.float64 and np.all(maps >= 0)
        np.testing.assert_allclose(model.predict_saliency_map(images[1:])[0], maps[1], atol=1e-6)


def test_keras_saliency_predict_reads_the_map_as_a_density():
    import keras_saliency

    model = WEPSAM(**SMALL)
    image = np.random.default_rng(5).integers(0, 256, (60, 90, 3), dtype=np.uint8)
    (result,) = keras_saliency.predict(image, model=model, progress=False)
    saliency = model.predict_saliency_map(image[None])[0]
    assert result.log_density.shape == (60, 90) and abs(np.logaddexp.reduce(result.log_density.ravel())) < 1e-9
    np.testing.assert_allclose(result.saliency_map, (saliency + 1e-20) / (saliency + 1e-20).sum(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 64, 64, 3), (1, 128, 128, 1), (1, 128, 128, 4)])
def test_wrong_image_size_or_channels_is_rejected(shape):
    model = WEPSAM(**SMALL)
    with pytest.raises(ValueError, match=r"(shape=|shape )\(\w+, 128, 128, 3\)"):
        model(np.zeros(shape, "float32"))


def test_bad_arguments_are_rejected():
    model = WEPSAM(**SMALL)
    with pytest.raises(ValueError, match=r"`images` must be \(B, H, W, 3\) RGB images; got shape \(1, 20, 30\)"):
        model.predict_saliency_map([np.zeros((20, 30))])
    with pytest.raises(ValueError, match="conv_filters"):
        WEPSAM(conv_filters=(4, 8))
    with pytest.raises(ValueError, match="multiple of 8"):
        WEPSAM(input_size=100)
    with pytest.raises(ValueError, match="hidden_units"):
        WEPSAM(hidden_units=0)
