"""``keras-saliency build`` (driven through its own parser until it is listed in SUBCOMMANDS)."""

import argparse
import pathlib
import shutil

import pytest

from keras_saliency.cli import UserError, build

ROOT = pathlib.Path(__file__).resolve().parents[2]
OSIE_DUMMY = ROOT / "tfds_builders" / "osie" / "dummy_data"


def _run(argv):
    parser = argparse.ArgumentParser()
    build.register(parser.add_subparsers())
    args = parser.parse_args(["build", *argv])
    return args.func(args)


def test_builds_and_reports(tmp_path, capsys):
    assert _run(["osie", "--manual_dir", str(OSIE_DUMMY), "--data_dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Built osie/1.0.0" in out and "train: examples=3" in out
    assert (tmp_path / "osie" / "1.0.0" / "dataset_info.json").is_file()


def test_user_errors(tmp_path):
    with pytest.raises(UserError, match="unknown dataset 'imagenet'"):
        _run(["imagenet"])
    with pytest.raises(UserError, match="not a directory"):
        _run(["osie", "--manual_dir", str(tmp_path / "nope")])
    manual = tmp_path / "manual"
    shutil.copytree(OSIE_DUMMY, manual)
    (manual / "fixations.mat").write_bytes(b"not a mat file")
    with pytest.raises(UserError, match="fixations.mat"):
        _run(["osie", "--manual_dir", str(manual), "--data_dir", str(tmp_path / "data")])
    with pytest.raises(UserError, match="images/train: missing"):
        _run(["salicon", "--manual_dir", str(manual), "--data_dir", str(tmp_path / "data2")])
    with pytest.raises(UserError, match="salicon.net"):  # no manual_dir: TFDS shows our instructions
        _run(["salicon", "--data_dir", str(tmp_path / "data3")])
