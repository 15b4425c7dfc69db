"""TFDS conformance and content tests of the eye_tracking_causality builder on its dummy data."""

import pathlib

import numpy as np
import pytest
import scipy.io
import tensorflow_datasets as tfds

pytest.importorskip("av", reason="decoding the clips needs PyAV: pip install 'keras-saliency[video]'")

from tfds_builders.eye_tracking_causality import eye_tracking_causality_dataset_builder as builder_lib  # noqa: E402
from tfds_builders.eye_tracking_causality.make_dummy_data import CLIPS  # noqa: E402

DUMMY = pathlib.Path(builder_lib.__file__).parent / "dummy_data"


class EyeTrackingCausalityTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = builder_lib.Builder
    SPLITS = {"train": 2}


def _raw_counts(clip, frames, width=40, height=30):
    """(kept, NaN, off-clip) sample counts of ``clip`` read straight from the dummy .mat files."""
    kept = nan = off = 0
    for path in sorted((DUMMY / "data" / "raw" / "mat").iterdir()):
        mat = scipy.io.loadmat(path)
        for row, movie in enumerate(np.ravel(mat["data"]["movie"][0, 0])):
            if movie != clip:
                continue
            for rep in range(2):
                x, y = mat["a"][row, rep][:frames, 0] - 492, mat["a"][row, rep][:frames, 1] - 369
                bad = np.isnan(x) | np.isnan(y)
                inside = ~bad & (x >= 0) & (x < width) & (y >= 0) & (y < height)
                kept, nan, off = kept + inside.sum(), nan + bad.sum(), off + (~bad & ~inside).sum()
    return kept, nan, off


def test_gaze_in_clip_coordinates_with_drops_counted(tmp_path):
    builder = builder_lib.Builder(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY)))
    examples = {e["video_id"].decode(): e for e in tfds.as_numpy(builder.as_dataset(split="train"))}
    assert sorted(examples) == ["clip_1", "clip_2"]
    for clip, frames in CLIPS.items():
        example = examples[f"clip_{clip}"]
        gaze = example["gaze"]
        assert example["frames"].shape == (frames, 30, 40, 3) and example["fps"] == 30
        kept, nan, off = _raw_counts(clip, frames)
        assert (len(gaze["x"]), example["dropped_nan"], example["dropped_off_clip"]) == (kept, nan, off)
        assert nan >= 6 and off >= 12  # every viewing has one blink and two off-clip rows
        assert (gaze["x"] >= 0).all() and (gaze["x"] < 40).all() and (gaze["y"] >= 0).all() and (gaze["y"] < 30).all()
        assert (gaze["frame"] < frames).all() and set(gaze["participant"]) == {1, 2, 3}
        assert set(gaze["condition"]) == {0, 1, 2} and set(gaze["repetition"]) == {0, 1}
        # participant 1 (causal) saw clip 2 first: its first viewing's first kept sample, converted by hand
        raw = scipy.io.loadmat(DUMMY / "data" / "raw" / "mat" / "causality_1.mat")["a"][0 if clip == 2 else 1, 0]
        first = np.flatnonzero((gaze["participant"] == 1) & (gaze["repetition"] == 0))[0]
        t = gaze["frame"][first]
        np.testing.assert_allclose([gaze["x"][first], gaze["y"][first]], raw[t, :2] - (492, 369), atol=1e-4)
        assert gaze["fixation"][first] == (raw[t, 3] == 1) and gaze["time"][first] == pytest.approx(raw[t, 2] / 1000)
        fixations = example["fixations"]
        assert len(fixations["x"]) == gaze["fixation"].sum()
        np.testing.assert_array_equal(fixations["subject"], gaze["participant"][gaze["fixation"]])
    report = builder.report
    assert report["examples"] == 2 and report["samples_beyond_frames"] == 3 * 2 * 2  # one extra row per viewing


def test_bad_layouts_name_the_file(tmp_path):
    from tfds_builders.core.readers import DatasetFileError

    (tmp_path / "data" / "raw" / "mat").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "mat" / "viewer_1.mat").write_bytes(b"")
    from etils import epath

    with pytest.raises(DatasetFileError, match=r"viewer_1.mat: expected a name"):
        builder_lib.read_viewings(epath.Path(tmp_path) / "data" / "raw" / "mat" / "viewer_1.mat")
    with pytest.raises(DatasetFileError, match=r"videos/clips/actual: missing"):
        builder_lib.clip_files(epath.Path(tmp_path))


if __name__ == "__main__":
    tfds.testing.test_main()
