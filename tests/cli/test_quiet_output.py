"""Normal CLI use prints no TensorFlow / absl / oneDNN banners or retracing warnings; --verbose shows them."""

import os
import subprocess
import sys
from pathlib import Path

IMAGES = Path(__file__).resolve().parents[2] / "examples" / "images"
NOISE = ("oneDNN", "absl", "retracing", "I0000", "cpu_feature_guard")


def _predict(tmp_path, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    command = [sys.executable, "-m", "keras_saliency.cli", *extra, "predict", str(IMAGES), "--model",
               "deepgaze_ii_lite2_mit1003", "-o", str(tmp_path / "out"), "--no-progress"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def test_predict_output_is_only_ours(tmp_path):
    result = _predict(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"wrote 12 files for 4 images and 0 videos to {tmp_path / 'out'}"
    assert not [word for word in NOISE if word in result.stderr], result.stderr[-2000:]


def test_verbose_brings_tensorflow_logs_back(tmp_path):
    result = _predict(tmp_path, "--verbose")
    assert result.returncode == 0, result.stderr[-2000:]
    assert any(word in result.stderr for word in NOISE), result.stderr[-2000:]
