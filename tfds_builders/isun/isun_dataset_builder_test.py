"""TFDS conformance test of the iSUN builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.core import checked_download_test_case
from tfds_builders.isun import isun_dataset_builder


class IsunTest(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = isun_dataset_builder.Builder
    SPLITS = {"train": 3, "validation": 2, "test": 2}
    DL_DOWNLOAD_RESULT = {
        "training": "training.mat", "validation": "validation.mat", "testing": "testing.mat", "images": "image.zip",
    }
    DL_EXTRACT_ONLY_RESULT = "."


if __name__ == "__main__":
    tfds.testing.test_main()
