"""Value tests of the folder-layout base builder (via FiWI's dummy data)."""

import pathlib

import numpy as np
import tensorflow_datasets as tfds

from tfds_builders.fiwi import fiwi_dataset_builder

DUMMY = pathlib.Path(fiwi_dataset_builder.__file__).parent / "dummy_data" / "train"


def _table(path, columns):
    text = path.read_text().strip()
    return np.array([line.split() for line in text.splitlines()], float).reshape(-1, columns)


def test_fixations_subjects_and_times(tmp_path):
    builder = fiwi_dataset_builder.Builder(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY.parent)))
    for example in tfds.as_numpy(builder.as_dataset(split="train")):
        image_id = example["image_id"].decode()
        raw = _table(DUMMY / "fixations" / f"{image_id}.txt", 5)
        fix = example["fixations"]
        np.testing.assert_allclose(fix["x"], raw[:, 0] - 0.5, atol=1e-4)
        np.testing.assert_allclose(fix["y"], raw[:, 1] - 0.5, atol=1e-4)
        np.testing.assert_array_equal(fix["subject"], raw[:, 2].astype(int))
        np.testing.assert_allclose(fix["time"], raw[:, 3], atol=1e-4)
        np.testing.assert_allclose(fix["duration"], raw[:, 4], atol=1e-4)
