"""TFDS conformance test of the CAT2000 builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.cat2000 import cat2000_dataset_builder
from tfds_builders.core import checked_download_test_case


class Cat2000AllTest(checked_download_test_case.CheckedDownloadTestCase):
    DATASET_CLASS = cat2000_dataset_builder.Builder
    SPLITS = {"train": 21}
    BUILDER_CONFIG_NAMES_TO_TEST = ["all"]
    DL_DOWNLOAD_RESULT = "trainSet.zip"
    DL_EXTRACT_ONLY_RESULT = "."


class Cat2000ArtTest(Cat2000AllTest):
    SPLITS = {"train": 2}
    BUILDER_CONFIG_NAMES_TO_TEST = ["Art"]


if __name__ == "__main__":
    tfds.testing.test_main()
