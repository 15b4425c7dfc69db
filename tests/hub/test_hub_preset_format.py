"""The local preset folder: save, verify, load, and every way it can be wrong."""

import hashlib
import json
import re

import keras
import numpy as np
import pytest

import keras_saliency
from keras_saliency import presets
from keras_saliency.presets import ChecksumMismatchError, PresetError, PresetNotFoundError
from keras_saliency.presets.files import CHECKSUMMED_FILES, PRESET_FILES
from keras_saliency.testing.tiny_model import TinySaliency, tiny_model

HOME = "/" + "home"  # example machine paths are assembled, so the source names none


def test_saved_preset_has_every_file_and_honest_metadata(tiny_preset):
    model, preset, _, _ = tiny_preset
    assert sorted(p.name for p in preset.iterdir()) == sorted(PRESET_FILES)
    meta = json.loads((preset / "metadata.json").read_text())
    for name in CHECKSUMMED_FILES:
        data = (preset / name).read_bytes()
        assert meta["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert meta["parameter_count"] == 3 * 3 * 3 * 4 + 4 + 4 + 1 == model.count_params()
    assert meta["model_class"] == "keras_saliency_testing>TinySaliency"
    assert meta["keras_version"] == keras.__version__
    assert meta["keras_saliency_version"] == keras_saliency.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["date_saved"])
    assert meta["license"] == "apache-2.0"
    assert meta["metrics"][0]["command"] == "python -c 'print(0.5)'"
    config = json.loads((preset / "config.json").read_text())
    assert "compile_config" not in config and config["build_config"]["input_shape"] == [None, 8, 12, 3]
    card = (preset / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: keras\nlicense: apache-2.0\n")
    assert "| NSS | 0.5 | toy | `python -c 'print(0.5)'` |" in card
    assert meta["files"]["model.weights.h5"]["sha256"] in card
    assert not [p for p in preset.parent.iterdir() if p.name != "tiny"], "temporary folders left behind"


def test_local_preset_loads_to_identical_outputs(tiny_preset):
    _, preset, images, expected = tiny_preset
    loaded = TinySaliency.from_preset(preset)
    assert type(loaded) is TinySaliency
    np.testing.assert_array_equal(np.asarray(loaded(images)), expected)
    np.testing.assert_array_equal(np.asarray(presets.load(str(preset))(images)), expected)


def test_from_preset_of_another_class_is_refused_before_weights(tiny_preset, monkeypatch):
    _, preset, _, _ = tiny_preset
    loads = []
    monkeypatch.setattr(keras.Model, "load_weights", lambda self, *a, **k: loads.append(a))
    with pytest.raises(PresetError, match="holds a TinySaliency .* not a Sequential"):
        presets.load(preset, expected_class=keras.Sequential)
    assert loads == []


@pytest.mark.parametrize("victim", CHECKSUMMED_FILES)
def test_tampered_local_file_is_refused(tiny_preset, victim, monkeypatch):
    _, preset, _, _ = tiny_preset
    with open(preset / victim, "ab") as f:
        f.write(b"\0")
    monkeypatch.setattr(keras.saving, "deserialize_keras_object", lambda *a, **k: pytest.fail("config was read"))
    with pytest.raises(ChecksumMismatchError, match=f"{re.escape(victim)} \\(expected sha256 "):
        presets.load(preset)


def test_missing_file_and_foreign_folders(tiny_preset, tmp_path):
    model, preset, _, _ = tiny_preset
    (preset / "model.weights.h5").unlink()
    with pytest.raises(PresetError, match=r"incomplete: missing \['model.weights.h5'\]"):
        presets.load(preset)
    keras.saving.save_model(model, tmp_path / "keras_dir", zipped=False)  # Keras' own folder layout
    with pytest.raises(PresetError, match="no 'files' checksums"):
        presets.load(tmp_path / "keras_dir")
    with pytest.raises(PresetNotFoundError, match="not a registered preset .*nor a folder"):
        presets.load(str(tmp_path / "nowhere"))


def test_save_refuses_bad_models(tmp_path):
    with pytest.raises(ValueError, match="not built"):
        presets.save(TinySaliency(), tmp_path / "p")

    class Unregistered(keras.Model):
        def call(self, x):
            return x

    unregistered = Unregistered()
    unregistered.build((None, 2))
    with pytest.raises(TypeError, match="register_keras_serializable"):
        presets.save(unregistered, tmp_path / "p")
    with pytest.raises(TypeError, match="must be a keras.Model"):
        presets.save("model", tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"licence": "mit"}, r"unknown metadata keys \['licence'\]"),
        ({"metrics": [{"name": "NSS", "value": 1.0, "dataset": "x"}]}, r"exactly the keys \['name', 'value'"),
        ({"metrics": [{"name": "NSS", "value": float("nan"), "dataset": "x", "command": "c"}]}, "finite number"),
        ({"metrics": [{"name": "NSS", "value": 1.0, "dataset": "x", "command": ""}]}, r"\['command'\] must be"),
        ({"license": "Apache 2"}, "Hub licence id"),
        ({"name": "bad name"}, r"metadata\['name'\] must match"),
        ({"citations": "@misc{x}"}, "must be a list of str"),
    ],
)
def test_save_validates_metadata(tmp_path, metadata, message):
    with pytest.raises((TypeError, ValueError), match=message):
        presets.save(tiny_model(), tmp_path / "p", metadata)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command, path",
    [
        ("python eval.py --data /data/mit1003", "/data/mit1003"),
        (f"python train.py --domain mit1003={HOME}/ana/data/mit1003 --epochs 2", f"{HOME}/ana/data/mit1003"),
        ("keras-saliency evaluate --data-dir ~/tfds", "~/tfds"),
        ("python eval.py --out $HOME/runs", "$HOME/runs"),
        (r"python eval.py --data C:\Users\me\mit1003", r"C:\Users\me\mit1003"),
        (f"python eval.py --results file://{HOME}/ana/x.json", f"{HOME}/ana/x.json"),
    ],
)
def test_save_refuses_machine_paths_in_metric_commands(tmp_path, command, path):
    metrics = [{"name": "NSS", "value": 1.0, "dataset": "toy", "command": "python -c 'print(1 / 2)'"},
               {"name": "CC", "value": 0.5, "dataset": "toy", "command": command}]
    expected = f"metadata['metrics'][1] (CC on toy): the command contains the machine path {path!r}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        presets.save(tiny_model(), tmp_path / "p", {"metrics": metrics})
    assert list(tmp_path.iterdir()) == []


def test_relative_paths_and_urls_are_not_machine_paths():
    for command in ("keras-saliency evaluate --dataset mit1003 --data-dir data/tfds",
                    "python examples/train_unisal.py --domain mit1003=../shared/data/mit1003",
                    f"python eval.py --preset hf://org/name@main --url https://huggingface.co/org/name{HOME}/x"):
        assert presets.machine_paths(command) == [], command
    assert presets.machine_paths("run --x=/opt/a:/opt/b --y /opt/a ~user/c") == ["/opt/a", "/opt/b", "~user/c"]


def test_overwrite_rules_and_failed_save_leaves_nothing(tiny_preset, monkeypatch):
    _, preset, images, expected = tiny_preset
    other = tiny_model(seed=1)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        presets.save(other, preset)
    (preset.parent / "not_a_preset").mkdir()
    (preset.parent / "not_a_preset" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a preset folder"):
        presets.save(other, preset.parent / "not_a_preset", overwrite=True)

    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(TinySaliency, "save_weights", broken_save)
        with pytest.raises(OSError, match="disk full"):
            presets.save(other, preset, overwrite=True)
    assert sorted(p.name for p in preset.parent.iterdir()) == ["not_a_preset", "tiny"]
    np.testing.assert_array_equal(np.asarray(presets.load(preset)(images)), expected)  # old one intact

    other.save_to_preset(preset, overwrite=True)
    np.testing.assert_array_equal(np.asarray(presets.load(preset)(images)), np.asarray(other(images)))
    assert sorted(p.name for p in preset.parent.iterdir()) == ["not_a_preset", "tiny"]


def test_functional_model_preset(tmp_path):
    inputs = keras.Input((6, 6, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same")(inputs))
    images = np.random.default_rng(2).random((1, 6, 6, 3)).astype("float32")
    preset = presets.save(model, tmp_path / "functional")
    loaded = presets.load(preset)
    assert json.loads((preset / "metadata.json").read_text())["model_class"] == "Functional"
    np.testing.assert_array_equal(np.asarray(loaded(images)), np.asarray(model(images)))


def test_a_fitted_model_is_saved_without_its_optimizer_state_and_still_trains(tmp_path):
    import h5py

    model = tiny_model()
    images = np.random.default_rng(3).random((2, 8, 12, 3)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, np.zeros((2, 8, 12)), verbose=0)
    assert model.optimizer.variables  # Adam's moments exist and would be saved by model.save_weights
    preset = model.save_to_preset(tmp_path / "fitted")
    with h5py.File(preset / "model.weights.h5") as handle:
        saved = []
        handle.visititems(lambda key, item: saved.append(key) if isinstance(item, h5py.Dataset) else None)
    assert saved and not [key for key in saved if key.startswith("optimizer")]
    assert len(saved) == len(model.weights)
    np.testing.assert_array_equal(np.asarray(presets.load(preset)(images)), np.asarray(model(images)))
    before = [np.array(w) for w in model.trainable_weights]
    model.fit(images, np.ones((2, 8, 12)), verbose=0)  # the optimizer is back
    assert any(not np.array_equal(b, np.array(w)) for b, w in zip(before, model.trainable_weights))
    assert preset.stat().st_mode & 0o055 == 0o055 & ~_umask()  # readable by others unless the umask says no


def _umask():
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _edit_config(preset, **changes):
    """Change config.json and record its new checksum, as a newer/other library version would."""
    config = json.loads((preset / "config.json").read_text())
    config.update(changes)
    (preset / "config.json").write_text(json.dumps(config))
    meta = json.loads((preset / "metadata.json").read_text())
    meta["files"]["config.json"]["sha256"] = hashlib.sha256((preset / "config.json").read_bytes()).hexdigest()
    (preset / "metadata.json").write_text(json.dumps(meta))


def test_presets_from_other_library_versions_fail_clearly(tiny_preset):
    _, preset, _, _ = tiny_preset
    _edit_config(preset, module="keras_saliency.zoo.not_yet_written")
    with pytest.raises(PresetError, match="needs keras_saliency.zoo.not_yet_written .* saved with keras-saliency"):
        presets.load(preset)
    _edit_config(preset, module="elsewhere", registered_name="elsewhere>Model", class_name="Model2")
    with pytest.raises(PresetError, match="cannot rebuild keras_saliency_testing>TinySaliency"):
        presets.load(preset)
