"""EyeCrowd contents: faces and fixations against the raw .mat files (dummy data; the real release when present).

The real-release test reads a checkout of NUS-VIP/saliency-in-crowd from ``../shared/data/eye_crowd``
or the ``EYE_CROWD_DIR`` environment variable, and skips without one.
"""

import os
import pathlib

import numpy as np
import pytest
import scipy.io
import tensorflow_datasets as tfds

from tfds_builders.eye_crowd import eye_crowd_dataset_builder

DUMMY = pathlib.Path(eye_crowd_dataset_builder.__file__).parent / "dummy_data"
SHARED_COPY = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eye_crowd"
REAL = pathlib.Path(os.environ.get("EYE_CROWD_DIR", SHARED_COPY))


def _built(manual_dir, data_dir):
    builder = eye_crowd_dataset_builder.Builder(data_dir=str(data_dir))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    return {e["image_id"].decode(): e for e in tfds.as_numpy(builder.as_dataset(split="train"))}, builder


def _raw_faces(manual_dir, name):
    """(K, 4) normalised (ymin, xmin, ymax, xmax) and (K, 4) flags, straight from labels.mat."""
    labels = scipy.io.loadmat(manual_dir / "data" / "labels.mat", simplify_cells=True)["labels"]
    entry = next(e for e in labels if e["img"] == name)
    faces = entry["faces"] if entry["nFaces"] > 1 else [entry["faces"]]
    h, w = 768, 1024
    if manual_dir == DUMMY:
        from tfds_builders.eye_crowd import make_dummy_data as m

        h, w = m.HEIGHT, m.WIDTH
    boxes = np.array([[(f["top"] - 0.5) / h, (f["left"] - 0.5) / w, (f["top"] + f["height"] - 0.5) / h,
                       (f["left"] + f["width"] - 0.5) / w] for f in faces])
    flags = np.array([[f["isFrontalFace"], f["isProfileFace"], f["isBackFace"], f["isOccluded"]] for f in faces])
    return np.clip(boxes, 0, 1), flags.astype(bool)


def _raw_fixation_count(manual_dir, name):
    fixations = scipy.io.loadmat(manual_dir / "data" / "eye" / "fixations.mat", simplify_cells=True)["fixations"]
    entry = next(e for e in fixations if e["img"] == name)
    return sum(np.size(s["fix_x"]) for s in entry["subjects"])


def _check(examples, manual_dir, names):
    for name in names:
        example = examples[name[:-4]]
        boxes, flags = _raw_faces(manual_dir, name)
        np.testing.assert_allclose(example["faces"], boxes, atol=1e-6)
        attributes = example["face_attributes"]
        got = np.stack([attributes[k] for k in ("frontal", "profile", "back", "occluded")], axis=1)
        np.testing.assert_array_equal(got, flags)
        assert len(example["fixations"]["x"]) == _raw_fixation_count(manual_dir, name)


def test_dummy_faces_match_labels_mat():
    from tfds_builders.eye_crowd import make_dummy_data as m

    faces = eye_crowd_dataset_builder.read_faces(DUMMY / "data" / "labels.mat")
    for name in ("001.jpg", "003.jpg"):
        boxes, flags = _raw_faces(DUMMY, name)
        got_boxes, got_flags = faces[name]
        scale = np.array([m.HEIGHT, m.WIDTH, m.HEIGHT, m.WIDTH])
        np.testing.assert_allclose(np.clip(got_boxes / scale, 0, 1), boxes, atol=1e-9)
        got = np.stack([got_flags[k] for k in ("frontal", "profile", "back", "occluded")], 1)
        np.testing.assert_array_equal(got, flags)


@pytest.mark.skipif(not (REAL / "data" / "labels.mat").is_file(),
                    reason=f"no EyeCrowd release at {REAL} (set EYE_CROWD_DIR)")
def test_real_release(tmp_path):
    examples, builder = _built(REAL, tmp_path)
    assert len(examples) == 500
    assert builder.report["train"]["fixations"] == 126_348
    assert sum(len(e["faces"]) for e in examples.values()) == 9_778
    assert examples["001"]["image"].shape == (768, 1024, 3)
    _check(examples, REAL, ["001.jpg", "250.jpg", "500.jpg"])
