"""`keras-saliency predict` on the bundled example images, and its error paths."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.special import logsumexp

from keras_saliency.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "images"


def test_predict_writes_overlays_maps_and_log_densities(tmp_path, capsys):
    image = EXAMPLES / "chelsea_cat.jpg"
    assert main(["predict", str(image), "--output", str(tmp_path), "--no-progress"]) == 0
    size = Image.open(image).size
    overlay = Image.open(tmp_path / "chelsea_cat_overlay.png")
    assert overlay.size == size and overlay.mode == "RGB"
    assert Image.open(tmp_path / "chelsea_cat_saliency.png").size == size
    log_density = np.load(tmp_path / "chelsea_cat_log_density.npy")
    assert log_density.shape == (size[1], size[0])
    assert logsumexp(log_density.astype(np.float64)) == pytest.approx(0.0, abs=1e-3)
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left
    assert "wrote 3 files for 1 images" in capsys.readouterr().out


def test_predict_a_folder_with_the_center_bias_model(tmp_path):
    assert main(["predict", str(EXAMPLES), "--output", str(tmp_path), "--model", "center_bias"]) == 0
    assert len(list(tmp_path.glob("*_overlay.png"))) == len(list(EXAMPLES.glob("*.jpg")))


@pytest.mark.parametrize("args, message", [
    (["missing.jpg"], "No such file or folder: missing.jpg"),
    (["--model", "no_such_model"], "cannot load model 'no_such_model'"),
])
def test_user_errors_exit_2_with_a_message(tmp_path, capsys, args, message):
    inputs = args if not args[0].startswith("--") else [str(EXAMPLES / "coffee.jpg")] + args
    assert main(["predict", *inputs, "--output", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_unreadable_image_and_empty_folder(tmp_path, capsys):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    assert main(["predict", str(bad), "--output", str(tmp_path / "out"), "--model", "center_bias"]) == 1
    assert "Cannot read image" in capsys.readouterr().err  # reported and skipped (tests/cli/test_predict_streaming.py)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["predict", str(empty), "--output", str(tmp_path / "out")]) == 2
    assert "No images" in capsys.readouterr().err


def test_a_decompression_bomb_is_one_line_and_a_failed_input(tmp_path, capsys, write_png):
    bomb = write_png(tmp_path / "bomb.png", 20000, 20000, 8, 0)  # declares 20000x20000, holds no pixels
    assert main(["predict", str(bomb), "--output", str(tmp_path / "out"), "--model", "center_bias"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(bomb) in err and "decompression-bomb limit" in err
    assert not (tmp_path / "out").exists()


def test_output_that_is_a_file_is_refused_before_predicting(tmp_path, capsys):
    target = tmp_path / "out.png"
    target.write_bytes(b"")
    assert main(["predict", str(EXAMPLES / "coffee.jpg"), "--output", str(target)]) == 2
    assert f"--output {target} is a file" in capsys.readouterr().err
