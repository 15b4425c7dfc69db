"""keras_saliency.layers.Conv2D computes keras.layers.Conv2D (padded channels on JAX, the parent's convolution on
TensorFlow), reads its weight files, round-trips, folds."""

import keras
import numpy as np
import pytest

from keras_saliency.layers import Conv2D, fold_batch_norms

JAX = keras.backend.backend() == "jax"


def _pair(kernel, strides, padding, shape, filters=6, activation="relu"):
    rng = np.random.default_rng(0)
    reference = keras.layers.Conv2D(filters, kernel, strides, padding=padding, activation=activation)
    reference.build(shape)
    reference.set_weights([rng.normal(size=w.shape).astype("float32") for w in reference.get_weights()])
    ours = Conv2D(filters, kernel, strides, padding=padding, activation=activation)
    ours.build(shape)
    ours.set_weights(reference.get_weights())
    return reference, ours, rng.normal(size=shape).astype("float32")


@pytest.mark.parametrize("kernel, strides, padding, shape", [
    (5, 1, "same", (2, 12, 10, 3)), (3, 2, "same", (1, 11, 14, 3)), (4, 1, "same", (1, 9, 8, 1)),
    (3, 1, "valid", (1, 9, 13, 2)), ((3, 1), 1, "same", (1, 7, 7, 5)), (3, 1, "same", (1, 6, 6, 8)),
])
def test_equals_the_keras_convolution(kernel, strides, padding, shape):
    reference, ours, x = _pair(kernel, strides, padding, shape)
    out = keras.ops.convert_to_numpy(ours(x))
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(reference(x)), rtol=1e-5, atol=1e-5)


def test_the_fast_forms_run_where_documented(monkeypatch):
    """Spied on the parent's convolution_op: which input channel count reaches it."""
    seen = []
    parent = keras.layers.Conv2D.convolution_op
    monkeypatch.setattr(keras.layers.Conv2D, "convolution_op",
                        lambda self, inputs, kernel: seen.append(inputs.shape[-1]) or parent(self, inputs, kernel))
    for channels, padded in ((3, 4), (5, 8), (4, 4), (8, 8)):
        seen.clear()
        _, ours, x = _pair(3, 2, "same", (1, 8, 8, channels))
        ours(x)
        assert seen == [padded if JAX else channels]  # JAX pads to 4k channels; TensorFlow runs the plain one


def test_reads_weight_files_of_the_keras_layer_and_round_trips(tmp_path):
    def net(layer_class):
        inputs = keras.Input((8, 8, 3))
        return keras.Model(inputs, layer_class(4, 3, padding="same", name="stem")(inputs))

    saved = net(keras.layers.Conv2D)
    saved.save_weights(tmp_path / "stem.weights.h5")
    loaded = net(Conv2D)
    loaded.load_weights(tmp_path / "stem.weights.h5")
    for a, b in zip(saved.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    layer = loaded.get_layer("stem")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is Conv2D and clone.get_config() == layer.get_config()


def test_folded_with_its_batch_norm_it_keeps_the_fast_form():
    rng = np.random.default_rng(1)
    inputs = keras.Input((10, 12, 3))
    bn = keras.layers.BatchNormalization()
    model = keras.Model(inputs, bn(Conv2D(8, 3, padding="same", use_bias=False)(inputs)))
    bn.set_weights([rng.uniform(0.5, 2, 8).astype("float32"), rng.normal(size=8).astype("float32"),
                    rng.normal(size=8).astype("float32"), rng.uniform(0.5, 2, 8).astype("float32")])
    x = rng.normal(size=(2, 10, 12, 3)).astype("float32")
    folded = keras.ops.convert_to_numpy(fold_batch_norms(model)(x))
    np.testing.assert_allclose(folded, keras.ops.convert_to_numpy(model(x, training=False)), rtol=1e-4, atol=1e-4)
