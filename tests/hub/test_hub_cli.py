"""`keras-saliency list` and `keras-saliency push`."""

import json
import shutil

import pytest

from keras_saliency import cli, presets
from keras_saliency.testing.tiny_model import tiny_model

PIN = "hf://org/tiny@" + "b" * 40


@pytest.fixture(autouse=True)
def subcommands(monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", ("list", "push"))


def test_list_empty_and_filled(empty_registry, tiny_preset, capsys):
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out == "No presets registered yet.\n"
    _, bundled = empty_registry
    shutil.copytree(tiny_preset[1], bundled / "tiny-test")
    presets.register_presets({"tiny-test": {"description": "bundled tiny", "location": "bundled"},
                              "tiny-hub": {"description": "tiny on the Hub", "location": PIN}})
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == "name description model params size MB metrics location local copy".split()
    hub_row, bundled_row = lines[2:]
    assert bundled_row.split()[:5] == ["tiny-test", "bundled", "tiny", "keras_saliency_testing>TinySaliency", "117"]
    assert "toy: NSS=0.5" in bundled_row and bundled_row.split()[-2:] == ["bundled", "yes"]
    assert hub_row.split()[:5] == ["tiny-hub", "tiny", "on", "the", "Hub"]
    assert hub_row.split()[-3:] == [PIN, "not", "downloaded"]
    assert cli.main(["list", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert (rows["tiny-test"]["parameter_count"], rows["tiny-test"]["bundled"]) == (117, True)
    assert rows["tiny-test"]["folder"] == str(bundled / "tiny-test")
    assert rows["tiny-test"]["training_data"] == "none (random weights)"
    assert (rows["tiny-hub"]["downloaded"], rows["tiny-hub"]["model_class"], rows["tiny-hub"]["folder"]) == (
        False, None, None)


def test_push_prints_the_pinned_spec_and_a_registry_entry(empty_registry, fake_hub, tiny_preset, repo_id, capsys):
    _, preset, images, expected = tiny_preset
    assert cli.main(["push", str(preset), repo_id, "--revision", "v1", "--message", "hello"]) == 0
    out = capsys.readouterr().out
    spec = out.splitlines()[0].split(" -> ")[1]
    assert spec.startswith(f"hf://{repo_id}@") and spec == str(presets.parse_hub_preset(spec))
    entry = json.loads(out.split("Registry entry for <family>_presets.py:\n")[1])
    assert entry == {"tiny": {"description": "A 117-parameter test model.", "location": spec}}
    presets.register_presets(entry)  # the printed entry registers as it is
    assert (presets.load("tiny")(images).numpy() == expected).all()
    assert presets.get_preset("tiny").parameter_count == 117  # now in the cache


def test_push_errors_are_user_errors(tiny_preset, tmp_path, capsys):
    assert cli.main(["push", str(tmp_path / "nowhere"), "org/x"]) == 2
    assert "PRESET_DIR" in capsys.readouterr().err
    assert cli.main(["push", str(tiny_preset[1]), "not-a-repo"]) == 2
    assert "repo_id must be 'org/name'" in capsys.readouterr().err
    unlicensed = presets.save(tiny_model(), tmp_path / "unlicensed")
    assert cli.main(["push", str(unlicensed), "org/x"]) == 2
    assert "without a licence" in capsys.readouterr().err
    (tiny_preset[1] / "config.json").write_text("{}")
    assert cli.main(["push", str(tiny_preset[1]), "org/x"]) == 2
    assert "config.json (expected sha256" in capsys.readouterr().err
