"""`assert_keras_roundtrip`: ``model.save("x.keras")`` then ``keras.saving.load_model`` must give the same model."""

import tempfile
from pathlib import Path

import keras
import numpy as np


def assert_keras_roundtrip(model, inputs, *, atol=0.0, directory=None):
    """Save ``model`` as ``.keras``, load it back and assert it is the same model; return the loaded one.

    Checks: the same class, the same weights (names, shapes and values, in order)
    and the same outputs for ``inputs`` (any structure ``model(inputs)`` takes;
    called with ``training=False``), exactly equal by default or within ``atol``.
    ``directory``: where to write the file (default: a temporary folder, removed).
    """
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
    if type(loaded) is not type(model):
        raise AssertionError(f"loaded a {type(loaded).__name__}, saved a {type(model).__name__}")
    before = [(w.name, tuple(w.shape)) for w in model.weights]
    after = [(w.name, tuple(w.shape)) for w in loaded.weights]
    if before != after:
        raise AssertionError(f"weights differ after loading:\nsaved  {before}\nloaded {after}")
    for saved, restored in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(restored), keras.ops.convert_to_numpy(saved), err_msg=f"weight {saved.path}"
        )
    expected = keras.tree.flatten(model(inputs, training=False))
    actual = keras.tree.flatten(loaded(inputs, training=False))
    if len(expected) != len(actual):
        raise AssertionError(f"{len(expected)} outputs before saving, {len(actual)} after")
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        want, got = keras.ops.convert_to_numpy(want), keras.ops.convert_to_numpy(got)
        if atol == 0:
            np.testing.assert_array_equal(got, want, err_msg=f"output {i} differs after a .keras round trip")
        else:
            np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=f"output {i} differs after a round trip")
    return loaded
