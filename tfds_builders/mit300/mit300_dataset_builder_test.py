"""TFDS conformance test of the MIT300 builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.core import checked_download_test_case
from tfds_builders.mit300 import mit300_dataset_builder


class Mit300Test(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = mit300_dataset_builder.Builder
    SPLITS = {"test": 3}
    DL_DOWNLOAD_RESULT = "BenchmarkIMAGES.zip"
    DL_EXTRACT_ONLY_RESULT = "."


if __name__ == "__main__":
    tfds.testing.test_main()
