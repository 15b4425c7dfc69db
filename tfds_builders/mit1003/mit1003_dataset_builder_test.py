"""TFDS conformance test of the MIT1003 builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.core import checked_download_test_case
from tfds_builders.mit1003 import mit1003_dataset_builder


class Mit1003Test(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = mit1003_dataset_builder.Builder
    SPLITS = {"train": 3}
    BUILDER_CONFIG_NAMES_TO_TEST = ["fixatons", "official", "official_raw"]
    DL_DOWNLOAD_RESULT = "ALLSTIMULI.zip"
    DL_EXTRACT_ONLY_RESULT = "."


if __name__ == "__main__":
    tfds.testing.test_main()
