"""DeepGaze models, chunked evaluation and readout training also run on the JAX backend (skipped without JAX)."""

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import numpy as np, keras
    assert keras.backend.backend() == "jax", keras.backend.backend()
    from deepgaze_support import tiny_extractor
    from keras_saliency.fixations import Fixations
    from keras_saliency.zoo.deepgaze import DeepGazeII, DeepGazeIIE, ReadoutDataset, fit_readout
    rng = np.random.default_rng(0)
    model = DeepGazeIIE([tiny_extractor(0), tiny_extractor(1)], n_components=2)
    inputs = {"image": rng.uniform(0, 255, (2, 64, 96, 3)).astype("float32"),
              "centerbias": np.full((2, 64, 96), -np.log(64 * 96), "float32")}
    full = keras.ops.convert_to_numpy(model(inputs))
    assert np.abs(full - model.predict_log_density(inputs["image"], centerbias=inputs["centerbias"])).max() < 2e-5
    assert np.abs(np.log(np.exp(full.astype("float64")).sum(axis=(1, 2)))).max() < 1e-5
    single = DeepGazeII(tiny_extractor(2))
    sizes = [(64, 96)] * 4  # one size: JAX compiles once per shape
    features = [keras.ops.convert_to_numpy(single.features(rng.uniform(0, 255, (1, *s, 3)).astype("float32")))[0]
                for s in sizes]
    fixations = [Fixations(rng.uniform(0, s[1], 9), rng.uniform(0, s[0], 9)) for s in sizes]
    data = ReadoutDataset(features, fixations, sizes, lambda s: np.full(s, -np.log(s[0] * s[1]), "float32"),
                          batch_size=2)
    history = fit_readout(single.readout_model(), data, data, epochs=1, learning_rate=1e-2)
    assert np.all(np.isfinite(history.history["loss"])) and len(history.history["val_ig"]) == 1
    print("jax ok")
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed (optional backend)")
def test_deepgaze_runs_and_trains_on_jax():
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join([str(root), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "PYTHONPATH": path}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "jax ok" in result.stdout
