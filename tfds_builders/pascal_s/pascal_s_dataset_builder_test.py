"""TFDS conformance test of the PASCAL-S builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.core import checked_download_test_case
from tfds_builders.pascal_s import pascal_s_dataset_builder


class PascalSTest(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = pascal_s_dataset_builder.Builder
    SPLITS = {"train": 3}
    DL_DOWNLOAD_RESULT = "salObj.zip"
    DL_EXTRACT_ONLY_RESULT = "."


if __name__ == "__main__":
    tfds.testing.test_main()
