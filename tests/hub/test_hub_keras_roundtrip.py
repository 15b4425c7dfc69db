"""The reusable `.keras` round-trip assertion."""

import keras
import numpy as np
import pytest

from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.testing.tiny_model import TinySaliency, tiny_model


@keras.saving.register_keras_serializable(package="keras_saliency_tests")
class ForgetfulScale(keras.layers.Layer):
    """Multiplies by ``scale`` but forgets to save it: a round trip must catch that."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        return x * self.scale

    def get_config(self):
        return super().get_config()  # the bug under test: "scale" is missing


def test_subclassed_and_functional_models_round_trip():
    images = np.random.default_rng(1).random((2, 8, 12, 3)).astype("float32")
    assert type(assert_keras_roundtrip(tiny_model(), images)) is TinySaliency
    inputs = keras.Input((8, 12, 3))
    functional = keras.Model(inputs, {"map": keras.layers.Conv2D(1, 1)(inputs), "mean": keras.ops.mean(inputs)})
    assert_keras_roundtrip(functional, images)


def test_a_config_that_loses_state_fails():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, ForgetfulScale(scale=3.0)(keras.layers.Dense(2)(inputs)))
    with pytest.raises(AssertionError, match="output 0 differs"):
        assert_keras_roundtrip(model, np.ones((1, 4), "float32"))
