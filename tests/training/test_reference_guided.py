import keras
import numpy as np
import pytest

from keras_saliency.losses import TotalVariationDistance
from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.training import ReferenceGuidedModel, refine

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TF backend only")


def test_refine_matches_hand_derived_gradient():
    # g = (1, 0), g_ref = (-1, 1): cos = -1/sqrt(2); |g| = 1, |g_ref| = sqrt(2).
    # d cos/dg = g_ref/(|g||g_ref|) - cos g/|g|^2 = (-1/s, 1/s) + (1/s, 0) = (0, 1/s), s = sqrt 2
    # d(-0.01|g|^2)/dg = (-0.02, 0)  ->  g' = (1 - 0.02, 1/sqrt(2))
    g = np.array([1.0, 0.0], np.float32)
    r = np.array([-1.0, 1.0], np.float32)
    out = keras.ops.convert_to_numpy(refine(g, r, steps=1, step_size=1.0, lamb=0.01))
    np.testing.assert_allclose(out, [0.98, 1 / np.sqrt(2)], rtol=1e-6)
    # finite differences of f, independent of the closed form
    f = lambda v: v @ r / (np.linalg.norm(v) * np.linalg.norm(r)) - 0.01 * v @ v  # noqa: E731
    g64 = np.array([0.3, -1.2, 0.5])
    r = np.array([-0.7, 0.4, 0.1])
    fd = np.array([(f(g64 + h) - f(g64 - h)) / 2e-6 for h in np.eye(3) * 1e-6])
    out = keras.ops.convert_to_numpy(refine(g64.astype("float32"), r.astype("float32"),
                                            step_size=0.5))
    np.testing.assert_allclose(out, g64 + 0.5 * fd, rtol=1e-4)


def _linear_model(seed):
    keras.utils.set_random_seed(seed)
    inp = keras.Input((4, 4, 2))
    h = keras.layers.Conv2D(3, 1, activation="relu", name="body")(inp)
    out = keras.layers.Conv2D(1, 1, activation="sigmoid", use_bias=False, name="head")(h)
    return keras.Model(inp, keras.layers.Reshape((4, 4))(out))


def _data(seed=1):
    rng = np.random.default_rng(seed)
    return (rng.random((8, 4, 4, 2), np.float32), rng.random((8, 4, 4), np.float32))


def test_surgery_in_train_step_on_linear_head():
    x, y = _data()
    rx, ry = x[:2], 1.0 - y[:2]
    model = _linear_model(0)
    w_before = [w.copy() for w in model.get_weights()]
    wrapped = ReferenceGuidedModel(model, rx, ry, n_ref=2, head=["head"], epsilon=2.0, seed=3)
    wrapped.compile(optimizer=keras.optimizers.SGD(1.0), loss=TotalVariationDistance())
    import tensorflow as tf

    # expected: gradients by an independent tape, surgery by the closed form in NumPy
    with tf.GradientTape(persistent=True) as tape:
        loss = TotalVariationDistance()(y, model(x))
    g_all = [t.numpy() for t in tape.gradient(loss, model.trainable_weights)]
    seed = tf.constant([3, 0], tf.int64)
    idx = tf.random.stateless_uniform((2,), seed, 0, 2, dtype=tf.int64).numpy()
    with tf.GradientTape() as tape2:
        ref_loss = TotalVariationDistance()(ry[idx], model(rx[idx]))
    r = tape2.gradient(ref_loss, model.get_layer("head").kernel).numpy().ravel()
    g = g_all[2].ravel()
    c = g @ r / (np.linalg.norm(g) * np.linalg.norm(r))
    g_new = g + (r / (np.linalg.norm(g) * np.linalg.norm(r)) - c * g / (g @ g) - 0.02 * g)
    hist = wrapped.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(model.get_weights()[2].ravel(), w_before[2].ravel() - g_new,
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], w_before[0] - g_all[0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hist.history["cos_before"][0], c, rtol=1e-4)
    assert hist.history["cos_after"][0] > hist.history["cos_before"][0]


def test_epsilon_minus_one_is_plain_training_bit_for_bit():
    x, y = _data()
    plain, guided_inner = _linear_model(5), _linear_model(5)
    guided = ReferenceGuidedModel(guided_inner, x[:3], y[:3], n_ref=2, head=1, epsilon=-1.0)
    histories = []
    for m in (plain, guided):
        m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=TotalVariationDistance())
        histories.append(m.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False).history)
    for a, b in zip(plain.get_weights(), guided_inner.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=1e-6)  # the same loss log


def test_two_fit_steps_with_surgery_lower_the_loss_and_return_a_history():
    x, y = _data()
    guided = ReferenceGuidedModel(_linear_model(4), x[:2], y[:2], n_ref=2, epsilon=2.0)  # surgery every step
    guided.compile(optimizer=keras.optimizers.SGD(0.05), loss=TotalVariationDistance())
    history = guided.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    assert isinstance(history, keras.callbacks.History)
    assert set(history.history) == {"loss", "cos_before", "cos_after"}
    assert history.history["loss"][1] < history.history["loss"][0]


def test_mixed_precision_loss_scale_unscaled():
    x, y = _data()
    rx, ry = x[:2], 1.0 - y[:2]
    a, b = _linear_model(2), _linear_model(2)
    wa = ReferenceGuidedModel(a, rx, ry, n_ref=2, epsilon=2.0)
    wb = ReferenceGuidedModel(b, rx, ry, n_ref=2, epsilon=2.0)
    wa.compile(optimizer=keras.optimizers.SGD(0.5), loss=TotalVariationDistance())
    wb.compile(optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.5),
                                                               initial_scale=1024.0),
               loss=TotalVariationDistance())
    for m in (wa, wb):
        m.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-6)


def test_bad_arguments():
    m = _linear_model(0)
    with pytest.raises(ValueError, match="head"):
        ReferenceGuidedModel(m, np.zeros((1, 4, 4, 2)), np.zeros((1, 4, 4)), head=["nope"])
    with pytest.raises(ValueError, match="same length"):
        ReferenceGuidedModel(m, np.zeros((2, 4, 4, 2)), np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="n_ref"):
        ReferenceGuidedModel(m, np.zeros((1, 4, 4, 2)), np.zeros((1, 4, 4)), n_ref=0)


def test_mirrored_strategy_matches_single_device():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("_mirrored_script.py")
    root = Path(__file__).resolve().parents[2]
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "MIRRORED_OK 2" in res.stdout


def test_keras_file_round_trip_keeps_the_reference_set_and_weights():
    model = ReferenceGuidedModel(_linear_model(0), *_data(2), n_ref=2, head=["head"], epsilon=0.1, lamb=0.02)
    x, _ = _data()
    model(x[:2])
    loaded = assert_keras_roundtrip(model, x[:2])
    np.testing.assert_array_equal(loaded.reference_x, model.reference_x)
    assert (loaded.n_ref, loaded.head, loaded.epsilon, loaded.lamb) == (2, ["head"], 0.1, 0.02)
