"""The losses and metrics run on the JAX backend too (skipped when JAX is not installed)."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import numpy as np, keras
    assert keras.backend.backend() == "jax", keras.backend.backend()
    from keras_saliency import losses as L, keras_metrics as KM
    from keras_saliency import metrics as M
    rng = np.random.default_rng(0)
    x = rng.random((4, 12, 16, 1)).astype("float32")
    fix = (rng.random((4, 12, 16)) > 0.9).astype("float32")
    y = np.stack([x[..., 0], fix], -1)
    inputs = keras.Input((12, 16, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(inputs))
    model.compile(optimizer="adam", loss=L.UNISALLoss(from_logits=True), metrics=[KM.NSS(target_channel=1)])
    history = model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"])), history.history
    # Same value as the NumPy reference NSS on a fixed log-density.
    logd = np.log(x[..., 0] / x[..., 0].sum(axis=(1, 2), keepdims=True))
    got = float(keras.ops.convert_to_numpy(L.NSSLoss()(fix, logd)))
    rows = [np.argwhere(f > 0) for f in fix]
    want = -np.mean([M.nss(np.exp(logd[b]), rows[b][:, ::-1] + 0.5) for b in range(4)])
    assert abs(got - want) < 1e-4, (got, want)
    print("jax ok")
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed (optional backend)")
def test_small_model_trains_on_jax():
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "jax ok" in result.stdout
