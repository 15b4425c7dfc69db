"""`keras-saliency list` and `keras-saliency push`."""

import json

import pytest

from keras_saliency import cli, hub
from keras_saliency.testing.tiny_model import tiny_model
from keras_saliency.zoo import preset_entry, registry


@pytest.fixture(autouse=True)
def subcommands(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "SUBCOMMANDS", ("list", "push"))
    monkeypatch.setattr(registry, "_PRESETS", {})
    monkeypatch.setattr(registry, "_discovered", True)
    monkeypatch.setattr(registry, "BUNDLED_DIR", tmp_path / "bundled")


def test_list_empty_and_filled(tiny_preset, capsys):
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out == "No presets registered yet.\n"
    registry.register_presets({"tiny-test": preset_entry(tiny_preset[1], hub="org/tiny@" + "b" * 40)})
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == "name model training data params size MB metrics hub bundled".split()
    assert lines[2].split()[:2] == ["tiny-test", "keras_saliency_testing>TinySaliency"]
    assert "toy/NSS=0.5" in lines[2] and lines[2].endswith("org/tiny@" + "b" * 40 + "  no")
    assert cli.main(["list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["name"], row["parameter_count"], row["bundled"]) == ("tiny-test", 117, False)


def test_push_prints_the_pinned_spec_and_a_registry_entry(fake_hub, tiny_preset, repo_id, capsys):
    _, preset, images, expected = tiny_preset
    assert cli.main(["push", str(preset), repo_id, "--revision", "v1", "--message", "hello"]) == 0
    out = capsys.readouterr().out
    spec = out.splitlines()[0].split(" -> ")[1]
    assert spec.startswith(f"hf://{repo_id}@") and spec == str(hub.parse_hub_preset(spec))
    entry = json.loads(out.split("Registry entry for <family>_presets.py:\n")[1])
    assert entry["hub"] == spec[len("hf://") :] and entry["parameter_count"] == 117
    assert (hub.from_preset(spec)(images).numpy() == expected).all()


def test_push_errors_are_user_errors(tiny_preset, tmp_path, capsys):
    assert cli.main(["push", str(tmp_path / "nowhere"), "org/x"]) == 2
    assert "PRESET_DIR" in capsys.readouterr().err
    assert cli.main(["push", str(tiny_preset[1]), "not-a-repo"]) == 2
    assert "repo_id must be 'org/name'" in capsys.readouterr().err
    unlicensed = hub.save_to_preset(tiny_model(), tmp_path / "unlicensed")
    assert cli.main(["push", str(unlicensed), "org/x"]) == 2
    assert "without a licence" in capsys.readouterr().err
    (tiny_preset[1] / "config.json").write_text("{}")
    assert cli.main(["push", str(tiny_preset[1]), "org/x"]) == 2
    assert "config.json (expected sha256" in capsys.readouterr().err
