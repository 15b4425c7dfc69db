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
        assert calls.compiled is not None and len(runs) == 3  # 2 eager calls, 1 trace, 2 compiled calls
    else:
        assert calls.compiled is None and len(runs) == 5
    runs.clear()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(calls(b)), 2 * b)
    assert runs == [(4, 5)] and calls.calls == {((2, 3),): 5, ((4, 5),): 1}


def test_after_must_not_be_negative():
    with pytest.raises(ValueError, match="`after`"):
        RecurringShapes(lambda x: x, after=-1)
