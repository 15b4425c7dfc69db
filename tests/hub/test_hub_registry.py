"""The preset registry: discovery, validation, values read from metadata.json, bundled and Hub presets."""

import json
import shutil

import numpy as np
import pytest
from hub_test_utils import hub_environment, run_python, write_family

from keras_saliency import presets
from keras_saliency.presets import PresetError, PresetNotFoundError
from keras_saliency.testing.tiny_model import TinySaliency, tiny_model

PIN = "hf://org/toy@" + "a" * 40


def _on_disk_mb(folder) -> float:
    return round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6, 3)


def test_the_shipped_registry_lists_valid_presets():
    listed = presets.list_presets()
    assert listed and all(isinstance(p, presets.PresetInfo) for p in listed)
    assert [p.name for p in listed] == sorted(p.name for p in listed)
    for p in listed:
        assert p.bundled or presets.parse_hub_preset(p.location).pinned, p.name
        if p.bundled:
            assert p.downloaded and p.model_class.startswith("keras_saliency>") and p.parameter_count > 0, p.name


def test_empty_registry(empty_registry):
    assert presets.list_presets() == []
    with pytest.raises(PresetNotFoundError, match=r"no preset named 'unisal' \(registered: none yet\)"):
        presets.get_preset("unisal")


def test_listed_values_follow_the_bundled_metadata_json(empty_registry, tiny_preset, fake_hub):
    zoo, bundled = empty_registry
    model, preset, images, expected = tiny_preset
    folder = bundled / "tiny-test"
    shutil.copytree(preset, folder)
    write_family(zoo, "toy", {"tiny-test": {"description": "a tiny test preset", "location": "bundled"}})
    (info,) = presets.list_presets()
    assert (info.name, info.description, info.location, info.folder) == (
        "tiny-test", "a tiny test preset", "bundled", folder)
    assert info.bundled and info.downloaded
    assert (info.model_class, info.parameter_count) == ("keras_saliency_testing>TinySaliency", model.count_params())
    assert (info.training_data, info.metrics) == ("none (random weights)", {"toy/NSS": 0.5})
    assert info.size_mb == _on_disk_mb(folder)

    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["metrics"].append({"name": "CC", "value": 0.25, "dataset": "other", "command": "python -c 'pass'"})
    metadata.update(parameter_count=1234, model_class="keras_saliency_testing>Renamed", training_data="new data")
    (folder / "metadata.json").write_text(json.dumps(metadata) + " " * 5000)  # also ~5 kB larger
    info = presets.get_preset("tiny-test")
    assert (info.model_class, info.parameter_count, info.training_data) == (
        "keras_saliency_testing>Renamed", 1234, "new data")
    assert info.metrics == {"toy/NSS": 0.5, "other/CC": 0.25}
    assert info.size_mb == _on_disk_mb(folder)
    assert presets.list_presets(model_class="keras_saliency_testing>Renamed") == [info]
    assert TinySaliency.presets() == []

    shutil.rmtree(folder)
    shutil.copytree(preset, folder)  # the original again: it loads offline, by name
    fake_hub.requests.clear()
    np.testing.assert_array_equal(np.asarray(presets.load("tiny-test")(images)), expected)
    np.testing.assert_array_equal(np.asarray(TinySaliency.from_preset("tiny-test")(images)), expected)
    assert fake_hub.requests == []
    assert [p.name for p in TinySaliency.presets()] == ["tiny-test"]


def test_a_hub_preset_lists_from_the_cache_once_downloaded(empty_registry, tiny_preset, repo_id, tmp_path, hub_cache):
    model, preset, images, expected = tiny_preset
    pinned = presets.push_to_hub(preset, repo_id)
    presets.push_to_hub(presets.save(tiny_model(seed=5), tmp_path / "newer", {"license": "mit"}), repo_id)
    presets.register_presets({"tiny-hub": {"description": "on the Hub", "location": str(pinned)}})
    info = presets.get_preset("tiny-hub")
    assert (info.location, info.bundled, info.downloaded, info.folder) == (str(pinned), False, False, None)
    assert (info.model_class, info.parameter_count, info.size_mb, info.metrics) == (None, None, None, {})
    assert TinySaliency.presets() == []

    np.testing.assert_array_equal(np.asarray(presets.load("tiny-hub")(images)), expected)  # the pinned commit
    info = presets.get_preset("tiny-hub")
    snapshot = hub_cache / f"models--{repo_id.replace('/', '--')}" / "snapshots" / pinned.revision
    assert info.downloaded and info.folder == snapshot
    assert (info.model_class, info.parameter_count, info.metrics) == (
        "keras_saliency_testing>TinySaliency", model.count_params(), {"toy/NSS": 0.5})
    assert info.size_mb == _on_disk_mb(preset)
    assert [p.name for p in TinySaliency.presets()] == ["tiny-hub"]


def test_families_are_discovered_from_their_presets_files(empty_registry):
    zoo, _ = empty_registry
    write_family(zoo, "toy", {"toy_a": {"description": "d", "location": PIN}})
    (zoo / "broken").mkdir()
    (zoo / "broken" / "broken_presets.py").write_text("NOT_PRESETS = {}\n")
    with pytest.raises(PresetError, match="must define a dict PRESETS"):
        presets.list_presets()
    (zoo / "broken" / "broken_presets.py").unlink()
    write_family(zoo, "other", {"toy_a": {"description": "again", "location": PIN}})
    with pytest.raises(PresetError, match=r"registers presets \['toy_a'\] that another family already registered"):
        presets.list_presets()
    shutil.rmtree(zoo / "other")
    (p,) = presets.list_presets()
    assert (p.name, p.location, p.downloaded) == ("toy_a", PIN, False)
    with pytest.raises(PresetNotFoundError, match=r"did you mean \['toy_a'\]"):
        presets.get_preset("toy-a")
    assert presets.list_presets(model_class="keras_saliency>Other") == []


@pytest.mark.parametrize(
    "entry, error, message",
    [
        ({"location": "hf://org/toy"}, ValueError, "pinned for reproducibility"),
        ({"location": "hf://org/toy@main"}, ValueError, "pinned for reproducibility"),
        ({"location": "org/toy@" + "a" * 40}, ValueError, r"location must be 'bundled' or 'hf://"),
        ({"location": "bundled"}, PresetError, r"registered as bundled but .*p has no metadata.json"),
        ({"description": None}, ValueError, "description must be a str"),
        ({"parameter_count": 3}, ValueError, r"exactly the keys \['description', 'location'\].*read from its metadata"),
    ],
)
def test_bad_entries_are_refused(empty_registry, entry, error, message):
    good = {"description": "d", "location": PIN}
    with pytest.raises(error, match=message):
        presets.register_presets({"p": {**good, **entry}})
    with pytest.raises(ValueError, match="preset name must match"):
        presets.register_presets({"Bad Name": good})
    presets.register_presets({"p": good})
    with pytest.raises(ValueError, match=r"presets \['p'\] are already registered"):
        presets.register_presets({"p": good})


_LIST_WITHOUT_KERAS = """
import json, sys
from keras_saliency import cli, presets

presets.register_presets({"toy-hub": {"description": "d", "location": "hf://org/toy@" + "a" * 40}})
cli.main(["list"])
print(json.dumps({
    "names": [p.name for p in presets.list_presets()],
    "toy-hub downloaded": presets.get_preset("toy-hub").downloaded,
    "imported": sorted(m for m in ("keras", "tensorflow", "jax", "torch") if m in sys.modules),
}))
"""


def test_listing_presets_does_not_import_keras(fake_hub, hub_cache):
    result = run_python(_LIST_WITHOUT_KERAS, hub_environment(fake_hub.url, hub_cache))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "toy-hub" in report["names"] and len(report["names"]) > 1  # the shipped presets too
    assert report["toy-hub downloaded"] is False
    assert report["imported"] == []
    assert "not downloaded" in result.stdout
