"""``keras-saliency convert unisal``: a torch-free .pth written here -> preset, and its error paths."""

import hashlib
import json

import numpy as np
import pytest
from unisal_torch_state import unisal_torch_state

from keras_saliency.cli import main
from keras_saliency.testing.torch_zip import write_state_dict

DOMAINS = ("DHF1K", "SALICON")


@pytest.fixture(scope="module")
def source():
    """A UNISAL with random weights and its reference-layout checkpoint ``weights_best.pth``."""
    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL(domains=DOMAINS)
    model.build()
    rng = np.random.default_rng(0)
    for weight in model.weights:
        value = np.array(weight)
        noise = rng.uniform(0.5, 1.5, value.shape) if "variance" in weight.path else value + rng.normal(0, .05, value.shape)
        weight.assign(noise.astype(value.dtype))
    return model


@pytest.fixture
def checkpoint(source, tmp_path):
    path = tmp_path / "ckpt" / "weights_best.pth"
    path.parent.mkdir()
    write_state_dict(path, unisal_torch_state(source))
    return path


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_converts_to_a_preset_with_provenance(source, checkpoint, tmp_path, capsys):
    from keras_saliency import presets

    out = tmp_path / "presets" / "unisal_reference"
    assert main(["convert", "unisal", str(checkpoint), "-o", str(out), "--domains", ",".join(DOMAINS)]) == 0
    assert f"-> preset {out}" in capsys.readouterr().out
    model = presets.load(str(out))
    assert model.domains == list(DOMAINS)
    for expected, loaded in zip(source.weights, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(loaded), np.asarray(expected), err_msg=expected.path)
    x = np.random.default_rng(1).uniform(0, 255, (1, 64, 96, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model({"image": x, "domain": "SALICON"})),
                               np.asarray(source({"image": x, "domain": "SALICON"})), atol=1e-6)
    metadata = json.loads((out / "metadata.json").read_text())
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    assert metadata["source"]["file"] == "weights_best.pth" and metadata["source"]["sha256"] == digest
    assert "rdroste/unisal" in metadata["source"]["url"] and "Apache-2.0" in metadata["source"]["license_note"]
    assert metadata["license"] == "apache-2.0" and metadata["name"] == "unisal_reference"
    assert "SALICON" in metadata["training_data"] and "Droste" in metadata["citations"][0]
    assert f"Converted from `weights_best.pth` (sha256 `{digest}`)" in (out / "README.md").read_text()
    assert _leftovers(out.parent) == []


def test_refuses_to_overwrite_unless_asked(source, checkpoint, tmp_path, capsys):
    out = tmp_path / "preset"
    args = ["convert", "unisal", str(checkpoint), "-o", str(out), "--domains", ",".join(DOMAINS)]
    assert main(args) == 0
    first = json.loads((out / "metadata.json").read_text())
    assert main(args) == 2
    assert f"--output {out} already exists; pass --overwrite" in capsys.readouterr().err
    state = unisal_torch_state(source)
    state["smoothing_salicon.weight"] = state["smoothing_salicon.weight"] * 2
    write_state_dict(checkpoint, state)
    assert main(args + ["--overwrite"]) == 0
    second = json.loads((out / "metadata.json").read_text())
    assert second["source"]["sha256"] != first["source"]["sha256"]
    assert second["files"]["model.weights.h5"]["sha256"] != first["files"]["model.weights.h5"]["sha256"]
    assert _leftovers(tmp_path) == []


def test_errors_leave_nothing_behind(checkpoint, tmp_path, capsys):
    out = tmp_path / "out" / "preset"
    cases = [
        (["convert", "unisal", str(checkpoint), "-o", str(out)],  # default: the reference's four domains
         "does not fit UNISAL(domains=['DHF1K', 'Hollywood', 'UCFSports', 'SALICON']): it lacks tensors of 6 parts "
         "of the model (the first of each: skip_2x.expansion.1.bn_Hollywood.weight, "
         "skip_4x.expansion.1.bn_Hollywood.weight, upsampling_2.inv_res.conv.1.bn_Hollywood.weight and 3 more)"),
        (["convert", "unisal", str(tmp_path / "absent.pth"), "-o", str(out)], "absent.pth does not exist"),
        (["convert", "unisal", str(checkpoint), "-o", str(out), "--domains", "DHF1K", "--name", "bad name"],
         "metadata['name'] must match"),
    ]
    other_model = tmp_path / "resnet.pth"  # a state dict of another model: which tensors, not a KeyError
    write_state_dict(other_model, {"conv1.weight": np.zeros((4, 3, 3, 3), np.float32),
                                   "fc.weight": np.zeros((2, 4), np.float32), "fc.bias": np.zeros(2, np.float32)})
    cases.append((["convert", "unisal", str(other_model), "-o", str(out), "--domains", "DHF1K"],
                  "it lacks tensors of 8 parts of the model (the first of each: cnn.features.0.0.weight, "
                  "skip_2x.expansion.0.weight, skip_4x.expansion.0.weight and 5 more); it has 3 tensors UNISAL "
                  "does not use (conv1.weight, fc.bias, fc.weight): it is not a state dict of this UNISAL "
                  "configuration (domains ['DHF1K']?)."))
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\x00\x01 not a checkpoint")
    cases.append((["convert", "unisal", str(junk), "-o", str(out)], "junk.pth"))
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.startswith("keras-saliency convert: error:") and err.count("\n") == 1, err
        assert not out.exists() and (not out.parent.exists() or not any(out.parent.iterdir()))
