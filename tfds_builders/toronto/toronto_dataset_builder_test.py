"""TFDS conformance test of the Toronto builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.core import checked_download_test_case
from tfds_builders.toronto import toronto_dataset_builder


class TorontoTest(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = toronto_dataset_builder.Builder
    SPLITS = {"train": 3}
    DL_DOWNLOAD_RESULT = "eyetrackingdata.zip"
    DL_EXTRACT_ONLY_RESULT = "."


if __name__ == "__main__":
    tfds.testing.test_main()
