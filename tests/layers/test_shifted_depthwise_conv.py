"""keras_saliency.layers.DepthwiseConv2D computes keras.layers.DepthwiseConv2D (shifted sum or kernel), reads its
weight files, round-trips; `depthwise_implementation` picks the computation."""

import keras
import numpy as np
import pytest

from keras_saliency.layers import DepthwiseConv2D as ShiftedDepthwiseConv2D
from keras_saliency.layers import depthwise_implementation


@pytest.mark.parametrize("kernel, strides, padding, use_bias, shape", [
    (3, 1, "same", False, (2, 9, 12, 5)), (5, 2, "same", True, (1, 11, 14, 4)), (3, 2, "same", False, (1, 8, 8, 3)),
    (3, 2, "valid", True, (1, 9, 13, 3)), (4, 3, "same", False, (1, 10, 11, 2)), (3, 1, "valid", False, (1, 7, 7, 2)),
])
def test_equals_depthwise_conv(kernel, strides, padding, use_bias, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    reference = keras.layers.DepthwiseConv2D(kernel, strides, padding=padding, use_bias=use_bias, activation="relu")
    reference.build(shape)
    reference.set_weights([rng.normal(size=w.shape).astype("float32") for w in reference.get_weights()])
    shifted = ShiftedDepthwiseConv2D(kernel, strides, padding=padding, use_bias=use_bias, activation="relu")
    shifted.build(shape)
    shifted.set_weights(reference.get_weights())
    with depthwise_implementation("shifted"):
        out = keras.ops.convert_to_numpy(shifted(x))
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(reference(x)), rtol=1e-5, atol=1e-5)


def test_implementation_is_chosen_by_mode_and_restored(monkeypatch):
    """Which computation runs: spied on the parent's call (the kernel); "auto" follows the backend."""
    calls = []
    parent = keras.layers.DepthwiseConv2D.call
    monkeypatch.setattr(keras.layers.DepthwiseConv2D, "call", lambda self, inputs: calls.append(1) or parent(
        self, inputs))
    layer = ShiftedDepthwiseConv2D(3, padding="same")
    x = np.ones((1, 6, 6, 2), "float32")
    layer(x)
    assert len(calls) == (0 if keras.backend.backend() == "jax" else 1)  # auto
    with depthwise_implementation("shifted"):
        layer(x)
        with depthwise_implementation("kernel"):
            layer(x)
        layer(x)  # the inner block restored "shifted"
    assert len(calls) == (0 if keras.backend.backend() == "jax" else 1) + 1
    with pytest.raises(ValueError, match="`mode` must be one of"):
        with depthwise_implementation("fast"):
            pass


def test_reads_weight_files_of_the_keras_layer(tmp_path):
    def net(layer_class):
        inputs = keras.Input((8, 8, 3))
        return keras.Model(inputs, layer_class(3, padding="same")(keras.layers.Conv2D(3, 1)(inputs)))

    saved = net(keras.layers.DepthwiseConv2D)
    saved.save_weights(tmp_path / "dw.weights.h5")
    loaded = net(ShiftedDepthwiseConv2D)
    loaded.load_weights(tmp_path / "dw.weights.h5")
    for a, b in zip(saved.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_config_round_trip_and_fallback_for_depth_multiplier():
    layer = ShiftedDepthwiseConv2D(3, padding="same", depth_multiplier=2, name="dw")
    x = np.ones((1, 6, 6, 2), "float32")
    assert tuple(layer(x).shape) == (1, 6, 6, 4)  # runs the parent's convolution
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is ShiftedDepthwiseConv2D and clone.get_config() == layer.get_config()
