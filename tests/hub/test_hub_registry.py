"""The preset registry: discovery, validation, bundled and Hub-hosted presets, zoo.load."""

import shutil

import numpy as np
import pytest

from keras_saliency import hub, zoo
from keras_saliency.testing.tiny_model import TinySaliency, tiny_model
from keras_saliency.zoo import PresetError, PresetNotFoundError, registry


@pytest.fixture
def empty_registry(monkeypatch, tmp_path):
    """A registry with no presets, no families to discover and an empty bundled folder."""
    monkeypatch.setattr(registry, "_PRESETS", {})
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.setattr(registry, "ZOO_DIR", tmp_path / "zoo")
    monkeypatch.setattr(registry, "BUNDLED_DIR", tmp_path / "zoo" / "presets")
    (tmp_path / "zoo" / "presets").mkdir(parents=True)
    return tmp_path / "zoo"


def test_the_shipped_registry_lists_valid_presets():
    presets = zoo.list_presets()
    assert all(isinstance(p, zoo.PresetInfo) for p in presets)
    assert [p.name for p in presets] == sorted(p.name for p in presets)
    for p in presets:  # every registered preset can be found somewhere
        assert p.bundled or p.hub, p.name


def test_empty_registry(empty_registry):
    assert zoo.list_presets() == []
    with pytest.raises(PresetNotFoundError, match=r"no preset named 'unisal' \(registered: none yet\)"):
        zoo.get_preset("unisal")


def test_registered_bundled_preset_loads_offline(empty_registry, tiny_preset, fake_hub):
    _, preset, images, expected = tiny_preset
    (info,) = zoo.register_presets({"tiny-test": zoo.preset_entry(preset)})
    assert (info.model_class, info.parameter_count, info.hub, info.bundled) == (
        "keras_saliency_testing>TinySaliency",
        117,
        None,
        False,
    )
    assert info.size_mb == round(sum(p.stat().st_size for p in preset.iterdir()) / 1e6, 3)
    assert info.metrics == {"toy/NSS": 0.5}
    with pytest.raises(PresetError, match="neither a bundled copy nor a Hub repo"):
        zoo.load("tiny-test")
    shutil.copytree(preset, empty_registry / "presets" / "tiny-test")
    assert zoo.get_preset("tiny-test").bundled
    fake_hub.requests.clear()
    np.testing.assert_array_equal(np.asarray(zoo.load("tiny-test")(images)), expected)
    np.testing.assert_array_equal(np.asarray(TinySaliency.from_preset("tiny-test")(images)), expected)
    assert fake_hub.requests == []
    assert [p.name for p in TinySaliency.presets()] == ["tiny-test"]


def test_registered_hub_preset_downloads_its_pinned_revision(empty_registry, tiny_preset, repo_id, tmp_path):
    _, preset, images, expected = tiny_preset
    pinned = hub.push_to_hub(preset, repo_id)
    hub.push_to_hub(hub.save_to_preset(tiny_model(seed=5), tmp_path / "newer", {"license": "mit"}), repo_id)
    zoo.register_presets({"tiny-hub": zoo.preset_entry(preset, hub=f"{repo_id}@{pinned.revision}")})
    assert zoo.get_preset("tiny-hub").source == str(pinned)
    np.testing.assert_array_equal(np.asarray(zoo.load("tiny-hub")(images)), expected)


def test_families_are_discovered_from_their_presets_files(empty_registry):
    family = empty_registry / "toy"
    family.mkdir()
    entry = dict(
        model_class="keras_saliency>Toy",
        description="d",
        training_data="t",
        parameter_count=3,
        size_mb=0.1,
        metrics={"MIT1003/NSS": 1.5},
        hub="org/toy@" + "a" * 40,
    )
    (family / "toy_presets.py").write_text(f"PRESETS = {{'toy_a': {entry!r}}}\n")
    (empty_registry / "broken").mkdir()
    (empty_registry / "broken" / "broken_presets.py").write_text("NOT_PRESETS = {}\n")
    with pytest.raises(PresetError, match="must define a dict PRESETS"):
        zoo.list_presets()
    (empty_registry / "broken" / "broken_presets.py").unlink()
    (p,) = zoo.list_presets()
    assert (p.name, p.hub, p.source, p.bundled) == ("toy_a", "org/toy@" + "a" * 40, "hf://org/toy@" + "a" * 40, False)
    with pytest.raises(PresetNotFoundError, match=r"did you mean \['toy_a'\]"):
        zoo.get_preset("toy-a")
    assert zoo.list_presets(model_class="keras_saliency>Other") == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"hub": "org/toy"}, "pinned for reproducibility"),
        ({"hub": "org/toy@main"}, "pinned for reproducibility"),
        ({"metrics": {"NSS": float("inf")}}, "finite number"),
        ({"parameter_count": 1.5}, "parameter_count must be an int"),
        ({"extra": 1}, "exactly the keys"),
    ],
)
def test_bad_entries_are_refused(empty_registry, change, message):
    entry = dict(
        model_class="m", description="d", training_data="t", parameter_count=1, size_mb=0.1, metrics={}, hub=None
    )
    with pytest.raises(ValueError, match=message):
        zoo.register_presets({"p": {**entry, **change}})
    with pytest.raises(ValueError, match="preset name must match"):
        zoo.register_presets({"Bad Name": entry})
    zoo.register_presets({"p": entry})
    with pytest.raises(ValueError, match=r"presets \['p'\] are already registered"):
        zoo.register_presets({"p": entry})
