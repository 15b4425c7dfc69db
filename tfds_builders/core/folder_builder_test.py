"""Value tests of the folder-layout base builder (via EyeCrowd's dummy data, which has faces)."""

import pathlib

import numpy as np
import tensorflow_datasets as tfds
from PIL import Image

from tfds_builders.eye_crowd import eye_crowd_dataset_builder

DUMMY = pathlib.Path(eye_crowd_dataset_builder.__file__).parent / "dummy_data" / "train"


def _table(path, columns):
    text = path.read_text().strip()
    return np.array([line.split() for line in text.splitlines()], float).reshape(-1, columns)


def test_fixations_subjects_times_and_faces(tmp_path):
    builder = eye_crowd_dataset_builder.Builder(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY.parent)))
    n_faces = 0
    for example in tfds.as_numpy(builder.as_dataset(split="train")):
        image_id = example["image_id"].decode()
        raw = _table(DUMMY / "fixations" / f"{image_id}.txt", 5)
        fix = example["fixations"]
        np.testing.assert_allclose(fix["x"], raw[:, 0] - 0.5, atol=1e-4)
        np.testing.assert_allclose(fix["y"], raw[:, 1] - 0.5, atol=1e-4)
        np.testing.assert_array_equal(fix["subject"], raw[:, 2].astype(int))
        np.testing.assert_allclose(fix["time"], raw[:, 3], atol=1e-4)
        np.testing.assert_allclose(fix["duration"], raw[:, 4], atol=1e-4)
        width, height = Image.open(DUMMY / "stimuli" / f"{image_id}.jpg").size
        boxes = _table(DUMMY / "faces" / f"{image_id}.txt", 4)
        n_faces += len(boxes)
        for (xmin, ymin, xmax, ymax), got in zip(boxes, example["faces"], strict=True):
            # 1-based inclusive pixel box -> continuous [xmin - 1, xmax] edges, normalised (ymin, xmin, ymax, xmax)
            want = [(ymin - 1) / height, (xmin - 1) / width, ymax / height, xmax / width]
            np.testing.assert_allclose(got, want, atol=1e-6)
    assert n_faces > 0
