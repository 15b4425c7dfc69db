"""Builds MIT1003 (FixaTons layout) and OSIE from ../shared/data and checks them against the raw files.

Skips when ../shared is absent. Both builds run once per session (~16 s each on 2 cores).
"""

import pathlib

import numpy as np
import pytest
import scipy.io
import tensorflow_datasets as tfds
from PIL import Image

import tfds_builders  # noqa: F401  (registers the builders)

SHARED = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
MIT = SHARED / "mit1003"
OSIE = SHARED / "osie"
pytestmark = pytest.mark.skipif(
    not (MIT / "SCANPATHS").is_dir() or not (OSIE / "fixations.mat").is_file(),
    reason=f"real MIT1003/OSIE data not found under {SHARED}",
)


def _build(name, manual_dir, data_dir):
    builder = tfds.builder(name, data_dir=data_dir)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))
    return builder


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("tfds")
    return {"mit1003": _build("mit1003", MIT, data_dir), "osie": _build("osie", OSIE, data_dir)}


def _example(builder, image_id):
    ds = builder.as_dataset(split="train").filter(lambda e: e["image_id"] == image_id)
    return tfds.as_numpy(next(iter(ds)))


def test_mit1003_counts(built):
    builder = built["mit1003"]
    stems = sorted(p.stem for p in (MIT / "STIMULI").iterdir())
    n_fix, n_out = 0, 0
    for image_id in stems:
        width, height = Image.open(MIT / "STIMULI" / f"{image_id}.jpeg").size
        for path in (MIT / "SCANPATHS" / image_id).iterdir():
            rows = np.loadtxt(path, ndmin=2)[1:]
            n_fix += len(rows)
            n_out += int(np.sum((rows[:, 0] < 1) | (rows[:, 0] > width) | (rows[:, 1] < 1) | (rows[:, 1] > height)))
    assert len(stems) == 1003
    assert builder.info.splits["train"].num_examples == 1003
    assert builder.report["train"] == {"examples": 1003, "fixations": n_fix, "out_of_image": n_out}
    assert 103_000 < n_fix < 105_000


def test_mit1003_known_image(built):
    image_id = "i05june05_static_street_boston_p1010764"
    example = _example(built["mit1003"], image_id)
    width, height = Image.open(MIT / "STIMULI" / f"{image_id}.jpeg").size
    assert example["image"].shape == (height, width, 3)
    fix = example["fixations"]
    order = np.lexsort((fix["time"], fix["subject"]))
    raw = np.loadtxt(MIT / "SCANPATHS" / image_id / "ajs", ndmin=2)[1:]
    mine = order[fix["subject"][order] == 0]  # "ajs" is subject 0
    np.testing.assert_allclose(fix["x"][mine], np.clip(raw[:, 0], 1, width) - 0.5)
    np.testing.assert_allclose(fix["y"][mine], np.clip(raw[:, 1], 1, height) - 0.5)
    np.testing.assert_allclose(fix["time"][mine], raw[:, 2], atol=1e-6)
    np.testing.assert_allclose(fix["duration"][mine], raw[:, 3] - raw[:, 2], atol=1e-6)


def test_osie_counts_and_values(built):
    builder = built["osie"]
    assert builder.info.splits["train"].num_examples == 700
    assert builder.report["train"] == {"examples": 700, "fixations": 98_321, "out_of_image": 0}
    record = scipy.io.loadmat(OSIE / "fixations.mat")["fixations"][0, 0]
    assert str(record["img"][0, 0][0]) == "1001.jpg"
    subject = record["subjects"][0, 0][3, 0][0, 0]
    example = _example(builder, "1001")
    assert example["image"].shape == (600, 800, 3)
    fix = example["fixations"]
    mine = fix["subject"] == 3
    np.testing.assert_allclose(fix["x"][mine], np.ravel(subject["fix_x"]) - 0.5, atol=1e-4)
    np.testing.assert_allclose(fix["y"][mine], np.ravel(subject["fix_y"]) - 0.5, atol=1e-4)
    np.testing.assert_allclose(fix["duration"][mine], np.ravel(subject["fix_duration"]) / 1000.0, atol=1e-6)
    assert np.all(np.isnan(fix["time"]))
