"""RecurringShapes: eager for the first calls of a shape, then one compiled function, with the same results."""

import keras
import numpy as np
import pytest

from keras_saliency.recurring_shapes import RecurringShapes


def test_a_shape_is_compiled_after_it_recurs_and_others_stay_eager():
    runs = []

    def double(x):
        runs.append(tuple(x.shape))  # Python runs on every eager call, but only while tracing once compiled
        return keras.ops.multiply(x, 2.0)

    calls = RecurringShapes(double, after=2)
    a, b = np.ones((2, 3), np.float32), np.ones((4, 5), np.float32)
    outputs = [keras.ops.convert_to_numpy(calls(a)) for _ in range(5)]
    for out in outputs:
        np.testing.assert_array_equal(out, 2 * a)
    if keras.backend.backend() == "tensorflow":
        assert list(calls.compiled) == [((2, 3),)] and len(runs) == 3  # 2 eager calls, 1 trace, 2 compiled
    else:
        assert not calls.compiled and len(runs) == 5
    runs.clear()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(calls(b)), 2 * b)
    assert runs == [(4, 5)] and calls.calls == {((2, 3),): 5, ((4, 5),): 1}
    if keras.backend.backend() == "tensorflow":  # a second recurring shape gets a trace of its own, static
        static = []
        calls = RecurringShapes(lambda x: static.append(tuple(x.shape)) or x, after=0)
        calls(a), calls(b), calls(a)
        assert static == [(2, 3), (4, 5)] and len(calls.compiled) == 2


def test_after_must_not_be_negative():
    with pytest.raises(ValueError, match="`after`"):
        RecurringShapes(lambda x: x, after=-1)


def test_with_variables_every_backend_compiles_and_sees_later_weight_changes():
    """On JAX too (the contract run): compiled once per shape, the variables' current values used."""
    runs = []
    scale = keras.Variable(np.float32(2.0))

    def times_scale(x):
        runs.append(tuple(x.shape))
        return keras.ops.multiply(x, scale)

    calls = RecurringShapes(times_scale, after=1, variables=[scale])
    a = np.ones((2, 3), np.float32)
    for _ in range(3):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(calls(a)), 2 * a)
    assert list(calls.compiled) == [((2, 3),)] and len(runs) == 2  # 1 eager call, 1 trace, then compiled
    scale.assign(np.float32(5.0))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(calls(a)), 5 * a)
    assert len(runs) == 2  # not traced again for the new value
