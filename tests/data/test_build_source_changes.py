"""``keras-saliency build`` never keeps a stale or half-built dataset: a fingerprint of --manual_dir, --overwrite."""

import json
import os
import pathlib
import shutil

import pytest

from keras_saliency.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]
OSIE_DUMMY = ROOT / "tfds_builders" / "osie" / "dummy_data"


def _build(manual, data, *extra):
    return main(["build", "osie", "--manual_dir", str(manual), "--data_dir", str(data), "--no-progress", *extra])


def _leftovers(data):
    return sorted(p.name for p in (data / "osie").iterdir()) if (data / "osie").exists() else []


def test_a_changed_manual_dir_is_refused_until_overwrite(tmp_path, capsys):
    first, second, data = tmp_path / "first", tmp_path / "second", tmp_path / "data"
    shutil.copytree(OSIE_DUMMY, first)
    shutil.copytree(OSIE_DUMMY, second)
    image = second / "stimuli" / "1002.jpg"
    image.write_bytes(image.read_bytes() + b"\0")  # a re-downloaded file of another size
    assert _build(first, data) == 0
    assert "Built osie/1.0.0" in capsys.readouterr().out
    record = json.loads((data / "osie" / "1.0.0.manual.json").read_text())
    stat = os.stat(first / "stimuli" / "1002.jpg")
    assert record["manual_dir"] == str(first) and ["stimuli/1002.jpg", stat.st_size, stat.st_mtime_ns] in record["files"]
    assert {row[0] for row in record["files"]} == {"fixations.mat", "stimuli/1001.jpg", "stimuli/1002.jpg",
                                                   "stimuli/1003.jpg"}

    assert _build(first, data) == 0  # same files: kept, and said so
    assert "Already built: osie/1.0.0" in capsys.readouterr().out

    assert _build(second, data) == 2
    err = capsys.readouterr().err
    assert "was built from other files" in err and "1 files changed (stimuli/1002.jpg)" in err
    assert "Pass --overwrite" in err and err.count("\n") == 1

    assert _build(second, data, "--overwrite") == 0
    assert "Built osie/1.0.0" in capsys.readouterr().out
    assert json.loads((data / "osie" / "1.0.0.manual.json").read_text())["manual_dir"] == str(second)
    assert _build(second, data) == 0 and "Already built" in capsys.readouterr().out
    assert _leftovers(data) == ["1.0.0", "1.0.0.manual.json"]


def test_a_failed_or_interrupted_build_leaves_nothing_that_looks_built(tmp_path, monkeypatch, capsys):
    import tensorflow_datasets as tfds

    from tfds_builders.osie import osie_dataset_builder

    manual, data = tmp_path / "manual", tmp_path / "data"
    shutil.copytree(OSIE_DUMMY, manual)
    records = osie_dataset_builder.osie_records

    def interrupted_after_one(root):
        for index, record in enumerate(records(root)):
            if index == 1:
                raise KeyboardInterrupt
            yield record
    monkeypatch.setattr(osie_dataset_builder, "osie_records", interrupted_after_one)
    assert _build(manual, data) == 130
    assert "interrupted; osie/1.0.0 was not built" in capsys.readouterr().err
    assert not tfds.builder("osie", data_dir=str(data)).is_prepared() and _leftovers(data) == []

    monkeypatch.setattr(osie_dataset_builder, "osie_records", records)
    (manual / "fixations.mat").write_bytes(b"not a mat file")
    assert _build(manual, data) == 2
    assert "fixations.mat" in capsys.readouterr().err
    assert not tfds.builder("osie", data_dir=str(data)).is_prepared() and _leftovers(data) == []


def test_fingerprint_differences_are_named():
    from tfds_builders.core.manual_fingerprint import describe_change

    old = {"files": [["a", 1, 1], ["b", 2, 2], ["c", 3, 3]]}
    new = {"files": [["a", 1, 1], ["b", 2, 5], ["d", 4, 4], ["e", 4, 4], ["f", 4, 4], ["g", 4, 4]], "folders": {}}
    assert describe_change(old, new) == ("4 files added (d, e, f and 1 more); 1 files removed (c); "
                                         "1 files changed (b)")
    assert describe_change(new, new) == ""


def test_large_manual_folders_keep_per_folder_digests(tmp_path):
    from tfds_builders.core.manual_fingerprint import describe_change, manual_fingerprint

    for name in ("frames/a.png", "frames/b.png", "maps/a.png", "fixations.mat"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    before = manual_fingerprint(tmp_path, max_listed=2)
    assert "files" not in before and before["folders"]["frames"][:2] == [2, 2]
    (tmp_path / "frames" / "b.png").write_bytes(b"xy")
    (tmp_path / "extra.txt").write_bytes(b"")
    after = manual_fingerprint(tmp_path, max_listed=2)
    assert describe_change(before, after) == "1 top-level entries added (extra.txt); 1 top-level entries changed (frames)"
    assert describe_change(after, manual_fingerprint(tmp_path, max_listed=2)) == ""
