"""analyze_representations on MIT1003 and its argument errors; the OSIE + pop-out `--quick` run and its
table checks are in tests/examples/test_examples_quick.py."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from keras_saliency.data import read_fixation_images

ROOT = Path(__file__).resolve().parents[2]
OSIE = ROOT / ".." / "shared" / "data" / "osie"
MIT1003 = ROOT / ".." / "shared" / "data" / "mit1003"
SCRIPT = ROOT / "examples" / "analyze_representations.py"


def _module():
    spec = importlib.util.spec_from_file_location("analyze_representations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def popout_dir(tmp_path_factory):
    """TFDS data_dir for the tiny pop-out config."""
    return str(tmp_path_factory.mktemp("tfds"))


@pytest.mark.skipif(not (MIT1003 / "SCANPATHS").is_dir(), reason=f"MIT1003 not found at {MIT1003}")
def test_quick_run_on_mit1003(tmp_path, capsys):
    module = _module()
    data = read_fixation_images("mit1003", MIT1003, 2)
    images, fixations = data.images((96, 128)), data.fixations_at((96, 128), policy=None)[0]  # what the run uses
    assert images.shape == (2, 96, 128, 3) and len(data.sizes) == 2
    for fix in fixations:  # 15 viewers, first (central) fixation of each scanpath dropped
        assert 15 <= len(fix.x) and np.mean((fix.x >= 0) & (fix.x < 128) & (fix.y >= 0) & (fix.y < 96)) > 0.95
    assert module.main(["--quick", "--dataset", "mit1003", "--out", str(tmp_path), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "4 mit1003 images" in out and "### Setup II:" in out and "Pop-out" not in out


def test_bad_arguments_are_clear_errors(tmp_path, capsys, popout_dir):
    module = _module()
    assert module.main(["--quick", "--data", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "fixations.mat not found" in capsys.readouterr().err
    if not (OSIE / "fixations.mat").is_file():
        pytest.skip(f"OSIE not found at {OSIE}")
    args = ["--quick", "--data", str(OSIE), "--out", str(tmp_path), "--finetune", "nonexistent", "--epochs", "1"]
    assert module.main(args) == 2
    assert "matches no encoder layer" in capsys.readouterr().err
    args = ["--data", str(OSIE), "--out", str(tmp_path), "--popout", "--popout-config", "tiny",
            "--popout-dir", popout_dir, "--popout-n", "3"]
    assert module.main(args) == 2
    assert "has only 2 'colour' arrays" in capsys.readouterr().err
