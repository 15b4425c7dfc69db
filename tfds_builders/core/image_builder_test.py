"""Content and error-handling tests of the image builders on their dummy data."""

import pathlib
import shutil

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from tfds_builders.core import downloads
from tfds_builders.core.readers import DatasetFileError
from tfds_builders.mit1003 import mit1003_dataset_builder
from tfds_builders.osie import osie_dataset_builder

MIT_DUMMY = pathlib.Path(mit1003_dataset_builder.__file__).parent / "dummy_data"
OSIE_DUMMY = pathlib.Path(osie_dataset_builder.__file__).parent / "dummy_data"


def _prepare(cls, manual_dir, data_dir, config=None):
    builder = cls(data_dir=str(data_dir), config=config)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    return builder


def test_mit1003_drops_first_fixation_converts_and_clips(tmp_path):
    builder = _prepare(mit1003_dataset_builder.Builder, MIT_DUMMY, tmp_path)
    examples = {e["image_id"].decode(): e for e in tfds.as_numpy(builder.as_dataset(split="train"))}
    n_total, n_out = 0, 0
    for image_id, example in examples.items():
        width, height = Image.open(MIT_DUMMY / "STIMULI" / f"{image_id}.jpeg").size
        fix = example["fixations"]
        for index, subject in enumerate(mit1003_dataset_builder.SUBJECTS):
            path = MIT_DUMMY / "SCANPATHS" / image_id / subject
            if not path.exists():
                continue
            raw = np.loadtxt(path, ndmin=2)[1:]
            n_total += len(raw)
            n_out += int(np.sum((raw[:, 0] > width) | (raw[:, 1] > height)))
            mine = fix["subject"] == index
            np.testing.assert_allclose(fix["x"][mine], np.minimum(raw[:, 0], width) - 0.5)
            np.testing.assert_allclose(fix["y"][mine], np.minimum(raw[:, 1], height) - 0.5)
            np.testing.assert_allclose(fix["time"][mine], raw[:, 2], atol=1e-6)
    assert n_out >= 1  # the dummy data has one out-of-image point
    assert builder.report["train"] == {"examples": 3, "fixations": n_total, "out_of_image": n_out}


def test_mit1003_official_reads_fixpts(tmp_path, monkeypatch):
    # The dummy stimuli stand in for the downloaded ALLSTIMULI.zip (whose MD5 they cannot have).
    monkeypatch.setattr(tfds.download.DownloadManager, "download", lambda self, url: MIT_DUMMY / "ALLSTIMULI.zip")
    monkeypatch.setattr(tfds.download.DownloadManager, "extract", lambda self, path: MIT_DUMMY)
    monkeypatch.setattr(downloads, "verify_md5", lambda path, expected: None)
    builder = _prepare(mit1003_dataset_builder.Builder, MIT_DUMMY, tmp_path, config="official")
    for example in tfds.as_numpy(builder.as_dataset(split="train")):
        image_id = example["image_id"].decode()
        points = np.asarray(Image.open(MIT_DUMMY / "ALLFIXATIONMAPS" / f"{image_id}_fixPts.jpg").convert("L")) >= 128
        rows, cols = np.nonzero(points)
        np.testing.assert_array_equal(np.sort(example["fixations"]["x"] - 0.5), np.sort(cols.astype(np.float32)))
        assert example["saliency_map"].shape == example["image"].shape[:2] + (1,)
        assert np.all(example["fixations"]["subject"] == -1)


@pytest.mark.parametrize(
    "damage, named",
    [
        (lambda root: (root / "STIMULI" / "img_b.jpeg").write_bytes(b"\xff\xd8\xff garbage"), "img_b.jpeg"),
        (lambda root: shutil.rmtree(root / "SCANPATHS" / "img_c"), "img_c"),
        (lambda root: (root / "SCANPATHS" / "img_a" / "ajs").write_text("1 2 x 4\n"), "ajs"),
    ],
)
def test_bad_files_give_named_error_and_leave_nothing(tmp_path, damage, named):
    manual = tmp_path / "manual"
    shutil.copytree(MIT_DUMMY, manual)
    damage(manual)
    data_dir = tmp_path / "data"
    with pytest.raises(DatasetFileError, match=named):
        _prepare(mit1003_dataset_builder.Builder, manual, data_dir)
    # Only TFDS's own builder metadata (.config/) may remain: no records, no version dir.
    leftovers = [p for p in data_dir.rglob("*") if ".config" not in p.parts and (p.is_file() or "1.0.0" in p.name)]
    assert leftovers == []


def test_osie_missing_fixations_for_a_stimulus(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(OSIE_DUMMY, manual)
    shutil.copy(manual / "stimuli" / "1001.jpg", manual / "stimuli" / "1999.jpg")
    with pytest.raises(DatasetFileError, match="1999.jpg"):
        _prepare(osie_dataset_builder.Builder, manual, tmp_path / "data")


def test_idt_detector_finds_still_runs():
    from tfds_builders.mit1003 import raw_gaze

    rng = np.random.default_rng(0)
    still = [np.array([100.0, 50.0]), np.array([300.0, 200.0]), np.array([120.0, 260.0])]
    samples = np.concatenate([np.concatenate([c + rng.normal(0, 1, (60, 2)), rng.uniform(400, 900, (4, 2))])
                              for c in still])
    x, y, onset, duration = raw_gaze.detect_fixations(samples)
    np.testing.assert_allclose(np.stack([x, y], 1), still, atol=1.0)
    np.testing.assert_allclose(onset, [0, 64 / 240, 128 / 240], atol=2 / 240)
    np.testing.assert_allclose(duration, 60 / 240, atol=2 / 240)


def test_mit1003_official_raw_drops_first_detected_fixation(tmp_path):
    from tfds_builders.mit1003 import raw_gaze

    builder = _prepare(mit1003_dataset_builder.Builder, MIT_DUMMY, tmp_path, config="official_raw")
    example = next(e for e in tfds.as_numpy(builder.as_dataset(split="train")) if e["image_id"] == b"img_c")
    samples = raw_gaze.read_eye_data(MIT_DUMMY / "DATA" / "CNG" / "img_c.mat")
    x, y, _, _ = raw_gaze.detect_fixations(samples)
    assert len(x) == 4  # the dummy gaze has four still periods
    mine = example["fixations"]["subject"] == mit1003_dataset_builder.SUBJECTS.index("CNG")
    np.testing.assert_allclose(example["fixations"]["x"][mine], np.clip(x[1:], 0.5, 30) - 0.5, atol=1e-4)
