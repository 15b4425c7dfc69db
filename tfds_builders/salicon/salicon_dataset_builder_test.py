"""TFDS conformance test of the SALICON builder on generated dummy data, plus a value check."""

import pathlib

import numpy as np
import scipy.io
import tensorflow_datasets as tfds

from tfds_builders.salicon import salicon_dataset_builder

DUMMY = pathlib.Path(salicon_dataset_builder.__file__).parent / "dummy_data"


class SaliconTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = salicon_dataset_builder.Builder
    SPLITS = {"train": 3, "validation": 2}


def test_read_gaze_converts_subjects_and_coordinates():
    path = DUMMY / "fixations" / "train" / "COCO_train2014_000000000001.mat"
    fix = salicon_dataset_builder.read_gaze(path)
    gaze = scipy.io.loadmat(path)["gaze"]
    expected = np.concatenate([gaze[j, 0]["fixations"] for j in range(gaze.shape[0])]) - 0.5
    np.testing.assert_allclose(fix.xy, expected)
    assert sorted(set(fix.subject.tolist())) == [0, 1, 2]


if __name__ == "__main__":
    tfds.testing.test_main()
