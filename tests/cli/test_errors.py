"""Every CLI failure is one line and an exit code: 2 for user errors, 1 for anything else unless ``--debug``."""

from pathlib import Path

import h5py
import pytest

from keras_saliency import cli
from keras_saliency.cli import UserError
from keras_saliency.cli import list as list_command

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "images"
HINT = "(run with --debug for the traceback)"


def _open_as_hdf5(tmp_path):
    bad = tmp_path / "weights.h5"
    bad.write_bytes(b"not an HDF5 file")
    return lambda args: h5py.File(bad, "r")


def _raise(error):
    def run(args):
        raise error
    return run


@pytest.mark.parametrize("make_run, line", [
    (_open_as_hdf5, "keras-saliency list: error: OSError: Unable to "),
    (lambda tmp_path: _raise(KeyError("image")), "keras-saliency list: error: KeyError: 'image' " + HINT),
    (lambda tmp_path: _raise(RuntimeError("first line\nsecond line")),
     "keras-saliency list: error: RuntimeError: first line " + HINT),
    (lambda tmp_path: _raise(ValueError()), "keras-saliency list: error: ValueError " + HINT),
])
def test_an_unexpected_error_is_one_line_and_exit_1(monkeypatch, tmp_path, capsys, make_run, line):
    monkeypatch.setattr(list_command, "run", make_run(tmp_path))
    assert cli.main(["list"]) == 1
    captured = capsys.readouterr()
    err = captured.err.rstrip("\n")
    assert "\n" not in err and "Traceback" not in err and captured.out == ""
    assert err.startswith(line) and err.endswith(HINT)


def test_debug_prints_the_full_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(list_command, "run", _open_as_hdf5(tmp_path))
    assert cli.main(["--debug", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "h5py" in err
    assert err.rstrip().splitlines()[-1].startswith("OSError: Unable to ") and HINT not in err


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_user_errors_stay_one_line_and_exit_2(monkeypatch, capsys, debug):
    monkeypatch.setattr(list_command, "run", _raise(UserError("--folder missing does not exist")))
    assert cli.main([*debug, "list"]) == 2
    assert capsys.readouterr().err == "keras-saliency list: error: --folder missing does not exist\n"


def test_an_unknown_model_name_suggests_close_matches_in_one_line(tmp_path, capsys):
    assert cli.main(["predict", str(EXAMPLES / "coffee.jpg"), "--output", str(tmp_path), "--model", "gbsv"]) == 2
    err = capsys.readouterr().err.rstrip("\n")
    assert "\n" not in err and err.startswith("keras-saliency predict: error: cannot load model 'gbsv'")
    assert err.endswith("(did you mean ['gbvs']?)")


def test_model_names_ignore_case_in_the_cli(tmp_path):
    assert cli.main(["predict", str(EXAMPLES / "coffee.jpg"), "--output", str(tmp_path), "--model", "Center_Bias",
                     "--no-progress"]) == 0
    assert (tmp_path / "coffee_overlay.png").is_file()


def test_debug_shows_the_error_behind_a_user_error(capsys):
    line = "keras-saliency evaluate: error: mit1003 has no config 'foo'; choose one of: "
    assert cli.main(["evaluate", "--dataset", "mit1003/foo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and err.count("\n") == 1
    assert cli.main(["--debug", "evaluate", "--dataset", "mit1003/foo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "builder_names.py" in err
    assert "ValueError: mit1003 has no config 'foo'" in err and err.splitlines()[-1].startswith(line)
