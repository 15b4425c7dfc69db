"""A preset whose files are damaged but whose checksums match (re-hashed after the damage): one clear error."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from keras_saliency import cli, presets
from keras_saliency.presets.files import file_record

DAMAGES = {
    "config.json not JSON": ("config.json", lambda data: b"{not json"),
    "config.json a list": ("config.json", lambda data: b"[1, 2]"),
    "config.json without class": ("config.json", lambda data: b'{"module": "keras_saliency.testing.tiny_model"}'),
    "weights truncated": ("model.weights.h5", lambda data: data[: len(data) // 2]),
    "weights not HDF5": ("model.weights.h5", lambda data: b"garbage" * 100),
}


def _damage(preset, tmp_path, name, change):
    damaged = shutil.copytree(preset, tmp_path / "damaged")
    path = damaged / name
    path.write_bytes(change(path.read_bytes()))
    metadata = json.loads((damaged / "metadata.json").read_text())
    metadata["files"][name] = file_record(path)  # the checksum matches the damaged content
    (damaged / "metadata.json").write_text(json.dumps(metadata))
    return damaged


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_files_with_matching_checksums_are_a_preset_error(damage, tiny_preset, tmp_path):
    name, change = DAMAGES[damage]
    damaged = _damage(tiny_preset[1], tmp_path, name, change)
    with pytest.raises(presets.PresetError, match=f"is damaged: {name} is .*save, convert or download the preset again"):
        presets.load(damaged)


def test_the_cli_prints_a_damaged_preset_as_one_line(tiny_preset, tmp_path, monkeypatch, capsys):
    damaged = _damage(tiny_preset[1], tmp_path, *DAMAGES["weights truncated"])
    image = tmp_path / "a.png"
    Image.fromarray(np.zeros((8, 12, 3), np.uint8)).save(image)
    monkeypatch.setattr(cli, "SUBCOMMANDS", ("predict",))
    assert cli.main(["predict", str(image), "-o", str(tmp_path / "out"), "--model", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model.weights.h5 is not a readable Keras weights file (" in err
    assert not (tmp_path / "out").exists()
