"""`keras-saliency predict` streams: options first, each input written as it is done, failures and Ctrl-C keep
finished work (docs/reliability.md, "Long runs")."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from keras_saliency import classical
from keras_saliency.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "images"
SUFFIXES = ("_overlay.png", "_saliency.png", "_log_density.npy")


@pytest.fixture
def folder(tmp_path):
    """Three good example images and (sorted between them) one corrupt file."""
    images = tmp_path / "images"
    images.mkdir()
    for name, example in (("a_cat.jpg", "chelsea_cat.jpg"), ("c_coffee.jpg", "coffee.jpg"),
                          ("d_astronaut.jpg", "astronaut.jpg")):
        shutil.copy(EXAMPLES / example, images / name)
    (images / "b_broken.jpg").write_bytes(b"not a jpeg")
    return images


@pytest.fixture
def calls(monkeypatch):
    """Counts the center_bias model's predicted batches (images and videos alike go through ``_predict_batch``);
    ``calls.interrupt_after = n`` raises KeyboardInterrupt after n."""
    model_class = type(classical.get("center_bias"))
    original = model_class._predict_batch

    class Calls:
        count = 0
        interrupt_after = None

    def counting(self, images, **conditions):
        if Calls.interrupt_after is not None and Calls.count >= Calls.interrupt_after:
            raise KeyboardInterrupt
        Calls.count += 1
        return original(self, images, **conditions)

    monkeypatch.setattr(model_class, "_predict_batch", counting)
    return Calls


def predict(*args):
    return main(["predict", *map(str, args), "--model", "center_bias", "--no-progress"])


def written(out, stem):
    return all((out / f"{stem}{suffix}").is_file() for suffix in SUFFIXES)


def temporary_files(out):
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("alpha", ["1.5", "-0.1", "nan"])
def test_a_bad_alpha_fails_before_loading_the_model_and_creates_nothing(tmp_path, capsys, calls, monkeypatch, alpha):
    monkeypatch.setattr("keras_saliency.cli.predict.load_model", pytest.fail)
    out = tmp_path / "out"
    assert predict(EXAMPLES / "coffee.jpg", "--output", out, "--alpha", alpha) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--alpha must be in [0, 1]" in err
    assert not out.exists() and calls.count == 0


def test_an_output_below_a_file_fails_before_loading_the_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("keras_saliency.cli.predict.load_model", pytest.fail)
    (tmp_path / "file").write_bytes(b"")
    assert predict(EXAMPLES / "coffee.jpg", "--output", tmp_path / "file" / "out") == 2
    assert "cannot be created" in capsys.readouterr().err


def test_one_corrupt_image_is_reported_and_the_others_are_written(tmp_path, folder, capsys):
    out = tmp_path / "out"
    assert predict(folder, "--output", out) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "b_broken.jpg" in captured.err
    assert "wrote 9 files for 3 images and 0 videos" in captured.out
    assert f"1 inputs failed: {folder / 'b_broken.jpg'}" in captured.out
    assert all(written(out, stem) for stem in ("a_cat", "c_coffee", "d_astronaut"))
    assert not list(out.glob("b_broken*")) and not temporary_files(out)


def test_strict_stops_at_the_first_failure_with_exit_2(tmp_path, folder, capsys):
    out = tmp_path / "out"
    assert predict(folder, "--output", out, "--strict") == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "b_broken.jpg" in err and "--strict: stopped; 1 inputs written" in err
    assert written(out, "a_cat") and not list(out.glob("c_coffee*")) and not list(out.glob("d_astronaut*"))


def test_skip_existing_predicts_only_what_is_missing(tmp_path, folder, calls, capsys):
    out = tmp_path / "out"
    assert predict(folder, "--output", out) == 1
    assert calls.count == 3
    (out / "c_coffee_saliency.png").unlink()  # an input with one file missing is predicted again
    mtime = (out / "a_cat_overlay.png").stat().st_mtime_ns
    capsys.readouterr()
    assert predict(folder, "--output", out, "--skip-existing") == 1
    assert calls.count == 4 and written(out, "c_coffee")
    assert (out / "a_cat_overlay.png").stat().st_mtime_ns == mtime
    assert "wrote 3 files for 1 images and 0 videos" in capsys.readouterr().out
    assert predict(folder, "--output", out, "--skip-existing") == 1 and calls.count == 4
    assert "skipped 3 inputs already written" in capsys.readouterr().out


def test_skip_existing_checks_every_frame_of_a_video(tmp_path, calls):
    clip = tmp_path / "clip"
    clip.mkdir()
    for t in range(3):
        shutil.copy(EXAMPLES / "coffee.jpg", clip / f"{t:03d}.jpg")
    out = tmp_path / "out"
    assert predict(clip, "--video", "--output", out) == 0
    assert np.load(out / "clip_log_density.npy").shape[0] == 3
    done = calls.count
    assert predict(clip, "--video", "--output", out, "--skip-existing") == 0 and calls.count == done
    (out / "clip" / "000002_overlay.png").unlink()
    assert predict(clip, "--video", "--output", out, "--skip-existing") == 0 and calls.count > done
    assert (out / "clip" / "000002_overlay.png").is_file()


def test_ctrl_c_after_the_first_image_exits_130_and_keeps_it(tmp_path, folder, calls, capsys):
    calls.interrupt_after = 1
    out = tmp_path / "out"
    assert predict(folder, "--output", out) == 130
    failure, interrupted = capsys.readouterr().err.strip().split("\n")  # b_broken.jpg failed before c_coffee.jpg
    assert "b_broken.jpg" in failure and "interrupted; 1 of 4 inputs written" in interrupted
    assert written(out, "a_cat") and not list(out.glob("c_coffee*")) and not temporary_files(out)


def test_a_write_error_is_one_failed_input_and_leaves_no_temporary_file(tmp_path, folder, capsys, monkeypatch):
    save = np.save
    saved = []

    def disk_full_on_the_second_npy(file, array, *args, **kwargs):
        saved.append(file)
        if len(saved) == 2:  # c_coffee (b_broken fails before writing)
            file.write(b"half")
            raise OSError(28, "No space left on device")
        save(file, array, *args, **kwargs)

    monkeypatch.setattr(np, "save", disk_full_on_the_second_npy)
    out = tmp_path / "out"
    assert predict(folder, "--output", out) == 1
    captured = capsys.readouterr()
    assert "No space left on device" in captured.err and "c_coffee.jpg" in captured.err
    assert "2 inputs failed" in captured.out
    assert written(out, "a_cat") and written(out, "d_astronaut") and not (out / "c_coffee_log_density.npy").exists()
    assert not temporary_files(out)
